//! `cargo xtask bench`: release binaries, a private copy of the stack on its
//! own ports, databases and NATS, then `portal-bench run` loads it and prints
//! the table. xtask only orchestrates processes; everything timed runs in
//! `portal-bench` (bench/), which has an async runtime and an HTTP client.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::infra::{nats, postgres};
use crate::process::Children;
use crate::services::{
    BACKENDS, DOCUMENTS, GATEWAY, Layout, REQUESTS, ServiceSecrets, Settings, WORK_ORDERS,
};
use crate::{sys, up, url, workspace};

/// Shifted ports and databases, so a developer's `up` (50051..., 9100...,
/// `portal_*`) keeps running untouched beside the bench.
const LAYOUT: Layout = Layout {
    grpc_port_offset: 1000,
    admin_port_offset: 10000,
    database_prefix: "portal_bench_",
};
const HTTPS_ADDR: &str = "127.0.0.1:18443";
/// A private nats-server: the services' durable consumers and the `PORTAL`
/// stream must not be shared with another running stack.
const NATS_PORT: u16 = 14222;
const SMTP_ADDR: (&str, u16) = ("127.0.0.1", 12525);
const CEILING_ADDR: (&str, u16) = ("127.0.0.1", 18080);
const HELPER_TIMEOUT: Duration = Duration::from_secs(10);
const BENCH_PACKAGE: &str = "portal-bench";

#[derive(clap::Args)]
pub struct Options {
    /// Requests seeded by SQL for the bench tenant (the list scenario pages them).
    #[arg(long, default_value_t = 100_000)]
    requests: u64,
    /// Seconds each scenario is measured, after a warm-up that is not counted.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Concurrent keep-alive connections of the load generator.
    #[arg(long, default_value_t = 32)]
    connections: usize,
}

pub fn run(options: &Options) -> Result<()> {
    let started = Instant::now();
    up::build(true)?;
    build_bench()?;
    // The whole bench on one nats-server, then the golden path again on a
    // three-node cluster with a replicated stream (ADR 0024), in one run so
    // the two are measured on the same machine at the same time.
    pass(options, Events::Single)?;
    pass(options, Events::Cluster)?;
    println!(
        "\ncargo xtask bench: done in {:.0}s (build included).",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Where a pass keeps its events.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Events {
    Single,
    /// Three nodes, the stream with three copies; the golden path only.
    Cluster,
}

/// Requests seeded for the cluster pass, which lists nothing.
const CLUSTER_SEED: u64 = 1_000;
/// Route ports of the cluster pass's three nodes (clients: NATS_PORT + i).
const CLUSTER_ROUTE_PORT: u16 = 16222;

fn pass(options: &Options, events: Events) -> Result<()> {
    let bin_dir = workspace::target_dir().join("release");
    let bench_dir = workspace::target_dir().join("bench");
    // Everything a run leaves behind (NATS store, dev certificate, mails)
    // lives here and starts empty, like the databases.
    let stack_dir = bench_dir.join(match events {
        Events::Single => "stack",
        Events::Cluster => "stack-cluster",
    });
    reset_dir(&stack_dir)?;

    let admin_url = postgres::prepare()?;
    for backend in &BACKENDS {
        postgres::recreate_database(&admin_url, &LAYOUT.database(backend))?;
    }
    let requests_db = url::with_database(&admin_url, &LAYOUT.database(&REQUESTS))?;
    let work_orders_db = url::with_database(&admin_url, &LAYOUT.database(&WORK_ORDERS))?;
    let documents_db = url::with_database(&admin_url, &LAYOUT.database(&DOCUMENTS))?;

    // Dropping it on any error stops every process started below.
    let mut children = Children::default();
    let nats = match events {
        Events::Single => nats::start_private(NATS_PORT, &stack_dir.join("nats"), &mut children)?,
        Events::Cluster => nats::start_private_cluster(
            &(0..3)
                .map(|i| (NATS_PORT + i, CLUSTER_ROUTE_PORT + i))
                .collect::<Vec<_>>(),
            &stack_dir.join("nats"),
            &mut children,
        )?,
    };

    let mail_log = stack_dir.join("mail.jsonl");
    children.spawn(
        BENCH_PACKAGE,
        serve_command(&bin_dir, &mail_log, &requests_db),
    )?;
    for (what, (host, port)) in [("SMTP sink", SMTP_ADDR), ("ceiling server", CEILING_ADDR)] {
        if !sys::wait_until(HELPER_TIMEOUT, || {
            children.ensure_alive()?;
            Ok(sys::tcp_answers(host, port))
        })? {
            bail!("the {what} did not listen on {host}:{port}");
        }
    }
    let serve_pid = children
        .pids()
        .last()
        .map(|(_, pid)| *pid)
        .context("portal-bench serve is not running")?;

    let settings = settings(admin_url, nats, &stack_dir)?;
    let base = format!("https://{HTTPS_ADDR}");
    println!("Starting the six services on the bench ports...");
    let boot = Instant::now();
    up::start_services(&bin_dir, &settings, &mut children)?;
    up::wait_ready(&base, &mut children)?;
    let startup = boot.elapsed();
    println!("All six ready in {:.2}s.", startup.as_secs_f64());

    let mut load = Command::new(bin_dir.join(BENCH_PACKAGE));
    load.current_dir(workspace::root())
        .arg("run")
        .args(["--base", &base])
        .args([
            "--ceiling-url",
            &format!("http://{}:{}", CEILING_ADDR.0, CEILING_ADDR.1),
        ])
        .arg("--mail-log")
        .arg(&mail_log)
        // In the environment rather than argv: it holds a password.
        .env("PORTAL_BENCH_NATS_URL", settings.nats.admin_url())
        .args(["--startup-ms", &startup.as_millis().to_string()])
        .args(["--duration", &options.duration.to_string()])
        .args(["--connections", &options.connections.to_string()])
        .args(["--helper-pid", &serve_pid.to_string()])
        .arg("--out-dir")
        .arg(&bench_dir)
        // In the environment rather than argv: no secret in the process list.
        .env("PORTAL_OPERATOR_TOKEN", &settings.operator_token)
        .env("DATABASE_URL", &requests_db)
        .env("PORTAL_BENCH_WORK_ORDERS_DB", &work_orders_db)
        .env("PORTAL_BENCH_DOCUMENTS_DB", &documents_db);
    match events {
        Events::Single => load.args(["--requests", &options.requests.to_string()]),
        Events::Cluster => load
            .args(["--requests", &CLUSTER_SEED.to_string()])
            .args(["--golden-only", "3-node NATS cluster, stream R3"]),
    };
    for (name, pid, admin_port) in watched(&children) {
        load.args(["--service", &format!("{name}={pid}:{admin_port}")]);
    }
    let outcome = sys::run(&mut load);
    children.stop_all(Duration::from_secs(10));
    outcome
}

/// `portal-bench` is built on its own: building it together with the
/// services would unify features across both and rebuild the services'
/// release artefacts that `cargo xtask up --release` reuses.
fn build_bench() -> Result<()> {
    let mut cmd = Command::new(workspace::cargo());
    cmd.current_dir(workspace::root())
        .args(["build", "--release", "--package", BENCH_PACKAGE]);
    println!("Building the load generator ({})...", sys::describe(&cmd));
    sys::run(&mut cmd)
}

fn reset_dir(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            return Err(error).with_context(|| format!("failed to remove {}", dir.display()));
        }
    }
    fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))
}

