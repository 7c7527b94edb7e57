//! identity's settings.
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser};
use portal_platform::config::CommonConfig;

#[derive(Parser, Clone, Debug)]
#[command(
    name = "identity",
    about = "Portal identity: tenants, accounts, directory, tokens"
)]
pub struct Config {
    #[command(flatten)]
    pub common: CommonConfig,
    /// Address of the gRPC server.
    #[arg(long, env = "PORTAL_GRPC_ADDR", default_value = "127.0.0.1:50051")]
    pub grpc_addr: SocketAddr,
    /// Bearer token of the installation's operator (creates tenants).
    #[arg(long, env = "PORTAL_OPERATOR_TOKEN", hide_env_values = true,
          value_parser = portal_platform::config::secret)]
    pub operator_token: Option<String>,
    /// Public address of the portal, for links in mails.
    #[arg(
        long,
        env = "PORTAL_PUBLIC_URL",
        default_value = "https://127.0.0.1:8443"
    )]
    pub public_url: String,
    /// notification's gRPC endpoint (auth mails).
    #[arg(
        long,
        env = "PORTAL_NOTIFICATION_URL",
        default_value = "https://127.0.0.1:50055"
    )]
    pub notification_url: String,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, env = "PORTAL_ACCESS_TOKEN_TTL", default_value_t = 900)]
    pub access_ttl_secs: i64,
    #[command(flatten)]
    pub signing_keys: SigningKeysConfig,
}

/// Where the token signing keys come from (mounted secrets, not the
/// database) and which one signs. See `keys` and ADR 0016.
#[derive(Args, Clone, Debug)]
pub struct SigningKeysConfig {
    /// Directory of Ed25519 private keys, PKCS#8 PEM, one file per key named
    /// `<kid>.pem` (or `<kid>`): all are published, the active one signs.
    #[arg(long = "signing-keys-dir", env = "PORTAL_SIGNING_KEYS_DIR")]
    pub dir: Option<PathBuf>,
    /// One Ed25519 private key in PKCS#8 PEM, for setups without a key
    /// directory (its kid is derived from its public key).
    #[arg(
        long = "signing-key",
        env = "PORTAL_SIGNING_KEY",
        hide_env_values = true
    )]
    pub key: Option<String>,
    /// The kid that signs new tokens; required when there are several keys.
    #[arg(long = "signing-key-active", env = "PORTAL_SIGNING_KEY_ACTIVE")]
    pub active: Option<String>,
    /// How long verifiers may cache the published key list, in seconds: a
    /// retired key is refused by every service at most this long after
    /// identity stops publishing it.
    #[arg(
        long = "signing-keys-cache-secs",
        env = "PORTAL_SIGNING_KEYS_CACHE_SECS",
        default_value_t = 60
    )]
    pub cache_secs: u32,
}
