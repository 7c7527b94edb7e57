use std::process::ExitCode;

use clap::Parser;
use portal_platform::cli::{self, Mode};

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let (mode, args) = cli::mode_and_args(std::env::args());
    let cfg = notification::Config::parse_from(args);
    match mode {
        Mode::HealthCheck => {
            Ok(
                portal_platform::service::healthcheck("notification", cfg.grpc_addr, &cfg.common)
                    .await,
            )
        }
        Mode::Migrate => {
            notification::migrate(&cfg).await?;
            Ok(ExitCode::SUCCESS)
        }
        Mode::Serve => {
            let _telemetry = portal_platform::telemetry::init("notification");
            let listener = tokio::net::TcpListener::bind(cfg.grpc_addr).await?;
            notification::run(cfg, listener, portal_platform::shutdown::on_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
