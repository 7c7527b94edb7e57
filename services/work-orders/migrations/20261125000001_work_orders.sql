-- work-orders owns plannable work orders; exactly one per accepted request.
CREATE TABLE work_orders (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    request_id  uuid,
    customer_id uuid NOT NULL,
    site_id     uuid NOT NULL,
    title       text NOT NULL,
    description text NOT NULL DEFAULT '',
    status      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT work_orders_one_per_request UNIQUE (tenant_id, request_id)
);
CREATE INDEX work_orders_tenant_status ON work_orders (tenant_id, status, created_at DESC, id DESC);
