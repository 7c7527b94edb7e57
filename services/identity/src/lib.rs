//! identity: tenants, staff, customers, sites, contacts, credentials,
//! invitations and tokens.

pub mod access;
pub mod backoff;
pub mod config;
pub mod directory;
pub mod domain;
pub mod grpc;
pub mod imports;
pub mod keys;
pub mod limits;
pub mod organisation;
pub mod secrets;
pub mod sessions;
pub mod store;
pub mod tokens;

use portal_platform::callers::Service;
use portal_platform::service::Runtime;
use portal_platform::{CancellationToken, grpc as pgrpc, tenancy};
use portal_proto::identity::v1::identity_service_server::IdentityServiceServer;
use portal_proto::notification::v1::notification_service_client::NotificationServiceClient;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

pub use config::Config;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Applies the migrations and returns (`identity migrate`).
pub async fn migrate(cfg: &Config) -> anyhow::Result<()> {
    portal_platform::service::migrate(&cfg.common, &MIGRATIONS).await
}

/// Runs identity on `listener` until `shutdown`.
pub async fn run(
    cfg: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    // Keys first: a missing or broken key stops the start before anything
    // is connected.
    let keys = std::sync::Arc::new(keys::KeyRing::load(&cfg.signing_keys)?);
    tracing::info!(
        active = %keys.active().kid,
        published = keys.public_keys().len(),
        "signing keys loaded"
    );
    let rt = Runtime::connect("identity", &cfg.common, &MIGRATIONS).await?;
    let passwords = secrets::Passwords::default();
    let dummy_hash = passwords
        .hash("not a real password, only for timing")
        .await?;
    let service = grpc::Identity {
        pool: rt.pool.clone(),
        system: rt.system.clone(),
        // identity verifies its own tokens against the keys it publishes.
        authn: rt.authenticator_with(keys::Published(keys.clone())),
        passwords,
        keys,
        operator_digest: cfg
            .operator_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(|t| Sha256::digest(t.as_bytes()).into()),
        public_url: cfg.public_url.clone(),
        notification: NotificationServiceClient::new(
            rt.tls
                .channel(&cfg.notification_url, Service::Notification)?,
        ),
        credential: rt.credential.clone(),
        access_ttl_secs: cfg.access_ttl_secs,
        dummy_hash,
    };
    tokio::spawn(limits::prune_hourly(
        rt.pool.clone(),
        rt.system.clone(),
        shutdown.clone(),
    ));
    let (router, health) = pgrpc::base_router(rt.grpc_reflection)?;
    // Each call in its own tenant scope: from the token, from the tenant a
    // login or link resolves, or from the message of a service's directory
    // read (ADR 0018).
    let router = router.add_service(tenancy::Scoped(IdentityServiceServer::new(service)));
    rt.serve(
        router,
        health,
        "portal.identity.v1.IdentityService",
        listener,
        shutdown,
    )
    .await
}
