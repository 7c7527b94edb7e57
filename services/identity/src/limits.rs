//! Rate limits on logins, mails asked for and link tokens: counted in the
//! database so that every identity replica sees the same numbers.
use chrono::Utc;
use portal_platform::errors::{ServiceError, ServiceResult};

use crate::backoff::{self, Backoff, Gate};
use crate::domain::{self, Limit};
use crate::grpc::Identity;
use crate::store;

impl Identity {
    /// Refuses with 429 when `key` has used up `limit`.
    pub(crate) async fn within(&self, key: &str, limit: Limit) -> ServiceResult<()> {
        if let Some((attempts, start)) = store::attempts(&self.pool, key).await?
            && let Some(wait) = domain::retry_after(limit, attempts, start, Utc::now())
        {
            tracing::warn!(key, attempts, "rate limited");
            return Err(ServiceError::TooMany {
                message: format!(
                    "too many attempts; try again in {} minute(s)",
                    wait.div_ceil(60)
                ),
                retry_after_secs: wait,
            });
        }
        Ok(())
    }

    /// Counts a login try before its password is checked, and refuses it
    /// unchecked while the key must wait (see `backoff`).
    pub(crate) async fn take_try(&self, key: &str, b: Backoff) -> ServiceResult<()> {
        let mut tx = self.pool.begin().await?;
        let before = store::tries_for_update(&mut tx, key).await?;
        let gate = backoff::gate(b, before, Utc::now());
        if let Gate::Go(tries) = &gate {
            store::set_tries(&mut tx, key, tries).await?;
        }
        tx.commit().await?;
        match gate {
            Gate::Go(_) => Ok(()),
            Gate::Wait(wait) => {
                tracing::warn!(key, wait, "login try refused unchecked");
                Err(ServiceError::TooMany {
                    message: format!(
                        "too many attempts; try again in {wait} second(s), \
                         or get in by mail with \"forgot password\""
                    ),
                    retry_after_secs: wait,
                })
            }
        }
    }

    /// Takes back one counted try of `key` (a success from a shared address).
    pub(crate) async fn untake_try(&self, key: &str) -> ServiceResult<()> {
        store::untake_try(&self.pool, key).await?;
        Ok(())
    }

    pub(crate) async fn count(&self, key: &str, limit: Limit) -> ServiceResult<()> {
        store::count_attempt(&self.pool, key, limit.window_secs).await?;
        Ok(())
    }

    pub(crate) async fn forget(&self, key: &str) -> ServiceResult<()> {
        store::clear_attempts(&self.pool, key).await?;
        Ok(())
    }
}

/// Drops ended attempt windows (global) and idle devices (every tenant's,
/// so as the owner) now and then, so the tables stay small.
pub async fn prune_hourly(
    pool: sqlx::PgPool,
    system: portal_platform::db::SystemPool,
    shutdown: portal_platform::CancellationToken,
) {
    // Each replica asks every five minutes; one of them prunes each hour.
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
    let every = std::time::Duration::from_secs(3600);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        match portal_platform::jobs::claim_run(system.cross_tenant(), "identity-prune", every).await
        {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "could not ask whether to prune");
                continue;
            }
        }
        if let Err(e) = store::prune_devices(&system).await {
            tracing::warn!(error = %e, "pruning idle devices failed");
        }
        match store::prune_attempts(&pool).await {
            Ok(n) if n > 0 => tracing::debug!(pruned = n, "old attempt windows pruned"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "pruning attempt windows failed"),
        }
    }
}

pub fn account_key(tenant: &str, email: &str) -> String {
    format!("account:{}:{}", tenant.trim(), email.trim().to_lowercase())
}

pub fn device_key(id: uuid::Uuid) -> String {
    format!("device:{id}")
}

pub fn address_key(kind: &str, ip: Option<&str>) -> String {
    format!("{kind}:{}", ip.unwrap_or("unknown"))
}
