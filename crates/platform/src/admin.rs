//! The admin port: `/metrics` for Prometheus, `/livez` and `/readyz` for
//! probes that prefer HTTP to gRPC health.
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use tokio_util::sync::CancellationToken;

/// Whether the service is ready, as its health loop last found it.
#[derive(Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    pub fn set(&self, ready: bool) {
        self.0.store(ready, Ordering::Relaxed);
    }

    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

pub fn router(readiness: Readiness) -> Router {
    let handle = crate::metrics::handle();
    Router::new()
        .route("/metrics", get(move || async move { handle.render() }))
        .route("/livez", get(|| async { "ok" }))
        .route(
            "/readyz",
            get(move || {
                let ready = readiness.get();
                async move {
                    if ready {
                        (StatusCode::OK, "ready")
                    } else {
                        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
                    }
                }
            }),
        )
}

/// Serves the admin port until `shutdown`; a port that cannot be bound is
/// logged, not fatal (metrics are not worth an outage).
pub fn spawn(addr: Option<SocketAddr>, readiness: Readiness, shutdown: CancellationToken) {
    let Some(addr) = addr else { return };
    tokio::spawn(async move {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(%addr, error = %e, "admin port unavailable: no /metrics");
                return;
            }
        };
        tracing::info!(%addr, "admin port serving /metrics, /livez, /readyz");
        let served = axum::serve(listener, router(readiness))
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await;
        if let Err(e) = served {
            tracing::warn!(error = %e, "admin port stopped");
        }
    });
}
