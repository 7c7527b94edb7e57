//! identity: tenants, staff, customers, sites, contacts, credentials,
//! invitations and tokens.

pub mod config;
pub mod domain;
pub mod grpc;
pub mod keys;
pub mod secrets;
pub mod store;
pub mod tokens;

use std::sync::Arc;
use std::time::Duration;

use portal_platform::auth::{Authenticator, TokenVerifier};
use portal_platform::{CancellationToken, db, grpc as pgrpc, nats, outbox};
use portal_proto::identity::v1::identity_service_server::IdentityServiceServer;
use portal_proto::notification::v1::notification_service_client::NotificationServiceClient;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

pub use config::Config;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Runs identity on `listener` until `shutdown`.
pub async fn run(
    cfg: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let pool = db::connect_and_migrate(
        &cfg.common.database_url,
        cfg.common.db_max_connections,
        &MIGRATIONS,
        Duration::from_secs(60),
    )
    .await?;
    let nats = nats::connect(&cfg.common.nats_url, "identity").await?;
    let js = async_nats::jetstream::new(nats.clone());
    let key = keys::current(&pool).await?;
    let verifier = Arc::new(TokenVerifier::new(keys::StoredKeys(pool.clone())));
    let passwords = secrets::Passwords::default();
    let dummy_hash = passwords
        .hash("not a real password, only for timing")
        .await?;
    let service = grpc::Identity {
        pool: pool.clone(),
        authn: Authenticator::new(verifier, &cfg.common.internal_token),
        passwords,
        key,
        operator_digest: cfg
            .operator_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(|t| Sha256::digest(t.as_bytes()).into()),
        public_url: cfg.public_url.clone(),
        notification: NotificationServiceClient::new(pgrpc::channel(&cfg.notification_url)?),
        internal_token: cfg.common.internal_token.clone(),
        access_ttl_secs: cfg.access_ttl_secs,
        dummy_hash,
    };
    let (router, health) = pgrpc::base_router()?;
    let router = router.add_service(IdentityServiceServer::new(service));
    pgrpc::spawn_readiness(
        health,
        "portal.identity.v1.IdentityService",
        pool.clone(),
        nats,
        shutdown.clone(),
    );
    tokio::spawn(outbox::run_relay(pool, js, shutdown.clone()));
    tracing::info!(addr = %listener.local_addr()?, "identity serving gRPC");
    pgrpc::serve(router, listener, shutdown).await
}
