//! PostgreSQL: find a server that answers, start or install a local one if
//! needed, find an admin URL that logs in, and create the services' databases.

use std::env;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::{sys, url};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// Used when a fresh Debian cluster refuses password-less TCP logins.
const PASSWORD_URL: &str = "postgres://postgres:postgres@127.0.0.1:5432/postgres";
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Makes sure PostgreSQL answers and returns an admin URL that logs in:
/// `DATABASE_URL` if set, else the local default.
pub fn prepare() -> Result<String> {
    let from_env = env::var("DATABASE_URL").ok().filter(|url| !url.is_empty());
    let url = from_env.clone().unwrap_or_else(|| DEFAULT_URL.to_owned());
    let (host, port) = url::host_port(&url, 5432)?;

    if !answers(&url, &host, port) {
        if !url::is_local(&host) {
            bail!(
                "PostgreSQL at {host}:{port} does not answer ({}); start it or fix DATABASE_URL",
                url::redact(&url)
            );
        }
        let start_error = start_local()?;
        println!("Waiting for PostgreSQL on {host}:{port}...");
        if !sys::wait_until(START_TIMEOUT, || Ok(answers(&url, &host, port)))? {
            bail!(
                "PostgreSQL did not answer on {host}:{port} within {}s{}",
                START_TIMEOUT.as_secs(),
                start_error
                    .map(|error| format!("; pg_ctlcluster said: {error}"))
                    .unwrap_or_default()
            );
        }
    }

    let url = login_url(url, from_env.is_some())?;
    println!("PostgreSQL: {}", url::redact(&url));
    Ok(url)
}

/// Creates `database` unless it exists. Returns whether it was created.
pub fn ensure_database(admin_url: &str, database: &str) -> Result<bool> {
    // Names come from xtask's own table, never from input, so interpolating
    // them into SQL is safe; they are still quoted as identifiers.
    let found = psql(
        admin_url,
        &format!("SELECT 1 FROM pg_database WHERE datname = '{database}'"),
    )?;
    if found == "1" {
        return Ok(false);
    }
    psql(admin_url, &format!("CREATE DATABASE \"{database}\""))?;
    Ok(true)
}

/// Drops `database` (closing its sessions) and creates it empty: a run that
/// must not depend on what an earlier one left behind.
pub fn recreate_database(admin_url: &str, database: &str) -> Result<()> {
    // Names come from xtask's own table, never from input (see above).
    psql(
        admin_url,
        &format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"),
    )?;
    psql(admin_url, &format!("CREATE DATABASE \"{database}\""))?;
    Ok(())
}

/// `pg_isready` tells a server that accepts connections from one that is
/// still starting; without it, a TCP connect is the best available probe.
fn answers(url: &str, host: &str, port: u16) -> bool {
    match sys::which("pg_isready") {
        Some(pg_isready) => Command::new(pg_isready)
            .args(["-q", "-t", "2", "-d", url])
            .status()
            .is_ok_and(|status| status.success()),
        None => sys::tcp_answers(host, port),
    }
}

/// Starts the newest installed cluster, installing PostgreSQL first if there
/// is none. Returns pg_ctlcluster's complaint, if any: it also fails when the
/// cluster is already starting, so only the wait that follows decides.
fn start_local() -> Result<Option<String>> {
    let version = match newest_cluster()? {
        Some(version) => version,
        None => {
            if server_installed()? {
                bail!(
                    "PostgreSQL is installed but has no cluster under /etc/postgresql; create one with:\n\n    sudo pg_createcluster <version> main --start\n"
                );
            }
            sys::apt_install("postgresql", "PostgreSQL")?;
            newest_cluster()?
                .context("installed PostgreSQL but found no cluster under /etc/postgresql")?
        }
    };
    println!("Starting PostgreSQL {version} cluster `main`...");
    let mut start = Command::new("pg_ctlcluster");
    start.args(["--skip-systemctl-redirect", &version, "main", "start"]);
    let out = sys::capture(&mut start)?;
    if out.status.success() {
        return Ok(None);
    }
    // pg_ctlcluster reports some failures (e.g. "already running") on stdout.
    let error = [&out.stderr, &out.stdout]
        .iter()
        .map(|text| String::from_utf8_lossy(text).trim().to_owned())
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    eprintln!("`{}` failed: {error}", sys::describe(&start));
    Ok(Some(error))
}

/// The highest version `V` with a cluster at `/etc/postgresql/V/main`.
fn newest_cluster() -> Result<Option<String>> {
    let versions = installed_versions(Path::new("/etc/postgresql"))?;
    Ok(versions
        .into_iter()
        .filter(|version| {
            Path::new("/etc/postgresql")
                .join(version)
                .join("main")
                .is_dir()
        })
        .max_by_key(|version| version_key(version)))
}

/// Debian installs the server binaries under `/usr/lib/postgresql/V/`.
fn server_installed() -> Result<bool> {
    Ok(!installed_versions(Path::new("/usr/lib/postgresql"))?.is_empty())
}

fn installed_versions(dir: &Path) -> Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(error).with_context(|| format!("failed to list {}", dir.display()));
        }
    };
    let mut versions = Vec::new();
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            versions.push(name);
        }
    }
    Ok(versions)
}

/// `"9.6"` < `"15"`: compare versions numerically, part by part.
fn version_key(version: &str) -> Vec<u32> {
    version
        .split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

/// Returns the first admin URL that logs in. Only the default URL gets the
/// fallbacks: a URL the user chose is theirs to fix.
fn login_url(url: String, user_chose: bool) -> Result<String> {
    let first_error = match psql(&url, "SELECT 1") {
        Ok(_) => return Ok(url),
        Err(error) if user_chose => {
            return Err(error.context(format!(
                "cannot log in with DATABASE_URL={}",
                url::redact(&url)
            )));
        }
        Err(error) => error,
    };
    if psql(PASSWORD_URL, "SELECT 1").is_ok() {
        return Ok(PASSWORD_URL.to_owned());
    }
    if !sys::is_root() {
        return Err(first_error.context(format!(
            "cannot log in to PostgreSQL as {}; set DATABASE_URL to an admin URL that works",
            url::redact(&url)
        )));
    }
    // A fresh Debian cluster trusts only the `postgres` OS user on its socket
    // (peer auth) and asks for a password over TCP, which the services use:
    // give the admin role a well-known local password.
    println!("Setting a local password for PostgreSQL's `postgres` role...");
    sys::run(Command::new("su").args([
        "postgres",
        "-c",
        "psql -X -q -c \"ALTER USER postgres PASSWORD 'postgres'\"",
    ]))?;
    psql(PASSWORD_URL, "SELECT 1").context("still cannot log in to PostgreSQL over TCP")?;
    Ok(PASSWORD_URL.to_owned())
}

/// Runs one SQL statement and returns its unaligned, trimmed output.
fn psql(url: &str, sql: &str) -> Result<String> {
    let mut cmd = Command::new("psql");
    // -X: ignore ~/.psqlrc; -w: never prompt for a password, fail instead.
    cmd.args([
        "-X",
        "-w",
        "-q",
        "-t",
        "-A",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        url,
        "-c",
        sql,
    ])
    .env("PGCONNECT_TIMEOUT", "5");
    let out = cmd.output().context(
        "failed to run psql; install the PostgreSQL client (apt-get install postgresql-client)",
    )?;
    if !out.status.success() {
        bail!(
            "psql `{sql}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        let newest = ["9.6", "15", "13"]
            .into_iter()
            .max_by_key(|version| version_key(version));
        assert_eq!(newest, Some("15"));
    }
}
