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
