//! documents: attachments of requests and the documents a customer sees
//! (service reports; later quotes, invoices), their metadata in PostgreSQL
//! and their bytes in object storage.

pub mod blobs;
pub mod catalog;
pub mod config;
pub mod domain;
pub mod events;
pub mod grpc;
pub mod ingest;
pub mod invoices;
pub mod kb;
pub mod pdf;
pub mod quotes;
pub mod service_reports;
pub mod store;
pub mod sweeper;

use portal_platform::CancellationToken;
use portal_platform::consumer::{self, ConsumerSpec};
use portal_platform::event_types::filter;
use portal_platform::service::Runtime;
use portal_platform::tenancy;
use portal_proto::documents::v1::documents_service_server::DocumentsServiceServer;
use portal_proto::events::v1 as ev;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use tokio::net::TcpListener;

pub use config::Config;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Applies the migrations and returns (`documents migrate`).
pub async fn migrate(cfg: &Config) -> anyhow::Result<()> {
    portal_platform::service::migrate(&cfg.common, &MIGRATIONS).await
}

/// Runs documents on `listener` until `shutdown`.
pub async fn run(
    cfg: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    // First, so that a wrong blob URL stops startup before anything else.
    let blob_url = cfg.blob_url();
    let blobs = blobs::Blobs::from_url(&blob_url)?.with_writers(cfg.uploads_at_once);
    let rt = Runtime::connect("documents", &cfg.common, &MIGRATIONS).await?;
    // Service reports and quotes print the customer's and the site's names,
    // read from identity with documents' own credential (ADR 0017, 0019).
    let directory = service_reports::Directory {
        client: IdentityServiceClient::new(rt.identity.clone()),
        credential: rt.credential.clone(),
    };
    let service = grpc::Documents {
        pool: rt.pool.clone(),
        authn: rt.authenticator(),
        blobs: blobs.clone(),
        max_upload_bytes: cfg.max_upload_bytes,
        max_document_bytes: cfg.max_document_bytes,
        allowed_types: cfg.allowed_types.clone(),
        directory: directory.clone(),
    };
    tokio::spawn(consumer::run(
        rt.js.clone(),
        rt.pool.clone(),
        ConsumerSpec::new(events::REQUEST_SUBMITTED, filter::<ev::RequestSubmitted>()),
        events::NoteRequest {
            pool: rt.pool.clone(),
        },
        shutdown.clone(),
    ));
    tokio::spawn(consumer::run(
        rt.js.clone(),
        rt.pool.clone(),
        ConsumerSpec::new(events::WORK_ORDER_CREATED, filter::<ev::WorkOrderCreated>()),
        events::NoteWorkOrder {
            pool: rt.pool.clone(),
        },
        shutdown.clone(),
    ));
    // Files whose row was never written (a crash between bytes and row).
    tokio::spawn(sweeper::run_forever(
        blobs.clone(),
        rt.system.clone(),
        std::time::Duration::from_secs(cfg.blob_sweep_secs),
        std::time::Duration::from_secs(cfg.blob_sweep_grace_secs),
        shutdown.clone(),
    ));
    let reports = service_reports::MakeServiceReport {
        pool: rt.pool.clone(),
        blobs,
        directory,
    };
    tokio::spawn(consumer::run(
        rt.js.clone(),
        rt.pool.clone(),
        service_reports::spec(),
        reports,
        shutdown.clone(),
    ));
    // Files arrive in pieces (ADR 0032); the largest single message is a
    // drawn signature or a long quote, well within this.
    let max_message = cfg.max_upload_bytes.saturating_add(config::MIB);
    let (router, health) = portal_platform::grpc::base_router(rt.grpc_reflection)?;
    let router = router
        // Each call in its own tenant scope, filled from the token (ADR 0018).
        .add_service(tenancy::Scoped(
            DocumentsServiceServer::new(service).max_decoding_message_size(max_message),
        ));
    tracing::info!(blob_url, "documents stores files");
    rt.serve(
        router,
        health,
        "portal.documents.v1.DocumentsService",
        listener,
        shutdown,
    )
    .await
}
