//! A PostgreSQL server of one test's own, for the fault tests that restart
//! it: the machine's server binaries (Debian's `postgresql` package, found
//! with `pg_config --bindir`), a fresh cluster in a temporary directory, on
//! a free port. The machine's shared server is never restarted.
use std::path::{Path, PathBuf};

use anyhow::Context;
use tokio::process::Command;

pub struct PostgresServer {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    /// `initdb` and the server refuse to run as root: then they run as
    /// the `postgres` account.
    as_postgres: bool,
}

impl PostgresServer {
    pub async fn start() -> anyhow::Result<Self> {
        let bin = bindir().await?;
        let as_postgres = is_root().await;
        let dir = std::env::temp_dir().join(format!("portal-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        if as_postgres {
            run(Command::new("chown").arg("postgres:").arg(&dir)).await?;
        }
        let server = Self {
            dir,
            bin,
            port: crate::free_port()?,
            as_postgres,
        };
        let data = server.data();
        server
            .tool("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .status_ok()
            .await
            .context("initdb")?;
        server.pg_ctl(&["start"]).await?;
        Ok(server)
    }

    /// The superuser's URL, as `PORTAL_TEST_DATABASE_URL` would be.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server as a crash would (no shutdown checkpoint, every
    /// connection cut) and starts it again; it recovers from its log.
    pub async fn restart(&self) -> anyhow::Result<()> {
        self.pg_ctl(&["stop", "-m", "immediate"]).await?;
        self.pg_ctl(&["start"]).await
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn tool(&self, name: &str) -> Command {
        let exe = self.bin.join(name);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        };
        c.kill_on_drop(true);
        c
    }

    async fn pg_ctl(&self, args: &[&str]) -> anyhow::Result<()> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.port,
            self.dir.display()
        );
        self.tool("pg_ctl")
            .args(args)
            .args(["-w", "-t", "60", "-D"])
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.join("server.log"))
            .args(["-o", &options])
            .status_ok()
            .await
            .with_context(|| format!("pg_ctl {}", args.join(" ")))
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let mut stop = if self.as_postgres {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(pg_ctl);
            c
        } else {
            std::process::Command::new(pg_ctl)
        };
        let _ = stop
            .args(["stop", "-m", "immediate", "-w", "-D"])
            .arg(self.data())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn bindir() -> anyhow::Result<PathBuf> {
    let out = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .await
        .context("pg_config (Debian's postgresql package) is needed for a private server")?;
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    anyhow::ensure!(
        Path::new(&dir).join("initdb").exists(),
        "no initdb in {}",
        dir.display()
    );
    Ok(dir)
}

async fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .await
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

async fn run(c: &mut Command) -> anyhow::Result<()> {
    c.status_ok().await
}

trait StatusOk {
    async fn status_ok(&mut self) -> anyhow::Result<()>;
}

impl StatusOk for Command {
    async fn status_ok(&mut self) -> anyhow::Result<()> {
        let out = self.output().await?;
        anyhow::ensure!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(())
    }
}
