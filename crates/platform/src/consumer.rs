//! Durable JetStream pull consumers with explicit ack, bounded redelivery
//! with backoff, an inbox that makes redelivery a no-op, and parking of
//! messages that fail for good.
use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer::pull};
use futures::StreamExt;
use sqlx::{PgConnection, PgPool};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use uuid::Uuid;

use crate::events::Envelope;

/// What a consumer is and how hard it tries.
#[derive(Debug, Clone)]
pub struct ConsumerSpec {
    /// Durable name, shared by every replica: `<service>-<purpose>`.
    pub durable: String,
    /// One subject filter (NATS 2.9 takes one per consumer).
    pub filter: String,
    /// Deliveries before the message is parked.
    pub max_deliveries: i64,
    /// Delay before delivery n+1 after a failure of delivery n.
    pub backoff: Vec<Duration>,
}

impl ConsumerSpec {
    pub fn new(durable: impl Into<String>, filter: impl Into<String>) -> Self {
        Self {
            durable: durable.into(),
            filter: filter.into(),
            max_deliveries: 8,
            backoff: [1, 2, 5, 10, 30, 60]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
        }
    }

    /// Delay after the failure of delivery `delivered` (1-based).
    pub fn delay_after(&self, delivered: i64) -> Duration {
        let idx = usize::try_from(delivered.saturating_sub(1)).unwrap_or(0);
        self.backoff
            .get(idx)
            .or(self.backoff.last())
            .copied()
            .unwrap_or(Duration::from_secs(1))
    }
}

/// Why handling failed.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// A dependency is away (database, a peer service): retried with backoff
    /// for as long as it takes, never parked, since the message is fine.
    #[error("dependency unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// Failed unexpectedly: retried, then parked after `max_deliveries`.
    #[error("retryable: {0:#}")]
    Retry(anyhow::Error),
    /// Will never succeed (cannot decode): park at once.
    #[error("poison: {0:#}")]
    Poison(anyhow::Error),
}

impl From<sqlx::Error> for HandleError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                Self::Unavailable(e.into())
            }
            other => Self::Retry(other.into()),
        }
    }
}

impl From<tonic::Status> for HandleError {
    fn from(s: tonic::Status) -> Self {
        match s.code() {
            tonic::Code::Unavailable | tonic::Code::DeadlineExceeded => {
                Self::Unavailable(anyhow::anyhow!("{s}"))
            }
            _ => Self::Retry(anyhow::anyhow!("{s}")),
        }
    }
}

/// Handles one event. Implementations apply their effect and call
/// [`claim`] in the same transaction.
pub trait Handler: Send + Sync + 'static {
    fn handle(
        &self,
        envelope: &Envelope,
        payload: &[u8],
    ) -> impl Future<Output = Result<(), HandleError>> + Send;
}

