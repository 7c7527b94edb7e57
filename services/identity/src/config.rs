//! identity's settings.
use std::net::SocketAddr;

use clap::Parser;
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
        default_value = "http://127.0.0.1:50055"
    )]
    pub notification_url: String,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, env = "PORTAL_ACCESS_TOKEN_TTL", default_value_t = 900)]
    pub access_ttl_secs: i64,
}
