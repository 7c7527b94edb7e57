use std::process::ExitCode;

use clap::Parser;
use portal_platform::cli::{self, Mode};

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let (mode, args) = cli::mode_and_args(std::env::args());
    let cfg = requests::Config::parse_from(args);
    match mode {
        Mode::HealthCheck => {
            Ok(portal_platform::service::healthcheck("requests", cfg.grpc_addr, &cfg.common).await)
        }
        Mode::Migrate => {
            requests::migrate(&cfg).await?;
            Ok(ExitCode::SUCCESS)
        }
        Mode::Serve => {
            let _telemetry = portal_platform::telemetry::init("requests");
            let listener = tokio::net::TcpListener::bind(cfg.grpc_addr).await?;
            requests::run(cfg, listener, portal_platform::shutdown::on_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
