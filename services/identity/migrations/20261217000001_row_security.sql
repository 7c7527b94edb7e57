-- Row-level security (ADR 0018): a second wall behind the tenant filters in
-- the queries. The app role sees and writes only rows of the tenant its
-- connection carries (portal_tenant()); FORCE holds the owner to it too
-- (superusers and BYPASSRLS roles still pass: migrations, lookups across
-- tenants on the SystemPool).
--
-- Outside by nature: tenants (found by slug before any tenant is known; it
-- is the list of tenants itself) and attempt_windows (keyed by address and
-- by account name before the tenant is resolved).

ALTER TABLE staff_users ENABLE ROW LEVEL SECURITY;
ALTER TABLE staff_users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON staff_users
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON customers
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE sites ENABLE ROW LEVEL SECURITY;
ALTER TABLE sites FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON sites
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON contacts
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE contact_customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE contact_customers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON contact_customers
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON invitations
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON refresh_tokens
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE account_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON account_links
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE secure_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE secure_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON secure_links
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE known_devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE known_devices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON known_devices
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON audit_log
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
