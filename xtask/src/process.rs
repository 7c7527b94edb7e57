//! Long-running child processes (services, a private nats-server): start them
//! with their output prefixed by name, watch them, and stop them on exit.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::sys;

/// Width of the name column, so every line of output lines up
/// (`portal-gateway` is the longest name).
const NAME_WIDTH: usize = 14;

/// The children this xtask started. Dropping it kills them, so an error
/// anywhere in `up` never leaves orphans behind; nothing else is touched.
#[derive(Default)]
pub struct Children {
    running: Vec<Running>,
}

struct Running {
    name: String,
    child: Child,
}

impl Children {
    /// Starts `cmd` as a child called `name`, forwarding its output line by line.
    pub fn spawn(&mut self, name: &str, cmd: Command) -> Result<()> {
        let mut cmd = dies_with_us(cmd);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .with_context(|| format!("failed to start {name} (`{}`)", sys::describe(&cmd)))?;
        if let Some(stdout) = child.stdout.take() {
            forward(name, stdout, std::io::stdout);
        }
        if let Some(stderr) = child.stderr.take() {
            forward(name, stderr, std::io::stderr);
        }
        self.running.push(Running {
            name: name.to_owned(),
            child,
        });
        Ok(())
    }

    /// The name and process id of every child still tracked, oldest first.
    pub fn pids(&self) -> Vec<(String, u32)> {
        self.running
            .iter()
            .map(|running| (running.name.clone(), running.child.id()))
            .collect()
    }

    /// Fails if any child has exited: during start-up a dead service means
    /// waiting longer is pointless.
    pub fn ensure_alive(&mut self) -> Result<()> {
        match self.first_exited()? {
            Some((name, status)) => bail!("{name} exited during start-up ({status})"),
            None => Ok(()),
        }
    }

    /// Blocks until one child exits (its name and status) or xtask is told
    /// to stop by a signal (`None`).
    pub fn wait_any(&mut self) -> Result<Option<(String, ExitStatus)>> {
        let stop = stop_flag()?;
        loop {
            if let Some(exited) = self.first_exited()? {
                return Ok(Some(exited));
            }
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            thread::sleep(Duration::from_millis(200));
        }
    }

    fn first_exited(&mut self) -> Result<Option<(String, ExitStatus)>> {
        for running in &mut self.running {
            let status = running
                .child
                .try_wait()
                .with_context(|| format!("failed to check on {}", running.name))?;
            if let Some(status) = status {
                return Ok(Some((running.name.clone(), status)));
            }
        }
        Ok(None)
    }

    /// Kills every child, newest first (the gateway before the backends it
    /// calls, NATS last), and reaps them.
    /// Asks every child to drain (SIGTERM, newest first), waits up to
    /// `patience`, then kills what is left.
    pub fn stop_all(&mut self, patience: Duration) {
        for running in self.running.iter_mut().rev() {
            if matches!(running.child.try_wait(), Ok(None)) {
                // `kill` from procps: no signal crate needed for one signal.
                let _ = Command::new("kill")
                    .args(["-TERM", &running.child.id().to_string()])
                    .status();
            }
        }
        let deadline = Instant::now() + patience;
        while Instant::now() < deadline
            && self
                .running
                .iter_mut()
                .any(|r| matches!(r.child.try_wait(), Ok(None)))
        {
            thread::sleep(Duration::from_millis(100));
        }
        self.kill_all();
    }

    pub fn kill_all(&mut self) {
        for mut running in self.running.drain(..).rev() {
            if matches!(running.child.try_wait(), Ok(None)) {
                eprintln!("stopping {}", running.name);
            }
            // Errors here mean the process is already gone: nothing left to do.
            let _ = running.child.kill();
            let _ = running.child.wait();
        }
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        self.kill_all();
    }
}

