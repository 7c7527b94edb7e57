-- Row-level security (ADR 0018): a second wall behind the tenant filters in
-- the queries. The app role sees and writes only rows of the tenant its
-- connection carries (portal_tenant()); FORCE holds the owner to it too
-- (superusers and BYPASSRLS roles still pass: migrations, the relay).

ALTER TABLE work_orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_orders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON work_orders
    USING (tenant_id = portal_tenant()) WITH CHECK (tenant_id = portal_tenant());
