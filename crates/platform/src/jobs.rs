//! Scheduled jobs that run once per period however many replicas a service
//! has (#13): pruning now, recurring inspection plans later. Each replica
//! asks on its own timer; the one whose claim moves the job's last run
//! forward runs it, the others skip this period. A claim is one statement,
//! so two replicas asking at the same moment cannot both win.
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::types::PgInterval;

/// Whether the caller should run `job` now: true for exactly one caller
/// per `every`, across every replica sharing the database.
pub async fn claim_run(pool: &PgPool, job: &str, every: Duration) -> sqlx::Result<bool> {
    let every = PgInterval::try_from(every).map_err(sqlx::Error::Encode)?;
    let claimed: Option<String> = sqlx::query_scalar(
        "INSERT INTO job_runs (job, last_run_at) VALUES ($1, now())
         ON CONFLICT (job) DO UPDATE SET last_run_at = now()
             WHERE job_runs.last_run_at <= now() - $2::interval
         RETURNING job",
    )
    .bind(job)
    .bind(every)
    .fetch_optional(pool)
    .await?;
    Ok(claimed.is_some())
}
