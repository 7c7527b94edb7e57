//! The whole system for one test: six services in this process, each with
//! its own fresh database, a private NATS server, and a real SMTP sink.
use std::path::PathBuf;
use std::time::Duration;

use portal_platform::CancellationToken;
use portal_platform::callers::{Credential, Peers, Service};
use portal_platform::config::CommonConfig;
use portal_platform::service_tls::{ServiceTls, TlsFiles};
use tokio::task::JoinHandle;

use crate::api::Api;
use crate::db::Databases;
use crate::nats::NatsServer;
use crate::smtp::SmtpSink;
use portal_platform::nats::StreamSettings;

const SERVICES: [&str; 5] = [
    "identity",
    "requests",
    "work-orders",
    "documents",
    "notification",
];

/// How mail leaves the stack.
pub enum MailSetup {
    /// A sink that listens from the start.
    Sink,
    /// Nothing listens on this port yet (the test starts a sink later).
    Unreachable(u16),
}

pub struct Urls {
    pub identity: String,
    pub requests: String,
    pub work_orders: String,
    pub documents: String,
    pub notification: String,
}

impl Urls {
    /// The gRPC address of a backend (the gateway serves none).
    pub fn of(&self, service: Service) -> Option<&str> {
        match service {
            Service::Identity => Some(&self.identity),
            Service::Requests => Some(&self.requests),
            Service::WorkOrders => Some(&self.work_orders),
            Service::Documents => Some(&self.documents),
            Service::Notification => Some(&self.notification),
            Service::Gateway => None,
        }
    }
}

/// The authserv-id whose `Authentication-Results` the stack's inbound
/// listener trusts (from 127.0.0.1, the tests standing in for the relay).
/// Largest published document in tests: small, so a test can pass it.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

pub const INBOUND_AUTHSERV_ID: &str = "mx.portal.test";

/// The kid of the signing key a stack starts with (`<kid>.pem` in
/// `Stack::signing_keys_dir`).
pub const FIRST_SIGNING_KID: &str = "k1";

/// How a test stack keeps its event log (made before the services start,
/// as a deploy's `provision-events` would): not the defaults, so a test can
/// tell that the settings reach the server.
pub const STREAM_SETTINGS: StreamSettings = StreamSettings {
    replicas: 1,
    max_age_hours: 48,
    max_bytes: 256 << 20,
};

pub struct Stack {
    pub api: Api,
    /// The public URL of every gateway replica (the first is `api`'s).
    pub gateways: Vec<String>,
    /// The stop signal of each further replica, by name (`requests#2`).
    replica_shutdown: Vec<(&'static str, CancellationToken)>,
    pub operator_token: String,
    /// Each service's own credential (its name and secret).
    pub credentials: Vec<Credential>,
    pub nats: NatsServer,
    pub smtp: Option<SmtpSink>,
    pub smtp_port: u16,
    /// notification's inbound SMTP listener (C6) and its mail domain.
    pub inbound_smtp: std::net::SocketAddr,
    pub inbound_domain: String,
    pub dbs: Databases,
    pub urls: Urls,
    pub data_dir: PathBuf,
    /// The stack's CA and the services' certificates (`portal_dev_certs`).
    pub service_tls_dir: PathBuf,
    /// identity's signing keys (PORTAL_SIGNING_KEYS_DIR): one PEM per kid.
    pub signing_keys_dir: PathBuf,
    /// The backends' admin addresses, in the order identity, requests,
    /// work-orders, documents, notification.
    pub admin: Vec<std::net::SocketAddr>,
    shutdown: CancellationToken,
    tasks: Vec<(&'static str, JoinHandle<anyhow::Result<()>>)>,
    /// identity's settings and its own stop signal, for `restart_identity`.
    identity_cfg: identity::Config,
    identity_shutdown: CancellationToken,
    /// documents' settings and its own stop signal, for `stop_documents`.
    documents_cfg: documents::Config,
    documents_shutdown: CancellationToken,
    /// work-orders' settings and its own stop signal, for running it as a
    /// process of its own (`work_orders_process`).
    work_orders_cfg: work_orders::Config,
    work_orders_shutdown: CancellationToken,
}

async fn grpc_listener() -> anyhow::Result<(tokio::net::TcpListener, String)> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("https://{}", l.local_addr()?);
    Ok((l, url))
}

impl Stack {
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(MailSetup::Sink).await
    }

