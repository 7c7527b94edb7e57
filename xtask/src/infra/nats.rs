//! NATS: find the `nats-server` binary (installing it as root if missing) and
//! start a private one as a child, with a user per service, or use the
//! operator's (`NATS_URL`).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use portal_roster::{Service, nats_users};

use crate::process::Children;
use crate::{sys, url};

const DEFAULT_PORT: u16 = 4222;
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// The absolute path of `nats-server`, installed with apt if missing.
pub fn server_binary() -> Result<PathBuf> {
    if let Some(path) = sys::which("nats-server") {
        return Ok(path);
    }
    sys::apt_install("nats-server", "nats-server")?;
    sys::which("nats-server").context("installed nats-server but cannot find its binary")
}

/// How the services reach NATS.
#[derive(Clone)]
pub enum Access {
    /// The operator's server (`NATS_URL`), used as given by every service.
    Given(String),
    /// A nats-server started here: each service connects as its own user
    /// (ADR 0017), `admin` (tests, tools, integrators) without limits.
    Own {
        /// One client port per node (one for a single server).
        ports: Vec<u16>,
        passwords: Vec<(Service, String)>,
        admin_password: String,
    },
}

impl Access {
    /// The URL `service` connects with.
    pub fn url_for(&self, service: Service) -> String {
        match self {
            Self::Given(url) => url.clone(),
            Self::Own {
                ports, passwords, ..
            } => {
                let password = passwords
                    .iter()
                    .find(|(s, _)| *s == service)
                    .map(|(_, p)| p.as_str())
                    .unwrap_or_default();
                servers(&format!("{service}:{password}"), ports)
            }
        }
    }

    /// The URL of a client without limits: the bench, an integrator.
    pub fn admin_url(&self) -> String {
        match self {
            Self::Given(url) => url.clone(),
            Self::Own {
                ports,
                admin_password,
                ..
            } => servers(&format!("admin:{admin_password}"), ports),
        }
    }
}

/// Every node's URL with `user:password`, comma separated.
fn servers(credentials: &str, ports: &[u16]) -> String {
    ports
        .iter()
        .map(|port| format!("nats://{credentials}@127.0.0.1:{port}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// For `up`: the server `NATS_URL` names (which must answer, or be local to
/// start), else a nats-server of our own with a user per service, on 4222
/// or, when that port is taken (a machine's own NATS), the next free one.
pub fn ensure_running(data_dir: &Path, children: &mut Children) -> Result<Access> {
    let store = data_dir.join("nats");
    let Some(url) = env::var("NATS_URL").ok().filter(|url| !url.is_empty()) else {
        let port = (DEFAULT_PORT..DEFAULT_PORT + 100)
            .find(|port| !sys::tcp_answers("127.0.0.1", *port))
            .context("no free port for nats-server between 4222 and 4321")?;
        let access = start_private(port, &store, children)?;
        println!(
            "NATS: nats://127.0.0.1:{port}, a user per service (admin: {})",
            url::redact(&access.admin_url())
        );
        return Ok(access);
    };
    // NATS_URL may list several servers; the first one decides.
    let first = url.split(',').next().unwrap_or(&url).trim();
    let first = if first.contains("://") {
        first.to_owned()
    } else {
        format!("nats://{first}")
    };
    let (host, port) = url::host_port(&first, DEFAULT_PORT)?;

    if sys::tcp_answers(&host, port) {
        println!(
            "NATS: {} (NATS_URL, already running; its own users apply)",
            url::redact(&url)
        );
        return Ok(Access::Given(url));
    }
    if !url::is_local(&host) {
        bail!("NATS at {host}:{port} does not answer; start it or fix NATS_URL");
    }
    start_private(port, &store, children)
}

/// Starts `nats-server` with JetStream on `127.0.0.1:port`, storing under
/// `store`, with fresh passwords for the services' users (`nats_users`) and
/// `admin`, as a child, and waits until it answers.
pub fn start_private(port: u16, store: &Path, children: &mut Children) -> Result<Access> {
    start_nodes(&[(port, None)], store, children)
}

/// A cluster of `ports.len()` nodes on `127.0.0.1` (client port, route
/// port each), routed to each other, JetStream on each (for the bench's
/// cluster run, ADR 0024), each storing under `store/n<i>`.
pub fn start_private_cluster(
    ports: &[(u16, u16)],
    store: &Path,
    children: &mut Children,
) -> Result<Access> {
    let nodes: Vec<_> = ports.iter().map(|(c, r)| (*c, Some(*r))).collect();
    start_nodes(&nodes, store, children)
}

fn start_nodes(
    nodes: &[(u16, Option<u16>)],
    store: &Path,
    children: &mut Children,
) -> Result<Access> {
    let binary = server_binary()?;
    fs::create_dir_all(store).with_context(|| format!("failed to create {}", store.display()))?;
    let passwords = Service::ALL
        .into_iter()
        .map(|service| Ok((service, sys::random_hex(24)?)))
        .collect::<Result<Vec<_>>>()?;
    let admin_password = sys::random_hex(24)?;
    let users = nats_users::authorization(&passwords, &[("admin", admin_password.clone())]);
    let routes: Vec<String> = nodes
        .iter()
        .filter_map(|(_, route)| route.map(|r| format!("\"nats://127.0.0.1:{r}\"")))
        .collect();
    for (index, (port, route)) in nodes.iter().enumerate() {
        let (config, node_store) = if nodes.len() == 1 {
            (store.with_extension("conf"), store.to_path_buf())
        } else {
            let name = format!("n{}", index + 1);
            (store.join(format!("{name}.conf")), store.join(&name))
        };
        let mut conf = users.clone();
        if let Some(route) = route {
            conf = format!(
                "server_name: n{}\ncluster {{ name: portal-bench, listen: \"127.0.0.1:{route}\", routes: [{}] }}\n{conf}",
                index + 1,
                routes.join(", ")
            );
        }
        write_private(&config, &conf)?;
        let mut cmd = Command::new(&binary);
        cmd.args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-c"])
            .arg(&config)
            .arg("-sd")
            .arg(&node_store);
        println!(
            "Starting nats-server on 127.0.0.1:{port} (JetStream in {})...",
            node_store.display()
        );
        children.spawn("nats", cmd)?;
    }
    for (port, _) in nodes {
        if !sys::wait_until(START_TIMEOUT, || {
            children.ensure_alive()?;
            Ok(sys::tcp_answers("127.0.0.1", *port))
        })? {
            bail!(
                "nats-server did not answer on 127.0.0.1:{port} within {}s",
                START_TIMEOUT.as_secs()
            );
        }
    }
    Ok(Access::Own {
        ports: nodes.iter().map(|(port, _)| *port).collect(),
        passwords,
        admin_password,
    })
}

/// Writes a file only its owner may read (it holds passwords).
fn write_private(path: &Path, contents: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("failed to write {}", path.display()))?;
    file.write_all(contents.as_bytes())
        .with_context(|| format!("failed to write {}", path.display()))
}
