//! The event log (#14, ADR 0024): the `PORTAL` stream keeps events as the
//! settings say, read back from the server; a changed setting rolls out to
//! the existing stream through the deploy step, which no service can play;
//! events age out and the consumers go on; the consumers' redelivery terms
//! are explicit.
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, PullConsumer};
use async_nats::jetstream::stream::DiscardPolicy;
use portal_platform::callers::Service;
use portal_platform::nats::{StreamSettings, provision_stream, stream_config};
use portal_testkit::stack::STREAM_SETTINGS;
use portal_testkit::{Stack, eventually};

use crate::fixtures;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_stream_keeps_events_as_the_settings_say() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let js = async_nats::jetstream::new(async_nats::connect(stack.nats.url()).await?);

    // The deploy step made it before the services started.
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

    // No service can make or change the stream: only the deploy step, as
    // an operator's user. A service's own user is refused by the server.
    let week = StreamSettings {
        max_age_hours: 24 * 7,
        max_bytes: 512 << 20,
        ..STREAM_SETTINGS
    };
    let as_requests = async_nats::jetstream::new(
        portal_platform::nats::connect(&stack.nats.url_for(Service::Requests), "test").await?,
    );
    let refused = provision_stream(&as_requests, &week).await;
    assert!(refused.is_err(), "requests changed the stream: {refused:?}");
    let mut stream = js.get_stream("PORTAL").await?;
    assert_eq!(
        stream.info().await?.config.max_age,
        Duration::from_secs(48 * 3600)
    );

    // The next deploy's step, with other settings, brings the stream to them.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn old_events_go_and_the_consumers_go_on() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "ageing").await?;
    let js = async_nats::jetstream::new(async_nats::connect(stack.nats.url()).await?);
    let first = fixtures::submit_request(&stack, &t, "Fuite au sous-sol").await?;
    let first = first["id"].as_str().unwrap_or_default().to_owned();
    fixtures::accept(&stack, &t, &first).await?;
    // Hours are the setting's unit; a test cannot wait one, so the operator's
    // user shortens the stream's age to seconds once the first accept has
    // gone all the way (the duplicate window must fit inside the age).
    let mut config = stream_config(&STREAM_SETTINGS);
    config.max_age = Duration::from_secs(2);
    config.duplicate_window = Duration::from_secs(1);
    js.update_stream(config).await?;
    // Past the age every event has gone from the log...
    eventually(20, "the log to be empty", || {
        let js = js.clone();
        async move {
            let mut stream = js.get_stream("PORTAL").await?;
            let state = stream.info().await?.state.clone();
            Ok((state.messages == 0 && state.last_sequence > 0).then_some(()))
        }
    })
    .await?;
    // ... and the consumers, whose place was in what went, take what comes.
    let second = fixtures::submit_request(&stack, &t, "Porte du hall").await?;
    let second = second["id"].as_str().unwrap_or_default().to_owned();
    fixtures::accept(&stack, &t, &second).await?;
    for id in [&first, &second] {
        let orders = fixtures::work_orders_of(&stack, &t, id).await?;
        assert_eq!(orders.len(), 1, "one work order for {id}: {orders:?}");
    }
    stack.stop().await
}
