//! Transactional outbox: events are written with the business change and
//! published by a relay that wakes on LISTEN/NOTIFY. Several replicas may
//! run the relay: rows are claimed with `FOR UPDATE SKIP LOCKED`.
use std::time::Duration;

use async_nats::jetstream;
use chrono::Utc;
use sqlx::{PgConnection, PgPool, Row};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::db::Wakeup;
use crate::event_types::DomainEvent;
use crate::events::{self, Envelope};

const CHANNEL: &str = "portal_outbox";
const BATCH: i64 = 100;
/// Published events stay a week (for inspection); the inbox remembers an
/// event for a month, far beyond any redelivery.
const KEEP_SENT: Duration = Duration::from_secs(7 * 24 * 3600);
const KEEP_INBOX: Duration = Duration::from_secs(30 * 24 * 3600);
/// How often the old rows are pruned (by one replica), and how often each
/// replica asks whether it is its turn.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
const PRUNE_ASK_EVERY: Duration = Duration::from_secs(60);
/// Safety net for a missed notification or a failed publish.
const IDLE_WAKE: Duration = Duration::from_secs(5);
/// Tries of a row that NATS refuses for itself (not for being away)
/// before it is set aside.
const MAX_REFUSALS: i32 = 3;

/// Whether a failed publish is the row's own fault (it will never go, so it
/// must not hold up the rows behind it) rather than NATS being away or
/// slow: NATS's own word for it, a message over its `max_payload`.
pub fn refused_for_itself(error: &anyhow::Error) -> bool {
    use async_nats::jetstream::context::{PublishError, PublishErrorKind};
    error
        .downcast_ref::<PublishError>()
        .is_some_and(|e| e.kind() == PublishErrorKind::MaxPayloadExceeded)
}

