//! requests: tickets raised by contacts, accepted or rejected by staff.

pub mod config;
pub mod domain;
pub mod events;
pub mod grpc;
pub mod store;

use std::sync::Arc;
use std::time::Duration;

use portal_platform::auth::{Authenticator, IdentityKeys, TokenVerifier};
use portal_platform::consumer::{self, ConsumerSpec};
use portal_platform::event_types::filter;
use portal_platform::{CancellationToken, db, grpc as pgrpc, nats, outbox};
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use portal_proto::requests::v1::requests_service_server::RequestsServiceServer;
use tokio::net::TcpListener;

pub use config::Config;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Runs requests on `listener` until `shutdown`.
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
    let nats = nats::connect(&cfg.common.nats_url, "requests").await?;
    let js = async_nats::jetstream::new(nats.clone());
    let identity_channel = pgrpc::channel(&cfg.common.identity_url)?;
    let verifier = Arc::new(TokenVerifier::new(IdentityKeys::new(
        identity_channel.clone(),
    )));
    let service = grpc::Requests {
        pool: pool.clone(),
        authn: Authenticator::new(verifier, &cfg.common.internal_token),
        identity: IdentityServiceClient::new(identity_channel),
        internal_token: cfg.common.internal_token.clone(),
    };
    let (router, health) = pgrpc::base_router()?;
    let router = router.add_service(RequestsServiceServer::new(service));
    pgrpc::spawn_readiness(
        health,
        "portal.requests.v1.RequestsService",
        pool.clone(),
        nats,
        shutdown.clone(),
    );
    tokio::spawn(outbox::run_relay(
        pool.clone(),
        js.clone(),
        shutdown.clone(),
    ));
    tokio::spawn(consumer::run(
        js,
        pool.clone(),
        ConsumerSpec::new(events::WORK_ORDER_CREATED, filter::<ev::WorkOrderCreated>()),
        events::LinkWorkOrder { pool },
        shutdown.clone(),
    ));
    tracing::info!(addr = %listener.local_addr()?, "requests serving gRPC");
    pgrpc::serve(router, listener, shutdown).await
}
