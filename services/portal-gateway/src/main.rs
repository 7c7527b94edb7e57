use std::process::ExitCode;

use clap::Parser;
use portal_platform::cli::{self, Mode};

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let (mode, args) = cli::mode_and_args(std::env::args());
    let cfg = portal_gateway::Config::parse_from(args);
    match mode {
        Mode::HealthCheck => Ok(portal_gateway::healthcheck(cfg.https_addr.port()).await),
        Mode::Migrate => {
            eprintln!("the gateway has no database: nothing to migrate");
            Ok(ExitCode::SUCCESS)
        }
        Mode::ProvisionEvents => {
            eprintln!(
                "the gateway does not keep the event stream: run `requests provision-events`"
            );
            Ok(ExitCode::FAILURE)
        }
        Mode::Serve => {
            let _telemetry = portal_platform::telemetry::init("portal-gateway");
            let listener = std::net::TcpListener::bind(cfg.https_addr)?;
            portal_gateway::run(cfg, listener, portal_platform::shutdown::on_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
