//! `cargo xtask fuzz-api`: schemathesis (PyPI) generates requests from
//! `/api/openapi.json` and checks every answer against the document, once
//! with a contact's token and once with a staff member's, against a private
//! copy of the system on its own ports and databases with the demo data.
//! A server error, an undocumented status or content type, or a body that
//! does not match its schema fails the step.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};

use crate::infra::nats;
use crate::seed::{self, Invitation};
use crate::services::{Layout, Settings};
use crate::{http, sys, up, workspace};

/// gRPC 29161-29165, admin 9120-9125, databases `portal_fuzz_*`: clear of
/// `up`, `bench` and `e2e` (29061..., 9110...), below the ephemeral range.
const LAYOUT: Layout = Layout {
    grpc_port_offset: 29161 - 50051,
    admin_port_offset: 20,
    database_prefix: "portal_fuzz_",
};
const HTTPS_ADDR: &str = "127.0.0.1:9444";
const NATS_PORT: u16 = 14224;

/// Pinned: a new schemathesis may add checks or change its report.
const SCHEMATHESIS: &str = "schemathesis==4.32.5";
/// The checks asked of every answer.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance";
/// Test cases per operation and phase: enough to reach every documented
/// refusal, few enough that both runs take about two minutes on 2 cores.
const MAX_EXAMPLES: &str = "25";
/// Runs added when schemathesis crashes in CPython (see `tool_crashed_only`).
const TOOL_CRASH_RERUNS: usize = 2;
/// The same cases every run, so a failure can be replayed.
const SEED: &str = "20261109";
/// Operations left out, and why:
const EXCLUDED_PATHS: [&str; 2] = [
    // Ends every session of the account: the rest of the run would be 401s.
    "/api/v1/auth/logout-everywhere",
    // A lucky guess of the current password ends the other sessions too.
    "/api/v1/me/password",
];
/// The configuration given to schemathesis: the token comes from the
/// environment, never from the command line (the process list shows it).
const CONFIG: &str = r#"headers = { Authorization = "Bearer ${PORTAL_FUZZ_TOKEN}" }
"#;

#[derive(clap::Args, Default)]
pub struct Options {
    /// Use the services already built in target/debug.
    #[arg(long)]
    pub no_build: bool,
}

/// What one run of schemathesis reported.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub operations: u64,
    pub cases: u64,
    pub failures: u64,
}

pub fn run(options: &Options) -> Result<()> {
    let started = Instant::now();
    let tools = workspace::target_dir().join("tools");
    let schemathesis = ensure_schemathesis(&tools)?;
    if !options.no_build {
        up::build(false)?;
    }
    let bin_dir = workspace::target_dir().join("debug");
    let out_dir = workspace::target_dir().join("fuzz-api");
    let stack_dir = out_dir.join("stack");
    if stack_dir.exists() {
        fs::remove_dir_all(&stack_dir)
            .with_context(|| format!("failed to remove {}", stack_dir.display()))?;
    }
    fs::create_dir_all(stack_dir.join("data/mail"))
        .with_context(|| format!("failed to create {}", stack_dir.display()))?;
    let (mut children, settings, base) = up::start_private(
        "fuzz-api",
        &bin_dir,
        &stack_dir,
        &LAYOUT,
        (HTTPS_ADDR, NATS_PORT),
        settings,
    )?;
    let (staff, contact) = sessions(&base, &settings)?;

    let config = out_dir.join("schemathesis.toml");
    fs::write(&config, CONFIG).with_context(|| format!("failed to write {}", config.display()))?;
    let mut total = Tally::default();
    let mut failed = Vec::new();
    // The contact first: staff may switch the tenant's portal off (PUT /api/v1/tenant).
    for (who, token) in [("contact", &contact), ("staff", &staff)] {
        let report_dir = out_dir.join(who);
        let run_started = Instant::now();
        println!("\n==> schemathesis as {who}");
        let run = || {
            run_teed(schemathesis_command(
                &schemathesis,
                &config,
                &base,
                &report_dir,
                token,
            ))
        };
        let (mut status, mut output) = run()?;
        // CPython 3.11 can crash inside hypothesis while it describes a
        // strategy: the tool failed, not the API. That crash alone earns
        // another run (same seed), twice at most; a finding never does.
        for _ in 0..TOOL_CRASH_RERUNS {
            if status.success() || !tool_crashed_only(&output) {
                break;
            }
            println!("==> schemathesis as {who} crashed in CPython (not a finding); once more");
            (status, output) = run()?;
        }
        children.ensure_alive()?;
        let mut tally = read_junit(&report_dir.join("junit.xml"))?;
        tally.cases = generated_cases(&output);
        println!(
            "==> as {who}: {} operations, {} test cases, {} failures in {:.1}s",
            tally.operations,
            tally.cases,
            tally.failures,
            run_started.elapsed().as_secs_f64()
        );
        if !status.success() {
            failed.push(format!("as {who}: schemathesis exited with {status}"));
        }
        total.operations = total.operations.max(tally.operations);
        total.cases += tally.cases;
        total.failures += tally.failures;
    }
    children.stop_all(Duration::from_secs(10));
    println!(
        "\nAPI fuzzing: {} operations, {} test cases as contact and staff, {} failures, in {:.1}s; reports in {}",
        total.operations,
        total.cases,
        total.failures,
        started.elapsed().as_secs_f64(),
        out_dir.display()
    );
    ensure!(
        failed.is_empty(),
        "API fuzzing failed: {}",
        failed.join("; ")
    );
    Ok(())
}