    pub async fn start_with(mail: MailSetup) -> anyhow::Result<Self> {
        let nats = NatsServer::start().await?;
        Self::start_on(mail, nats, &STREAM_SETTINGS).await
    }

    /// The services on `nats` (a server or a cluster), whose stream the
    /// deploy step makes with `events` first.
    pub async fn start_on(
        mail: MailSetup,
        nats: NatsServer,
        events: &StreamSettings,
    ) -> anyhow::Result<Self> {
        Self::start_full(mail, nats, events, crate::db::admin_url(), 1).await
    }

    /// `replicas` of every service (gateway included), all on the same
    /// databases and NATS, each backend's clients knowing every replica.
    /// `api` talks to the first gateway; `gateways` lists them all.
    pub async fn start_replicated(replicas: usize) -> anyhow::Result<Self> {
        let nats = NatsServer::start().await?;
        Self::start_full(
            MailSetup::Sink,
            nats,
            &STREAM_SETTINGS,
            crate::db::admin_url(),
            replicas.max(1),
        )
        .await
    }

    /// The services with their databases on the server of `database_admin`
    /// (a superuser's URL: a private server a test restarts, say).
    pub async fn start_on_database(database_admin: String) -> anyhow::Result<Self> {
        let nats = NatsServer::start().await?;
        Self::start_full(MailSetup::Sink, nats, &STREAM_SETTINGS, database_admin, 1).await
    }