/// The SMTP sink the notification service hands mails to, and the ceiling
/// server: one helper process, started before the services.
fn serve_command(bin_dir: &Path, mail_log: &Path, requests_db: &str) -> Command {
    let mut cmd = Command::new(bin_dir.join(BENCH_PACKAGE));
    cmd.arg("serve")
        .args(["--smtp-addr", &format!("{}:{}", SMTP_ADDR.0, SMTP_ADDR.1)])
        .arg("--mail-log")
        .arg(mail_log)
        .args([
            "--ceiling-addr",
            &format!("{}:{}", CEILING_ADDR.0, CEILING_ADDR.1),
        ])
        .env("DATABASE_URL", requests_db);
    cmd
}

/// The services' settings for a bench run: fixed bench addresses, fresh
/// secrets, mails to the sink, quiet logs (a log line per request would cost
/// more than some requests).
fn settings(admin_url: String, nats: nats::Access, stack_dir: &Path) -> Result<Settings> {
    let data_dir: PathBuf = stack_dir.join("data");
    Ok(Settings {
        admin_url,
        nats,
        operator_token: sys::random_hex(32)?,
        operator_token_generated: true,
        secrets: ServiceSecrets::generate()?,
        service_tls: crate::services::issue_service_tls(&data_dir)?,
        https_addr: HTTPS_ADDR.to_owned(),
        public_url: format!("https://{HTTPS_ADDR}"),
        smtp_url: Some(format!("smtp://{}:{}", SMTP_ADDR.0, SMTP_ADDR.1)),
        blob_url: format!("file://{}", data_dir.join("blobs").display()),
        data_dir,
        rust_log: "warn".to_owned(),
        layout: LAYOUT,
        inbound_mail: None,
    })
}

/// Each service's name, process id and admin port (for /metrics).
fn watched(children: &Children) -> Vec<(String, u32, u16)> {
    children
        .pids()
        .into_iter()
        .filter_map(|(name, pid)| {
            let port = if name == GATEWAY {
                LAYOUT.gateway_admin_port()
            } else {
                LAYOUT.admin_port(BACKENDS.iter().find(|b| b.name == name)?)
            };
            Some((name, pid, port))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_ports_stay_clear_of_up() {
        for backend in &BACKENDS {
            assert_ne!(LAYOUT.grpc_port(backend), backend.grpc_port);
            assert_ne!(LAYOUT.admin_port(backend), backend.admin_port);
            assert!(LAYOUT.database(backend).starts_with("portal_bench_"));
        }
        assert_eq!(crate::services::packages().count(), 6);
    }
}
