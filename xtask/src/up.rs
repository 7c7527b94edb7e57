//! `cargo xtask up`: the whole system on this machine, with demo data.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::infra::{nats, postgres};
use crate::process::Children;
use crate::seed::{self, Invitation};
use crate::services::{self, BACKENDS, IDENTITY, Layout, Settings};
use crate::{http, sys, url, workspace};

const IDENTITY_TIMEOUT: Duration = Duration::from_secs(30);
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// Start-up probes are cheap; polling often makes `bench`'s start-up time exact.
const POLL: Duration = Duration::from_millis(100);

#[derive(clap::Args)]
pub struct Options {
    /// Do not create the demo tenant, customer and contact.
    #[arg(long)]
    no_demo: bool,
    /// Build and run optimised binaries.
    #[arg(long)]
    release: bool,
}

pub fn run(options: &Options) -> Result<()> {
    let data_dir = workspace::data_dir();
    for dir in [data_dir.join("blobs"), data_dir.join("mail")] {
        fs::create_dir_all(&dir).with_context(|| format!("failed to create {}", dir.display()))?;
    }
    // Declared before anything starts: on any error below, dropping it stops
    // every child started so far (and only those).
    let mut children = Children::default();

    let admin_url = postgres::prepare()?;
    let nats = nats::ensure_running(&data_dir, &mut children)?;
    for backend in &BACKENDS {
        if postgres::ensure_database(&admin_url, backend.database)? {
            println!("Created database {}.", backend.database);
        }
    }

    build(options.release)?;
    let profile = if options.release { "release" } else { "debug" };
    let bin_dir = workspace::target_dir().join(profile);
    let mut settings = Settings::from_env(admin_url, nats, &data_dir)?;
    // Replies to comment mails and new requests by mail (C6) work locally too.
    settings
        .inbound_mail
        .get_or_insert_with(|| ("127.0.0.1:2525".to_owned(), "portal.localhost".to_owned()));

    start_services(&bin_dir, &settings, &mut children)?;
    let base = format!("https://{}", settings.https_addr);
    wait_ready(&base, &mut children)?;

    let invitation = if options.no_demo {
        None
    } else {
        let mail_dir = settings.smtp_url.is_none().then(|| settings.mail_dir());
        Some(seed::demo(
            &base,
            &settings.operator_token,
            mail_dir.as_deref(),
        )?)
    };
    print_banner(&base, &settings, invitation.as_ref());

    // Ctrl-C, SIGTERM or SIGHUP to xtask alone stop every service it
    // started; if one stops on its own, the system is broken: stop the rest
    // and fail.
    let ended = children.wait_any()?;
    children.stop_all(Duration::from_secs(15));
    match ended {
        // A clean exit means a service drained after Ctrl-C (which reaches
        // the whole process group).
        None => {
            println!("Stopped.");
            Ok(())
        }
        Some((_, status)) if status.success() => {
            println!("Stopped.");
            Ok(())
        }
        Some((name, status)) => bail!("{name} exited ({status}); stopped the other services"),
    }
}

pub(crate) fn build(release: bool) -> Result<()> {
    let mut cmd = Command::new(workspace::cargo());
    cmd.current_dir(workspace::root()).args(["build", "--bins"]);
    if release {
        cmd.arg("--release");
    }
    for package in services::packages() {
        cmd.args(["--package", package]);
    }
    println!("Building the services ({})...", sys::describe(&cmd));
    sys::run(&mut cmd)
}

pub(crate) fn start_services(
    bin_dir: &Path,
    settings: &Settings,
    children: &mut Children,
) -> Result<()> {
    sys::run(&mut services::provision_events_command(bin_dir, settings))?;
    for backend in &BACKENDS {
        children.spawn(
            backend.name,
            services::backend_command(bin_dir, backend, settings)?,
        )?;
        if backend.name == IDENTITY.name {
            // The others read the directory from identity: let it listen first.
            let port = settings.layout.grpc_port(&IDENTITY);
            if !sys::wait_until_every(IDENTITY_TIMEOUT, POLL, || {
                children.ensure_alive()?;
                Ok(sys::tcp_answers("127.0.0.1", port))
            })? {
                bail!(
                    "identity did not listen on 127.0.0.1:{port} within {}s",
                    IDENTITY_TIMEOUT.as_secs()
                );
            }
        }
    }
    children.spawn(
        services::GATEWAY,
        services::gateway_command(bin_dir, settings),
    )
}

/// Waits for the gateway's `/readyz?all=true` to answer 200, which it does
/// once every service behind it answers too.
pub(crate) fn wait_ready(base: &str, children: &mut Children) -> Result<()> {
    let url = format!("{base}/readyz?all=true");
    println!("Waiting for {url}...");
    let mut last = String::from("no answer yet");
    let ready = sys::wait_until_every(READY_TIMEOUT, POLL, || {
        children.ensure_alive()?;
        match http::call("GET", &url, None, None) {
            Ok(response) if response.status == 200 => return Ok(true),
            Ok(response) => last = format!("HTTP {} {}", response.status, response.body),
            Err(error) => last = format!("{error:#}"),
        }
        Ok(false)
    })?;
    if !ready {
        bail!(
            "{url} did not answer 200 within {}s; last answer: {last}",
            READY_TIMEOUT.as_secs()
        );
    }
    Ok(())
}

