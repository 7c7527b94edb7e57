//! What every backend does to start and to serve: its migrated database,
//! NATS, identity's keys; then health, the outbox relay and the gRPC server.
use std::sync::Arc;
use std::time::Duration;

use crate::service_tls::Backend;
use async_nats::jetstream;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic_health::server::HealthReporter;

use crate::admin::{self, Readiness};
use crate::auth::{Authenticator, IdentityKeys, KeySource, TokenVerifier};
use crate::callers::{Credential, Peers, Service};
use crate::config::CommonConfig;
use crate::service_tls::ServiceTls;
use crate::{db, grpc, nats, outbox};

/// How long a service waits for its database at start before giving up.
const DATABASE_PATIENCE: Duration = Duration::from_secs(60);

pub struct Runtime {
    pub name: &'static str,
    /// The app pool: every query sees only its task's tenant (ADR 0018).
    pub pool: PgPool,
    /// The owner's pool, for cross-tenant work only (the outbox relay).
    pub system: db::SystemPool,
    pub nats: async_nats::Client,
    pub js: jetstream::Context,
    /// A lazily connecting channel to identity (keys, directory reads).
    pub identity: Backend,
    /// Its certificate: for its server and its calls (ADR 0025).
    pub tls: ServiceTls,
    /// This service's own credential for calls to other services.
    pub credential: Credential,
    /// The services it recognises when they call it.
    pub peers: Peers,
    /// Whether gRPC reflection is served (development).
    pub grpc_reflection: bool,
    /// How long health says NOT_SERVING before the listener closes.
    pub drain: Duration,
    pub admin_addr: Option<std::net::SocketAddr>,
}

/// `<service> migrate`: applies the migrations and returns.
pub async fn migrate(common: &CommonConfig, migrations: &Migrator) -> anyhow::Result<()> {
    db::migrate(
        &common.database_url,
        &common.app_database_url(),
        1,
        migrations,
        DATABASE_PATIENCE,
    )
    .await?;
    Ok(())
}

/// What `provision-events` reads: NATS and the stream's settings, nothing
/// else (no database, no certificate, no secret).
#[derive(clap::Parser, Debug)]
#[command(about = "Makes the PORTAL event stream, or brings it to its settings, and exits")]
pub struct EventsConfig {
    /// NATS with JetStream, as a user that may make and change the stream
    /// (an operator's, e.g. `admin`).
    #[arg(long, env = "NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub nats_url: String,
    #[command(flatten)]
    pub events: nats::StreamSettings,
}

/// How long `provision-events` waits for NATS.
const NATS_PATIENCE: Duration = Duration::from_secs(60);

/// `<service> provision-events`: the deploy step that makes the event
/// stream or brings it to its settings (ADR 0024), then exits.
pub async fn provision_events(name: &'static str, args: &[String]) -> std::process::ExitCode {
    use clap::Parser;
    let cfg = EventsConfig::parse_from(args);
    let result = async {
        let client = nats::connect(&cfg.nats_url, name).await?;
        let js = jetstream::new(client.clone());
        let info = nats::provision_stream_within(&js, &cfg.events, NATS_PATIENCE).await?;
        client.flush().await?;
        anyhow::Ok(info)
    }
    .await;
    match result {
        Ok(info) => {
            let c = &info.config;
            println!(
                "event stream {}: {} replica(s), events kept {} h or up to {} bytes (oldest dropped first), {} events now",
                c.name,
                c.num_replicas,
                c.max_age.as_secs() / 3600,
                c.max_bytes,
                info.state.messages
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("provision-events: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `<service> healthcheck`: whether the local server answers SERVING to
/// the service itself (with its own certificate).
pub async fn healthcheck(
    name: &'static str,
    grpc_addr: std::net::SocketAddr,
    common: &CommonConfig,
) -> std::process::ExitCode {
    let serving = match name.parse::<Service>() {
        Ok(me) => match ServiceTls::load(me, &common.tls) {
            Ok(tls) => grpc::is_serving(grpc_addr.port(), &tls).await,
            Err(e) => {
                eprintln!("{e:#}");
                false
            }
        },
        Err(e) => {
            eprintln!("{e}");
            false
        }
    };
    if serving {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

impl Runtime {
    /// Connects to the service's database (applying its migrations) and to NATS.
    pub async fn connect(
        name: &'static str,
        common: &CommonConfig,
        migrations: &Migrator,
    ) -> anyhow::Result<Self> {
        crate::config::refuse_retired_settings()?;
        let service: Service = name.parse().map_err(anyhow::Error::msg)?;
        let tls = ServiceTls::load(service, &common.tls)?;
        let pools = db::connect_and_migrate(
            &common.database_url,
            &common.app_database_url(),
            common.db_max_connections,
            migrations,
            DATABASE_PATIENCE,
        )
        .await?;
        let nats = nats::connect(&common.nats_url, name).await?;
        // The stream is the deploy step's (`provision-events`, ADR 0024):
        // consumers and the relay wait for it.
        let js = jetstream::new(nats.clone());
        Ok(Self {
            name,
            pool: pools.app,
            system: pools.system,
            nats,
            js,
            identity: tls.channel(&common.identity_url, Service::Identity)?,
            tls,
            credential: Credential::new(service, common.service_secret.clone()),
            peers: common.peers.clone(),
            grpc_reflection: common.grpc_reflection,
            drain: Duration::from_secs(common.drain_secs),
            admin_addr: common.admin_addr,
        })
    }

    /// Verifies tokens with the keys identity publishes.
    pub fn authenticator(&self) -> Authenticator {
        self.authenticator_with(IdentityKeys::new(self.identity.clone()))
    }

    pub fn authenticator_with(&self, keys: impl KeySource) -> Authenticator {
        Authenticator::new(Arc::new(TokenVerifier::new(keys)), self.peers.clone())
    }

    /// Keeps health in step with the database and NATS, publishes the
    /// outbox, and serves `router` until `shutdown`.
    pub async fn serve(
        &self,
        router: grpc::PortalRouter,
        health: HealthReporter,
        grpc_service: &'static str,
        listener: TcpListener,
        shutdown: CancellationToken,
    ) -> anyhow::Result<()> {
        let readiness = Readiness::default();
        admin::spawn(self.admin_addr, readiness.clone(), shutdown.clone());
        grpc::spawn_readiness(
            health,
            readiness,
            grpc_service,
            self.pool.clone(),
            self.nats.clone(),
            shutdown.clone(),
        );
        tokio::spawn(outbox::run_relay(
            self.system.cross_tenant().clone(),
            self.js.clone(),
            shutdown.clone(),
        ));
        // Health turns NOT_SERVING at once on shutdown; calls are still
        // served for `drain` so that nobody is turned away meanwhile.
        let closing = CancellationToken::new();
        let (trigger, drain) = (closing.clone(), self.drain);
        tokio::spawn(async move {
            shutdown.cancelled().await;
            tokio::time::sleep(drain).await;
            trigger.cancel();
        });
        // What this service set aside for good, for the tenant's admins.
        let router = router.add_service(
            portal_proto::operations::v1::operations_service_server::OperationsServiceServer::new(
                crate::parked::Parked {
                    service: self.name,
                    system: self.system.clone(),
                    authn: self.authenticator(),
                },
            ),
        );
        tracing::info!(service = self.name, addr = %listener.local_addr()?, "serving gRPC");
        grpc::serve(router, listener, &self.tls, closing).await
    }
}
