//! What an integrator writes to follow Portal's events (#14; the README's
//! "Events" points here): a durable pull consumer that keeps the `ce-id`
//! of every event it applied, so a redelivery (it crashed before its ack,
//! or the ack was lost) or a replay is acknowledged and not applied twice.
//! The test plays the crash: the first delivery is applied but never acked.
use std::collections::HashSet;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer::pull};
use futures::StreamExt;
use portal_testkit::Stack;

use crate::fixtures;

/// The integrator's own record of what it applied, and what it did. A real
/// one keeps `applied` in its database, in the same transaction as the
/// effect, as Portal's services keep their inbox.
#[derive(Default)]
struct Integrator {
    applied: HashSet<String>,
    /// The effect: one line per work order, say a row in a planning tool.
    work_orders: Vec<String>,
}

impl Integrator {
    /// Applies one `work_order.created` unless its `ce-id` was applied
    /// already; whether it was new.
    fn apply(&mut self, msg: &jetstream::Message) -> anyhow::Result<bool> {
        let id = msg
            .headers
            .as_ref()
            .and_then(|h| h.get("ce-id"))
            .map(|v| v.as_str().to_owned())
            .ok_or_else(|| anyhow::anyhow!("an event without ce-id"))?;
        if !self.applied.insert(id) {
            return Ok(false);
        }
        self.work_orders.push(msg.subject.to_string());
        Ok(true)
    }
}

/// The next delivery, within 10 s.
async fn next(messages: &mut pull::Stream) -> anyhow::Result<jetstream::Message> {
    tokio::time::timeout(Duration::from_secs(10), messages.next())
        .await?
        .ok_or_else(|| anyhow::anyhow!("the stream ended"))?
        .map_err(|e| anyhow::anyhow!(e))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_integrator_keeping_what_it_applied_survives_a_redelivery() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "integrator").await?;
    // The integrator's user (`admin` in a deployment; the tests' own here).
    let js = jetstream::new(async_nats::connect(stack.nats.url()).await?);
    let stream = js.get_stream("PORTAL").await?;
    let consumer = stream
        .get_or_create_consumer(
            "integrator-work-orders",
            pull::Config {
                durable_name: Some("integrator-work-orders".into()),
                filter_subject: "portal.*.work_order.created".into(),
                ack_policy: jetstream::consumer::AckPolicy::Explicit,
                // Unacked, an event comes again after this long.
                ack_wait: Duration::from_secs(2),
                ..Default::default()
            },
        )
        .await?;

    let request = fixtures::submit_request(&stack, &t, "Chaudière en panne").await?;
    let request = fixtures::s(&request["id"]);
    fixtures::accept(&stack, &t, &request).await?;

    let mut integrator = Integrator::default();
    let mut messages = consumer
        .stream()
        .expires(Duration::from_secs(5))
        .heartbeat(Duration::from_secs(1))
        .messages()
        .await?;
    // First delivery: applied, then the integrator "crashes" before its ack.
    let first = next(&mut messages).await?;
    assert!(integrator.apply(&first)?, "the first delivery is new");
    assert_eq!(first.info().map_err(|e| anyhow::anyhow!(e))?.delivered, 1);
    drop(first);

    // Redelivered after the ack wait: recognised, acknowledged, not applied.
    let again = next(&mut messages).await?;
    assert_eq!(again.info().map_err(|e| anyhow::anyhow!(e))?.delivered, 2);
    assert!(!integrator.apply(&again)?, "the redelivery is a repeat");
    again
        .ack_with(AckKind::Ack)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;

    assert_eq!(
        integrator.work_orders.len(),
        1,
        "{:?}",
        integrator.work_orders
    );
    // The ack held: nothing is pending or waiting for an ack any more.
    fixtures::drained(&stack, "integrator-work-orders").await?;
    stack.stop().await
}
