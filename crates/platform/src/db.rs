//! The service's own PostgreSQL database: pools and migrations.
//!
//! Two pools (ADR 0018). The app pool connects as a plain role (`portal_app`
//! unless configured) that owns nothing and cannot bypass row-level
//! security; each connection it hands out carries the acquiring task's
//! tenant (`tenancy`), so the policies show no other tenant's rows even to a
//! query that forgot its filter. The [`SystemPool`] connects as the owner
//! (the URL migrations use) for the few cross-tenant jobs: the outbox relay
//! and pruning.
use std::time::Duration;

use anyhow::Context;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgConnection, PgPool};

/// The messaging tables (outbox, inbox, parked events) every service has.
static PLATFORM_MIGRATIONS: Migrator = sqlx::migrate!("./migrations");

/// The app role when `PORTAL_DATABASE_APP_URL` is not set.
pub const DEFAULT_APP_ROLE: &str = "portal_app";

/// Tables the app role may not touch at all: migration bookkeeping.
const OWNER_ONLY: [&str; 2] = ["_sqlx_migrations", "_platform_migrations"];

/// The owner's pool, for work that spans tenants (the outbox relay,
/// pruning). Named apart so that it is never passed where a tenant's work
/// belongs: the tables' policies do not hold for it.
#[derive(Clone, Debug)]
pub struct SystemPool(PgPool);

impl SystemPool {
    pub fn new(pool: PgPool) -> Self {
        Self(pool)
    }

    /// The pool itself, for cross-tenant work only.
    pub fn cross_tenant(&self) -> &PgPool {
        &self.0
    }
}

/// A service's two pools.
pub struct Pools {
    /// Tenant-scoped: every connection carries the acquiring task's tenant.
    pub app: PgPool,
    pub system: SystemPool,
}

