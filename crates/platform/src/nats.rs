//! NATS connection, the PORTAL stream, and publishing with an ack.
use std::time::Duration;

use async_nats::jetstream::{self, stream};
use async_nats::{Client, HeaderMap};

use crate::events::{self, Envelope};

/// Connects in the background: the service starts (NOT_SERVING) even when
/// the broker is away, and the client reconnects on its own. A user and
/// password in the URL (`nats://user:password@host:4222`) are the service's
/// own NATS user (ADR 0017).
pub async fn connect(url: &str, name: &str) -> anyhow::Result<Client> {
    let mut options = async_nats::ConnectOptions::new();
    // async-nats keeps URL credentials but does not send them: pass them on.
    if let Some((user, password)) = credentials(url) {
        options = options.user_and_password(user, password);
    }
    let client = options
        .name(name)
        .retry_on_initial_connect()
        .max_reconnects(None)
        .connection_timeout(Duration::from_secs(2))
        .connect(url)
        .await?;
    Ok(client)
}

/// The first user and password among the (comma separated) server URLs.
fn credentials(url: &str) -> Option<(String, String)> {
    url.split(',').find_map(|one| {
        let addr: async_nats::ServerAddr = one.trim().parse().ok()?;
        let user = addr.username().filter(|u| !u.is_empty())?;
        Some((
            user.to_owned(),
            addr.password().unwrap_or_default().to_owned(),
        ))
    })
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

#[cfg(test)]
mod tests {
    #[test]
    fn credentials_come_from_the_url() {
        assert_eq!(
            super::credentials("nats://requests:s3cret@nats:4222"),
            Some(("requests".into(), "s3cret".into()))
        );
        assert_eq!(super::credentials("nats://nats:4222"), None);
        assert_eq!(
            super::credentials("nats://a:4222, nats://gateway:pw@b:4222"),
            Some(("gateway".into(), "pw".into()))
        );
    }
}
