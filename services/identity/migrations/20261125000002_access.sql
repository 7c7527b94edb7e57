-- Every way in (A1-A10): tenant and customer portal switches, request
-- visibility, contacts of several customers, reset and registration links,
-- secure links, login throttling and the audit log.

ALTER TABLE tenants
    ADD COLUMN portal_all_customers boolean NOT NULL DEFAULT false,
    ADD COLUMN registration_open    boolean NOT NULL DEFAULT true,
    ADD COLUMN contact_email        text NOT NULL DEFAULT '',
    ADD COLUMN phone                text NOT NULL DEFAULT '',
    ADD COLUMN address              text NOT NULL DEFAULT '';

ALTER TABLE customers
    ADD COLUMN request_visibility text NOT NULL DEFAULT 'all'
        CONSTRAINT customers_request_visibility CHECK (request_visibility IN ('all', 'since', 'after_enabled')),
    ADD COLUMN visible_since timestamptz;

-- Memberships beyond the contact's home customer (contacts.customer_id).
CREATE TABLE contact_customers (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    contact_id  uuid NOT NULL REFERENCES contacts (id),
    customer_id uuid NOT NULL REFERENCES customers (id),
    site_ids    uuid[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contact_id, customer_id)
);
CREATE INDEX contact_customers_customer ON contact_customers (tenant_id, customer_id);

-- Password-reset and registration links (single use, stored as hashes).
CREATE TABLE account_links (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    purpose       text NOT NULL CHECK (purpose IN ('reset', 'registration')),
    account_kind  text NOT NULL CHECK (account_kind IN ('staff', 'contact')),
    account_id    uuid NOT NULL,
    token_hash    bytea NOT NULL UNIQUE,
    -- registration: the password chosen when registering, set on confirmation
    password_hash text,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_links_account ON account_links (account_id) WHERE used_at IS NULL;

CREATE TABLE secure_links (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    customer_id   uuid NOT NULL REFERENCES customers (id),
    site_id       uuid REFERENCES sites (id),
    work_order_id uuid,
    label         text NOT NULL DEFAULT '',
    token_hash    bytea NOT NULL UNIQUE,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    last_used_at  timestamptz,
    created_by    uuid NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX secure_links_customer ON secure_links (tenant_id, customer_id, created_at DESC);

-- Session of a contact switched to another customer keeps it on refresh.
ALTER TABLE refresh_tokens ADD COLUMN customer_id uuid;
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id) WHERE revoked_at IS NULL;

-- Failed attempts per key ('account:<tenant>:<email>', 'ip:<address>', ...)
-- within a fixed window.
CREATE TABLE attempt_windows (
    key          text PRIMARY KEY,
    attempts     integer NOT NULL,
    window_start timestamptz NOT NULL
);

CREATE TABLE audit_log (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid,
    actor_kind  text NOT NULL,
    action      text NOT NULL,
    target_kind text NOT NULL,
    target_id   uuid,
    detail      text NOT NULL DEFAULT '',
    client_ip   text
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, at DESC, id DESC);
