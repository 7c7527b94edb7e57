//! Watches `work_order.created` events on NATS: the moment each request's
//! work order exists (work-orders publishes the event from its outbox once
//! the work order is committed). A plain subscriber sees every message the
//! `PORTAL` stream captures, without a consumer of its own. Also tells when
//! the services' consumers have worked through their backlog.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context, Result};
use async_nats::jetstream;
use futures::{StreamExt, TryStreamExt};
use portal_proto::events::v1::WorkOrderCreated;
use prost::Message;

use crate::clock;

const SUBJECT: &str = "portal.*.work_order.created";
const STREAM: &str = "PORTAL";
const POLL: Duration = Duration::from_millis(250);

/// When each request's work order was announced, by request id.
#[derive(Clone, Default)]
pub struct WorkOrders(Arc<Mutex<HashMap<String, u64>>>);

impl WorkOrders {
    /// The time (µs) the event for `request_id` arrived, if it did.
    pub fn seen(&self, request_id: &str) -> Option<u64> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(request_id)
            .copied()
    }

    fn record(&self, request_id: String, at: u64) {
        // A redelivered event keeps the first time.
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(request_id)
            .or_insert(at);
    }
}

/// The event bus as the bench sees it: work orders announced, and whether
/// the services' consumers have caught up.
pub struct Bus {
    pub work_orders: WorkOrders,
    jetstream: jetstream::Context,
}

impl Bus {
    /// Waits until no durable consumer of the `PORTAL` stream has messages
    /// pending or unacknowledged (twice in a row, a poll apart: the outbox
    /// relays may still be publishing the last events); false on timeout.
    pub async fn wait_caught_up(&self, limit: Duration) -> Result<bool> {
        let deadline = tokio::time::Instant::now() + limit;
        let mut quiet_polls = 0;
        while tokio::time::Instant::now() < deadline {
            let stream = self.jetstream.get_stream(STREAM).await?;
            let mut consumers = stream.consumers();
            let mut backlog = 0;
            while let Some(info) = consumers.try_next().await? {
                backlog += info.num_pending + u64::try_from(info.num_ack_pending)?;
            }
            quiet_polls = if backlog == 0 { quiet_polls + 1 } else { 0 };
            if quiet_polls >= 2 {
                return Ok(true);
            }
            tokio::time::sleep(POLL).await;
        }
        Ok(false)
    }
}

/// Subscribes before returning, so no event of a later accept is missed.
pub async fn connect(nats_url: &str) -> Result<Bus> {
    // A cluster's nodes come comma separated; async-nats takes a list. It
    // keeps a URL's credentials but does not send them.
    let servers = nats_url
        .split(',')
        .map(|one| one.trim().parse::<async_nats::ServerAddr>())
        .collect::<Result<Vec<_>, _>>()
        .context("reading the NATS URL")?;
    let mut options = async_nats::ConnectOptions::new();
    if let Some(addr) = servers.first()
        && let Some(user) = addr.username()
    {
        options = options.user_and_password(user.into(), addr.password().unwrap_or("").into());
    }
    let client = options
        .connect(servers)
        .await
        .context("connecting to NATS")?;
    let jetstream = jetstream::new(client.clone());
    let mut subscription = client.subscribe(SUBJECT).await?;
    client.flush().await?;
    let seen = WorkOrders::default();
    let record = seen.clone();
    tokio::spawn(async move {
        // The client lives as long as the subscription it serves.
        let _client = client;
        while let Some(message) = subscription.next().await {
            let at = clock::now_us();
            if let Ok(event) = WorkOrderCreated::decode(message.payload.as_ref()) {
                record.record(event.request_id, at);
            }
        }
    });
    Ok(Bus {
        work_orders: seen,
        jetstream,
    })
}
