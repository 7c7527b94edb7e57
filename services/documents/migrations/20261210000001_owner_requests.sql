-- What documents knows of the requests that own attachments, copied from
-- request.submitted and work_order.created: enough to apply a token's
-- narrowing (requests created before a customer's "since" limit are hidden;
-- a secure link for one work order sees only that work order's request)
-- without asking requests. Either column may arrive first. Requests older
-- than this table have no row: their files are hidden from narrowed callers
-- only (staff and unnarrowed contacts see them as before).
CREATE TABLE owner_requests (
    tenant_id     uuid NOT NULL,
    request_id    uuid NOT NULL,
    created_at    timestamptz,
    work_order_id uuid,
    PRIMARY KEY (tenant_id, request_id)
);
