//! A private nats-server with JetStream, which a test may stop and restart,
//! with a user per service limited to its own subjects (ADR 0017) and an
//! unlimited `test` user for the tests themselves.
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use portal_platform::callers::Service;

pub struct NatsServer {
    pub port: u16,
    store: std::path::PathBuf,
    /// Each service's NATS password.
    passwords: Vec<(Service, String)>,
    admin_password: String,
    child: Option<Child>,
}

fn binary() -> String {
    if let Ok(b) = std::env::var("PORTAL_NATS_SERVER_BIN") {
        return b;
    }
    for candidate in [
        "/usr/sbin/nats-server",
        "/usr/bin/nats-server",
        "/usr/local/bin/nats-server",
    ] {
        if std::path::Path::new(candidate).exists() {
            return candidate.to_owned();
        }
    }
    "nats-server".to_owned()
}

impl NatsServer {
    pub async fn start() -> anyhow::Result<Self> {
        let port = crate::free_port()?;
        let store = std::env::temp_dir().join(format!(
            "portal-test-nats-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let passwords = Service::ALL
            .into_iter()
            .map(|s| (s, format!("nats-{s}-{}", uuid::Uuid::new_v4().simple())))
            .collect();
        let mut server = Self {
            port,
            store,
            passwords,
            admin_password: format!("nats-test-{}", uuid::Uuid::new_v4().simple()),
            child: None,
        };
        server.resume().await?;
        Ok(server)
    }

    /// The URL of the tests' own, unlimited user (`no_auth_user`: a client
    /// without credentials is it).
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The URL with `service`'s own user.
    pub fn url_for(&self, service: Service) -> String {
        let password = self
            .passwords
            .iter()
            .find(|(s, _)| *s == service)
            .map(|(_, p)| p.as_str())
            .unwrap_or_default();
        format!("nats://{service}:{password}@127.0.0.1:{}", self.port)
    }

    fn config(&self) -> std::path::PathBuf {
        self.store.with_extension("conf")
    }

    /// Starts (again) on the same port and store.
    pub async fn resume(&mut self) -> anyhow::Result<()> {
        let users = portal_platform::nats_users::authorization(
            &self.passwords,
            &[("test", self.admin_password.clone())],
        );
        std::fs::write(self.config(), format!("no_auth_user: test\n{users}"))?;
        let child = Command::new(binary())
            .args(["-js", "-a", "127.0.0.1", "-p", &self.port.to_string(), "-c"])
            .arg(self.config())
            .arg("-sd")
            .arg(&self.store)
            // Refusals (permissions violations) are logged here.
            .arg("-l")
            .arg(self.store.with_extension("log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot start nats-server ({e}); install it (apt-get install nats-server)"
                )
            })?;
        let mut child = child;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            // A server that could not bind its port exits: do not mistake
            // whatever else listens there for it.
            if let Some(status) = child.try_wait()? {
                anyhow::bail!("nats-server exited at start ({status})");
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                break;
            }
            if tokio::time::Instant::now() > deadline {
                let _ = child.kill();
                anyhow::bail!("nats-server did not listen on {} within 10 s", self.port);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.child = Some(child);
        Ok(())
    }

    /// Stops the server; clients see the broker go away.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        Ok(())
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.store);
        let _ = std::fs::remove_file(self.config());
        if std::env::var_os("PORTAL_KEEP_NATS_LOG").is_none() {
            let _ = std::fs::remove_file(self.store.with_extension("log"));
        }
    }
}
