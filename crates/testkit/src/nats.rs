//! A private nats-server with JetStream (or a cluster of them, routed to
//! each other), which a test may stop and restart node by node, with a user
//! per service limited to its own subjects (ADR 0017) and an unlimited
//! `test` user for the tests themselves.
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use portal_platform::callers::Service;

pub struct NatsServer {
    /// The client port of the first node (a single server's only one).
    pub port: u16,
    nodes: Vec<Node>,
    /// Each service's NATS password.
    passwords: Vec<(Service, String)>,
    admin_password: String,
}

/// One nats-server process and what it keeps between restarts.
struct Node {
    /// `n1`, `n2`, … as JetStream names it (a stream's leader, its peers).
    name: String,
    port: u16,
    /// Where the cluster's nodes route to each other (none alone).
    cluster_port: Option<u16>,
    store: PathBuf,
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
    /// One server, as `cargo xtask up` runs.
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_nodes(1).await
    }

    /// `size` servers in one cluster, JetStream on each.
    pub async fn start_cluster(size: usize) -> anyhow::Result<Self> {
        anyhow::ensure!(size >= 3, "a JetStream cluster needs three nodes or more");
        Self::start_nodes(size).await
    }

    async fn start_nodes(size: usize) -> anyhow::Result<Self> {
        let base = std::env::temp_dir().join(format!(
            "portal-test-nats-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let mut nodes = Vec::new();
        for i in 1..=size {
            nodes.push(Node {
                name: format!("n{i}"),
                port: crate::free_port()?,
                cluster_port: if size > 1 {
                    Some(crate::free_port()?)
                } else {
                    None
                },
                store: base.join(format!("n{i}")),
                child: None,
            });
        }
        let passwords = Service::ALL
            .into_iter()
            .map(|s| (s, format!("nats-{s}-{}", uuid::Uuid::new_v4().simple())))
            .collect();
        let mut server = Self {
            port: nodes[0].port,
            nodes,
            passwords,
            admin_password: format!("nats-test-{}", uuid::Uuid::new_v4().simple()),
        };
        // A cluster's nodes wait for each other: start them all, then look.
        for index in 0..size {
            server.spawn(index)?;
        }
        for index in 0..size {
            server.wait_listening(index).await?;
        }
        Ok(server)
    }

    /// The URL of the tests' own, unlimited user (`no_auth_user`: a client
    /// without credentials is it): every node, comma separated.
    pub fn url(&self) -> String {
        self.urls("")
    }

    /// The URL with `service`'s own user.
    pub fn url_for(&self, service: Service) -> String {
        let password = self
            .passwords
            .iter()
            .find(|(s, _)| *s == service)
            .map(|(_, p)| p.as_str())
            .unwrap_or_default();
        self.urls(&format!("{service}:{password}@"))
    }

    fn urls(&self, user: &str) -> String {
        self.nodes
            .iter()
            .map(|n| format!("nats://{user}127.0.0.1:{}", n.port))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The node JetStream calls `name` (`n1`…), by index.
    pub fn node(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }

    fn config(&self, index: usize) -> anyhow::Result<PathBuf> {
        let node = &self.nodes[index];
        let users = portal_platform::nats_users::authorization(
            &self.passwords,
            &[("test", self.admin_password.clone())],
        );
        let mut conf = format!(
            "server_name: {}\nno_auth_user: test\njetstream {{ store_dir: {:?} }}\n{users}",
            node.name,
            node.store.display().to_string()
        );
        if let Some(cluster_port) = node.cluster_port {
            let routes = self
                .nodes
                .iter()
                .filter_map(|n| n.cluster_port)
                .map(|p| format!("\"nats://127.0.0.1:{p}\""))
                .collect::<Vec<_>>()
                .join(", ");
            conf.push_str(&format!(
                "cluster {{ name: portal-test, listen: \"127.0.0.1:{cluster_port}\", routes: [{routes}] }}\n"
            ));
        }
        let path = node.store.with_extension("conf");
        std::fs::create_dir_all(&node.store)?;
        std::fs::write(&path, conf)?;
        Ok(path)
    }

    fn spawn(&mut self, index: usize) -> anyhow::Result<()> {
        let config = self.config(index)?;
        let node = &mut self.nodes[index];
        let child = Command::new(binary())
            .args(["-a", "127.0.0.1", "-p", &node.port.to_string(), "-c"])
            .arg(config)
            // Refusals (permissions violations) are logged here.
            .arg("-l")
            .arg(node.store.with_extension("log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot start nats-server ({e}); install it (apt-get install nats-server)"
                )
            })?;
        node.child = Some(child);
        Ok(())
    }

    async fn wait_listening(&mut self, index: usize) -> anyhow::Result<()> {
        let node = &mut self.nodes[index];
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let Some(child) = node.child.as_mut() else {
                anyhow::bail!("{} is not running", node.name);
            };
            // A server that could not bind its port exits: do not mistake
            // whatever else listens there for it.
            if let Some(status) = child.try_wait()? {
                anyhow::bail!("nats-server {} exited at start ({status})", node.name);
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", node.port))
                .await
                .is_ok()
            {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                let _ = child.kill();
                anyhow::bail!("nats-server did not listen on {} within 10 s", node.port);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Starts every stopped node again, on its port and store.
    pub async fn resume(&mut self) -> anyhow::Result<()> {
        for index in 0..self.nodes.len() {
            if self.nodes[index].child.is_none() {
                self.resume_node(index).await?;
            }
        }
        Ok(())
    }

    /// Stops every node; clients see the broker go away.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        for index in 0..self.nodes.len() {
            self.stop_node(index).await?;
        }
        Ok(())
    }

    /// Kills one node (as a crash would).
    pub async fn stop_node(&mut self, index: usize) -> anyhow::Result<()> {
        if let Some(mut child) = self.nodes[index].child.take() {
            child.kill()?;
            child.wait()?;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        Ok(())
    }

    /// Starts one node again, with what it had stored.
    pub async fn resume_node(&mut self, index: usize) -> anyhow::Result<()> {
        self.spawn(index)?;
        self.wait_listening(index).await
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            if let Some(mut child) = node.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
            let _ = std::fs::remove_dir_all(&node.store);
            let _ = std::fs::remove_file(node.store.with_extension("conf"));
            if std::env::var_os("PORTAL_KEEP_NATS_LOG").is_none() {
                let _ = std::fs::remove_file(node.store.with_extension("log"));
            }
        }
        if let Some(base) = self.nodes.first().and_then(|n| n.store.parent()) {
            let _ = std::fs::remove_dir(base);
        }
    }
}
