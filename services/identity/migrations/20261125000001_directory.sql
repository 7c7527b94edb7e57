-- identity owns tenants, staff, customers, sites, contacts, credentials,
-- invitations, refresh tokens and signing keys.

CREATE TABLE tenants (
    id             uuid PRIMARY KEY,
    slug           text NOT NULL UNIQUE,
    name           text NOT NULL,
    portal_enabled boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff_users (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    email         text NOT NULL,
    name          text NOT NULL,
    password_hash text NOT NULL,
    roles         text[] NOT NULL,
    language      text NOT NULL DEFAULT 'en',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_users_email ON staff_users (tenant_id, lower(email));

CREATE TABLE customers (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES tenants (id),
    number            text NOT NULL,
    name              text NOT NULL,
    address           text NOT NULL DEFAULT '',
    info              text NOT NULL DEFAULT '',
    portal_enabled    boolean NOT NULL DEFAULT false,
    portal_enabled_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_number UNIQUE (tenant_id, number)
);

CREATE TABLE sites (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    customer_id uuid NOT NULL REFERENCES customers (id),
    name        text NOT NULL,
    address     text NOT NULL DEFAULT '',
    latitude    double precision,
    longitude   double precision,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sites_customer ON sites (tenant_id, customer_id);

CREATE TABLE contacts (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    customer_id   uuid NOT NULL REFERENCES customers (id),
    name          text NOT NULL,
    email         text NOT NULL,
    language      text NOT NULL DEFAULT 'en',
    notifications boolean NOT NULL DEFAULT true,
    site_ids      uuid[] NOT NULL DEFAULT '{}',
    access_from   timestamptz,
    access_until  timestamptz,
    password_hash text,
    activated_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX contacts_email ON contacts (tenant_id, lower(email));

CREATE TABLE invitations (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    contact_id  uuid NOT NULL REFERENCES contacts (id),
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_by  uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE refresh_tokens (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    account_id   uuid NOT NULL,
    account_kind text NOT NULL,
    family_id    uuid NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE signing_keys (
    kid         text PRIMARY KEY,
    private_pem text NOT NULL,
    public_x    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);
