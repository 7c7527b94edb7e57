-- Who accepted or rejected which request, when, from which address (G5).
-- Same columns as every service's audit log (portal_platform::audit).
CREATE TABLE audit_log (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
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
