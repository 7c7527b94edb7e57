//! Attempt windows for rate limits.
use chrono::{DateTime, Utc};
use portal_platform::db::SystemPool;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// `(attempts, window_start)` of a key, if it has a window.
pub async fn attempts(pool: &PgPool, key: &str) -> sqlx::Result<Option<(i32, DateTime<Utc>)>> {
    sqlx::query_as("SELECT attempts, window_start FROM attempt_windows WHERE key = $1")
        .bind(key)
        .fetch_optional(pool)
        .await
}

/// Counts one attempt; a window older than `window_secs` starts afresh.
pub async fn count_attempt(pool: &PgPool, key: &str, window_secs: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO attempt_windows AS w (key, attempts, window_start) VALUES ($1, 1, now())
         ON CONFLICT (key) DO UPDATE SET
             attempts = CASE WHEN w.window_start < now() - make_interval(secs => $2)
                             THEN 1 ELSE w.attempts + 1 END,
             window_start = CASE WHEN w.window_start < now() - make_interval(secs => $2)
                                 THEN now() ELSE w.window_start END",
    )
    .bind(key)
    .bind(window_secs as f64)
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets a key's failures (a successful login).
pub async fn clear_attempts(pool: &PgPool, key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM attempt_windows WHERE key = $1")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Drops windows that ended long ago, so the table stays small.
pub async fn prune_attempts(pool: &PgPool) -> sqlx::Result<u64> {
    let done =
        sqlx::query("DELETE FROM attempt_windows WHERE greatest(window_start, last_at) < now() - interval '1 day'")
            .execute(pool)
            .await?;
    Ok(done.rows_affected())
}

/// A login key's tries, locked until the transaction ends so that
/// concurrent tries of one key are decided one after the other. The row is
/// made first when missing, so there is always something to lock.
pub async fn tries_for_update(
    conn: &mut PgConnection,
    key: &str,
) -> sqlx::Result<Option<crate::backoff::Tries>> {
    sqlx::query(
        "INSERT INTO attempt_windows (key, attempts, window_start, last_at, not_before)
         VALUES ($1, 0, now(), now(), now()) ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .execute(&mut *conn)
    .await?;
    let row: (i32, DateTime<Utc>, DateTime<Utc>) = sqlx::query_as(
        "SELECT attempts, last_at, not_before FROM attempt_windows WHERE key = $1 FOR UPDATE",
    )
    .bind(key)
    .fetch_one(conn)
    .await?;
    Ok((row.0 > 0).then_some(crate::backoff::Tries {
        failures: row.0,
        last_at: row.1,
        not_before: row.2,
    }))
}

pub async fn set_tries(
    conn: &mut PgConnection,
    key: &str,
    t: &crate::backoff::Tries,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE attempt_windows SET attempts = $2, last_at = $3, not_before = $4, window_start = $3
         WHERE key = $1",
    )
    .bind(key)
    .bind(t.failures)
    .bind(t.last_at)
    .bind(t.not_before)
    .execute(conn)
    .await?;
    Ok(())
}

/// One try fewer for `key` (its wait stays as it is).
pub async fn untake_try(pool: &PgPool, key: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE attempt_windows SET attempts = greatest(attempts - 1, 0) WHERE key = $1")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// The known device behind `token_hash` for this tenant and e-mail, if any
/// (and not idle for half a year).
pub async fn known_device(
    pool: &PgPool,
    tenant_id: Uuid,
    email: &str,
    token_hash: &[u8],
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT id FROM known_devices
         WHERE token_hash = $1 AND tenant_id = $2 AND email = lower($3)
           AND last_used_at > now() - interval '180 days'",
    )
    .bind(token_hash)
    .bind(tenant_id)
    .bind(email)
    .fetch_optional(pool)
    .await
}

pub async fn touch_device(pool: &PgPool, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE known_devices SET last_used_at = now() WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn insert_device(
    pool: &PgPool,
    tenant_id: Uuid,
    email: &str,
    token_hash: &[u8],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO known_devices (id, tenant_id, email, token_hash) VALUES ($1, $2, lower($3), $4)",
    )
    .bind(Uuid::now_v7())
    .bind(tenant_id)
    .bind(email)
    .bind(token_hash)
    .execute(pool)
    .await?;
    Ok(())
}

/// Drops devices idle for half a year, every tenant's (as the owner).
pub async fn prune_devices(system: &SystemPool) -> sqlx::Result<u64> {
    let done =
        sqlx::query("DELETE FROM known_devices WHERE last_used_at < now() - interval '180 days'")
            .execute(system.cross_tenant())
            .await?;
    Ok(done.rows_affected())
}