fn print_banner(base: &str, settings: &Settings, invitation: Option<&Invitation>) {
    let mails = match &settings.smtp_url {
        Some(smtp_url) => format!("sent to {}", url::redact(smtp_url)),
        None => format!("written as .eml files to {}", settings.mail_dir().display()),
    };
    let token_note = if settings.operator_token_generated {
        " (generated; set PORTAL_OPERATOR_TOKEN to keep one)"
    } else {
        " (from PORTAL_OPERATOR_TOKEN)"
    };
    let rule = "=".repeat(72);
    println!("\n{rule}");
    println!("Portal is up.\n");
    println!("  Portal          {base}/");
    println!("  Web login       {base}/t/{}/login", seed::TENANT);
    println!("  API document    {base}/api/openapi.json");
    println!("  Operator token  {}{token_note}", settings.operator_token);
    println!("  Mails           {mails}");
    match &settings.nats {
        nats::Access::Own { .. } => println!(
            "  Events (NATS)   {} (admin; each service has its own user)",
            settings.nats.admin_url()
        ),
        nats::Access::Given(url) => println!("  Events (NATS)   {}", url::redact(url)),
    }
    if let Some((addr, domain)) = &settings.inbound_mail {
        println!(
            "  Mail in         smtp://{addr}: replies to comment mails, new requests to {}@{domain}",
            seed::TENANT
        );
        println!(
            "                  from 127.0.0.1, as the relay: add `Authentication-Results: {}; dmarc=pass header.from=<sender's domain>`",
            crate::services::DEV_AUTHSERV_ID
        );
    }
    match invitation {
        None => println!("\n  No demo data (--no-demo)."),
        Some(invitation) => {
            println!("\n  Tenant          {}", seed::TENANT);
            println!(
                "  Admin login     {} / {}",
                seed::ADMIN_EMAIL,
                seed::ADMIN_PASSWORD
            );
            println!(
                "  Contact login   {} / {}",
                seed::CONTACT_EMAIL,
                seed::CONTACT_PASSWORD
            );
            for (role, email, password) in seed::STAFF {
                // "dispatcher" -> "Dispatcher", as the other labels.
                let label: String = role
                    .chars()
                    .enumerate()
                    .map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c })
                    .collect();
                println!("  {label:<15} {email} / {password}");
            }
            if matches!(invitation, Invitation::SentToSmtp) {
                println!(
                    "                  (the invitation went to the SMTP server: follow its link and set this password)"
                );
            }
            println!("\n  Log in from the command line:");
            println!(
                "    curl -sk {base}/api/v1/auth/login -H 'content-type: application/json' \\\n      -d '{{\"tenant\":\"{}\",\"email\":\"{}\",\"password\":\"{}\"}}'",
                seed::TENANT,
                seed::ADMIN_EMAIL,
                seed::ADMIN_PASSWORD
            );
        }
    }
    println!("\nPress Ctrl-C to stop.");
    println!("{rule}\n");
}

/// A private copy of the system for a test tool (`e2e`, `fuzz-api`) on the
/// ports and databases of `layout`: fresh databases, its own nats-server
/// on `nats_port` storing under `stack_dir`, the six services, ready. The
/// children stop when the returned `Children` is dropped.
pub(crate) fn start_private(
    tool: &str,
    bin_dir: &Path,
    stack_dir: &Path,
    layout: &Layout,
    (https_addr, nats_port): (&str, u16),
    settings: impl FnOnce(String, nats::Access, &Path) -> Result<Settings>,
) -> Result<(Children, Settings, String)> {
    let (host, https_port) = url::host_port(&format!("https://{https_addr}"), 443)?;
    for (what, port) in [("gateway", https_port), ("NATS", nats_port)] {
        if sys::tcp_answers(&host, port) {
            bail!(
                "something already listens on {host}:{port}, where the {tool} {what} goes (another `cargo xtask {tool}`?)"
            );
        }
    }
    let admin_url = postgres::prepare()?;
    for backend in &BACKENDS {
        postgres::recreate_database(&admin_url, &layout.database(backend))?;
    }
    // Dropping it on any error stops every process started below.
    let mut children = Children::default();
    let nats = nats::start_private(nats_port, &stack_dir.join("nats"), &mut children)?;
    let settings = settings(admin_url, nats, stack_dir)?;
    let base = format!("https://{https_addr}");
    println!("Starting the six services on the {tool} ports...");
    start_services(bin_dir, &settings, &mut children)?;
    wait_ready(&base, &mut children)?;
    Ok((children, settings, base))
}
