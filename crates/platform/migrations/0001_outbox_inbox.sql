-- Shared messaging tables, present in every service's own database.

-- Events written in the business transaction, published by the relay.
CREATE TABLE IF NOT EXISTS outbox (
    id          uuid PRIMARY KEY,          -- the event id (ce-id, Nats-Msg-Id)
    tenant_id   uuid NOT NULL,
    subject     text NOT NULL,
    ce_type     text NOT NULL,
    source      text NOT NULL,
    payload     bytea NOT NULL,
    traceparent text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text
);
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (created_at, id) WHERE sent_at IS NULL;

-- Events a consumer has already applied: a redelivery is a no-op.
CREATE TABLE IF NOT EXISTS inbox (
    consumer     text NOT NULL,
    event_id     uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Messages that failed too often or cannot be decoded, kept for replay.
CREATE TABLE IF NOT EXISTS parked_events (
    id         bigserial PRIMARY KEY,
    consumer   text NOT NULL,
    subject    text NOT NULL,
    event_id   text,
    headers    jsonb NOT NULL,
    payload    bytea NOT NULL,
    error      text NOT NULL,
    deliveries bigint NOT NULL,
    parked_at  timestamptz NOT NULL DEFAULT now()
);
