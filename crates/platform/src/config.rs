//! Settings every backend service reads from the environment (or flags).
use clap::Args;

#[derive(Args, Clone, Debug)]
pub struct CommonConfig {
    /// PostgreSQL URL of this service's own database.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// The same database for the service's own queries, as a plain role
    /// under row-level security (ADR 0018); DATABASE_URL's role owns the
    /// tables and runs migrations and cross-tenant jobs. Unset: DATABASE_URL
    /// with the user `portal_app` (same password; created if missing).
    #[arg(long, env = "PORTAL_DATABASE_APP_URL", hide_env_values = true)]
    pub database_app_url: Option<String>,
    /// NATS server with JetStream.
    #[arg(long, env = "NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub nats_url: String,
    /// identity's gRPC endpoint (signing keys, directory reads), over
    /// mutual TLS.
    #[arg(
        long,
        env = "PORTAL_IDENTITY_URL",
        default_value = "https://127.0.0.1:50051"
    )]
    pub identity_url: String,
    /// This service's own secret, presented (with its name) when it calls
    /// another service; no other service holds it.
    #[arg(long, env = "PORTAL_SERVICE_SECRET", hide_env_values = true, value_parser = secret)]
    pub service_secret: String,
    /// The services this one recognises: `name=<sha256 hex of its secret>`,
    /// comma separated. Which of them may call which method is fixed in
    /// code (`callers::may_call`).
    #[arg(long, env = "PORTAL_PEERS", default_value = "", value_parser = crate::callers::Peers::parse)]
    pub peers: crate::callers::Peers,
    /// This service's certificate for calls between services (ADR 0025).
    #[command(flatten)]
    pub tls: crate::service_tls::TlsFiles,
    /// Serve gRPC reflection (development only).
    #[arg(long, env = "PORTAL_GRPC_REFLECTION", default_value_t = false, action = clap::ArgAction::Set)]
    pub grpc_reflection: bool,
    /// On SIGTERM, how long to answer NOT_SERVING before closing the
    /// listener, so that load balancers stop sending work first.
    #[arg(long, env = "PORTAL_DRAIN_SECS", default_value_t = 3)]
    pub drain_secs: u64,
    /// Admin HTTP port (/metrics, /livez, /readyz); none when unset.
    #[arg(long, env = "PORTAL_ADMIN_ADDR")]
    pub admin_addr: Option<std::net::SocketAddr>,
    /// Largest database pool.
    #[arg(long, env = "PORTAL_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub db_max_connections: u32,
}

impl CommonConfig {
    /// The app role's URL, configured or derived.
    pub fn app_database_url(&self) -> String {
        self.database_app_url
            .clone()
            .unwrap_or_else(|| crate::db::derive_app_url(&self.database_url))
    }
}

/// A shared secret worth the name: at least 16 characters, and not one of
/// the placeholders published in earlier examples.
pub fn secret(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.len() < 16 {
        Err("must be at least 16 characters long".into())
    } else if value.contains("change-me") || value.contains("changeme") {
        Err("is a published placeholder; set a random value".into())
    } else {
        Ok(value.to_owned())
    }
}

/// Refuses settings that were replaced, rather than silently ignoring them:
/// an operator still setting the shared token would believe it protects
/// something.
pub fn refuse_retired_settings() -> anyhow::Result<()> {
    if std::env::var_os("PORTAL_INTERNAL_TOKEN").is_some() {
        anyhow::bail!(
            "PORTAL_INTERNAL_TOKEN is no longer read: each service has its own \
             PORTAL_SERVICE_SECRET and knows the others by PORTAL_PEERS (ADR 0017); \
             unset it"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_secrets_are_refused() {
        assert!(super::secret("").is_err());
        assert!(super::secret("password").is_err());
        assert!(super::secret("0123456789abcdef").is_ok());
        assert!(super::secret("dev-internal-token-change-me").is_err());
    }
}