/// Records that `consumer` applied `event_id`; false when it already had.
pub async fn claim(conn: &mut PgConnection, consumer: &str, event_id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(consumer)
    .bind(event_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What happens to a message after a handling attempt: a pure decision.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Ack,
    RetryAfter(Duration),
    Park,
}

pub fn decide(spec: &ConsumerSpec, result: &Result<(), HandleError>, delivered: i64) -> Outcome {
    match result {
        Ok(()) => Outcome::Ack,
        Err(HandleError::Poison(_)) => Outcome::Park,
        Err(HandleError::Unavailable(_)) => Outcome::RetryAfter(spec.delay_after(delivered)),
        Err(HandleError::Retry(_)) if delivered >= spec.max_deliveries => Outcome::Park,
        Err(HandleError::Retry(_)) => Outcome::RetryAfter(spec.delay_after(delivered)),
    }
}

/// Runs the consumer until `shutdown`, reconnecting whenever NATS goes away.
pub async fn run<H: Handler>(
    js: jetstream::Context,
    pool: PgPool,
    spec: ConsumerSpec,
    handler: H,
    shutdown: CancellationToken,
) {
    loop {
        let attempt = consume(&js, &pool, &spec, &handler, &shutdown);
        tokio::select! {
            _ = shutdown.cancelled() => return,
            r = attempt => {
                if let Err(e) = r {
                    tracing::warn!(consumer = %spec.durable, error = %e, "consumer interrupted, restarting");
                }
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// How long one pull request waits for messages before a new one.
pub const PULL_EXPIRES: Duration = Duration::from_secs(30);
/// How often the server says "still here" while a pull waits.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

async fn consume<H: Handler>(
    js: &jetstream::Context,
    pool: &PgPool,
    spec: &ConsumerSpec,
    handler: &H,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let stream = crate::nats::ensure_stream(js).await?;
    let mut consumer: jetstream::consumer::Consumer<pull::Config> = stream
        .get_or_create_consumer(
            &spec.durable,
            pull::Config {
                durable_name: Some(spec.durable.clone()),
                filter_subject: spec.filter.clone(),
                ack_policy: jetstream::consumer::AckPolicy::Explicit,
                ack_wait: Duration::from_secs(30),
                // Bounded by us (then parked), so the server never drops one.
                max_deliver: -1,
                ..Default::default()
            },
        )
        .await?;
    // Each pull waits up to PULL_EXPIRES; the server says it is alive every
    // HEARTBEAT meanwhile. Two missed heartbeats (a node lost, a leader
    // moved) end the stream with an error, and the loop above pulls anew.
    let mut messages = consumer
        .stream()
        .expires(PULL_EXPIRES)
        .heartbeat(HEARTBEAT)
        .messages()
        .await?;
    tracing::info!(consumer = %spec.durable, filter = %spec.filter, "consuming");
    let durable = spec.durable.clone();
    // Lag is read on a timer, so the gauge stays true while nothing arrives.
    let mut lag_tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        let next = tokio::select! {
            next = messages.next() => next,
            _ = lag_tick.tick() => {
                if let Ok(info) = consumer.info().await {
                    metrics::gauge!("portal_consumer_pending", "consumer" => durable.clone())
                        .set(info.num_pending as f64);
                }
                continue;
            }
        };
        let Some(msg) = next else { break };
        if shutdown.is_cancelled() {
            return Ok(());
        }
        let msg = msg?;
        let delivered = msg.info().map(|i| i.delivered).unwrap_or(1);
        if delivered > 1 {
            metrics::counter!("portal_consumer_redeliveries_total", "consumer" => durable.clone())
                .increment(1);
        }
        let envelope = msg
            .headers
            .as_ref()
            .map(|h| Envelope::from_headers(|name| h.get(name).map(|v| v.as_str().to_owned())));
        // Always handled, however often delivered: only the handler's own
        // failures decide whether the message is parked.
        let span = tracing::info_span!(
            "consume",
            messaging.consumer = %spec.durable,
            messaging.destination = %msg.subject,
            otel.kind = "consumer"
        );
        let result = match envelope {
            Some(Ok(env)) => {
                // The handler's work joins the trace of whoever caused the event.
                crate::telemetry::set_parent(&span, env.traceparent.as_deref());
                // Its queries see the event's tenant only (ADR 0018).
                let handled = handler.handle(&env, &msg.payload).instrument(span);
                crate::tenancy::scope(env.tenant_id, handled).await
            }
            Some(Err(e)) => Err(HandleError::Poison(e.into())),
            None => Err(HandleError::Poison(anyhow::anyhow!(
                "message without headers"
            ))),
        };
        match decide(spec, &result, delivered) {
            Outcome::Ack => {
                // The effect is committed, the ack not sent: where a crash
                // makes a redelivery that the inbox must absorb (faults test).
                fail::fail_point!("consumer-committed-not-acked");
                msg.ack().await.map_err(|e| anyhow::anyhow!(e))?
            }
            Outcome::RetryAfter(delay) => {
                if let Err(e) = &result {
                    tracing::warn!(consumer = %spec.durable, delivered, error = %e, "handling failed, will retry");
                }
                msg.ack_with(AckKind::Nak(Some(delay)))
                    .await
                    .map_err(|e| anyhow::anyhow!(e))?;
            }
            Outcome::Park => {
                let error = result.err().map(|e| e.to_string()).unwrap_or_default();
                tracing::error!(consumer = %spec.durable, subject = %msg.subject, delivered, %error, "parking message");
                park(pool, &spec.durable, &msg, &error, delivered).await?;
                metrics::counter!("portal_parked_total", "consumer" => durable.clone())
                    .increment(1);
                msg.ack_with(AckKind::Term)
                    .await
                    .map_err(|e| anyhow::anyhow!(e))?;
            }
        }
    }
    Ok(())
}

async fn park(
    pool: &PgPool,
    consumer: &str,
    msg: &jetstream::Message,
    error: &str,
    delivered: i64,
) -> sqlx::Result<()> {
    let headers: serde_json::Map<String, serde_json::Value> = msg
        .headers
        .iter()
        .flat_map(|h| h.iter())
        .map(|(k, v)| {
            let values: Vec<String> = v.iter().map(|x| x.as_str().to_owned()).collect();
            (k.to_string(), serde_json::Value::from(values))
        })
        .collect();
    let event_id = msg
        .headers
        .as_ref()
        .and_then(|h| h.get(crate::events::H_ID))
        .map(|v| v.as_str().to_owned());
    sqlx::query(
        "INSERT INTO parked_events (consumer, subject, event_id, headers, payload, error, deliveries)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(consumer)
    .bind(msg.subject.as_str())
    .bind(event_id)
    .bind(serde_json::Value::Object(headers))
    .bind(msg.payload.to_vec())
    .bind(error)
    .bind(delivered)
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ConsumerSpec {
        ConsumerSpec::new("t-test", "portal.*.x.y")
    }

    #[test]
    fn success_is_acked() {
        assert_eq!(decide(&spec(), &Ok(()), 1), Outcome::Ack);
    }

    #[test]
    fn failures_back_off_then_park() {
        let s = spec();
        let fail = || Err(HandleError::Retry(anyhow::anyhow!("db away")));
        assert_eq!(
            decide(&s, &fail(), 1),
            Outcome::RetryAfter(Duration::from_secs(1))
        );
        assert_eq!(
            decide(&s, &fail(), 3),
            Outcome::RetryAfter(Duration::from_secs(5))
        );
        assert_eq!(
            decide(&s, &fail(), 7),
            Outcome::RetryAfter(Duration::from_secs(60))
        );
        assert_eq!(decide(&s, &fail(), s.max_deliveries), Outcome::Park);
    }

    #[test]
    fn an_absent_dependency_is_waited_for_never_parked() {
        let s = spec();
        let away = || Err(HandleError::Unavailable(anyhow::anyhow!("identity away")));
        assert_eq!(
            decide(&s, &away(), 100),
            Outcome::RetryAfter(Duration::from_secs(60))
        );
        assert_eq!(
            decide(&s, &away(), 1),
            Outcome::RetryAfter(Duration::from_secs(1))
        );
    }

    #[test]
    fn a_lost_database_is_unavailable() {
        assert!(matches!(
            HandleError::from(sqlx::Error::PoolTimedOut),
            HandleError::Unavailable(_)
        ));
        assert!(matches!(
            HandleError::from(tonic::Status::unavailable("down")),
            HandleError::Unavailable(_)
        ));
        assert!(matches!(
            HandleError::from(tonic::Status::internal("bug")),
            HandleError::Retry(_)
        ));
    }

    #[test]
    fn poison_is_parked_at_once() {
        let r = Err(HandleError::Poison(anyhow::anyhow!("bad bytes")));
        assert_eq!(decide(&spec(), &r, 1), Outcome::Park);
    }
}
