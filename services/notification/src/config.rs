//! notification's settings.
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use portal_platform::config::CommonConfig;

#[derive(Parser, Clone, Debug)]
#[command(
    name = "notification",
    about = "Portal notification: transactional mails and their delivery log"
)]
pub struct Config {
    #[command(flatten)]
    pub common: CommonConfig,
    /// Address of the gRPC server.
    #[arg(long, env = "PORTAL_GRPC_ADDR", default_value = "127.0.0.1:50055")]
    pub grpc_addr: SocketAddr,
    /// Mail server: `smtp://host:port` (plain), `smtp://host:port?tls=required`
    /// (STARTTLS) or `smtps://host:port`, with optional `user:password@`.
    /// Unset: mails are written as .eml files under `<data-dir>/mail`.
    #[arg(long, env = "PORTAL_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of every mail.
    #[arg(
        long,
        env = "PORTAL_MAIL_FROM",
        default_value = "Portal <no-reply@portal.localhost>"
    )]
    pub mail_from: String,
    /// Public address of the portal, for links in mails (a request's page,
    /// the appointments). Unset: mails carry no links to the portal.
    #[arg(long, env = "PORTAL_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Directory for local files (the .eml mails when SMTP is unset).
    #[arg(long, env = "PORTAL_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Delay before the first retry of a failed mail; doubles each time, up to 5 minutes.
    #[arg(long, env = "PORTAL_MAIL_RETRY_BASE_MS", default_value_t = 2000)]
    pub retry_base_ms: u64,
    /// Seconds without a new document before a contact's digest of
    /// published documents is sent (F1).
    #[arg(long, env = "PORTAL_DIGEST_QUIET_SECS", default_value_t = 60)]
    pub digest_quiet_secs: u64,
    /// Mails handed to the SMTP server at once (each holds a database
    /// connection while it is sent).
    #[arg(long, env = "PORTAL_MAIL_CONCURRENCY", default_value_t = 4)]
    pub concurrency: usize,
    /// Attempts before a mail is marked failed for good.
    #[arg(long, env = "PORTAL_MAIL_MAX_ATTEMPTS", default_value_t = 12)]
    pub max_attempts: u32,
    /// Address of the inbound SMTP listener (C6, ADR 0010), e.g.
    /// `0.0.0.0:2525`. Unset: no listener (another replica may run it).
    #[arg(long, env = "PORTAL_INBOUND_SMTP_ADDR")]
    pub inbound_smtp_addr: Option<SocketAddr>,
    /// Domain of reply and intake addresses (`reply+<token>@<domain>`,
    /// `<tenant slug>@<domain>`). Unset: comment mails carry no reply
    /// address; required by the listener.
    #[arg(long, env = "PORTAL_INBOUND_DOMAIN")]
    pub inbound_domain: Option<String>,
    /// Secret that signs reply addresses; the same on every replica. Unset:
    /// derived from notification's PORTAL_SERVICE_SECRET.
    #[arg(long, env = "PORTAL_INBOUND_SECRET", hide_env_values = true)]
    pub inbound_secret: Option<String>,
    /// Largest inbound message taken, in bytes (larger: 552).
    #[arg(long, env = "PORTAL_INBOUND_MAX_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub inbound_max_bytes: usize,
    /// Addresses or CIDR blocks of the MTA in front of the listener, which
    /// checks SPF/DKIM/DMARC (ADR 0013); mail from any other peer is refused.
    #[arg(
        long,
        env = "PORTAL_INBOUND_TRUSTED_RELAYS",
        default_value = "127.0.0.1,::1"
    )]
    pub inbound_trusted_relays: String,
    /// The authserv-id of that MTA: only its `Authentication-Results` header
    /// counts. Required by the listener.
    #[arg(long, env = "PORTAL_INBOUND_AUTHSERV_ID")]
    pub inbound_authserv_id: Option<String>,
    /// Inbound SMTP connections served at once (more: 421).
    #[arg(long, env = "PORTAL_INBOUND_SESSIONS", default_value_t = 32)]
    pub inbound_sessions: usize,
    /// Seconds an inbound SMTP client may stay silent before it is dropped.
    #[arg(long, env = "PORTAL_INBOUND_IDLE_SECS", default_value_t = 60)]
    pub inbound_idle_secs: u64,
    /// Longest inbound SMTP connection, in seconds.
    #[arg(long, env = "PORTAL_INBOUND_SESSION_SECS", default_value_t = 600)]
    pub inbound_session_secs: u64,
}

impl Config {
    /// The portal's address without a trailing slash, when set.
    pub fn portal_url(&self) -> Option<String> {
        self.public_url
            .as_deref()
            .map(|u| u.trim().trim_end_matches('/'))
            .filter(|u| !u.is_empty())
            .map(str::to_owned)
    }

    /// Reply addresses, when an inbound domain is set.
    pub fn reply_settings(&self) -> Option<crate::reply::ReplySettings> {
        let domain = self
            .inbound_domain
            .as_deref()
            .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
            .filter(|d| !d.is_empty())?;
        let secret = self
            .inbound_secret
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(&self.common.service_secret);
        Some(crate::reply::ReplySettings {
            key: crate::reply::ReplyKey::new(secret.as_bytes()),
            domain,
        })
    }
}

impl Config {
    /// The inbound listener's settings beyond the reply addresses, checked.
    pub fn inbound_trust(
        &self,
    ) -> anyhow::Result<(
        crate::relay::TrustedRelays,
        String,
        crate::smtp_server::Limits,
    )> {
        let relays = crate::relay::TrustedRelays::parse(&self.inbound_trusted_relays)
            .map_err(|e| anyhow::anyhow!("PORTAL_INBOUND_TRUSTED_RELAYS: {e}"))?;
        let authserv_id = self
            .inbound_authserv_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "PORTAL_INBOUND_SMTP_ADDR needs PORTAL_INBOUND_AUTHSERV_ID (the relay's authserv-id)"
                )
            })?
            .to_owned();
        let limits = crate::smtp_server::Limits {
            sessions: self.inbound_sessions.max(1),
            idle: std::time::Duration::from_secs(self.inbound_idle_secs.max(1)),
            session: std::time::Duration::from_secs(self.inbound_session_secs.max(1)),
        };
        Ok((relays, authserv_id, limits))
    }
}
