-- E3: an accepted quote becomes one work order to plan, linked both ways
-- (documents learns the work order from work_order.created).
ALTER TABLE work_orders ADD COLUMN quote_id uuid;
CREATE UNIQUE INDEX work_orders_one_per_quote ON work_orders (tenant_id, quote_id)
    WHERE quote_id IS NOT NULL;
