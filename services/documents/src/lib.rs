//! documents: attachments of requests (later quotes, reports, exports),
//! their metadata in PostgreSQL and their bytes in object storage.

pub mod blobs;
pub mod config;
pub mod domain;
pub mod grpc;
pub mod store;

use std::sync::Arc;
use std::time::Duration;

use portal_platform::auth::{Authenticator, IdentityKeys, TokenVerifier};
use portal_platform::{CancellationToken, db, grpc as pgrpc, nats, outbox};
use portal_proto::documents::v1::documents_service_server::DocumentsServiceServer;
use tokio::net::TcpListener;

pub use config::Config;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Runs documents on `listener` until `shutdown`.
pub async fn run(
    cfg: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    // First, so that a wrong blob URL stops startup before anything else.
    let blob_url = cfg.blob_url();
    let blobs = blobs::Blobs::from_url(&blob_url)?;
    let pool = db::connect_and_migrate(
        &cfg.common.database_url,
        cfg.common.db_max_connections,
        &MIGRATIONS,
        Duration::from_secs(60),
    )
    .await?;
    let nats = nats::connect(&cfg.common.nats_url, "documents").await?;
    let js = async_nats::jetstream::new(nats.clone());
    let verifier = Arc::new(TokenVerifier::new(IdentityKeys::new(pgrpc::channel(
        &cfg.common.identity_url,
    )?)));
    let service = grpc::Documents {
        pool: pool.clone(),
        authn: Authenticator::new(verifier, &cfg.common.internal_token),
        blobs,
        max_upload_bytes: cfg.max_upload_bytes,
        allowed_types: cfg.allowed_types.clone(),
    };
    // Room for the largest file plus the other fields of the message.
    let max_message = cfg.max_upload_bytes.saturating_add(config::MIB);
    let (router, health) = pgrpc::base_router()?;
    let router = router
        .add_service(DocumentsServiceServer::new(service).max_decoding_message_size(max_message));
    pgrpc::spawn_readiness(
        health,
        "portal.documents.v1.DocumentsService",
        pool.clone(),
        nats,
        shutdown.clone(),
    );
    // Nothing is enqueued yet; `document.published` and the quote events will be.
    tokio::spawn(outbox::run_relay(pool, js, shutdown.clone()));
    tracing::info!(addr = %listener.local_addr()?, blob_url, "documents serving gRPC");
    pgrpc::serve(router, listener, shutdown).await
}
