//! NATS connection, the PORTAL stream, and publishing with an ack.
use std::time::Duration;

use async_nats::jetstream::{self, stream};
use async_nats::{Client, HeaderMap};

use crate::events::{self, Envelope};

/// Connects in the background: the service starts (NOT_SERVING) even when
/// the broker is away, and the client reconnects on its own.
pub async fn connect(url: &str, name: &str) -> anyhow::Result<Client> {
    let client = async_nats::ConnectOptions::new()
        .name(name)
        .retry_on_initial_connect()
        .max_reconnects(None)
        .connection_timeout(Duration::from_secs(2))
        .connect(url)
        .await?;
    Ok(client)
}

pub fn is_connected(client: &Client) -> bool {
    client.connection_state() == async_nats::connection::State::Connected
}

/// Creates the stream if it is missing (idempotent across services).
pub async fn ensure_stream(js: &jetstream::Context) -> anyhow::Result<stream::Stream> {
    let stream = js
        .get_or_create_stream(stream::Config {
            name: events::STREAM.to_owned(),
            subjects: vec![events::STREAM_SUBJECTS.to_owned()],
            storage: stream::StorageType::File,
            duplicate_window: Duration::from_secs(120),
            ..Default::default()
        })
        .await?;
    Ok(stream)
}

/// Publishes one event and waits for JetStream's ack.
pub async fn publish(
    js: &jetstream::Context,
    subject: String,
    envelope: &Envelope,
    payload: Vec<u8>,
) -> anyhow::Result<()> {
    let mut headers = HeaderMap::new();
    for (name, value) in envelope.to_headers() {
        headers.insert(name, value.as_str());
    }
    let ack = js
        .publish_with_headers(subject, headers, payload.into())
        .await?;
    ack.await?;
    Ok(())
}
