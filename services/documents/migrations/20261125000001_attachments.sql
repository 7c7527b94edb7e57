-- documents owns attachments: metadata here, the bytes in object storage
-- under `blob_key`.

CREATE TABLE attachments (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    owner_type   text NOT NULL,
    owner_id     uuid NOT NULL,
    -- Scope of the owner, copied so that reads can be filtered without
    -- asking the owning service.
    customer_id  uuid NOT NULL,
    site_id      uuid NULL,
    name         text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL CHECK (size > 0),
    sha256       bytea NOT NULL,
    blob_key     text NOT NULL UNIQUE,
    created_by   uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_owner ON attachments (tenant_id, owner_type, owner_id);
