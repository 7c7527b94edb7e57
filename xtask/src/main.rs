//! `cargo xtask`: developer commands for the Portal workspace.
//!
//! This file only wires the command line to the modules that do the work.

mod bench;
mod deploy_check;
mod e2e;
mod fuzz_api;
mod http;
mod infra;
mod mail;
mod parked;
mod process;
mod seed;
mod services;
mod signing_keys;
mod sys;
mod test;
mod up;
mod url;
mod workspace;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Developer commands for Portal"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole system locally: PostgreSQL, NATS, the six services and demo data.
    Up(up::Options),
    /// List the event messages the local services parked after failing on them.
    Parked,
    /// Benchmark a private release stack on its own ports and databases; prints a table, writes target/bench/*.json.
    Bench(bench::Options),
    /// Check the Dockerfile, docker-compose.yml, the Helm chart and deploy/ offline with real tools.
    DeployCheck,
    /// Print the NATS users of a deployment (ADR 0017), as compose and the chart carry them; passwords come from NATS_PASSWORD_<USER>.
    NatsAuthorization,
    /// Browser tests (e2e/): a private copy of the system on its own ports, Playwright with Chromium, axe-core.
    E2e(e2e::Options),
    /// Fuzz the REST API with schemathesis against /api/openapi.json, as a contact and as staff, on a private copy of the system.
    FuzzApi(fuzz_api::Options),
    /// Check formatting, run clippy, the deployment checks, the workspace tests against local PostgreSQL and NATS, then the browser tests.
    Test {
        /// Extra arguments for `cargo test`, given after `--`; arguments for the
        /// test binaries follow a second `--` (`cargo xtask test -- -- --nocapture`).
        #[arg(last = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Up(options) => up::run(&options),
        Command::Test { args } => test::run(&args),
        Command::Parked => parked::run(),
        Command::DeployCheck => deploy_check::run(),
        Command::NatsAuthorization => {
            print!("{}", deploy_check::nats_authorization());
            Ok(())
        }
        Command::Bench(options) => bench::run(&options),
        Command::E2e(options) => e2e::run(&options),
        Command::FuzzApi(options) => fuzz_api::run(&options),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error);
            ExitCode::FAILURE
        }
    }
}

/// Prints the error and its causes without a backtrace: these are
/// operational failures (a server down, a step failed), not bugs.
fn report(error: &anyhow::Error) {
    eprintln!("\nerror: {error}");
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}