    async fn start_full(
        mail: MailSetup,
        nats: NatsServer,
        events: &StreamSettings,
        database_admin: String,
        replicas: usize,
    ) -> anyhow::Result<Self> {
        crate::traces::install();
        let (smtp, smtp_port) = match mail {
            MailSetup::Sink => {
                let sink = SmtpSink::start()?;
                let port = sink.port;
                (Some(sink), port)
            }
            MailSetup::Unreachable(port) => (None, port),
        };
        // The deploy step's work (`provision-events`), before any service.
        let js = async_nats::jetstream::new(
            portal_platform::nats::connect(&nats.url(), "provision-events").await?,
        );
        // A new cluster may not have elected its meta leader yet: retry.
        portal_platform::nats::provision_stream_within(&js, events, Duration::from_secs(60))
            .await?;
        let dbs = Databases::create_on(database_admin, &SERVICES).await?;
        let operator_token = format!("op-{}", uuid::Uuid::new_v4().simple());
        // Each service its own secret; all know the others by digest.
        let credentials: Vec<Credential> = Service::ALL
            .into_iter()
            .map(|s| Credential::new(s, format!("{s}-{}", uuid::Uuid::new_v4().simple())))
            .collect();
        let peers = Peers::parse(
            &credentials
                .iter()
                .map(Credential::peer_entry)
                .collect::<Vec<_>>()
                .join(","),
        )
        .map_err(anyhow::Error::msg)?;
        let secret_of = |service: Service| {
            credentials
                .iter()
                .find(|c| c.service == service)
                .map(|c| c.secret().to_owned())
                .unwrap_or_default()
        };
        let data_dir =
            std::env::temp_dir().join(format!("portal-test-{}", uuid::Uuid::new_v4().simple()));

        // A CA of its own per stack, and each service its certificate.
        let service_tls_dir = data_dir.join("service-tls");
        portal_dev_certs::issue(&service_tls_dir)?;
        let tls_of = |service: Service| {
            let f = portal_dev_certs::files(&service_tls_dir, service);
            TlsFiles::new(f.cert, f.key, f.ca)
        };

        let (identity_l, identity) = grpc_listener().await?;
        let (requests_l, requests) = grpc_listener().await?;
        let (work_orders_l, work_orders) = grpc_listener().await?;
        let (documents_l, documents) = grpc_listener().await?;
        let (notification_l, notification) = grpc_listener().await?;
        let gateway_l = std::net::TcpListener::bind("127.0.0.1:0")?;
        let gateway_addr = gateway_l.local_addr()?;
        // Further replicas: each backend's URL lists them all (ADR 0028).
        let mut more = Vec::new();
        for _ in 1..replicas {
            let mut backends = Vec::new();
            for _ in 0..SERVICES.len() {
                backends.push(grpc_listener().await?);
            }
            more.push((backends, std::net::TcpListener::bind("127.0.0.1:0")?));
        }
        let all = |first: String, index: usize| {
            std::iter::once(first)
                .chain(more.iter().map(|(b, _)| b[index].1.clone()))
                .collect::<Vec<_>>()
                .join(",")
        };
        let urls = Urls {
            identity: all(identity, 0),
            requests: all(requests, 1),
            work_orders: all(work_orders, 2),
            documents: all(documents, 3),
            notification: all(notification, 4),
        };

        // Admin ports (/metrics), one per backend, in SERVICES order.
        let admin = SERVICES
            .iter()
            .map(|_| crate::free_port().map(|p| std::net::SocketAddr::from(([127, 0, 0, 1], p))))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let common = |index: usize, service: Service| CommonConfig {
            database_url: dbs.url(index),
            database_app_url: None,
            nats_url: nats.url_for(service),
            identity_url: urls.identity.clone(),
            service_secret: secret_of(service),
            peers: peers.clone(),
            tls: tls_of(service),
            grpc_reflection: false,
            db_max_connections: 5,
            admin_addr: Some(admin[index]),
            drain_secs: 0,
        };
        let inbound_smtp = std::net::SocketAddr::from(([127, 0, 0, 1], crate::free_port()?));
        let inbound_domain = "in.portal.test".to_owned();
        let public_url = format!("https://{gateway_addr}");
        let shutdown = CancellationToken::new();
        let mut tasks: Vec<(&'static str, JoinHandle<anyhow::Result<()>>)> = Vec::new();
        let signing_keys_dir = data_dir.join("signing-keys");
        std::fs::create_dir_all(&signing_keys_dir)?;
        std::fs::write(
            signing_keys_dir.join(format!("{FIRST_SIGNING_KID}.pem")),
            identity::keys::generate_pem()?,
        )?;

        let cfg = identity::Config {
            common: common(0, Service::Identity),
            grpc_addr: identity_l.local_addr()?,
            operator_token: Some(operator_token.clone()),
            public_url: public_url.clone(),
            notification_url: urls.notification.clone(),
            access_ttl_secs: 900,
            signing_keys: identity::config::SigningKeysConfig {
                dir: Some(signing_keys_dir.clone()),
                key: None,
                active: None,
                // Short, so that a retired key is refused soon after.
                cache_secs: 2,
            },
        };
        let identity_cfg = cfg.clone();
        let identity_shutdown = shutdown.child_token();
        tasks.push((
            "identity",
            tokio::spawn(identity::run(cfg, identity_l, identity_shutdown.clone())),
        ));
        let cfg = requests::Config {
            common: common(1, Service::Requests),
            grpc_addr: requests_l.local_addr()?,
        };
        let requests_cfg = cfg.clone();
        tasks.push((
            "requests",
            tokio::spawn(requests::run(cfg, requests_l, shutdown.clone())),
        ));
        let cfg = work_orders::Config {
            common: common(2, Service::WorkOrders),
            grpc_addr: work_orders_l.local_addr()?,
        };
        let work_orders_cfg = cfg.clone();
        let work_orders_shutdown = shutdown.child_token();
        tasks.push((
            "work-orders",
            tokio::spawn(work_orders::run(
                cfg,
                work_orders_l,
                work_orders_shutdown.clone(),
            )),
        ));
        let cfg = documents::Config {
            common: common(3, Service::Documents),
            grpc_addr: documents_l.local_addr()?,
            blob_url: Some(format!("file://{}", data_dir.join("blobs").display())),
            blob_sweep_secs: 3600,
            blob_sweep_grace_secs: 3600,
            data_dir: data_dir.clone(),
            max_upload_bytes: 1024 * 1024,
            max_document_bytes: MAX_DOCUMENT_BYTES,
            uploads_at_once: documents::blobs::DEFAULT_WRITERS,
            allowed_types: ["image/jpeg", "image/png", "application/pdf", "text/plain"]
                .map(String::from)
                .to_vec(),
        };
        let documents_cfg = cfg.clone();
        let documents_shutdown = shutdown.child_token();
        tasks.push((
            "documents",
            tokio::spawn(documents::run(cfg, documents_l, documents_shutdown.clone())),
        ));
        let cfg = notification::Config {
            common: common(4, Service::Notification),
            grpc_addr: notification_l.local_addr()?,
            smtp_url: Some(format!("smtp://127.0.0.1:{smtp_port}")),
            mail_from: "Portal <no-reply@portal.test>".into(),
            public_url: Some(public_url.clone()),
            data_dir: data_dir.clone(),
            retry_base_ms: 200,
            // A burst of published documents is one mail two quiet seconds later.
            digest_quiet_secs: 2,
            max_attempts: 100,
            concurrency: 4,
            inbound_smtp_addr: Some(inbound_smtp),
            inbound_domain: Some(inbound_domain.clone()),
            inbound_secret: Some(format!("inbound-{}", uuid::Uuid::new_v4().simple())),
            inbound_max_bytes: 1024 * 1024,
            // The tests are the relay: they write its Authentication-Results.
            inbound_trusted_relays: "127.0.0.1,::1".into(),
            inbound_authserv_id: Some(INBOUND_AUTHSERV_ID.into()),
            inbound_sessions: 32,
            inbound_idle_secs: 60,
            inbound_session_secs: 600,
        };
        let notification_cfg = cfg.clone();
        tasks.push((
            "notification",
            tokio::spawn(notification::run(cfg, notification_l, shutdown.clone())),
        ));
        let cfg = portal_gateway::Config {
            https_addr: gateway_addr,
            tls_cert: None,
            tls_key: None,
            data_dir: data_dir.clone(),
            identity_url: urls.identity.clone(),
            requests_url: urls.requests.clone(),
            work_orders_url: urls.work_orders.clone(),
            documents_url: urls.documents.clone(),
            notification_url: urls.notification.clone(),
            max_upload_bytes: 1024 * 1024,
            max_document_bytes: MAX_DOCUMENT_BYTES,
            service_secret: secret_of(Service::Gateway),
            service_tls: tls_of(Service::Gateway),
            admin_addr: None,
            drain_secs: 0,
            // Tests play clients at different addresses with X-Forwarded-For:
            // their own loopback client stands for the ingress.
            trusted_proxies: vec!["127.0.0.0/8".parse()?, "::1/128".parse()?],
            base_domain: "localhost".into(),
            nats_url: nats.url_for(Service::Gateway),
            // No tile server in tests: maps draw their markers without one.
            map_tiles_url: String::new(),
            map_attribution: String::new(),
        };
        let gateway_cfg = cfg.clone();
        tasks.push((
            "portal-gateway",
            tokio::spawn(portal_gateway::run(cfg, gateway_l, shutdown.clone())),
        ));
        // The further replicas: the same settings on their own addresses,
        // without admin ports or a second inbound mail listener.
        let mut gateways = vec![public_url.clone()];
        let mut replica_shutdown: Vec<(&'static str, CancellationToken)> = Vec::new();
        for (r, (backends, gateway)) in more.into_iter().enumerate() {
            // Each its own stop signal, for `stop_replica`.
            let mut name = |service: &str| -> (&'static str, CancellationToken) {
                let name: &'static str = Box::leak(format!("{service}#{}", r + 2).into_boxed_str());
                let token = shutdown.child_token();
                replica_shutdown.push((name, token.clone()));
                (name, token)
            };
            let mut backends = backends.into_iter();
            let mut next = || {
                backends
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("a listener short"))
            };
            let (l, _) = next()?;
            let mut cfg = identity_cfg.clone();
            (cfg.grpc_addr, cfg.common.admin_addr) = (l.local_addr()?, None);
            let (n, stop) = name("identity");
            tasks.push((n, tokio::spawn(identity::run(cfg, l, stop))));
            let (l, _) = next()?;
            let mut cfg = requests_cfg.clone();
            (cfg.grpc_addr, cfg.common.admin_addr) = (l.local_addr()?, None);
            let (n, stop) = name("requests");
            tasks.push((n, tokio::spawn(requests::run(cfg, l, stop))));
            let (l, _) = next()?;
            let mut cfg = work_orders_cfg.clone();
            (cfg.grpc_addr, cfg.common.admin_addr) = (l.local_addr()?, None);
            let (n, stop) = name("work-orders");
            tasks.push((n, tokio::spawn(work_orders::run(cfg, l, stop))));
            let (l, _) = next()?;
            let mut cfg = documents_cfg.clone();
            (cfg.grpc_addr, cfg.common.admin_addr) = (l.local_addr()?, None);
            let (n, stop) = name("documents");
            tasks.push((n, tokio::spawn(documents::run(cfg, l, stop))));
            let (l, _) = next()?;
            let mut cfg = notification_cfg.clone();
            (cfg.grpc_addr, cfg.common.admin_addr) = (l.local_addr()?, None);
            cfg.inbound_smtp_addr = None;
            let (n, stop) = name("notification");
            tasks.push((n, tokio::spawn(notification::run(cfg, l, stop))));
            let mut cfg = gateway_cfg.clone();
            cfg.https_addr = gateway.local_addr()?;
            // Its own directory: two gateways writing the development
            // certificate into one at the same moment could read a mixed pair.
            cfg.data_dir = cfg.data_dir.join(format!("gateway-{}", r + 2));
            gateways.push(format!("https://{}", cfg.https_addr));
            let (n, stop) = name("portal-gateway");
            tasks.push((n, tokio::spawn(portal_gateway::run(cfg, gateway, stop))));
        }

        let api = Api::new(public_url)?;
        let stack = Self {
            api,
            gateways,
            replica_shutdown,
            operator_token,
            credentials,
            nats,
            smtp,
            smtp_port,
            inbound_smtp,
            inbound_domain,
            dbs,
            urls,
            data_dir,
            service_tls_dir,
            signing_keys_dir,
            admin,
            shutdown,
            tasks,
            identity_cfg,
            identity_shutdown,
            documents_cfg,
            documents_shutdown,
            work_orders_cfg,
            work_orders_shutdown,
        };
        stack.wait_ready().await?;
        Ok(stack)
    }

    /// The TLS of `service`, for tests that call as that service.
    pub fn service_tls(&self, service: Service) -> anyhow::Result<ServiceTls> {
        let f = portal_dev_certs::files(&self.service_tls_dir, service);
        ServiceTls::load(service, &TlsFiles::new(f.cert, f.key, f.ca))
    }

    /// A channel to `to` over the mutual TLS of `caller`, as that service
    /// would call it (a user's call comes from the gateway).
    pub fn channel(
        &self,
        caller: Service,
        to: Service,
    ) -> anyhow::Result<portal_platform::service_tls::Backend> {
        let url = self
            .urls
            .of(to)
            .ok_or_else(|| anyhow::anyhow!("{to} serves no gRPC"))?;
        self.service_tls(caller)?.channel(url, to)
    }

    /// The credential of `service`, for tests that call as that service.
    pub fn credential(&self, service: Service) -> Credential {
        self.credentials
            .iter()
            .find(|c| c.service == service)
            .cloned()
            .unwrap_or_else(|| Credential::new(service, String::new()))
    }

    /// Waits until every gateway's /readyz?all=true says every backend serves.
    pub async fn wait_ready(&self) -> anyhow::Result<()> {
        crate::eventually(60, "every service to be ready", || async {
            if let Some((name, _)) = self.tasks.iter().find(|(_, t)| t.is_finished()) {
                anyhow::bail!("{name} stopped during start-up");
            }
            for gateway in &self.gateways {
                let res = self
                    .api
                    .http
                    .get(format!("{gateway}/readyz?all=true"))
                    .send()
                    .await;
                if !res.is_ok_and(|r| r.status().is_success()) {
                    return Ok(None);
                }
            }
            Ok(Some(()))
        })
        .await
    }

    /// Stops identity and starts it again on the same address, with its
    /// settings changed by `change` (it reads its signing keys again).
    pub async fn restart_identity(
        &mut self,
        change: impl FnOnce(&mut identity::Config),
    ) -> anyhow::Result<()> {
        self.identity_shutdown.cancel();
        let index = self.join("identity").await?;
        change(&mut self.identity_cfg);
        let cfg = self.identity_cfg.clone();
        let listener = tokio::net::TcpListener::bind(cfg.grpc_addr).await?;
        self.identity_shutdown = self.shutdown.child_token();
        let task = tokio::spawn(identity::run(cfg, listener, self.identity_shutdown.clone()));
        self.tasks.insert(index, ("identity", task));
        self.wait_ready().await
    }

    /// Stops identity until `start_identity`; the others keep the keys
    /// they fetched, but their directory reads fail meanwhile.
    pub async fn stop_identity(&mut self) -> anyhow::Result<()> {
        self.identity_shutdown.cancel();
        self.join("identity").await.map(drop)
    }

    /// Starts identity again on its address, with the same settings.
    pub async fn start_identity(&mut self) -> anyhow::Result<()> {
        let cfg = self.identity_cfg.clone();
        let listener = tokio::net::TcpListener::bind(cfg.grpc_addr).await?;
        self.identity_shutdown = self.shutdown.child_token();
        let task = tokio::spawn(identity::run(cfg, listener, self.identity_shutdown.clone()));
        self.tasks.push(("identity", task));
        self.wait_ready().await
    }

    /// Waits for the task of `service`, told to stop, to end; where it was.
    async fn join(&mut self, service: &str) -> anyhow::Result<usize> {
        let index = self
            .tasks
            .iter()
            .position(|(name, _)| *name == service)
            .ok_or_else(|| anyhow::anyhow!("no {service} task"))?;
        let (_, task) = self.tasks.remove(index);
        match tokio::time::timeout(Duration::from_secs(15), task).await {
            Ok(Ok(Ok(()))) => Ok(index),
            Ok(Ok(Err(e))) => anyhow::bail!("{service} failed: {e:#}"),
            Ok(Err(e)) => anyhow::bail!("{service} panicked: {e}"),
            Err(_) => anyhow::bail!("{service} did not stop within 15 s"),
        }
    }

    /// Stops documents (its API and its consumers) until `start_documents`.
    pub async fn stop_documents(&mut self) -> anyhow::Result<()> {
        self.documents_shutdown.cancel();
        self.join("documents").await.map(drop)
    }

    /// Starts documents again on its address, with its database and blobs.
    pub async fn start_documents(&mut self) -> anyhow::Result<()> {
        self.spawn_documents().await?;
        self.wait_ready().await
    }

    /// Starts documents again without waiting for the stack to be ready
    /// (which it is not while another service is stopped).
    pub async fn spawn_documents(&mut self) -> anyhow::Result<()> {
        let cfg = self.documents_cfg.clone();
        let listener = tokio::net::TcpListener::bind(cfg.grpc_addr).await?;
        self.documents_shutdown = self.shutdown.child_token();
        let task = tokio::spawn(documents::run(
            cfg,
            listener,
            self.documents_shutdown.clone(),
        ));
        self.tasks.push(("documents", task));
        Ok(())
    }

    /// Stops one further replica, named `<service>#<n>` (`requests#2`), as
    /// a pod that goes away.
    pub async fn stop_replica(&mut self, name: &str) -> anyhow::Result<()> {
        let (_, stop) = self
            .replica_shutdown
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| anyhow::anyhow!("no replica {name}"))?;
        stop.cancel();
        self.join(name).await.map(drop)
    }

