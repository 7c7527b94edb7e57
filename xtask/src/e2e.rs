//! `cargo xtask e2e`: the browser tests in `e2e/` (Playwright driving
//! Debian's Chromium, axe-core) against a private copy of the whole system
//! on its own ports, databases and NATS, so a developer's `cargo xtask up`
//! keeps running beside it. Mails land as `.eml` files the tests read.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::infra::nats;
use crate::services::{Layout, ServiceSecrets, Settings};
use crate::{sys, up, workspace};

/// gRPC 29061-29065, admin 9110-9115, databases `portal_e2e_*`: clear of
/// `up` (50051..., 9100...) and `bench` (51051..., 19100...), and below the
/// ephemeral range (32768-60999): with 5106x, a connection the workspace
/// tests had just opened held 51064 when `documents` tried to bind it.
const LAYOUT: Layout = Layout {
    grpc_port_offset: 29061 - 50051,
    admin_port_offset: 10,
    database_prefix: "portal_e2e_",
};
const HTTPS_ADDR: &str = "127.0.0.1:9443";
/// A private nats-server: the `PORTAL` stream and the durable consumers must
/// not be shared with another running stack.
const NATS_PORT: u16 = 14223;
const CHROMIUM: &str = "/usr/bin/chromium";
/// `fonts-liberation`: without it, text renders with whatever font is left.
const FONTS_DIR: &str = "/usr/share/fonts/truetype/liberation";
/// poppler's `pdftotext`: the tests read the text of the PDFs the portal serves.
const PDFTOTEXT: &str = "/usr/bin/pdftotext";
/// Node's test runner on `e2e/tests/`, one file at a time (2 cores; each file
/// has its own Chromium). `e2e/package.json`'s `test` script says the same.
const NODE_TEST: [&str; 3] = ["--test", "--test-concurrency=1", "--test-reporter=spec"];
/// The name the test run gets among the children (prefix of its output).
const TESTS: &str = "e2e";
/// Copy of the lock file `npm ci` last installed, to notice a changed lock.
const LOCK_STAMP: &str = ".xtask-package-lock.json";

#[derive(clap::Args, Default)]
pub struct Options {
    /// Use the services already built in target/debug (when only the tests changed).
    #[arg(long)]
    pub no_build: bool,
    /// Extra arguments for `node --test`, after `--`
    /// (`cargo xtask e2e -- --test-name-pattern=French`).
    #[arg(last = true)]
    pub args: Vec<String>,
}

pub fn run(options: &Options) -> Result<()> {
    let started = Instant::now();
    let e2e_dir = workspace::root().join("e2e");
    // Tools first: a missing browser should not cost a build.
    ensure_chromium()?;
    let node = ensure_node()?;
    ensure_node_modules(&e2e_dir)?;

    if !options.no_build {
        up::build(false)?;
    }
    let bin_dir = workspace::target_dir().join("debug");
    let out_dir = workspace::target_dir().join("e2e");
    // Each run starts empty: NATS store, dev certificate, mails, screenshots.
    let stack_dir = out_dir.join("stack");
    for dir in [&stack_dir, &out_dir.join("screenshots")] {
        remove_dir(dir)?;
    }
    fs::create_dir_all(&stack_dir)
        .with_context(|| format!("failed to create {}", stack_dir.display()))?;
    let (mut children, settings, base) = up::start_private(
        "e2e",
        &bin_dir,
        &stack_dir,
        &LAYOUT,
        (HTTPS_ADDR, NATS_PORT),
        settings,
    )?;
    println!(
        "Up in {:.1}s; running the browser tests...",
        started.elapsed().as_secs_f64()
    );

    let tests_started = Instant::now();
    let mut tests = Command::new(node);
    tests
        .current_dir(&e2e_dir)
        .args(NODE_TEST)
        .args(&options.args)
        .arg("tests/")
        .env("PORTAL_E2E_BASE_URL", &base)
        .env("PORTAL_E2E_MAIL_DIR", settings.mail_dir())
        .env("PORTAL_E2E_OUT_DIR", &out_dir)
        .env("PORTAL_E2E_CHROMIUM", CHROMIUM)
        // Plain text: the output goes through a pipe into the prefixed log.
        .env("NO_COLOR", "1")
        // In the environment rather than argv: no secret in the process list.
        .env("PORTAL_E2E_OPERATOR_TOKEN", &settings.operator_token);
    children.spawn(TESTS, tests)?;
    // The tests end, or a service dies under them: either way, stop the rest.
    let ended = children.wait_any()?;
    children.stop_all(Duration::from_secs(10));
    let Some((name, status)) = ended else {
        bail!("stopped by a signal while the browser tests ran");
    };
    let elapsed = tests_started.elapsed().as_secs_f64();
    let screenshots = out_dir.join("screenshots");
    if name != TESTS {
        bail!("{name} exited ({status}) while the browser tests ran; stopped everything");
    }
    if !status.success() {
        bail!(
            "browser tests failed after {elapsed:.1}s ({status}); screenshots and the failed pages' HTML are in {}",
            screenshots.display()
        );
    }
    println!(
        "Browser tests passed in {elapsed:.1}s ({:.1}s in all); screenshots in {}",
        started.elapsed().as_secs_f64(),
        screenshots.display()
    );
    Ok(())
}

