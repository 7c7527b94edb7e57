//! The six services: names, databases, ports, and the environment each one
//! gets from `cargo xtask up`.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use portal_roster::Service;

use crate::infra::nats;
use crate::{sys, url};

/// A backend service: package and binary share its name; it owns one database
/// and serves gRPC on `127.0.0.1:grpc_port`.
pub struct Backend {
    pub name: &'static str,
    pub database: &'static str,
    pub grpc_port: u16,
    /// Plain HTTP: /metrics, /livez, /readyz.
    pub admin_port: u16,
}

/// glibc's `MALLOC_MMAP_THRESHOLD_` for identity (its default, but fixed).
pub const IDENTITY_MMAP_THRESHOLD: &str = "131072";

pub const IDENTITY: Backend = Backend {
    name: "identity",
    database: "portal_identity",
    grpc_port: 50051,
    admin_port: 9101,
};
pub const REQUESTS: Backend = Backend {
    name: "requests",
    database: "portal_requests",
    grpc_port: 50052,
    admin_port: 9102,
};
pub const WORK_ORDERS: Backend = Backend {
    name: "work-orders",
    database: "portal_work_orders",
    grpc_port: 50053,
    admin_port: 9103,
};
pub const DOCUMENTS: Backend = Backend {
    name: "documents",
    database: "portal_documents",
    grpc_port: 50054,
    admin_port: 9104,
};
pub const NOTIFICATION: Backend = Backend {
    name: "notification",
    database: "portal_notification",
    grpc_port: 50055,
    admin_port: 9105,
};

/// In start order: identity first, since the others read the directory from it.
pub const BACKENDS: [Backend; 5] = [IDENTITY, REQUESTS, WORK_ORDERS, DOCUMENTS, NOTIFICATION];

/// The public HTTPS door; package and binary share this name.
pub const GATEWAY: &str = "portal-gateway";
/// The gateway's admin port (/metrics).
pub const GATEWAY_ADMIN_PORT: u16 = 9100;

/// Where one run of the services listens and keeps its data. `up` uses
/// [`STANDARD`]; `bench` shifts ports and database names so that it can run
/// beside a developer's `up` without touching it.
#[derive(Clone, Copy)]
pub struct Layout {
    /// Added to every standard gRPC port (50051...); negative moves a run
    /// below Linux's ephemeral range (32768-60999), where an outgoing
    /// connection can hold the port at the moment a service binds it.
    pub grpc_port_offset: i32,
    /// Added to every standard admin port (9100...).
    pub admin_port_offset: u16,
    /// Replaces the `portal_` prefix of every database name.
    pub database_prefix: &'static str,
}

/// The ports and databases of the README's configuration table.
pub const STANDARD: Layout = Layout {
    grpc_port_offset: 0,
    admin_port_offset: 0,
    database_prefix: "portal_",
};

impl Layout {
    pub fn grpc_port(&self, backend: &Backend) -> u16 {
        // Layouts are constants, each checked by a test to land in range.
        (i32::from(backend.grpc_port) + self.grpc_port_offset) as u16
    }

    pub fn grpc_url(&self, backend: &Backend) -> String {
        format!("https://127.0.0.1:{}", self.grpc_port(backend))
    }

    pub fn admin_port(&self, backend: &Backend) -> u16 {
        backend.admin_port + self.admin_port_offset
    }

    pub fn gateway_admin_port(&self) -> u16 {
        GATEWAY_ADMIN_PORT + self.admin_port_offset
    }

    pub fn database(&self, backend: &Backend) -> String {
        let name = backend
            .database
            .strip_prefix("portal_")
            .unwrap_or(backend.database);
        format!("{}{name}", self.database_prefix)
    }
}

/// Every package `up` builds and runs.
pub fn packages() -> impl Iterator<Item = &'static str> {
    BACKENDS.iter().map(|backend| backend.name).chain([GATEWAY])
}

