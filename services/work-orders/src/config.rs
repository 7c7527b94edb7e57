//! work-orders' settings.
use std::net::SocketAddr;

use clap::Parser;
use portal_platform::config::CommonConfig;

#[derive(Parser, Clone, Debug)]
#[command(
    name = "work-orders",
    about = "Portal work orders: plannable work from accepted requests"
)]
pub struct Config {
    #[command(flatten)]
    pub common: CommonConfig,
    /// Address of the gRPC server.
    #[arg(long, env = "PORTAL_GRPC_ADDR", default_value = "127.0.0.1:50053")]
    pub grpc_addr: SocketAddr,
}
