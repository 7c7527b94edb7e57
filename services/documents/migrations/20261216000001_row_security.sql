-- Row-level security (ADR 0018): a second wall behind the tenant filters in
-- the queries. The app role sees and writes only rows of the tenant its
-- connection carries (portal_tenant()); FORCE holds the owner to it too
-- (superusers and BYPASSRLS roles still pass: migrations, the relay).

ALTER TABLE attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE attachments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON attachments
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE owner_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE owner_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON owner_requests
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