/// Settings shared by all services, from the environment or generated.
pub struct Settings {
    pub admin_url: String,
    pub nats: nats::Access,
    pub data_dir: PathBuf,
    pub operator_token: String,
    /// Whether the operator token was made up now (then it is printed).
    pub operator_token_generated: bool,
    /// Each service's own secret, made up for this run.
    pub secrets: ServiceSecrets,
    /// A CA made up for this run and each service's certificate (ADR 0025).
    pub service_tls: PathBuf,
    pub https_addr: String,
    pub public_url: String,
    pub smtp_url: Option<String>,
    pub blob_url: String,
    pub rust_log: String,
    pub layout: Layout,
    /// The inbound SMTP listener (address, mail domain); off when `None`.
    pub inbound_mail: Option<(String, String)>,
}

/// The relay name whose Authentication-Results a local listener trusts
/// (ADR 0013), unless PORTAL_INBOUND_AUTHSERV_ID says otherwise.
pub const DEV_AUTHSERV_ID: &str = "mx.portal.localhost";

impl Settings {
    pub fn from_env(admin_url: String, nats: nats::Access, data_dir: &Path) -> Result<Self> {
        let (operator_token, operator_token_generated) = match var("PORTAL_OPERATOR_TOKEN") {
            Some(token) => (token, false),
            None => (sys::random_hex(32)?, true),
        };
        let https_addr = var("PORTAL_HTTPS_ADDR").unwrap_or_else(|| "127.0.0.1:8443".to_owned());
        let public_url =
            var("PORTAL_PUBLIC_URL").unwrap_or_else(|| format!("https://{https_addr}"));
        let blob_url = var("PORTAL_BLOB_URL")
            .unwrap_or_else(|| format!("file://{}", data_dir.join("blobs").display()));
        Ok(Self {
            admin_url,
            nats,
            data_dir: data_dir.to_path_buf(),
            operator_token,
            operator_token_generated,
            secrets: ServiceSecrets::generate()?,
            service_tls: issue_service_tls(data_dir)?,
            https_addr,
            public_url,
            smtp_url: var("PORTAL_SMTP_URL"),
            blob_url,
            rust_log: var("RUST_LOG").unwrap_or_else(|| "info".to_owned()),
            layout: STANDARD,
            inbound_mail: var("PORTAL_INBOUND_SMTP_ADDR").map(|addr| {
                let domain =
                    var("PORTAL_INBOUND_DOMAIN").unwrap_or_else(|| "portal.localhost".to_owned());
                (addr, domain)
            }),
        })
    }

    /// Where the mail of a run without SMTP lands.
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }
}