    /// Stops the in-process work-orders (its API and its consumers).
    pub async fn stop_work_orders(&mut self) -> anyhow::Result<()> {
        self.work_orders_shutdown.cancel();
        self.join("work-orders").await.map(drop)
    }

    /// work-orders as a process of its own (`exe`: the testkit's
    /// `portal-test-service`), on its address, database and certificate,
    /// with `failpoints` (the `fail` crate's `FAILPOINTS`) switched on. The
    /// in-process one must be stopped first. Killed when dropped.
    pub fn work_orders_process(
        &self,
        exe: &str,
        failpoints: Option<&str>,
    ) -> anyhow::Result<tokio::process::Child> {
        let cfg = &self.work_orders_cfg;
        let c = &cfg.common;
        let peers = self
            .credentials
            .iter()
            .map(Credential::peer_entry)
            .collect::<Vec<_>>()
            .join(",");
        let path = |p: &Option<PathBuf>| {
            p.as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        };
        let mut command = tokio::process::Command::new(exe);
        command
            .arg("work-orders")
            .args(["--database-url", &c.database_url])
            .args(["--nats-url", &c.nats_url])
            .args(["--identity-url", &c.identity_url])
            .args(["--service-secret", &c.service_secret])
            .args(["--peers", &peers])
            .args(["--service-tls-cert", &path(&c.tls.cert)])
            .args(["--service-tls-key", &path(&c.tls.key)])
            .args(["--service-tls-ca", &path(&c.tls.ca)])
            .args(["--drain-secs", "0"])
            .args(["--db-max-connections", &c.db_max_connections.to_string()])
            .args(["--grpc-addr", &cfg.grpc_addr.to_string()])
            .env_remove("FAILPOINTS")
            .env("RUST_LOG", "warn")
            .kill_on_drop(true);
        if let Some(f) = failpoints {
            command.env("FAILPOINTS", f);
        }
        Ok(command.spawn()?)
    }

