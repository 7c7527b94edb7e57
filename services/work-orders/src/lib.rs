//! work-orders: plannable work, created from accepted requests.

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
use portal_proto::work_orders::v1::work_orders_service_server::WorkOrdersServiceServer;
use tokio::net::TcpListener;

pub use config::Config;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Runs work-orders on `listener` until `shutdown`.
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
    let nats = nats::connect(&cfg.common.nats_url, "work-orders").await?;
    let js = async_nats::jetstream::new(nats.clone());
    let verifier = Arc::new(TokenVerifier::new(IdentityKeys::new(pgrpc::channel(
        &cfg.common.identity_url,
    )?)));
    let service = grpc::WorkOrders {
        pool: pool.clone(),
        authn: Authenticator::new(verifier, &cfg.common.internal_token),
    };
    let (router, health) = pgrpc::base_router()?;
    let router = router.add_service(WorkOrdersServiceServer::new(service));
    pgrpc::spawn_readiness(
        health,
        "portal.work_orders.v1.WorkOrdersService",
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
        ConsumerSpec::new(events::REQUEST_ACCEPTED, filter::<ev::RequestAccepted>()),
        events::CreateFromRequest { pool },
        shutdown.clone(),
    ));
    tracing::info!(addr = %listener.local_addr()?, "work-orders serving gRPC");
    pgrpc::serve(router, listener, shutdown).await
}
