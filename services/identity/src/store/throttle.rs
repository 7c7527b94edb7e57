//! Attempt windows for rate limits.
use chrono::{DateTime, Utc};
use sqlx::PgPool;

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
        sqlx::query("DELETE FROM attempt_windows WHERE window_start < now() - interval '1 day'")
            .execute(pool)
            .await?;
    Ok(done.rows_affected())
}