/// `cmd` run under `setpriv --pdeathsig TERM` (util-linux, on every Debian):
/// the kernel sends the child SIGTERM when xtask dies, even by SIGKILL, so
/// nothing is left holding the ports. Unchanged where setpriv is missing.
fn dies_with_us(cmd: Command) -> Command {
    let Some(setpriv) = sys::which("setpriv") else {
        return cmd;
    };
    let mut wrapped = Command::new(setpriv);
    wrapped
        .args(["--pdeathsig", "TERM", "--"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => wrapped.env(key, v),
            None => wrapped.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped
}

/// Set once SIGINT, SIGTERM or SIGHUP reaches xtask (a terminal's Ctrl-C, a
/// process manager, `kill`): `wait_any` then returns, and the caller stops
/// every child it started. Installed by the first wait, so that a signal
/// during the build still ends xtask at once (its children then get SIGTERM
/// through `dies_with_us`).
fn stop_flag() -> Result<Arc<AtomicBool>> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    if let Some(flag) = FLAG.get() {
        return Ok(flag.clone());
    }
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        signal_hook::flag::register(signal, flag.clone())
            .context("installing the stop signal handlers")?;
    }
    Ok(FLAG.get_or_init(|| flag).clone())
}

/// Copies `pipe` to `sink` with every line prefixed by `name`. A plain thread
/// per pipe keeps this simple; it ends when the child closes the pipe.
fn forward<R, W>(name: &str, pipe: R, sink: fn() -> W)
where
    R: Read + Send + 'static,
    W: Write + 'static,
{
    let name = name.to_owned();
    thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            // Services may print invalid UTF-8; show it rather than stop forwarding.
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
            // One write per line: stderr is unbuffered, and a formatted write
            // would reach the terminal in pieces, interleaved with stdout.
            let prefixed = format!("{name:>NAME_WIDTH$} | {text}\n");
            // A closed terminal is no reason to panic: drop the line.
            let _ = sink().write_all(prefixed.as_bytes());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_is_started_to_die_with_xtask_and_keeps_its_settings() {
        let mut cmd = Command::new("/bin/true");
        cmd.args(["--flag", "value"])
            .env("PORTAL_X", "1")
            .env_remove("PORTAL_Y")
            .current_dir("/tmp");
        let wrapped = dies_with_us(cmd);
        if sys::which("setpriv").is_none() {
            assert_eq!(wrapped.get_program(), "/bin/true");
            return;
        }
        let args: Vec<_> = wrapped.get_args().collect();
        assert_eq!(
            args,
            ["--pdeathsig", "TERM", "--", "/bin/true", "--flag", "value"]
        );
        let envs: Vec<_> = wrapped.get_envs().collect();
        assert!(envs.contains(&(
            std::ffi::OsStr::new("PORTAL_X"),
            Some(std::ffi::OsStr::new("1"))
        )));
        assert!(envs.contains(&(std::ffi::OsStr::new("PORTAL_Y"), None)));
        assert_eq!(
            wrapped.get_current_dir(),
            Some(std::path::Path::new("/tmp"))
        );
    }

    #[test]
    fn a_child_under_setpriv_gets_sigterm_when_its_parent_dies() -> Result<()> {
        if sys::which("setpriv").is_none() {
            return Ok(());
        }
        // A parent shell starts a wrapped sleeper, prints its pid and is killed.
        let sleeper = dies_with_us({
            let mut c = Command::new("sleep");
            c.arg("30");
            c
        });
        let line = format!(
            "{} {} & echo $!; exec sleep 30",
            sleeper.get_program().to_string_lossy(),
            sleeper
                .get_args()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let mut parent = Command::new("sh")
            .args(["-c", &line])
            .stdout(Stdio::piped())
            .spawn()?;
        let mut pid = String::new();
        BufReader::new(parent.stdout.take().context("stdout")?).read_line(&mut pid)?;
        let pid = pid.trim().to_owned();
        thread::sleep(Duration::from_millis(300));
        parent.kill()?;
        parent.wait()?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map(|s| s.contains(") Z "))
                .unwrap_or(true);
            if zombie {
                break;
            }
            assert!(Instant::now() < deadline, "the child outlived its parent");
            thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }
}
