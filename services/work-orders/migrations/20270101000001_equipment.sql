-- Equipment at customers' sites and what inspections found (B3, D4;
-- ADR 0029). Sites are identity's: an equipment copies its site's customer
-- when created (a site never changes customer).
CREATE TYPE inspection_result AS ENUM ('conforming', 'non_conforming');

CREATE TABLE equipment (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL,
    customer_id       uuid NOT NULL,
    site_id           uuid NOT NULL,
    kind              text NOT NULL,
    name              text NOT NULL,
    make              text NOT NULL DEFAULT '',
    model             text NOT NULL DEFAULT '',
    serial_number     text NOT NULL DEFAULT '',
    location          text NOT NULL DEFAULT '',
    installed_on      date,
    custom_fields     jsonb NOT NULL DEFAULT '{}',
    -- The latest inspection's result, kept with the row so lists need no join.
    last_result       inspection_result,
    last_inspected_at timestamptz,
    last_work_order_id uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- A serial number names one unit in a tenant (an import's duplicate is refused).
CREATE UNIQUE INDEX equipment_serial ON equipment (tenant_id, lower(serial_number))
    WHERE serial_number <> '';
CREATE INDEX equipment_site ON equipment (tenant_id, site_id, lower(name), id);
CREATE INDEX equipment_customer ON equipment (tenant_id, customer_id, lower(name), id);
CREATE INDEX equipment_tenant ON equipment (tenant_id, lower(name), id);

CREATE TABLE inspection_results (
    tenant_id     uuid NOT NULL,
    work_order_id uuid NOT NULL REFERENCES work_orders (id) ON DELETE CASCADE,
    equipment_id  uuid NOT NULL REFERENCES equipment (id) ON DELETE CASCADE,
    result        inspection_result NOT NULL,
    remarks       text NOT NULL DEFAULT '',
    -- [{"item": "...", "ok": true}], in the order of the kind's checklist.
    checklist     jsonb NOT NULL DEFAULT '[]',
    by_id         uuid NOT NULL,
    by_name       text NOT NULL DEFAULT '',
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (work_order_id, equipment_id)
);
CREATE INDEX inspection_results_equipment ON inspection_results (tenant_id, equipment_id, recorded_at DESC);

-- The tenant's own equipment fields and per-kind checklists.
CREATE TABLE equipment_settings (
    tenant_id  uuid PRIMARY KEY,
    fields     jsonb NOT NULL DEFAULT '[]',
    checklists jsonb NOT NULL DEFAULT '[]',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The equipment a request was raised for (C7), copied from request.accepted.
ALTER TABLE work_orders ADD COLUMN equipment_id uuid;
CREATE INDEX work_orders_equipment ON work_orders (tenant_id, equipment_id) WHERE equipment_id IS NOT NULL;

-- Row-level security (ADR 0018), as on work_orders.
ALTER TABLE equipment ENABLE ROW LEVEL SECURITY;
ALTER TABLE equipment FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON equipment
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
ALTER TABLE inspection_results ENABLE ROW LEVEL SECURITY;
ALTER TABLE inspection_results FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON inspection_results
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
ALTER TABLE equipment_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE equipment_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON equipment_settings
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
