//! Running a service's gRPC server: health (NOT_SERVING until the database
//! and NATS are connected, and again while draining), reflection, shutdown.
use std::time::Duration;

use async_nats::Client;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use tonic::transport::server::Router;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

/// Adds health (initially NOT_SERVING) and reflection (v1 and v1alpha) to a
/// server builder, returning the reporter that flips health.
pub fn base_router() -> anyhow::Result<(Router, HealthReporter)> {
    let (reporter, health) = tonic_health::server::health_reporter();
    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(portal_proto::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(portal_proto::FILE_DESCRIPTOR_SET)
        .build_v1alpha()?;
    let router = tonic::transport::Server::builder()
        .add_service(health)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha);
    Ok((router, reporter))
}

/// Keeps health in step with the database and NATS, until shutdown.
pub fn spawn_readiness(
    reporter: HealthReporter,
    service: &'static str,
    pool: PgPool,
    nats: Client,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        let mut last = None;
        loop {
            let db_ok = sqlx::query("SELECT 1").execute(&pool).await.is_ok();
            let ok = db_ok && crate::nats::is_connected(&nats) && !shutdown.is_cancelled();
            if last != Some(ok) {
                let status = if ok {
                    ServingStatus::Serving
                } else {
                    ServingStatus::NotServing
                };
                reporter.set_service_status("", status).await;
                reporter.set_service_status(service, status).await;
                tracing::info!(service, serving = ok, "health changed");
                last = Some(ok);
            }
            if shutdown.is_cancelled() {
                return;
            }
            tokio::select! {
                _ = shutdown.cancelled() => {}
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
    });
}

/// Serves until shutdown, finishing calls in flight.
pub async fn serve(
    router: Router,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
    router
        .serve_with_incoming_shutdown(incoming, shutdown.cancelled_owned())
        .await?;
    Ok(())
}

/// A lazily connecting channel to another service.
pub fn channel(url: &str) -> anyhow::Result<Channel> {
    Ok(Channel::from_shared(url.to_owned())?
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(30))
        .connect_lazy())
}
