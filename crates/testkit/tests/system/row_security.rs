//! Row-level security (ADR 0018), the second wall: a query that forgets its
//! tenant filter, run through a service's app pool as the service runs it,
//! still sees only the rows of the tenant of its scope, nothing without a
//! scope, and cannot write a row for another tenant.
use portal_platform::{db, tenancy};
use portal_testkit::Stack;
use sqlx::{AssertSqlSafe, PgPool};
use uuid::Uuid;

use crate::fixtures::{self, Tenant};

/// The services under the wall, each with an insert of one row of the
/// tenant `$1` into one of its tables.
const WALLED: [(&str, &str); 5] = [
    (
        "identity",
        "INSERT INTO audit_log (id, tenant_id, actor_kind, action, target_kind)
         VALUES (gen_random_uuid(), $1, 'staff', 'wall.test', 'tenant')",
    ),
    (
        "requests",
        "INSERT INTO request_settings (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING",
    ),
    (
        "work-orders",
        "INSERT INTO work_orders (id, tenant_id, customer_id, site_id, title, status)
         VALUES (gen_random_uuid(), $1, gen_random_uuid(), gen_random_uuid(), 'x', 'to_plan')",
    ),
    (
        "documents",
        "INSERT INTO owner_requests (tenant_id, request_id) VALUES ($1, gen_random_uuid())",
    ),
    (
        "notification",
        "INSERT INTO reply_threads (request_id, tenant_id) VALUES (gen_random_uuid(), $1)",
    ),
];

/// Tables holding a tenant_id that stay outside the wall (ADR 0018): the
/// app role may only add to the outbox, which the relay reads as the owner.
const UNWALLED: [&str; 1] = ["outbox"];