/// Connects as the owner (retrying while the server is not there yet, up to
/// `patience`), applies the platform's then the service's migrations, and
/// grants the app role what it needs. Returns the owner's pool.
pub async fn migrate(
    owner_url: &str,
    app_url: &str,
    max_connections: u32,
    service_migrations: &Migrator,
    patience: Duration,
) -> anyhow::Result<PgPool> {
    let started = std::time::Instant::now();
    let pool = loop {
        match PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect(owner_url)
            .await
        {
            Ok(pool) => break pool,
            Err(e) if started.elapsed() < patience => {
                tracing::warn!(error = %e, "database not reachable yet, retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => return Err(e).context("connecting to the database"),
        }
    };
    // The platform keeps its own bookkeeping table so that its migrations
    // and the service's never mix.
    let mut platform = Migrator::with_migrations(PLATFORM_MIGRATIONS.migrations.to_vec());
    platform.dangerous_set_table_name("_platform_migrations");
    platform
        .run(&pool)
        .await
        .context("applying platform migrations")?;
    service_migrations
        .run(&pool)
        .await
        .context("applying service migrations")?;
    let app = AppRole::from_url(app_url)?;
    app.ensure_exists(&pool).await?;
    app.grant(&pool).await?;
    Ok(pool)
}

/// Migrates, then opens the app pool beside the owner's.
pub async fn connect_and_migrate(
    owner_url: &str,
    app_url: &str,
    max_connections: u32,
    service_migrations: &Migrator,
    patience: Duration,
) -> anyhow::Result<Pools> {
    // The owner's pool is small: a relay, pruning, a listener.
    let system = migrate(owner_url, app_url, 3, service_migrations, patience).await?;
    require_bypass(&system).await?;
    let app = app_pool(app_url, max_connections).await?;
    refuse_privileged(&app).await?;
    Ok(Pools {
        app,
        system: SystemPool::new(system),
    })
}

/// A pool whose connections carry the tenant of the task that acquires
/// them, set on every acquire (`before_acquire` for an idle connection,
/// `after_connect` for a new one: sqlx 0.9 runs both inside `acquire`, in
/// the caller's task, so the task-local is there). No tenant sets the empty
/// string, which the policies match with nothing.
pub async fn app_pool(app_url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        // Setting the tenant is a round trip that proves the connection
        // alive, so the ping before it would only double the cost.
        .test_before_acquire(false)
        .after_connect(|conn, _| Box::pin(set_tenant(conn)))
        .before_acquire(|conn, _| Box::pin(async move { set_tenant(conn).await.map(|()| true) }))
        .connect(app_url)
        .await
        .context("connecting to the database as the app role")
}

async fn set_tenant(conn: &mut PgConnection) -> sqlx::Result<()> {
    let tenant = crate::tenancy::current()
        .map(|t| t.to_string())
        .unwrap_or_default();
    sqlx::query("SELECT set_config('portal.tenant', $1, false)")
        .bind(tenant)
        .execute(conn)
        .await?;
    Ok(())
}

/// The tables force row-level security on their owner too, so the owner's
/// cross-tenant work (the relay, jobs over every tenant's rows, data
/// migrations) needs a role that bypasses it: a superuser or BYPASSRLS.
async fn require_bypass(system: &PgPool) -> anyhow::Result<()> {
    let (user, bypasses): (String, bool) = sqlx::query_as(
        "SELECT current_user::text, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(system)
    .await
    .context("checking the owner role")?;
    if !bypasses {
        anyhow::bail!(
            "the database owner role {user} (DATABASE_URL) must bypass row-level security \
             for migrations and cross-tenant jobs: ALTER ROLE {user} BYPASSRLS (ADR 0018)"
        );
    }
    Ok(())
}

/// A role that bypasses row-level security (a superuser, BYPASSRLS, or the
/// tables' owner) would make the policies decoration: refuse to serve.
async fn refuse_privileged(app: &PgPool) -> anyhow::Result<()> {
    let (user, bypasses, owns): (String, bool, bool) = sqlx::query_as(
        "SELECT current_user::text,
                (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user),
                EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public'
                        AND pg_has_role(current_user, tableowner, 'USAGE'))",
    )
    .fetch_one(app)
    .await
    .context("checking the app role")?;
    if bypasses || owns {
        anyhow::bail!(
            "the app database role {user} bypasses row-level security (superuser, BYPASSRLS \
             or owner of the tables); PORTAL_DATABASE_APP_URL must name a plain role (ADR 0018)"
        );
    }
    Ok(())
}

/// The app role as its URL names it.
struct AppRole {
    name: String,
    password: Option<String>,
}

impl AppRole {
    fn from_url(url: &str) -> anyhow::Result<Self> {
        let (user, password) = userinfo(url)
            .filter(|(user, _)| !user.is_empty())
            .context("PORTAL_DATABASE_APP_URL names no user")?;
        Ok(Self {
            name: user,
            password,
        })
    }

    /// Creates the role when it is missing and the owner may create roles
    /// (development, tests, the chart's trial database); production creates
    /// it beforehand. Parallel starts race: "already exists" is success.
    async fn ensure_exists(&self, owner: &PgPool) -> anyhow::Result<()> {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
                .bind(&self.name)
                .fetch_one(owner)
                .await?;
        if exists {
            return Ok(());
        }
        let create: String = sqlx::query_scalar(
            "SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE', $1::text)
                 || CASE WHEN $2::text IS NULL THEN '' ELSE format(' PASSWORD %L', $2::text) END",
        )
        .bind(&self.name)
        .bind(&self.password)
        .fetch_one(owner)
        .await?;
        match sqlx::raw_sql(sqlx::AssertSqlSafe(create)).execute(owner).await {
            Ok(_) => Ok(()),
            // duplicate_object, or the catalogue's unique index in a race.
            Err(sqlx::Error::Database(e)) if matches!(e.code().as_deref(), Some("42710" | "23505")) => {
                Ok(())
            }
            Err(e) => Err(e).with_context(|| {
                format!(
                    "creating the app database role {} (create it beforehand: LOGIN NOSUPERUSER NOBYPASSRLS)",
                    self.name
                )
            }),
        }
    }

    /// Data rights on every table and sequence, now and for tables later
    /// migrations make; none on the migration bookkeeping; only INSERT on
    /// the outbox (the relay, on the system pool, reads it).
    async fn grant(&self, owner: &PgPool) -> anyhow::Result<()> {
        let mut tx = owner.begin().await?;
        // Replicas starting together would collide on the same ACLs.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('portal_app_grants'))")
            .execute(&mut *tx)
            .await?;
        let statements: Vec<String> = sqlx::query_scalar(
            "SELECT format(s, $1::text) FROM unnest($2::text[]) AS s",
        )
        .bind(&self.name)
        .bind(
            [
                "GRANT USAGE ON SCHEMA public TO %I",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I",
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I",
                "REVOKE SELECT, UPDATE, DELETE ON outbox FROM %I",
            ]
            .map(str::to_owned)
            .to_vec(),
        )
        .fetch_all(&mut *tx)
        .await?;
        for statement in statements {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                .execute(&mut *tx)
                .await
                .with_context(|| format!("granting the app role {} its rights", self.name))?;
        }
        for table in OWNER_ONLY {
            let revoke: String = sqlx::query_scalar(
                "SELECT format('REVOKE ALL ON %I FROM %I', $1::text, $2::text)
                 WHERE to_regclass($1) IS NOT NULL",
            )
            .bind(table)
            .bind(&self.name)
            .fetch_optional(&mut *tx)
            .await?
            .unwrap_or_default();
            if !revoke.is_empty() {
                sqlx::raw_sql(sqlx::AssertSqlSafe(revoke))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The app URL when none is configured: the owner's URL with the user
/// replaced by [`DEFAULT_APP_ROLE`], its password kept. A password of its
/// own would protect nothing more here: the process holds the owner's URL
/// anyway (migrations, the relay); the wall is against queries, not thieves.
pub fn derive_app_url(owner_url: &str) -> String {
    let Some((scheme, rest)) = owner_url.split_once("://") else {
        return owner_url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (password, host) = match authority.rsplit_once('@') {
        Some((info, host)) => (info.split_once(':').map(|(_, p)| p), host),
        None => (None, authority),
    };
    match password {
        Some(p) => format!("{scheme}://{DEFAULT_APP_ROLE}:{p}@{host}{tail}"),
        None => format!("{scheme}://{DEFAULT_APP_ROLE}@{host}{tail}"),
    }
}

/// The user and password of a URL, percent-decoded.
fn userinfo(url: &str) -> Option<(String, Option<String>)> {
    let rest = url.split_once("://")?.1;
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let (info, _) = authority.rsplit_once('@')?;
    Some(match info.split_once(':') {
        Some((user, password)) => (decode(user), Some(decode(password))),
        None => (decode(info), None),
    })
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Wakes a worker when its PostgreSQL channel is notified, or after a
/// timeout (the safety net for a notification missed while reconnecting).
pub struct Wakeup {
    pool: PgPool,
    channel: &'static str,
    listener: Option<sqlx::postgres::PgListener>,
}

impl Wakeup {
    pub fn new(pool: PgPool, channel: &'static str) -> Self {
        Self {
            pool,
            channel,
            listener: None,
        }
    }

    /// Waits for a notification or `timeout`; false when `shutdown` came first.
    pub async fn wait(
        &mut self,
        timeout: Duration,
        shutdown: &tokio_util::sync::CancellationToken,
    ) -> bool {
        if self.listener.is_none() {
            self.listener = self.listen().await;
        }
        let notified = async {
            match self.listener.as_mut() {
                Some(l) => l.recv().await.map(|_| ()),
                None => std::future::pending().await,
            }
        };
        let lost = tokio::select! {
            _ = shutdown.cancelled() => return false,
            _ = tokio::time::sleep(timeout) => false,
            r = notified => r.is_err(),
        };
        if lost {
            self.listener = None;
        }
        true
    }

    async fn listen(&self) -> Option<sqlx::postgres::PgListener> {
        let mut l = sqlx::postgres::PgListener::connect_with(&self.pool)
            .await
            .ok()?;
        l.listen(self.channel).await.ok()?;
        Some(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_url_swaps_the_user() {
        assert_eq!(
            derive_app_url("postgres://postgres@127.0.0.1:5432/portal_requests"),
            "postgres://portal_app@127.0.0.1:5432/portal_requests"
        );
        assert_eq!(
            derive_app_url("postgres://o:p%40ss@db/x?sslmode=disable"),
            "postgres://portal_app:p%40ss@db/x?sslmode=disable"
        );
        assert_eq!(
            derive_app_url("postgres://db:5432/x"),
            "postgres://portal_app@db:5432/x"
        );
    }

    #[test]
    fn the_role_comes_from_the_url() {
        assert_eq!(
            userinfo("postgres://portal_app:s%40cret@db/x"),
            Some(("portal_app".into(), Some("s@cret".into())))
        );
        assert_eq!(userinfo("postgres://app@db/x"), Some(("app".into(), None)));
        assert_eq!(userinfo("postgres://db/x"), None);
    }
}
