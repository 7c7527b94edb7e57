//! requests' settings.
use std::net::SocketAddr;

use clap::Parser;
use portal_platform::config::CommonConfig;

#[derive(Parser, Clone, Debug)]
#[command(
    name = "requests",
    about = "Portal requests: tickets from contacts, handled by staff"
)]
pub struct Config {
    #[command(flatten)]
    pub common: CommonConfig,
    /// Address of the gRPC server.
    #[arg(long, env = "PORTAL_GRPC_ADDR", default_value = "127.0.0.1:50052")]
    pub grpc_addr: SocketAddr,
}
