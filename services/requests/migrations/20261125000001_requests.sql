-- requests owns requests (tickets), their status history and a copy of the
-- linked work order's id.
CREATE TABLE requests (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    customer_id   uuid NOT NULL,
    site_id       uuid NOT NULL,
    contact_id    uuid NOT NULL,
    title         text NOT NULL,
    description   text NOT NULL,
    category      text NOT NULL DEFAULT '',
    priority      text NOT NULL DEFAULT 'normal',
    status        text NOT NULL,
    work_order_id uuid,
    reject_reason text NOT NULL DEFAULT '',
    assignee      text NOT NULL DEFAULT '',
    planned_start timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
-- Lists are keyset-paginated newest first within a tenant.
CREATE INDEX requests_tenant_created ON requests (tenant_id, created_at DESC, id DESC);
CREATE INDEX requests_customer_created ON requests (tenant_id, customer_id, created_at DESC, id DESC);

CREATE TABLE request_status_history (
    id         bigserial PRIMARY KEY,
    request_id uuid NOT NULL REFERENCES requests (id),
    status     text NOT NULL,
    changed_by uuid NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    note       text NOT NULL DEFAULT ''
);
CREATE INDEX request_status_history_request ON request_status_history (request_id, changed_at);
