-- Technicians' working hours and absences (issue #10), so the board shows
-- when each is free and planning warns outside them.
--
-- Weekly hours are wall-clock times (time without zone). The portal has no
-- tenant time zone yet, so they are read as UTC; a tenant zone is a later
-- change that needs no new data here.
CREATE TYPE weekday AS ENUM ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday');
CREATE TYPE absence_reason AS ENUM ('holiday', 'sick', 'training', 'other');

-- A week of hours: a technician's own, or the tenant's default (technician
-- NULL). The row says a week is set, even one with no hours at all.
CREATE TABLE working_weeks (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    technician_id uuid,
    updated_at    timestamptz NOT NULL,
    updated_by    uuid,
    CONSTRAINT working_weeks_one UNIQUE NULLS NOT DISTINCT (tenant_id, technician_id)
);

CREATE TABLE working_hours (
    week_id   uuid NOT NULL REFERENCES working_weeks (id) ON DELETE CASCADE,
    tenant_id uuid NOT NULL,
    weekday   weekday NOT NULL,
    starts_at time NOT NULL,
    ends_at   time NOT NULL,
    CONSTRAINT working_hours_order CHECK (ends_at > starts_at),
    PRIMARY KEY (week_id, weekday, starts_at)
);

CREATE TABLE absences (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    technician_id uuid NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    reason        absence_reason NOT NULL,
    note          text NOT NULL DEFAULT '',
    created_by    uuid NOT NULL,
    created_at    timestamptz NOT NULL,
    CONSTRAINT absences_order CHECK (ends_at > starts_at)
);
CREATE INDEX absences_by_technician ON absences (tenant_id, technician_id, starts_at);

-- Row-level security (ADR 0018), as on work_orders.
ALTER TABLE working_weeks ENABLE ROW LEVEL SECURITY;
ALTER TABLE working_weeks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON working_weeks
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
ALTER TABLE working_hours ENABLE ROW LEVEL SECURITY;
ALTER TABLE working_hours FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON working_hours
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
ALTER TABLE absences ENABLE ROW LEVEL SECURITY;
ALTER TABLE absences FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON absences
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