/// The services' settings for an e2e run: fixed e2e addresses, fresh
/// secrets, mails as files under the run's data folder.
fn settings(admin_url: String, nats: nats::Access, stack_dir: &Path) -> Result<Settings> {
    let data_dir: PathBuf = stack_dir.join("data");
    fs::create_dir_all(data_dir.join("mail"))
        .with_context(|| format!("failed to create {}", data_dir.display()))?;
    Ok(Settings {
        admin_url,
        nats,
        operator_token: sys::random_hex(32)?,
        operator_token_generated: true,
        secrets: ServiceSecrets::generate()?,
        service_tls: crate::services::issue_service_tls(&data_dir)?,
        https_addr: HTTPS_ADDR.to_owned(),
        public_url: format!("https://{HTTPS_ADDR}"),
        smtp_url: None,
        blob_url: format!("file://{}", data_dir.join("blobs").display()),
        data_dir,
        // Warnings and errors only, so the test report stays readable;
        // RUST_LOG=info (or finer) shows every request.
        rust_log: std::env::var("RUST_LOG")
            .ok()
            .filter(|filter| !filter.is_empty())
            .unwrap_or_else(|| "warn".to_owned()),
        layout: LAYOUT,
        inbound_mail: None,
    })
}

/// Debian's Chromium, the fonts it renders with and poppler's `pdftotext`,
/// installed when missing (never a browser download: `playwright install` is
/// not used).
fn ensure_chromium() -> Result<()> {
    let have = |path: &str| Path::new(path).exists();
    if have(CHROMIUM) && have(FONTS_DIR) && have(PDFTOTEXT) {
        return Ok(());
    }
    let started = Instant::now();
    sys::apt_install_all(
        &["chromium", "fonts-liberation", "poppler-utils"],
        "Chromium and pdftotext for the browser tests",
    )?;
    if !Path::new(CHROMIUM).is_file() {
        bail!("installed chromium but {CHROMIUM} is missing");
    }
    println!(
        "Installed Chromium in {:.1}s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `node` (20 or newer: its test runner) and `npm`, installed when missing.
fn ensure_node() -> Result<PathBuf> {
    if sys::which("node").is_none() || sys::which("npm").is_none() {
        sys::apt_install_all(&["nodejs", "npm"], "Node.js for the browser tests")?;
    }
    let node = sys::which("node").context("installed nodejs but cannot find `node`")?;
    let out = sys::capture(Command::new(&node).arg("--version"))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    match node_major(&version) {
        Some(major) if major >= 20 => Ok(node),
        _ => bail!("the browser tests need Node.js 20 or newer; `node --version` says `{version}`"),
    }
}

/// `v20.11.1` -> 20.
fn node_major(version: &str) -> Option<u32> {
    version.strip_prefix('v')?.split('.').next()?.parse().ok()
}

/// `npm ci` in `e2e/` when `node_modules` is missing or the lock file
/// changed since the last install (xtask keeps a copy of it there).
fn ensure_node_modules(e2e_dir: &Path) -> Result<()> {
    let lock_path = e2e_dir.join("package-lock.json");
    let lock =
        fs::read(&lock_path).with_context(|| format!("failed to read {}", lock_path.display()))?;
    let stamp = e2e_dir.join("node_modules").join(LOCK_STAMP);
    if fs::read(&stamp).is_ok_and(|installed| installed == lock) {
        return Ok(());
    }
    let npm = sys::which("npm").context("npm is not installed")?;
    let mut cmd = Command::new(npm);
    cmd.current_dir(e2e_dir)
        .args(["ci", "--no-audit", "--no-fund"])
        // playwright-core downloads nothing on install; make sure of it.
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    println!(
        "Installing the browser tests' packages ({})...",
        sys::describe(&cmd)
    );
    let started = Instant::now();
    sys::run(&mut cmd)?;
    fs::write(&stamp, &lock).with_context(|| format!("failed to write {}", stamp.display()))?;
    println!("Installed in {:.1}s.", started.elapsed().as_secs_f64());
    Ok(())
}

fn remove_dir(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error).with_context(|| format!("failed to remove {}", dir.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::{BACKENDS, IDENTITY, NOTIFICATION, STANDARD};

    #[test]
    fn e2e_ports_and_databases_stay_clear_of_up_and_bench() {
        assert_eq!(LAYOUT.grpc_port(&IDENTITY), 29061);
        assert_eq!(LAYOUT.grpc_port(&NOTIFICATION), 29065);
        assert_eq!(LAYOUT.gateway_admin_port(), 9110);
        assert_eq!(LAYOUT.admin_port(&NOTIFICATION), 9115);
        for backend in &BACKENDS {
            assert_ne!(LAYOUT.grpc_port(backend), STANDARD.grpc_port(backend));
            assert_ne!(LAYOUT.grpc_port(backend), backend.grpc_port + 1000);
            assert!(LAYOUT.database(backend).starts_with("portal_e2e_"));
        }
        assert_eq!(
            HTTPS_ADDR.rsplit_once(':').map(|(_, port)| port),
            Some("9443")
        );
    }

    #[test]
    fn reads_node_major_versions() {
        assert_eq!(node_major("v20.20.2"), Some(20));
        assert_eq!(node_major("v18.19.0"), Some(18));
        assert_eq!(node_major("20.1"), None);
    }
}
