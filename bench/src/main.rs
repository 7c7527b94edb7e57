//! `portal-bench`: the timed half of `cargo xtask bench`, which builds it,
//! starts the stack and calls it twice:
//! - `serve`: before the services, the SMTP sink they hand mails to and the
//!   ceiling server (bare axum + sqlx), in one helper process;
//! - `run`: once the services are ready, the seeding, the load and the report.

mod api;
mod board;
mod ceiling;
mod clock;
mod counters;
mod documents;
mod equipment;
mod events;
mod golden;
mod load;
mod mail_log;
mod pages;
mod report;
mod rss;
mod run;
mod seed;
mod smtp_sink;
mod stats;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

#[derive(Parser)]
#[command(
    name = "portal-bench",
    about = "Load generator and helpers for `cargo xtask bench`"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the SMTP sink and the ceiling server until SIGTERM.
    Serve(ServeArgs),
    /// Seed the running bench stack, load it and report.
    Run(run::Args),
}

#[derive(clap::Args)]
struct ServeArgs {
    #[arg(long)]
    smtp_addr: SocketAddr,
    /// Where the sink appends one JSON line per mail.
    #[arg(long)]
    mail_log: PathBuf,
    #[arg(long)]
    ceiling_addr: SocketAddr,
    /// The bench stack's requests database, read by the ceiling server.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
        Command::Run(args) => run::run(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("portal-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<()> {
    let smtp = TcpListener::bind(args.smtp_addr)
        .await
        .with_context(|| format!("binding the SMTP sink to {}", args.smtp_addr))?;
    let ceiling = TcpListener::bind(args.ceiling_addr)
        .await
        .with_context(|| format!("binding the ceiling server to {}", args.ceiling_addr))?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        served = smtp_sink::serve(smtp, args.mail_log) => served,
        served = ceiling::serve(ceiling, &args.database_url) => served,
        _ = terminate.recv() => Ok(()),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