/// Each service's own secret (ADR 0017): a service gets its own only, and
/// every service gets the digests of all (PORTAL_PEERS).
pub struct ServiceSecrets(Vec<(&'static str, String)>);

impl ServiceSecrets {
    pub fn generate() -> Result<Self> {
        Service::ALL
            .into_iter()
            .map(|service| Ok((service.name(), sys::random_hex(32)?)))
            .collect::<Result<_>>()
            .map(Self)
    }

    /// The secret of the service `package` (a package name).
    pub fn secret(&self, package: &str) -> &str {
        let name = if package == GATEWAY {
            "gateway"
        } else {
            package
        };
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, secret)| secret.as_str())
            .unwrap_or_default()
    }

    /// `PORTAL_PEERS`: `name=<sha256 hex>` of every service.
    pub fn peers(&self) -> String {
        use sha2::{Digest, Sha256};
        self.0
            .iter()
            .map(|(name, secret)| {
                let digest: String = Sha256::digest(secret.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                format!("{name}={digest}")
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A new CA and a certificate per service in `<data_dir>/service-tls`,
/// for calls between services (mutual TLS, ADR 0025); every run its own.
pub fn issue_service_tls(data_dir: &Path) -> Result<PathBuf> {
    let dir = data_dir.join("service-tls");
    portal_dev_certs::issue(&dir)
        .with_context(|| format!("issuing certificates in {}", dir.display()))?;
    Ok(dir)
}

/// Points `cmd` at the certificate, key and CA of `service`.
fn service_tls_env(cmd: &mut Command, dir: &Path, service: Service) {
    let files = portal_dev_certs::files(dir, service);
    cmd.env("PORTAL_SERVICE_TLS_CERT", files.cert)
        .env("PORTAL_SERVICE_TLS_KEY", files.key)
        .env("PORTAL_SERVICE_TLS_CA", files.ca);
}

/// An environment variable, with empty meaning unset.
fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|value| !value.is_empty())
}

/// The command that runs `backend` from `bin_dir` with its environment.
pub fn backend_command(bin_dir: &Path, backend: &Backend, settings: &Settings) -> Result<Command> {
    let layout = &settings.layout;
    let service: Service = backend.name.parse().map_err(anyhow::Error::msg)?;
    let mut cmd = Command::new(bin_dir.join(backend.name));
    cmd.env(
        "DATABASE_URL",
        url::with_database(&settings.admin_url, &layout.database(backend))?,
    )
    .env("NATS_URL", settings.nats.url_for(service))
    .env(
        "PORTAL_SERVICE_SECRET",
        settings.secrets.secret(backend.name),
    )
    .env("PORTAL_PEERS", settings.secrets.peers())
    // Local runs are development: reflection lets grpcurl list the API.
    .env("PORTAL_GRPC_REFLECTION", "true")
    // Replaced by the settings above; a value left in a shell would be refused.
    .env_remove("PORTAL_INTERNAL_TOKEN")
    .env(
        "PORTAL_GRPC_ADDR",
        format!("127.0.0.1:{}", layout.grpc_port(backend)),
    )
    .env(
        "PORTAL_ADMIN_ADDR",
        format!("127.0.0.1:{}", layout.admin_port(backend)),
    )
    .env("PORTAL_IDENTITY_URL", layout.grpc_url(&IDENTITY))
    .env("PORTAL_NOTIFICATION_URL", layout.grpc_url(&NOTIFICATION))
    .env("PORTAL_PUBLIC_URL", &settings.public_url)
    .env("RUST_LOG", &settings.rust_log)
    .env("PORTAL_DATA_DIR", &settings.data_dir);
    service_tls_env(&mut cmd, &settings.service_tls, service);
    // Each secret or setting goes only to the service that needs it.
    if backend.name == IDENTITY.name {
        // argon2 takes 19 MiB per hash; with glibc's moving mmap threshold
        // those blocks stay in the heap after the hash and identity keeps
        // them. A fixed threshold maps and unmaps each one.
        cmd.env("MALLOC_MMAP_THRESHOLD_", IDENTITY_MMAP_THRESHOLD)
            .env("PORTAL_OPERATOR_TOKEN", &settings.operator_token)
            .env(
                "PORTAL_SIGNING_KEYS_DIR",
                crate::signing_keys::ensure(&settings.data_dir)?,
            );
    }
    if backend.name == NOTIFICATION.name {
        // Settings decide, not whatever the caller's shell exports: without
        // an SMTP URL the mails must land as files (e2e reads them there).
        match &settings.smtp_url {
            Some(smtp_url) => cmd.env("PORTAL_SMTP_URL", smtp_url),
            None => cmd.env_remove("PORTAL_SMTP_URL"),
        };
        match &settings.inbound_mail {
            // Locally the sender of test mail on 127.0.0.1 is the trusted
            // relay, and writes Authentication-Results as DEV_AUTHSERV_ID.
            Some((addr, domain)) => cmd
                .env("PORTAL_INBOUND_SMTP_ADDR", addr)
                .env("PORTAL_INBOUND_DOMAIN", domain)
                .env(
                    "PORTAL_INBOUND_AUTHSERV_ID",
                    var("PORTAL_INBOUND_AUTHSERV_ID").unwrap_or_else(|| DEV_AUTHSERV_ID.to_owned()),
                ),
            None => cmd
                .env_remove("PORTAL_INBOUND_SMTP_ADDR")
                .env_remove("PORTAL_INBOUND_DOMAIN"),
        };
    }
    if backend.name == DOCUMENTS.name {
        cmd.env("PORTAL_BLOB_URL", &settings.blob_url);
    }
    Ok(cmd)
}

/// The deploy step before the services (ADR 0024): makes the event stream
/// or brings it to its settings as NATS's `admin` (no service may), then
/// exits. `PORTAL_EVENTS_*` in the caller's environment pass through.
pub fn provision_events_command(bin_dir: &Path, settings: &Settings) -> Command {
    let mut cmd = Command::new(bin_dir.join(REQUESTS.name));
    cmd.arg("provision-events")
        .env("NATS_URL", settings.nats.admin_url())
        .env("RUST_LOG", &settings.rust_log);
    // A cluster started here (the bench's) keeps three copies of each event.
    if let nats::Access::Own { ports, .. } = &settings.nats
        && ports.len() >= 3
    {
        cmd.env("PORTAL_EVENTS_REPLICAS", "3");
    }
    cmd
}

/// The command that runs the gateway from `bin_dir` with its environment.
pub fn gateway_command(bin_dir: &Path, settings: &Settings) -> Command {
    let layout = &settings.layout;
    let mut cmd = Command::new(bin_dir.join(GATEWAY));
    cmd.env("PORTAL_HTTPS_ADDR", &settings.https_addr)
        .env(
            "PORTAL_ADMIN_ADDR",
            format!("127.0.0.1:{}", layout.gateway_admin_port()),
        )
        .env("PORTAL_PUBLIC_URL", &settings.public_url)
        .env("PORTAL_DATA_DIR", &settings.data_dir)
        .env("PORTAL_SERVICE_SECRET", settings.secrets.secret(GATEWAY))
        .env_remove("PORTAL_INTERNAL_TOKEN")
        // Live updates of open request pages.
        .env("NATS_URL", settings.nats.url_for(Service::Gateway))
        .env("PORTAL_IDENTITY_URL", layout.grpc_url(&IDENTITY))
        .env("PORTAL_REQUESTS_URL", layout.grpc_url(&REQUESTS))
        .env("PORTAL_WORK_ORDERS_URL", layout.grpc_url(&WORK_ORDERS))
        .env("PORTAL_DOCUMENTS_URL", layout.grpc_url(&DOCUMENTS))
        .env("PORTAL_NOTIFICATION_URL", layout.grpc_url(&NOTIFICATION))
        .env("RUST_LOG", &settings.rust_log);
    service_tls_env(&mut cmd, &settings.service_tls, Service::Gateway);
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ports_and_databases_are_unique() {
        let names: std::collections::HashSet<_> = packages().collect();
        assert_eq!(names.len(), 6);
        let ports: std::collections::HashSet<_> = BACKENDS.iter().map(|b| b.grpc_port).collect();
        assert_eq!(ports.len(), BACKENDS.len());
        let databases: std::collections::HashSet<_> = BACKENDS.iter().map(|b| b.database).collect();
        assert_eq!(databases.len(), BACKENDS.len());
        assert_eq!(BACKENDS[0].name, IDENTITY.name);
    }

    #[test]
    fn each_service_gets_its_own_secret_and_everyone_the_digests() -> Result<()> {
        let secrets = ServiceSecrets::generate()?;
        assert_ne!(secrets.secret(GATEWAY), secrets.secret("identity"));
        assert_eq!(secrets.secret(GATEWAY).len(), 64);
        let peers = secrets.peers();
        assert_eq!(peers.split(',').count(), 6);
        assert!(peers.starts_with("identity="));
        assert!(peers.contains(",gateway="));
        assert!(!peers.contains(secrets.secret(GATEWAY)));
        Ok(())
    }

    #[test]
    fn the_standard_layout_is_the_readme_one() {
        assert_eq!(STANDARD.grpc_url(&REQUESTS), "https://127.0.0.1:50052");
        assert_eq!(STANDARD.admin_port(&NOTIFICATION), 9105);
        assert_eq!(STANDARD.gateway_admin_port(), GATEWAY_ADMIN_PORT);
        assert_eq!(STANDARD.database(&WORK_ORDERS), "portal_work_orders");
        let shifted = Layout {
            grpc_port_offset: 1000,
            admin_port_offset: 10000,
            database_prefix: "portal_bench_",
        };
        assert_eq!(shifted.grpc_port(&IDENTITY), 51051);
        assert_eq!(shifted.gateway_admin_port(), 19100);
        assert_eq!(shifted.database(&IDENTITY), "portal_bench_identity");
    }
}