/// Tables without the wall and without a tenant column, on purpose (ADR
/// 0018): identity's tenants (found by slug before a tenant is known) and
/// attempt windows (keyed by address and account name, counted before the
/// tenant is resolved); the consumers' bookkeeping; the scheduled jobs'
/// turns; migrations. Any other
/// table must be walled, also one that reaches its tenant through a parent.
const OUTSIDE: [&str; 7] = [
    "tenants",
    "attempt_windows",
    "inbox",
    "parked_events",
    "job_runs",
    "_sqlx_migrations",
    "_platform_migrations",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_query_without_its_tenant_filter_sees_only_its_tenant() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let a = fixtures::tenant(&stack, "wall-a").await?;
    let b = fixtures::tenant(&stack, "wall-b").await?;
    let request_a = with_data(&stack, &a, "A's oven").await?;
    with_data(&stack, &b, "B's door").await?;
    let requests = stack.db("requests").await?;
    let tenant_a: Uuid = sqlx::query_scalar("SELECT tenant_id FROM requests WHERE id = $1::uuid")
        .bind(&request_a)
        .fetch_one(&requests)
        .await?;
    let tenant_b: Uuid =
        sqlx::query_scalar("SELECT DISTINCT tenant_id FROM requests WHERE tenant_id <> $1")
            .bind(tenant_a)
            .fetch_one(&requests)
            .await?;

    for (service, insert) in WALLED {
        let owner = stack.db(service).await?;
        let app = app_pool(&stack, service).await?;

        // Every table with a tenant column is walled, the owner included.
        let open: Vec<String> = sqlx::query_scalar(
            "SELECT c.relname::text FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
             JOIN pg_attribute t ON t.attrelid = c.oid AND t.attname = 'tenant_id'
             WHERE c.relkind = 'r' AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
               AND c.relname <> ALL ($1)",
        )
        .bind(UNWALLED.map(str::to_owned).to_vec())
        .fetch_all(&owner)
        .await?;
        assert!(
            open.is_empty(),
            "{service}: tables without the wall: {open:?}"
        );
        let listed: Vec<String> = UNWALLED
            .iter()
            .chain(&OUTSIDE)
            .map(|t| t.to_string())
            .collect();
        let unlisted: Vec<String> = sqlx::query_scalar(
            "SELECT c.relname::text FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
             WHERE c.relkind = 'r' AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
               AND c.relname <> ALL ($1)",
        )
        .bind(listed)
        .fetch_all(&owner)
        .await?;
        assert!(
            unlisted.is_empty(),
            "{service}: tables neither walled nor listed as outside: {unlisted:?}"
        );

        let walled: Vec<(String, bool)> = sqlx::query_as(
            "SELECT c.relname::text, EXISTS (SELECT 1 FROM pg_attribute t
                                             WHERE t.attrelid = c.oid AND t.attname = 'tenant_id')
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
             WHERE c.relkind = 'r' AND c.relrowsecurity ORDER BY 1",
        )
        .fetch_all(&owner)
        .await?;
        assert!(!walled.is_empty(), "{service}: no walled table");
        let mut both = 0;
        for (table, has_tenant) in &walled {
            let all = count(&owner, table).await?;
            let seen_by_a = tenancy::scope(tenant_a, count(&app, table)).await?;
            let seen_by_b = tenancy::scope(tenant_b, count(&app, table)).await?;
            let seen_by_nobody = count(&app, table).await?;
            assert_eq!(seen_by_nobody, 0, "{service}.{table} without a tenant");
            assert_eq!(
                seen_by_a + seen_by_b,
                all,
                "{service}.{table}: two tenants' rows"
            );
            if *has_tenant {
                let own: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                    "SELECT count(*) FROM {table} WHERE tenant_id = $1"
                )))
                .bind(tenant_a)
                .fetch_one(&owner)
                .await?;
                assert_eq!(seen_by_a, own, "{service}.{table} for tenant A");
            }
            if seen_by_a > 0 && seen_by_b > 0 {
                both += 1;
            }
        }
        assert!(both > 0, "{service}: no table held rows of both tenants");

        // Writing another tenant's row is refused; one's own goes through.
        let refused = tenancy::scope(tenant_a, insert_one(&app, insert, tenant_b)).await;
        let code = match refused {
            Err(sqlx::Error::Database(e)) => e.code().map(|c| c.into_owned()),
            other => panic!("{service}: tenant B's row under A's scope: {other:?}"),
        };
        assert_eq!(
            code.as_deref(),
            Some("42501"),
            "{service}: refused by the policy"
        );
        tenancy::scope(tenant_a, insert_one(&app, insert, tenant_a)).await?;

        if service == "requests" {
            // Search keeps its GIN index below the policy only if `@@` is
            // leakproof (ADR 18; the bench measured 812 -> 35 searches/s without).
            let leakproof: bool = sqlx::query_scalar(
                "SELECT proleakproof FROM pg_proc WHERE oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure",
            )
            .fetch_one(&app)
            .await?;
            assert!(
                leakproof,
                "full-text search cannot use its index under the wall"
            );
        }

        // The app role only adds to the outbox; the relay reads it as owner.
        let read = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM outbox")
            .fetch_one(&app)
            .await;
        assert!(read.is_err(), "{service}: the app role reads the outbox");
        app.close().await;
    }
    stack.stop().await
}

/// A request of `t`'s with a file, accepted (a work order, a mail): rows
/// in every service. Returns the request id.
async fn with_data(stack: &Stack, t: &Tenant, title: &str) -> anyhow::Result<String> {
    Ok(fixtures::accepted_with_file(stack, t, title).await?.0)
}

/// The service's app pool, built as the service builds it.
async fn app_pool(stack: &Stack, service: &str) -> anyhow::Result<PgPool> {
    let suffix = format!("_{}", service.replace('-', "_"));
    let index = stack
        .dbs
        .names
        .iter()
        .position(|n| n.ends_with(&suffix))
        .ok_or_else(|| anyhow::anyhow!("no database for {service}"))?;
    db::app_pool(&db::derive_app_url(&stack.dbs.url(index)), 2).await
}

async fn count(pool: &PgPool, table: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(pool)
        .await
}

/// Inserts in a transaction that is rolled back: the check is the point.
async fn insert_one(pool: &PgPool, insert: &str, tenant: Uuid) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(AssertSqlSafe(insert.to_owned()))
        .bind(tenant)
        .execute(&mut *tx)
        .await?;
    tx.rollback().await
}