fn schemathesis_command(
    schemathesis: &Path,
    config: &Path,
    base: &str,
    report_dir: &Path,
    token: &str,
) -> Command {
    let mut cmd = Command::new(schemathesis);
    cmd.arg("--config-file")
        .arg(config)
        .arg("run")
        .arg(format!("{base}/api/openapi.json"))
        .args(["--tls-verify", "false", "--checks", CHECKS])
        .args(["--max-examples", MAX_EXAMPLES, "--seed", SEED])
        // Examples, coverage of every documented constraint, then random fuzzing.
        .args(["--phases", "examples,coverage,fuzzing"])
        // One worker: CPython 3.11's ast.parse is not safe across threads
        // ("AST constructor recursion depth mismatch" inside hypothesis).
        .args(["--workers", "1", "--request-timeout", "30"])
        // No retries: a dropped connection is a finding (the gateway reads
        // what a refused request still sends, `unread_body`, so it has none).
        .args(["--request-retries", "0"])
        .args(["--generation-database", "none"])
        .args(["--report", "junit", "--report-junit-path"])
        .arg(report_dir.join("junit.xml"))
        .args(["--output-truncate", "true", "--no-color"]);
    for path in EXCLUDED_PATHS {
        cmd.args(["--exclude-path", path]);
    }
    cmd.env("PORTAL_FUZZ_TOKEN", token)
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    cmd
}

/// Runs `cmd` with its output shown as it comes and kept.
fn run_teed(mut cmd: Command) -> Result<(ExitStatus, String)> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("failed to run `{}`", sys::describe(&cmd)))?;
    let mut kept = String::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.context("failed to read schemathesis' output")?;
            println!("{line}");
            kept.push_str(&line);
            kept.push('\n');
        }
    }
    let status = child.wait().context("failed to wait for schemathesis")?;
    Ok((status, kept))
}

/// Whether a run's only problem is the interpreter's own crash
/// ("AST constructor recursion depth mismatch", CPython 3.11): no check
/// failed, and nothing else errored.
fn tool_crashed_only(output: &str) -> bool {
    const CRASH: &str = "SystemError: AST constructor recursion depth mismatch";
    let crashes = output.matches(CRASH).count();
    let runtime_errors = output
        .lines()
        .filter(|l| l.trim() == "Runtime Error")
        .count();
    crashes > 0 && runtime_errors == crashes && !output.contains("FAILURES")
}

