//! work-orders: plannable work, created from accepted requests.

pub mod availability;
pub mod config;
pub mod equipment;
pub mod grpc;
pub mod intake;
pub mod photos;
pub mod planning;
pub mod plans;
pub mod reports;
pub mod store;

use portal_platform::CancellationToken;
use portal_platform::event_handler;
use portal_platform::service::Runtime;
use portal_platform::tenancy;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use portal_proto::work_orders::v1::equipment_service_server::EquipmentServiceServer;
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
        identity: IdentityServiceClient::new(rt.identity.clone()),
        credential: rt.credential.clone(),
    };
    tokio::spawn(event_handler::run(
        rt.js.clone(),
        rt.pool.clone(),
        intake::CreateFromRequest,
        shutdown.clone(),
    ));
    tokio::spawn(event_handler::run(
        rt.js.clone(),
        rt.pool.clone(),
        intake::CreateFromQuote,
        shutdown.clone(),
    ));
    tokio::spawn(event_handler::run(
        rt.js.clone(),
        rt.pool.clone(),
        reports::LinkServiceReport,
        shutdown.clone(),
    ));
    tokio::spawn(plans::run_forever(
        rt.pool.clone(),
        rt.system.clone(),
        shutdown.clone(),
    ));
    let (router, health) = portal_platform::grpc::base_router(rt.grpc_reflection)?;
    // Each call in its own tenant scope, filled from the token (ADR 0018).
    let router = router
        .add_service(tenancy::Scoped(EquipmentServiceServer::new(
            service.clone(),
        )))
        .add_service(tenancy::Scoped(WorkOrdersServiceServer::new(service)));
    rt.serve(
        router,
        health,
        "portal.work_orders.v1.WorkOrdersService",
        listener,
        shutdown,
    )
    .await
}
