//! A real S3-compatible server for tests: moto (PyPI `moto[server]`), one
//! process per test on a free port, stopped on drop.
//!
//! `moto_server` is taken from `PORTAL_MOTO_SERVER_BIN`, else from the
//! project's own virtual environment (`target/tools/moto`, as the fuzz step
//! keeps schemathesis in `target/tools/schemathesis`; `PORTAL_MOTO_VENV`
//! names another), else from PATH; when none runs, it is installed into
//! that environment from PyPI (once; other test processes wait on a lock).
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};

/// Pinned, so that a new moto cannot change what the tests see unnoticed.
const MOTO: &str = "moto[server]==5.2.5";
/// Region and keys moto accepts (it checks no signature).
const REGION: &str = "us-east-1";
const KEY_ID: &str = "portal-test";
const SECRET: &str = "portal-test-secret";

pub struct S3Server {
    pub port: u16,
    child: Child,
    log: PathBuf,
}

impl S3Server {
    /// Starts moto on a free port and waits until it answers.
    pub async fn start() -> anyhow::Result<Self> {
        let bin = tokio::task::spawn_blocking(moto_server)
            .await
            .context("finding moto_server")??;
        let port = crate::free_port()?;
        let log = std::env::temp_dir().join(format!(
            "portal-test-moto-{}.log",
            uuid::Uuid::new_v4().simple()
        ));
        let out =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let mut server = Self { port, child, log };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(r) = client.get(self.endpoint()).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!("moto_server exited with {status}: {}", self.log_tail());
            }
            if started.elapsed() > Duration::from_secs(60) {
                bail!(
                    "moto_server did not answer within 60 s: {}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let start = text.len().saturating_sub(2000);
        text.get(start..).unwrap_or_default().to_owned()
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The S3 client settings for this server, for `Blobs::from_url_with`.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("aws_endpoint", self.endpoint()),
            ("aws_allow_http", "true".to_owned()),
            ("aws_region", REGION.to_owned()),
            ("aws_access_key_id", KEY_ID.to_owned()),
            ("aws_secret_access_key", SECRET.to_owned()),
        ]
    }

    /// Opens `url` (`s3://bucket[/prefix]`) on this server.
    pub fn blobs(&self, url: &str) -> anyhow::Result<documents::blobs::Blobs> {
        let settings = self.settings();
        let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
        documents::blobs::Blobs::from_url_with(url, &settings)
    }

    /// Creates a bucket (moto takes a plain, unsigned PUT).
    pub async fn create_bucket(&self, name: &str) -> anyhow::Result<()> {
        let r = reqwest::Client::new()
            .put(format!("{}/{name}", self.endpoint()))
            .send()
            .await?;
        ensure!(
            r.status().is_success(),
            "creating bucket {name}: {}",
            r.status()
        );
        Ok(())
    }

    /// Multipart uploads begun and neither completed nor aborted.
    pub async fn open_multipart_uploads(&self, bucket: &str) -> anyhow::Result<usize> {
        let r = reqwest::Client::new()
            .get(format!("{}/{bucket}?uploads", self.endpoint()))
            .send()
            .await?;
        ensure!(r.status().is_success(), "listing uploads: {}", r.status());
        Ok(r.text().await?.matches("<Upload>").count())
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// The `moto_server` to run, found or installed once per test process.
pub fn moto_server() -> anyhow::Result<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| find_or_install().map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(anyhow::Error::msg)
}

fn find_or_install() -> anyhow::Result<PathBuf> {
    if let Some(bin) = std::env::var_os("PORTAL_MOTO_SERVER_BIN").filter(|b| !b.is_empty()) {
        return Ok(bin.into());
    }
    let venv = venv_dir();
    if let Some(bin) = installed(&venv) {
        return Ok(bin);
    }
    if let Some(bin) = on_path("moto_server").filter(|b| runs(b)) {
        return Ok(bin);
    }
    install(&venv)
}

fn venv_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PORTAL_MOTO_VENV").filter(|d| !d.is_empty()) {
        return dir.into();
    }
    target_dir().join("tools/moto")
}

/// Cargo's target folder, honouring `CARGO_TARGET_DIR` as cargo does.
fn target_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// The environment's moto_server when it holds the pinned version.
fn installed(venv: &Path) -> Option<PathBuf> {
    let bin = venv.join("bin/moto_server");
    let stamp = std::fs::read_to_string(venv.join(".portal-requirement")).ok()?;
    (bin.is_file() && stamp == MOTO).then_some(bin)
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A pyenv shim is on PATH even where its Python lacks the command.
fn runs(bin: &Path) -> bool {
    Command::new(bin)
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn install(venv: &Path) -> anyhow::Result<PathBuf> {
    let parent = venv.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    // Test binaries run at once (cargo test runs them in turn, nextest not):
    // one installs, the others wait and then find it.
    let lock_path = venv.with_extension("lock");
    let lock = std::fs::File::create(&lock_path)
        .with_context(|| format!("creating {}", lock_path.display()))?;
    lock.lock()
        .with_context(|| format!("locking {}", lock_path.display()))?;
    if let Some(bin) = installed(venv) {
        return Ok(bin);
    }
    let python =
        on_path("python3").context("python3 is missing (apt-get install python3 python3-venv)")?;
    if venv.exists() {
        std::fs::remove_dir_all(venv).with_context(|| format!("removing {}", venv.display()))?;
    }
    eprintln!("Installing {MOTO} (PyPI) into {}...", venv.display());
    let started = Instant::now();
    run(Command::new(&python).args(["-m", "venv"]).arg(venv))
        .context("making a virtual environment (apt-get install python3-venv)")?;
    run(Command::new(venv.join("bin/python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            MOTO,
        ])
        .env("PIP_ROOT_USER_ACTION", "ignore"))
    .with_context(|| format!("installing {MOTO}"))?;
    let bin = venv.join("bin/moto_server");
    ensure!(bin.is_file(), "pip installed no {}", bin.display());
    // Written last: an interrupted install is redone, not trusted.
    std::fs::write(venv.join(".portal-requirement"), MOTO)?;
    eprintln!("Installed in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(bin)
}

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {cmd:?}"))?;
    ensure!(
        out.status.success(),
        "{cmd:?} exited with {}: {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}
