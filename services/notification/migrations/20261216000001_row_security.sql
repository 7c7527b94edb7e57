-- Row-level security (ADR 0018): a second wall behind the tenant filters in
-- the queries. The app role sees and writes only rows of the tenant its
-- connection carries (portal_tenant()); FORCE holds the owner to it too
-- (superusers and BYPASSRLS roles still pass: migrations, the relay).

ALTER TABLE deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON deliveries
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE reply_threads ENABLE ROW LEVEL SECURITY;
ALTER TABLE reply_threads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON reply_threads
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE inbound_mails ENABLE ROW LEVEL SECURITY;
ALTER TABLE inbound_mails FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON inbound_mails
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
