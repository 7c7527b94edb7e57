-- Recurring inspection plans (D4, B4): every N months a site (or one
-- equipment) is due an inspection; the work order to plan is made ahead of
-- time, exactly once per period (the unique index), however many runners.
CREATE TABLE inspection_plans (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    customer_id  uuid NOT NULL,
    site_id      uuid NOT NULL,
    equipment_id uuid REFERENCES equipment (id) ON DELETE CASCADE,
    title        text NOT NULL,
    every_months integer NOT NULL CHECK (every_months BETWEEN 1 AND 120),
    -- How many days before the due date the work order is made.
    lead_days    integer NOT NULL DEFAULT 30 CHECK (lead_days BETWEEN 0 AND 365),
    next_due     date NOT NULL,
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inspection_plans_site ON inspection_plans (tenant_id, site_id);
CREATE INDEX inspection_plans_due ON inspection_plans (next_due) WHERE active;

-- A work order made by a plan, for the period due on that date.
ALTER TABLE work_orders ADD COLUMN plan_id uuid, ADD COLUMN due_on date;
CREATE UNIQUE INDEX work_orders_one_per_plan_period ON work_orders (plan_id, due_on)
    WHERE plan_id IS NOT NULL;
CREATE INDEX work_orders_site_plan ON work_orders (tenant_id, site_id, due_on)
    WHERE plan_id IS NOT NULL;

ALTER TABLE inspection_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE inspection_plans FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON inspection_plans
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
