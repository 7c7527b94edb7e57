-- The delivery log: every mail notification has queued, with its retries.
-- Mails are rendered when queued, so a retry sends exactly what was asked for.
CREATE TABLE deliveries (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL,
    -- One row per mail, whatever the caller retries: a second insert is a no-op.
    idempotency_key text NOT NULL UNIQUE,
    template        text NOT NULL,
    recipient       text NOT NULL,
    language        text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);

-- The sender's queue: only pending rows, oldest due first.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
-- The back office's list: one tenant, newest first.
CREATE INDEX deliveries_tenant ON deliveries (tenant_id, created_at DESC);
