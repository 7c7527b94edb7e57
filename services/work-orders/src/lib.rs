//! work-orders: plannable work, created from accepted requests.

pub mod config;
pub mod domain;
pub mod events;
pub mod grpc;
pub mod store;

use portal_platform::CancellationToken;
use portal_platform::consumer::{self, ConsumerSpec};
use portal_platform::event_types::filter;
use portal_platform::service::Runtime;
use portal_platform::tenancy;
use portal_proto::events::v1 as ev;
use portal_proto::work_orders::v1::work_orders_service_server::WorkOrdersServiceServer;
use tokio::net::TcpListener;

pub use config::Config;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Applies the migrations and returns (`work-orders migrate`).
pub async fn migrate(cfg: &Config) -> anyhow::Result<()> {
    portal_platform::service::migrate(&cfg.common, &MIGRATIONS).await
}

/// Runs work-orders on `listener` until `shutdown`.
pub async fn run(
    cfg: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let rt = Runtime::connect("work-orders", &cfg.common, &MIGRATIONS).await?;
    let service = grpc::WorkOrders {
        pool: rt.pool.clone(),
        authn: rt.authenticator(),
    };
    tokio::spawn(consumer::run(
        rt.js.clone(),
        rt.pool.clone(),
        ConsumerSpec::new(events::REQUEST_ACCEPTED, filter::<ev::RequestAccepted>()),
        events::CreateFromRequest {
            pool: rt.pool.clone(),
        },
        shutdown.clone(),
    ));
    let (router, health) = portal_platform::grpc::base_router(rt.grpc_reflection)?;
    // Each call in its own tenant scope, filled from the token (ADR 0018).
    let router = router.add_service(tenancy::Scoped(WorkOrdersServiceServer::new(service)));
    rt.serve(
        router,
        health,
        "portal.work_orders.v1.WorkOrdersService",
        listener,
        shutdown,
    )
    .await
}
