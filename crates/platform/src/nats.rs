//! NATS connection, the PORTAL stream, and publishing with an ack.
use std::time::Duration;

use async_nats::jetstream::{self, stream};
use async_nats::{Client, HeaderMap};

use crate::events::{self, Envelope};

/// Connects in the background: the service starts (NOT_SERVING) even when
/// the broker is away, and the client reconnects on its own. A user and
/// password in the URL (`nats://user:password@host:4222`) are the service's
/// own NATS user (ADR 0017). Several servers (a cluster) are written
/// comma separated: the client starts with any that answers.
pub async fn connect(url: &str, name: &str) -> anyhow::Result<Client> {
    let mut options = async_nats::ConnectOptions::new();
    // async-nats keeps URL credentials but does not send them: pass them on.
    if let Some((user, password)) = credentials(url) {
        options = options.user_and_password(user, password);
    }
    // async-nats takes a list, not a comma-separated string.
    let servers = url
        .split(',')
        .map(|one| one.trim().parse::<async_nats::ServerAddr>())
        .collect::<Result<Vec<_>, _>>()?;
    let client = options
        .name(name)
        .retry_on_initial_connect()
        .max_reconnects(None)
        .connection_timeout(Duration::from_secs(2))
        .connect(servers)
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

/// How the event log is kept (ADR 0024): read by the deploy step
/// `provision-events` only; services find the stream as it made it.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct StreamSettings {
    /// Copies of each event on a NATS cluster (1 on a single server; 3 on a
    /// cluster of three or more).
    #[arg(
        long = "events-replicas",
        env = "PORTAL_EVENTS_REPLICAS",
        default_value_t = 1
    )]
    pub replicas: usize,
    /// Events older than this are dropped: how far back an integrator can
    /// replay.
    #[arg(long = "events-max-age-hours", env = "PORTAL_EVENTS_MAX_AGE_HOURS", default_value_t = 30 * 24)]
    pub max_age_hours: u64,
    /// The stream's largest size; the oldest events go first past it.
    #[arg(long = "events-max-bytes", env = "PORTAL_EVENTS_MAX_BYTES", default_value_t = 8 << 30)]
    pub max_bytes: i64,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            replicas: 1,
            max_age_hours: 30 * 24,
            max_bytes: 8 << 30,
        }
    }
}

/// Publishes with the same `Nats-Msg-Id` within this window are one.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

/// The `PORTAL` stream as `settings` say. Pure.
pub fn stream_config(settings: &StreamSettings) -> stream::Config {
    stream::Config {
        name: events::STREAM.to_owned(),
        subjects: vec![events::STREAM_SUBJECTS.to_owned()],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        discard: stream::DiscardPolicy::Old,
        max_age: Duration::from_secs(settings.max_age_hours.saturating_mul(3600)),
        max_bytes: settings.max_bytes,
        num_replicas: settings.replicas.max(1),
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    }
}

/// Whether `current` keeps events as `wanted` says, in what the settings
/// decide. Pure.
pub fn stream_matches(current: &stream::Config, wanted: &stream::Config) -> bool {
    current.subjects == wanted.subjects
        && current.storage == wanted.storage
        && current.discard == wanted.discard
        && current.max_age == wanted.max_age
        && current.max_bytes == wanted.max_bytes
        && current.num_replicas == wanted.num_replicas
        && current.duplicate_window == wanted.duplicate_window
}

/// Creates the stream, or brings an existing one to `settings` (a changed
/// setting rolls out with the next deploy's `provision-events`); with the
/// same settings it finds nothing to do.
pub async fn provision_stream(
    js: &jetstream::Context,
    settings: &StreamSettings,
) -> anyhow::Result<stream::Info> {
    let wanted = stream_config(settings);
    match js.get_stream(events::STREAM).await {
        Ok(mut stream) => {
            let info = stream.info().await?.clone();
            if stream_matches(&info.config, &wanted) {
                return Ok(info);
            }
            tracing::info!(
                replicas = wanted.num_replicas,
                max_age_hours = settings.max_age_hours,
                max_bytes = wanted.max_bytes,
                "updating the event stream to its settings"
            );
            Ok(js.update_stream(wanted).await?)
        }
        Err(_) => {
            let mut stream = js.get_or_create_stream(wanted).await?;
            Ok(stream.info().await?.clone())
        }
    }
}

/// [`provision_stream`] until it succeeds or `patience` runs out (NATS may
/// still be starting when a deploy step runs).
pub async fn provision_stream_within(
    js: &jetstream::Context,
    settings: &StreamSettings,
    patience: Duration,
) -> anyhow::Result<stream::Info> {
    let deadline = tokio::time::Instant::now() + patience;
    let mut wait = Duration::from_millis(200);
    loop {
        match provision_stream(js, settings).await {
            Ok(info) => return Ok(info),
            Err(e) if tokio::time::Instant::now() + wait > deadline => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "the event stream cannot be provisioned yet");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// The stream, once the deploy step made it ([`provision_stream`]): asked
/// again every 200 ms for 10 s, then the error (consumers start over).
pub async fn ensure_stream(js: &jetstream::Context) -> anyhow::Result<stream::Stream> {
    let mut tries = 0;
    loop {
        match js.get_stream(events::STREAM).await {
            Ok(stream) => return Ok(stream),
            Err(e) if tries >= 50 => {
                return Err(anyhow::anyhow!(
                    "no event stream {} ({e}): run `<service> provision-events` (ADR 0024)",
                    events::STREAM
                ));
            }
            Err(_) => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
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
    fn the_stream_keeps_what_the_settings_say() {
        use async_nats::jetstream::stream::DiscardPolicy;
        let settings = super::StreamSettings {
            replicas: 3,
            max_age_hours: 24 * 7,
            max_bytes: 1 << 30,
        };
        let c = super::stream_config(&settings);
        assert_eq!(c.num_replicas, 3);
        assert_eq!(c.max_age, std::time::Duration::from_secs(7 * 24 * 3600));
        assert_eq!(c.max_bytes, 1 << 30);
        assert_eq!(c.discard, DiscardPolicy::Old);
        assert_eq!(c.subjects, ["portal.>"]);
        assert!(super::stream_matches(&c, &c));
        // Any setting changed is a change to roll out.
        let older = super::stream_config(&super::StreamSettings::default());
        assert!(!super::stream_matches(&older, &c));
        // Zero replicas is not a setting: one.
        let none = super::StreamSettings {
            replicas: 0,
            ..Default::default()
        };
        assert_eq!(super::stream_config(&none).num_replicas, 1);
    }

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
