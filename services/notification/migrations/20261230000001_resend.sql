-- F3: staff see what failed for good and send it again. When the last
-- attempt was, and how often staff asked for the mail again.
ALTER TABLE deliveries ADD COLUMN last_attempt_at timestamptz;
ALTER TABLE deliveries ADD COLUMN resent integer NOT NULL DEFAULT 0;
-- The back office's list of failures: one tenant, newest first.
CREATE INDEX deliveries_tenant_status ON deliveries (tenant_id, status, created_at DESC);
