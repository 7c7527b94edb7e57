//! `cargo xtask test`: formatting, lints, the deployment checks, the workspace
//! tests (with PostgreSQL and nats-server made available to them), the API
//! fuzzing (`cargo xtask fuzz-api`), then the browser tests (`cargo xtask
//! e2e`), in that order.

use std::process::Command;
use std::time::Instant;

use anyhow::{Result, bail};

use crate::infra::{nats, postgres};
use crate::{deploy_check, e2e, fuzz_api, workspace};

pub fn run(test_args: &[String]) -> Result<()> {
    // Tests create their own databases from this admin URL and spawn private
    // nats-server processes, so only the binary has to exist here.
    let admin_url = postgres::prepare()?;
    let nats_server = nats::server_binary()?;
    println!("nats-server: {}", nats_server.display());

    let steps: [(&str, Vec<&str>); 3] = [
        ("format", vec!["fmt", "--all", "--", "--check"]),
        (
            "clippy",
            vec![
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ),
        (
            "tests",
            ["test", "--workspace"]
                .into_iter()
                .chain(test_args.iter().map(String::as_str))
                .collect(),
        ),
    ];

    let started = Instant::now();
    for (name, args) in steps {
        if name == "tests" {
            // The deployment files, offline with real tools, before the long step.
            println!("\n==> deploy: cargo xtask deploy-check");
            let step_started = Instant::now();
            deploy_check::run()?;
            let elapsed = step_started.elapsed().as_secs_f64();
            println!("==> deploy: ok in {elapsed:.1}s");
        }
        let mut cmd = Command::new(workspace::cargo());
        cmd.current_dir(workspace::root())
            .args(&args)
            .env("PORTAL_TEST_DATABASE_URL", &admin_url)
            .env("PORTAL_NATS_SERVER_BIN", &nats_server);
        let line = format!("cargo {}", args.join(" "));
        println!("\n==> {name}: {line}");
        let step_started = Instant::now();
        let status = cmd.status();
        let elapsed = step_started.elapsed().as_secs_f64();
        match status {
            Ok(status) if status.success() => println!("==> {name}: ok in {elapsed:.1}s"),
            Ok(status) => bail!("{name} failed after {elapsed:.1}s ({status}): `{line}`"),
            Err(error) => bail!("could not run `{line}`: {error}"),
        }
    }
    // Both build the service binaries and start their own copy of the system.
    println!("\n==> fuzz-api: cargo xtask fuzz-api");
    let step_started = Instant::now();
    fuzz_api::run(&fuzz_api::Options::default())?;
    let elapsed = step_started.elapsed().as_secs_f64();
    println!("==> fuzz-api: ok in {elapsed:.1}s");
    println!("\n==> e2e: cargo xtask e2e");
    let step_started = Instant::now();
    e2e::run(&e2e::Options::default())?;
    let elapsed = step_started.elapsed().as_secs_f64();
    println!("==> e2e: ok in {elapsed:.1}s");
    println!(
        "\nAll checks passed in {:.1}s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
