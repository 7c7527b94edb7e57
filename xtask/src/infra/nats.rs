//! NATS: find the `nats-server` binary (installing it as root if missing) and,
//! for `up`, use a running server or start a private one as a child.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::process::Children;
use crate::{sys, url};

const DEFAULT_URL: &str = "nats://127.0.0.1:4222";
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// `NATS_URL` if set, else the local default.
pub fn url() -> String {
    env::var("NATS_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_owned())
}

/// The absolute path of `nats-server`, installed with apt if missing.
pub fn server_binary() -> Result<PathBuf> {
    if let Some(path) = sys::which("nats-server") {
        return Ok(path);
    }
    sys::apt_install("nats-server", "nats-server")?;
    sys::which("nats-server").context("installed nats-server but cannot find its binary")
}

/// Returns a NATS URL that answers, starting `nats-server` with JetStream as a
/// child (stored under `data_dir/nats`) when nothing listens locally.
pub fn ensure_running(data_dir: &Path, children: &mut Children) -> Result<String> {
    let url = url();
    // NATS_URL may list several servers; the first one decides.
    let first = url.split(',').next().unwrap_or(&url).trim();
    let first = if first.contains("://") {
        first.to_owned()
    } else {
        format!("nats://{first}")
    };
    let (host, port) = url::host_port(&first, 4222)?;

    if sys::tcp_answers(&host, port) {
        println!("NATS: {} (already running)", url::redact(&url));
        return Ok(url);
    }
    if !url::is_local(&host) {
        bail!("NATS at {host}:{port} does not answer; start it or fix NATS_URL");
    }

    start_private(port, &data_dir.join("nats"), children)?;
    println!("NATS: {}", url::redact(&url));
    Ok(url)
}

/// Starts `nats-server` with JetStream on `127.0.0.1:port`, storing under
/// `store`, as a child, and waits until it answers.
pub fn start_private(port: u16, store: &Path, children: &mut Children) -> Result<()> {
    let binary = server_binary()?;
    fs::create_dir_all(store).with_context(|| format!("failed to create {}", store.display()))?;
    let mut cmd = Command::new(binary);
    cmd.args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(store);
    println!(
        "Starting nats-server on 127.0.0.1:{port} (JetStream in {})...",
        store.display()
    );
    children.spawn("nats", cmd)?;
    if !sys::wait_until(START_TIMEOUT, || {
        children.ensure_alive()?;
        Ok(sys::tcp_answers("127.0.0.1", port))
    })? {
        bail!(
            "nats-server did not answer on 127.0.0.1:{port} within {}s",
            START_TIMEOUT.as_secs()
        );
    }
    Ok(())
}
