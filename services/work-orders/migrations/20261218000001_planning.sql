-- Planning and doing the work (issue #10): a plan (window and technicians),
-- the technician's record of the work, and every change kept with who and
-- when. Statuses and changes are enum types, as in the code.
CREATE TYPE work_order_status AS ENUM ('to_plan', 'scheduled', 'in_progress', 'completed', 'cancelled');
CREATE TYPE work_order_change AS ENUM ('created', 'scheduled', 'rescheduled', 'unscheduled', 'started', 'completed', 'cancelled');

ALTER TABLE work_orders
    ALTER COLUMN status TYPE work_order_status USING status::work_order_status,
    ADD COLUMN planned_start      timestamptz,
    ADD COLUMN planned_end        timestamptz,
    ADD COLUMN started_at         timestamptz,
    ADD COLUMN completed_at       timestamptz,
    ADD COLUMN notes              text NOT NULL DEFAULT '',
    ADD COLUMN minutes_spent      integer NOT NULL DEFAULT 0,
    ADD COLUMN signer_name        text NOT NULL DEFAULT '',
    ADD COLUMN signature_png      bytea,
    ADD COLUMN cancel_reason      text NOT NULL DEFAULT '',
    ADD COLUMN report_document_id uuid,
    -- The contact who asked (from request.accepted): told of the plan.
    ADD COLUMN contact_id         uuid,
    ADD CONSTRAINT work_orders_window CHECK (planned_end > planned_start),
    -- A plan is both ends or neither.
    ADD CONSTRAINT work_orders_window_whole CHECK ((planned_start IS NULL) = (planned_end IS NULL));
-- The board and "my day" read by planned time.
CREATE INDEX work_orders_planned ON work_orders (tenant_id, planned_start) WHERE planned_start IS NOT NULL;

-- Who is planned on a work order; the name is copied at planning time so the
-- board never needs the directory.
CREATE TABLE work_order_technicians (
    tenant_id       uuid NOT NULL,
    work_order_id   uuid NOT NULL REFERENCES work_orders (id) ON DELETE CASCADE,
    technician_id   uuid NOT NULL,
    technician_name text NOT NULL,
    PRIMARY KEY (work_order_id, technician_id)
);
CREATE INDEX work_order_technicians_by_technician ON work_order_technicians (tenant_id, technician_id);

CREATE TABLE work_order_history (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    work_order_id uuid NOT NULL REFERENCES work_orders (id) ON DELETE CASCADE,
    change        work_order_change NOT NULL,
    status        work_order_status NOT NULL,
    by_id         uuid,
    by_name       text NOT NULL DEFAULT '',
    at            timestamptz NOT NULL,
    planned_start timestamptz,
    planned_end   timestamptz,
    note          text NOT NULL DEFAULT ''
);
CREATE INDEX work_order_history_of ON work_order_history (work_order_id, at);

-- The history of work orders created before it: their creation.
INSERT INTO work_order_history (id, tenant_id, work_order_id, change, status, at)
SELECT gen_random_uuid(), tenant_id, id, 'created', 'to_plan', created_at FROM work_orders;

-- Row-level security (ADR 0018), as on work_orders.
ALTER TABLE work_order_technicians ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_order_technicians FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON work_order_technicians
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
ALTER TABLE work_order_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_order_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON work_order_history
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
