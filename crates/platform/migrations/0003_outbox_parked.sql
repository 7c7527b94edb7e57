-- An outbox row that can never be published (larger than NATS's largest
-- message, say) is set aside after a few tries: the relay goes on with the
-- rows behind it, and `cargo xtask parked` lists it.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS parked_at timestamptz;
DROP INDEX IF EXISTS outbox_unsent;
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (created_at, id)
    WHERE sent_at IS NULL AND parked_at IS NULL;
