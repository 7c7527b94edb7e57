-- A copy of the linked work order's plan (#10), from the work_order.*
-- events: its state and the time of its last change as work-orders made it
-- (an event that arrives late, older than the copy, changes nothing), the
-- planned end beside the existing planned_start, and who comes. Columns of
-- `requests`, so its row-level security policy (ADR 0018) covers them.
CREATE TYPE work_state AS ENUM ('to_plan', 'scheduled', 'in_progress', 'completed', 'cancelled');

ALTER TABLE requests
    ADD COLUMN work_order_state      work_state,
    ADD COLUMN work_order_changed_at timestamptz,
    ADD COLUMN planned_end           timestamptz,
    -- [{"id": "<staff id>", "name": "<name when planned>"}], in plan order.
    ADD COLUMN technicians           jsonb NOT NULL DEFAULT '[]';
