-- When the work order's request was created, copied from request.accepted,
-- so a customer's "requests since" limit (A10) also hides its work order.
-- NULL for work orders older than this column: unknown, hence hidden from a
-- caller under such a limit (staff and unlimited contacts still see them).
ALTER TABLE work_orders ADD COLUMN request_created_at timestamptz;
