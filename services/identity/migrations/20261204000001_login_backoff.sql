-- Login back-off (see src/backoff.rs): when the last try was, and when the
-- next one may be checked. Fixed-window quotas (mails, links) keep using
-- window_start.
ALTER TABLE attempt_windows
    ADD COLUMN last_at    timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN not_before timestamptz NOT NULL DEFAULT now();

-- Browsers (and API clients) that logged in to an account before: their
-- tries are counted apart from everyone else's, so a guesser cannot keep
-- the owner out. Only a hash of the token is kept.
CREATE TABLE known_devices (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    email        text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX known_devices_last_used ON known_devices (last_used_at);
