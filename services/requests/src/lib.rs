//! requests: tickets raised by contacts, accepted or rejected by staff.

pub mod config;
pub mod conversation;
pub mod domain;
pub mod events;
pub mod grpc;
pub mod inbound;
pub mod intake;
pub mod store;
pub mod work;

use portal_platform::CancellationToken;
use portal_platform::consumer::{self, ConsumerSpec};
use portal_platform::event_types::filter;
use portal_platform::service::Runtime;
use portal_platform::tenancy;
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use portal_proto::requests::v1::requests_service_server::RequestsServiceServer;
use tokio::net::TcpListener;

pub use config::Config;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Applies the migrations and returns (`requests migrate`).
pub async fn migrate(cfg: &Config) -> anyhow::Result<()> {
    portal_platform::service::migrate(&cfg.common, &MIGRATIONS).await
}

/// Runs requests on `listener` until `shutdown`.
pub async fn run(
    cfg: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let rt = Runtime::connect("requests", &cfg.common, &MIGRATIONS).await?;
    let service = grpc::Requests {
        pool: rt.pool.clone(),
        authn: rt.authenticator(),
        identity: IdentityServiceClient::new(rt.identity.clone()),
        credential: rt.credential.clone(),
    };
    tokio::spawn(consumer::run(
        rt.js.clone(),
        rt.pool.clone(),
        ConsumerSpec::new(events::WORK_ORDER_CREATED, filter::<ev::WorkOrderCreated>()),
        events::LinkWorkOrder {
            pool: rt.pool.clone(),
        },
        shutdown.clone(),
    ));
    // The linked work order's plan, kept on the request (#10).
    work::events::spawn_all(&rt.js, &rt.pool, &shutdown);
    // Replies and new requests by mail (ADR 0010).
    tokio::spawn(consumer::run(
        rt.js.clone(),
        rt.pool.clone(),
        ConsumerSpec::new(inbound::MAIL_RECEIVED, filter::<ev::InboundMailReceived>()),
        inbound::InboundMail {
            pool: rt.pool.clone(),
            identity: IdentityServiceClient::new(rt.identity.clone()),
            credential: rt.credential.clone(),
        },
        shutdown.clone(),
    ));
    let (router, health) = portal_platform::grpc::base_router(rt.grpc_reflection)?;
    // Each call in its own tenant scope, filled from the token (ADR 0018).
    let router = router.add_service(tenancy::Scoped(RequestsServiceServer::new(service)));
    rt.serve(
        router,
        health,
        "portal.requests.v1.RequestsService",
        listener,
        shutdown,
    )
    .await
}
