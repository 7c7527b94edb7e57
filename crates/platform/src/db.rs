//! The service's own PostgreSQL database: pool and migrations.
use std::time::Duration;

use anyhow::Context;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;

/// The messaging tables (outbox, inbox, parked events) every service has.
static PLATFORM_MIGRATIONS: Migrator = sqlx::migrate!("./migrations");

/// Connects (retrying while the server is not there yet, up to `patience`)
/// and applies the platform's then the service's migrations.
pub async fn connect_and_migrate(
    url: &str,
    max_connections: u32,
    service_migrations: &Migrator,
    patience: Duration,
) -> anyhow::Result<PgPool> {
    let started = std::time::Instant::now();
    let pool = loop {
        match PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
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
    Ok(pool)
}
