-- The tenant of the current connection, for row-level security (ADR 0018).
-- The app pool sets portal.tenant on every acquire from the task's tenant;
-- without one it is empty, and NULL matches no row. A plain SQL function,
-- so the planner inlines it and a policy still uses the tenant indexes.
CREATE OR REPLACE FUNCTION portal_tenant() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('portal.tenant', true), '')::uuid $$;