/// The number before "generated" on the summary's "Test cases" line
/// (`2887 generated, 2885 passed, 2 failed`).
fn generated_cases(output: &str) -> u64 {
    output
        .lines()
        .rev()
        .filter_map(|line| line.trim().split_once(" generated").map(|(n, _)| n))
        .find_map(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Operations and failures from schemathesis' JUnit report: one
/// `<testcase>` per operation, one `<failure>` or `<error>` per distinct
/// failure (the cases come from the summary line).
fn read_junit(path: &Path) -> Result<Tally> {
    let xml = fs::read_to_string(path)
        .with_context(|| format!("schemathesis wrote no report at {}", path.display()))?;
    Ok(Tally {
        operations: xml.matches("<testcase ").count() as u64,
        cases: 0,
        failures: (xml.matches("<failure").count() + xml.matches("<error").count()) as u64,
    })
}

/// The demo data, one request with a comment so that lists have content,
/// and a session for the demo admin (staff) and the demo contact.
fn sessions(base: &str, settings: &Settings) -> Result<(String, String)> {
    let mail_dir = settings.mail_dir();
    match seed::demo(base, &settings.operator_token, Some(&mail_dir))? {
        Invitation::Accepted => {}
        _ => bail!("the demo contact's invitation was not accepted"),
    }
    let staff = login(base, seed::ADMIN_EMAIL, seed::ADMIN_PASSWORD)?;
    let contact = login(base, seed::CONTACT_EMAIL, seed::CONTACT_PASSWORD)?;
    let api = |path: &str| format!("{base}/api/v1{path}");
    let me = http::call("GET", &api("/me"), Some(&contact), None)?
        .ensure_success("reading the demo contact")?
        .json()?;
    // The demo contact sees every site of the customer: the card lists them.
    let customer = me["customer_id"].as_str().unwrap_or_default();
    let card = http::call(
        "GET",
        &api(&format!("/customers/{customer}")),
        Some(&contact),
        None,
    )?
    .ensure_success("reading the demo contact's customer")?
    .json()?;
    let Some(site) = card["sites"][0]["id"].as_str() else {
        bail!("the demo customer has no site: {card}")
    };
    let request = http::call(
        "POST",
        &api("/requests"),
        Some(&contact),
        Some(&json!({"site_id": site, "title": "Oven does not heat", "description": "Since this morning."})),
    )?
    .ensure_success("creating a request as the demo contact")?
    .json()?;
    let id = request["id"].as_str().unwrap_or_default();
    http::call(
        "POST",
        &api(&format!("/requests/{id}/comments")),
        Some(&staff),
        Some(&json!({"body": "We will come on Monday."})),
    )?
    .ensure_success("commenting on the request as the demo admin")?;
    Ok((staff, contact))
}

fn login(base: &str, email: &str, password: &str) -> Result<String> {
    let answer = http::call(
        "POST",
        &format!("{base}/api/v1/auth/login"),
        None,
        Some(&json!({"tenant": seed::TENANT, "email": email, "password": password})),
    )?
    .ensure_success(&format!("logging in as {email}"))?
    .json()?;
    match &answer["access_token"] {
        Value::String(token) => Ok(token.clone()),
        _ => bail!("no access_token in {answer}"),
    }
}

/// The services' settings for a fuzz run: fixed fuzz addresses, fresh
/// tokens, mails as files under the run's data folder. Built on
/// `Settings::from_env` so that new settings get their defaults.
fn settings(admin_url: String, nats: nats::Access, stack_dir: &Path) -> Result<Settings> {
    let data_dir: PathBuf = stack_dir.join("data");
    let mut settings = Settings::from_env(admin_url, nats, &data_dir)?;
    settings.operator_token = sys::random_hex(32)?;
    settings.operator_token_generated = true;
    settings.https_addr = HTTPS_ADDR.to_owned();
    settings.public_url = format!("https://{HTTPS_ADDR}");
    settings.smtp_url = None;
    settings.blob_url = format!("file://{}", data_dir.join("blobs").display());
    // Errors only (a server error's cause, beside the report): the
    // fuzzer's refused logins would fill the screen with warnings.
    settings.rust_log = "error".to_owned();
    settings.layout = LAYOUT;
    settings.inbound_mail = None;
    Ok(settings)
}

/// schemathesis in its own virtual environment under `tools`, installed
/// from PyPI when missing or of another version (a stamp names it).
fn ensure_schemathesis(tools: &Path) -> Result<PathBuf> {
    let venv = tools.join("schemathesis");
    let bin = venv.join("bin/schemathesis");
    let stamp = venv.join(".xtask-requirement");
    if bin.is_file() && fs::read_to_string(&stamp).is_ok_and(|s| s == SCHEMATHESIS) {
        return Ok(bin);
    }
    let python = sys::which("python3")
        .or_else(|| sys::which("python3.11"))
        .context("python3 is missing (apt-get install python3 python3-venv)")?;
    if venv.exists() {
        fs::remove_dir_all(&venv)
            .with_context(|| format!("failed to remove {}", venv.display()))?;
    }
    fs::create_dir_all(tools).with_context(|| format!("failed to create {}", tools.display()))?;
    let made = sys::capture(Command::new(&python).args(["-m", "venv"]).arg(&venv))?;
    if !made.status.success() {
        // Debian keeps venv's pip bootstrap in its own package.
        sys::apt_install("python3-venv", "Python's venv module")?;
        sys::run(
            Command::new(&python)
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
        )?;
    }
    println!(
        "Installing {SCHEMATHESIS} (PyPI) into {}...",
        venv.display()
    );
    let started = Instant::now();
    sys::run(
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                SCHEMATHESIS,
            ])
            .env("PIP_ROOT_USER_ACTION", "ignore"),
    )?;
    ensure!(bin.is_file(), "pip installed no {}", bin.display());
    fs::write(&stamp, SCHEMATHESIS)
        .with_context(|| format!("failed to write {}", stamp.display()))?;
    println!("Installed in {:.1}s.", started.elapsed().as_secs_f64());
    Ok(bin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::{BACKENDS, IDENTITY, NOTIFICATION, STANDARD};

    #[test]
    fn reads_the_summary_and_the_report() -> Result<()> {
        let crash = "Runtime Error\n  SystemError: AST constructor recursion depth mismatch (before=66, after=99)\n";
        assert!(tool_crashed_only(crash));
        assert!(!tool_crashed_only(&format!(
            "{crash}Runtime Error\n  ValueError\n"
        )));
        assert!(!tool_crashed_only(&format!("=== FAILURES ===\n{crash}")));
        assert!(!tool_crashed_only("=== FAILURES ===\n"));
        let summary = "Test cases:\n  2887 generated, 2885 passed, 2 errored\n";
        assert_eq!(generated_cases(summary), 2887);
        assert_eq!(generated_cases("nothing"), 0);
        let dir = std::env::temp_dir().join(format!("xtask-junit-{}", std::process::id()));
        fs::create_dir_all(&dir)?;
        let path = dir.join("junit.xml");
        fs::write(
            &path,
            r#"<testsuite><testcase name="GET /a" /><testcase name="GET /b"><failure message="x"/><error message="y"/></testcase></testsuite>"#,
        )?;
        let tally = read_junit(&path)?;
        fs::remove_dir_all(&dir)?;
        assert_eq!((tally.operations, tally.failures), (2, 2));
        Ok(())
    }

    #[test]
    fn fuzz_ports_and_databases_stay_clear_of_the_other_stacks() {
        assert_eq!(LAYOUT.grpc_port(&IDENTITY), 29161);
        assert_eq!(LAYOUT.grpc_port(&NOTIFICATION), 29165);
        assert_eq!(LAYOUT.gateway_admin_port(), 9120);
        for backend in &BACKENDS {
            assert_ne!(LAYOUT.grpc_port(backend), STANDARD.grpc_port(backend));
            // e2e: 29061-29065.
            assert!(!(29061..=29065).contains(&LAYOUT.grpc_port(backend)));
            assert!(LAYOUT.database(backend).starts_with("portal_fuzz_"));
        }
        assert!(HTTPS_ADDR.ends_with(":9444"));
    }
}
