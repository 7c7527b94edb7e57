//! The event log (#14, ADR 0024): the `PORTAL` stream keeps events as the
//! settings say, read back from the server; a changed setting rolls out to
//! the existing stream; the consumers' redelivery terms are explicit.
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, PullConsumer};
use async_nats::jetstream::stream::DiscardPolicy;
use portal_platform::nats::{StreamSettings, provision_stream, stream_config};
use portal_testkit::stack::STREAM_SETTINGS;
use portal_testkit::{Stack, eventually};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_stream_keeps_events_as_the_settings_say() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let js = async_nats::jetstream::new(async_nats::connect(stack.nats.url()).await?);

    // The services made it at start, with the stack's settings.
    let info = eventually(20, "the PORTAL stream", || {
        let js = js.clone();
        async move {
            match js.get_stream("PORTAL").await {
                Ok(mut stream) => Ok(Some(stream.info().await?.clone())),
                Err(_) => Ok(None),
            }
        }
    })
    .await?;
    let c = &info.config;
    assert_eq!(c.max_age, Duration::from_secs(48 * 3600));
    assert_eq!(c.max_bytes, 256 << 20);
    assert_eq!(c.num_replicas, 1);
    assert_eq!(c.discard, DiscardPolicy::Old);
    assert_eq!(c.duplicate_window, Duration::from_secs(120));
    assert_eq!(c.subjects, ["portal.>"]);

    // A service restarted with other settings brings the stream to them.
    let week = StreamSettings {
        max_age_hours: 24 * 7,
        max_bytes: 512 << 20,
        ..STREAM_SETTINGS
    };
    let updated = provision_stream(&js, &week).await?;
    assert_eq!(updated.config.max_age, stream_config(&week).max_age);
    assert_eq!(updated.config.max_bytes, 512 << 20);
    let mut stream = js.get_stream("PORTAL").await?;
    assert_eq!(
        stream.info().await?.config.max_age,
        Duration::from_secs(7 * 24 * 3600)
    );
    // ... and the same settings again change nothing.
    let again = provision_stream(&js, &week).await?;
    assert_eq!(again.config.max_bytes, 512 << 20);

    // Consumers: explicit acks, 30 s to ack, redelivery bounded by the
    // service (it parks), never dropped by the server.
    let consumer: PullConsumer = eventually(20, "work-orders' consumer", || {
        let js = js.clone();
        async move {
            let stream = js.get_stream("PORTAL").await?;
            Ok(stream
                .get_consumer("work-orders-request-accepted")
                .await
                .ok())
        }
    })
    .await?;
    let config = &consumer.cached_info().config;
    assert_eq!(config.ack_policy, AckPolicy::Explicit);
    assert_eq!(config.ack_wait, Duration::from_secs(30));
    assert_eq!(config.max_deliver, -1);
    stack.stop().await
}