    /// Starts the in-process work-orders again (after its process ended).
    pub async fn start_work_orders(&mut self) -> anyhow::Result<()> {
        let cfg = self.work_orders_cfg.clone();
        let listener = tokio::net::TcpListener::bind(cfg.grpc_addr).await?;
        self.work_orders_shutdown = self.shutdown.child_token();
        let task = tokio::spawn(work_orders::run(
            cfg,
            listener,
            self.work_orders_shutdown.clone(),
        ));
        self.tasks.push(("work-orders", task));
        self.wait_ready().await
    }

    /// Stops the services, then drops their databases.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        for (name, task) in self.tasks {
            match tokio::time::timeout(Duration::from_secs(15), task).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => anyhow::bail!("{name} failed: {e:#}"),
                Ok(Err(e)) => anyhow::bail!("{name} panicked: {e}"),
                Err(_) => anyhow::bail!("{name} did not stop within 15 s"),
            }
        }
        self.dbs.drop_all().await?;
        let _ = std::fs::remove_dir_all(&self.data_dir);
        Ok(())
    }

    /// A direct connection to one service's database (for assertions only).
    pub async fn db(&self, service: &str) -> anyhow::Result<sqlx::PgPool> {
        let index = SERVICES
            .iter()
            .position(|s| *s == service)
            .ok_or_else(|| anyhow::anyhow!("no service {service}"))?;
        Ok(sqlx::PgPool::connect(&self.dbs.url(index)).await?)
    }
}
