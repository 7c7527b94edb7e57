-- Row-level security (ADR 0018): a second wall behind the tenant filters in
-- the queries. The app role sees and writes only rows of the tenant its
-- connection carries (portal_tenant()); FORCE holds the owner to it too
-- (superusers and BYPASSRLS roles still pass: migrations, the relay).
ALTER TABLE requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON requests
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE request_comments ENABLE ROW LEVEL SECURITY;
ALTER TABLE request_comments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON request_comments
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE request_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE request_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON request_settings
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON audit_log
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

-- The history has no tenant column: it belongs to its request, which the
-- subquery only finds in the connection's tenant.
ALTER TABLE request_status_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE request_status_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON request_status_history
    USING (EXISTS (SELECT 1 FROM requests r WHERE r.id = request_id))
    WITH CHECK (EXISTS (SELECT 1 FROM requests r WHERE r.id = request_id));
