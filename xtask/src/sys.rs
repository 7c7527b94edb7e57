//! Running one-shot system commands, probing ports and installing packages.

use std::env;
use std::fs::File;
use std::io::Read;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Folders searched after `PATH`: Debian puts daemons such as `nats-server`
/// in sbin, which is not on an ordinary user's `PATH`.
const SBIN_DIRS: [&str; 2] = ["/usr/sbin", "/sbin"];

/// The absolute path of an executable, like `which`.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .chain(SBIN_DIRS.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Whether xtask may install packages and manage system services itself.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.status.success() && out.stdout.trim_ascii() == b"0")
}

/// The command as a shell-like line, for messages.
pub fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs a command with inherited output; fails unless it exits with 0.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("failed to run `{}`", describe(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(cmd));
    }
    Ok(())
}

/// Runs a command and captures its output, whatever its exit status.
pub fn capture(cmd: &mut Command) -> Result<Output> {
    cmd.output()
        .with_context(|| format!("failed to run `{}`", describe(cmd)))
}

/// Whether something accepts TCP connections at `host:port`.
pub fn tcp_answers(host: &str, port: u16) -> bool {
    let Ok(addrs) = (host, port).to_socket_addrs() else {
        return false;
    };
    addrs
        .into_iter()
        .any(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok())
}

/// Polls `probe` every half second until it says yes (true) or time runs out
/// (false). An error from the probe stops the wait at once.
pub fn wait_until(timeout: Duration, probe: impl FnMut() -> Result<bool>) -> Result<bool> {
    wait_until_every(timeout, Duration::from_millis(500), probe)
}

/// [`wait_until`] polling every `every`.
pub fn wait_until_every(
    timeout: Duration,
    every: Duration,
    mut probe: impl FnMut() -> Result<bool>,
) -> Result<bool> {
    let deadline = Instant::now() + timeout;
    loop {
        if probe()? {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        thread::sleep(every);
    }
}

/// Installs a Debian package when running as root; otherwise fails with the
/// exact command to run, since xtask never asks for a password.
pub fn apt_install(package: &str, what: &str) -> Result<()> {
    apt_install_all(&[package], what)
}

/// [`apt_install`] for several packages in one `apt-get install`.
pub fn apt_install_all(packages: &[&str], what: &str) -> Result<()> {
    let list = packages.join(" ");
    if !is_root() {
        bail!("{what} is not installed. Install it with:\n\n    sudo apt-get install -y {list}\n");
    }
    if which("apt-get").is_none() {
        bail!("{what} is not installed and this system has no apt-get; install `{list}` by hand");
    }
    println!("Installing {what} (apt-get install {list})...");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// `bytes` random bytes from the kernel, hex-encoded: tokens for local runs.
pub fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0_u8; bytes];
    File::open("/dev/urandom")
        .and_then(|mut urandom| urandom.read_exact(&mut buf))
        .context("failed to read /dev/urandom")?;
    Ok(buf.iter().map(|byte| format!("{byte:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_hex_has_the_right_shape() -> Result<()> {
        let token = random_hex(32)?;
        assert_eq!(token.len(), 64);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(token, random_hex(32)?);
        Ok(())
    }

    #[test]
    fn describes_commands() {
        let mut cmd = Command::new("psql");
        cmd.args(["-c", "select 1"]);
        assert_eq!(describe(&cmd), "psql -c select 1");
    }
}