/// Writes `event` to the outbox inside the caller's transaction.
pub async fn enqueue<E: DomainEvent>(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    source: &str,
    event: &E,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO outbox (id, tenant_id, subject, ce_type, source, payload, created_at, traceparent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(events::subject(tenant_id, E::AGGREGATE, E::EVENT))
    .bind(events::ce_type(E::AGGREGATE, E::EVENT))
    .bind(source)
    .bind(event.encode_to_vec())
    .bind(Utc::now())
    // The trace of the call that caused the event goes on with it.
    .bind(crate::telemetry::current_traceparent())
    .execute(&mut *conn)
    .await?;
    // Delivered at commit, never for a rolled-back transaction.
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(CHANNEL)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// Publishes unsent rows until `shutdown`.
pub async fn run_relay(pool: PgPool, js: jetstream::Context, shutdown: CancellationToken) {
    let mut wakeup = Wakeup::new(pool.clone(), CHANNEL);
    let mut backoff = Duration::from_millis(200);
    let mut asked_at: Option<std::time::Instant> = None;
    loop {
        record_backlog(&pool).await;
        // Every replica asks now and then; one of them prunes per period.
        if asked_at.is_none_or(|t| t.elapsed() > PRUNE_ASK_EVERY) {
            asked_at = Some(std::time::Instant::now());
            let ours = crate::jobs::claim_run(&pool, "outbox-prune", PRUNE_EVERY).await;
            match async {
                if ours? {
                    prune(&pool, KEEP_SENT, KEEP_INBOX).await
                } else {
                    Ok((0, 0))
                }
            }
            .await
            {
                Ok((sent, seen)) if sent + seen > 0 => {
                    tracing::info!(sent, seen, "pruned old outbox and inbox rows");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not prune the outbox"),
            }
        }
        let wait = match publish_batch(&pool, &js).await {
            Ok(n) if n == BATCH => continue,
            Ok(_) => {
                backoff = Duration::from_millis(200);
                IDLE_WAKE
            }
            Err(e) => {
                tracing::warn!(error = %e, "outbox relay could not publish, will retry");
                backoff = (backoff * 2).min(Duration::from_secs(5));
                backoff
            }
        };
        if !wakeup.wait(wait, &shutdown).await {
            return;
        }
    }
}

/// Deletes published outbox rows older than `keep_sent` and inbox rows older
/// than `keep_inbox`; returns how many of each. Unsent rows are never touched.
pub async fn prune(
    pool: &PgPool,
    keep_sent: Duration,
    keep_inbox: Duration,
) -> sqlx::Result<(u64, u64)> {
    let sent = sqlx::query(
        "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < now() - $1::interval",
    )
    .bind(sqlx::postgres::types::PgInterval::try_from(keep_sent).map_err(sqlx::Error::Encode)?)
    .execute(pool)
    .await?
    .rows_affected();
    let seen = sqlx::query("DELETE FROM inbox WHERE processed_at < now() - $1::interval")
        .bind(sqlx::postgres::types::PgInterval::try_from(keep_inbox).map_err(sqlx::Error::Encode)?)
        .execute(pool)
        .await?
        .rows_affected();
    Ok((sent, seen))
}

/// Publishes the size and age of what waits, for alerting on a stuck relay.
async fn record_backlog(pool: &PgPool) {
    let row: Result<(i64, Option<f64>), _> = sqlx::query_as(
        "SELECT count(*), extract(epoch FROM now() - min(created_at))::float8
         FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL",
    )
    .fetch_one(pool)
    .await;
    if let Ok((count, age)) = row {
        metrics::gauge!("portal_outbox_backlog").set(count as f64);
        metrics::gauge!("portal_outbox_oldest_age_seconds").set(age.unwrap_or(0.0));
    }
}

/// Publishes up to one batch, in order, stopping at the first failure of
/// NATS; a row refused for itself ([`refused_for_itself`]) is set aside
/// after [`MAX_REFUSALS`] tries and the batch goes on.
async fn publish_batch(pool: &PgPool, js: &jetstream::Context) -> anyhow::Result<i64> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(
        "SELECT id, tenant_id, subject, ce_type, source, payload, traceparent, created_at
         FROM outbox WHERE sent_at IS NULL AND parked_at IS NULL
         ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED",
    )
    .bind(BATCH)
    .fetch_all(&mut *tx)
    .await?;
    let mut sent = 0;
    for row in &rows {
        let id: Uuid = row.try_get("id")?;
        let envelope = Envelope {
            id,
            tenant_id: row.try_get("tenant_id")?,
            ce_type: row.try_get("ce_type")?,
            source: row.try_get("source")?,
            time: row.try_get("created_at")?,
            traceparent: row.try_get("traceparent")?,
        };
        let subject: String = row.try_get("subject")?;
        let payload: Vec<u8> = row.try_get("payload")?;
        match crate::nats::publish(js, subject, &envelope, payload).await {
            Ok(()) => {
                sqlx::query(
                    "UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sent += 1;
            }
            Err(e) => {
                let error = format!("{e:#}");
                let its_own = refused_for_itself(&e);
                let attempts: i32 = sqlx::query_scalar(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $2,
                         parked_at = CASE WHEN $3 AND attempts + 1 >= $4 THEN now() END
                     WHERE id = $1 RETURNING attempts",
                )
                .bind(id)
                .bind(&error)
                .bind(its_own)
                .bind(MAX_REFUSALS)
                .fetch_one(&mut *tx)
                .await?;
                if its_own && attempts >= MAX_REFUSALS {
                    let subject: String = row.try_get("subject")?;
                    tracing::error!(%id, %subject, attempts, %error, "outbox row set aside: NATS refuses it (cargo xtask parked)");
                    metrics::counter!("portal_outbox_parked_total").increment(1);
                    continue;
                }
                tx.commit().await?;
                return Err(e);
            }
        }
    }
    tx.commit().await?;
    if sent > 0 {
        tracing::debug!(sent, "outbox rows published");
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use async_nats::jetstream::context::{PublishError, PublishErrorKind};

    #[test]
    fn only_a_row_nats_refuses_for_itself_is_set_aside() {
        let refused =
            |kind| super::refused_for_itself(&anyhow::Error::from(PublishError::new(kind)));
        assert!(refused(PublishErrorKind::MaxPayloadExceeded));
        assert!(!refused(PublishErrorKind::TimedOut));
        assert!(!refused(PublishErrorKind::StreamNotFound));
        assert!(!refused(PublishErrorKind::BrokenPipe));
        assert!(!super::refused_for_itself(&anyhow::anyhow!(
            "nats: connection closed"
        )));
    }
}
