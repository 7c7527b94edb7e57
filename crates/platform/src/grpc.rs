//! Running a service's gRPC server: health (NOT_SERVING until the database
//! and NATS are connected, and again while draining), reflection in
//! development, the called method for service checks, shutdown.
use std::time::Duration;

use futures::future::BoxFuture;

use async_nats::Client;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Router;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;
use tower::layer::util::{Identity, Stack};
use tower::{Layer, Service};

use crate::admin::Readiness;
use crate::service_tls::ServiceTls;

/// The server every backend builds on: request spans (continuing the
/// caller's trace) and metrics on every call, the called method in each
/// request's extensions, health, and reflection when asked for.
pub type PortalRouter = Router<Stack<CalledMethodLayer, Stack<GrpcMetricsLayer, Identity>>>;

/// Adds health (initially NOT_SERVING) to a server with tracing and
/// metrics, returning the reporter that flips health. Reflection (v1 and
/// v1alpha) only with `reflection` (PORTAL_GRPC_REFLECTION, development):
/// in production it would map the whole API for anyone who reaches a port.
pub fn base_router(reflection: bool) -> anyhow::Result<(PortalRouter, HealthReporter)> {
    let (reporter, health) = tonic_health::server::health_reporter();
    let (reflection_v1, reflection_v1alpha) = if reflection {
        let v1 = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(portal_proto::FILE_DESCRIPTOR_SET)
            .build_v1()?;
        let v1alpha = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(portal_proto::FILE_DESCRIPTOR_SET)
            .build_v1alpha()?;
        (Some(v1), Some(v1alpha))
    } else {
        (None, None)
    };
    let router = tonic::transport::Server::builder()
        .trace_fn(server_span)
        .layer(GrpcMetricsLayer)
        .layer(CalledMethodLayer)
        .add_service(health)
        .add_optional_service(reflection_v1)
        .add_optional_service(reflection_v1alpha);
    Ok((router, reporter))
}

/// Puts the called method's path into the request's extensions, where
/// `Authenticator::service` reads it (tonic's servers do not say which
/// method they serve).
#[derive(Clone, Copy, Debug, Default)]
pub struct CalledMethodLayer;

impl<S> Layer<S> for CalledMethodLayer {
    type Service = CalledMethodService<S>;

    fn layer(&self, inner: S) -> CalledMethodService<S> {
        CalledMethodService { inner }
    }
}

#[derive(Clone, Debug)]
pub struct CalledMethodService<S> {
    inner: S,
}

impl<S, B> Service<http::Request<B>> for CalledMethodService<S>
where
    S: Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
        let path = req.uri().path().to_owned();
        req.extensions_mut()
            .insert(crate::callers::CalledMethod(path));
        self.inner.call(req)
    }
}

/// One span per call, child of the caller's (W3C `traceparent` metadata).
fn server_span(req: &http::Request<()>) -> tracing::Span {
    let path = req.uri().path();
    if path.starts_with("/grpc.health") || path.starts_with("/grpc.reflection") {
        return tracing::Span::none();
    }
    // Which replica served (its listening port), as OpenTelemetry names it.
    let port = req
        .extensions()
        .get::<tonic::transport::server::TlsConnectInfo<tonic::transport::server::TcpConnectInfo>>()
        .and_then(|info| info.get_ref().local_addr())
        .map_or(0, |a| a.port());
    let span = tracing::info_span!(
        "grpc.server",
        rpc.method = %path,
        server.port = port,
        otel.kind = "server"
    );
    crate::telemetry::set_parent_from_headers(&span, req.headers());
    span
}

/// Counts calls per method and status, and times them.
#[derive(Clone, Copy, Debug, Default)]
pub struct GrpcMetricsLayer;

impl<S> Layer<S> for GrpcMetricsLayer {
    type Service = GrpcMetrics<S>;

    fn layer(&self, inner: S) -> GrpcMetrics<S> {
        GrpcMetrics { inner }
    }
}

#[derive(Clone, Debug)]
pub struct GrpcMetrics<S> {
    inner: S,
}

impl<S, B, R> Service<http::Request<B>> for GrpcMetrics<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<S::Response, S::Error>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        // Only Portal's own methods get a series of their own: a caller
        // cannot create unbounded label values with made-up paths.
        let path = req.uri().path();
        let mut method = if path.starts_with("/portal.") && path.len() <= 100 {
            path.to_owned()
        } else if path.starts_with("/grpc.") {
            "grpc-infrastructure".to_owned()
        } else {
            "unknown".to_owned()
        };
        let started = std::time::Instant::now();
        let call = self.inner.call(req);
        Box::pin(async move {
            let result = call.await;
            // Errors come "trailers-only": their status is in the headers.
            let code = match &result {
                Ok(res) => res
                    .headers()
                    .get("grpc-status")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("0")
                    .to_owned(),
                Err(_) => "transport".to_owned(),
            };
            // UNIMPLEMENTED: a path that names no method of ours.
            if code == "12" {
                method = "unknown".to_owned();
            }
            metrics::counter!("portal_grpc_requests_total", "method" => method.clone(), "code" => code)
                .increment(1);
            metrics::histogram!("portal_grpc_request_duration_seconds", "method" => method)
                .record(started.elapsed().as_secs_f64());
            result
        })
    }
}

/// Whether this service's gRPC server on this machine answers SERVING (for
/// `healthcheck`), asked over TLS as the service itself.
pub async fn is_serving(port: u16, tls: &ServiceTls) -> bool {
    let Ok(channel) = tls.channel(&format!("https://127.0.0.1:{port}"), tls.me()) else {
        return false;
    };
    let mut client = tonic_health::pb::health_client::HealthClient::new(channel);
    let answer = client
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await;
    matches!(answer, Ok(r) if r.get_ref().status == tonic_health::pb::health_check_response::ServingStatus::Serving as i32)
}

/// Keeps health in step with the database and NATS, until shutdown.
pub fn spawn_readiness(
    reporter: HealthReporter,
    readiness: Readiness,
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
            readiness.set(ok);
            let idle = pool.num_idle() as f64;
            metrics::gauge!("portal_db_pool_connections", "state" => "idle").set(idle);
            metrics::gauge!("portal_db_pool_connections", "state" => "used")
                .set(f64::from(pool.size()) - idle);
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

/// Serves over mutual TLS until shutdown, finishing calls in flight.
pub async fn serve(
    router: PortalRouter,
    listener: TcpListener,
    tls: &ServiceTls,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    router
        .serve_with_incoming_shutdown(tls.incoming(listener), shutdown.cancelled_owned())
        .await?;
    Ok(())
}
