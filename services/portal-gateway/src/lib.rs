//! portal-gateway: the HTTPS door. Translates the REST API to the services'
//! gRPC APIs; holds nothing durable.

pub mod audit_log;
pub mod config;
pub mod extract;
pub mod import_file;
pub mod live;
pub mod observe;
pub mod openapi;
pub mod parked_events;
pub mod problem;
pub mod routes;
pub mod state;
pub mod tls;
pub mod unread_body;
pub mod views;
pub mod web;

use std::time::Duration;

use axum::http::{HeaderValue, header};
use portal_platform::CancellationToken;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;

/// The whole HTTP application, without TLS (for tests and embedding).
pub fn app(state: state::AppState) -> axum::Router {
    // Pages refresh an expired access cookie before they run (web::session).
    let refresh = axum::middleware::from_fn_with_state(state.clone(), web::session::refresh);
    let policy = web::map::content_policy(&state.map);
    routes::router(state)
        .layer(refresh)
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Pages whose URL holds a token set `no-referrer` themselves.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // A document shown in the page's preview frame sets its own two.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // No inline script or style anywhere: the pages use /static files only.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            policy,
        ))
        // Outermost but tracing: runs after every other layer answered.
        .layer(axum::middleware::from_fn(unread_body::discard_unread))
        .layer(axum::middleware::from_fn(observe::record_metrics))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(observe::span)
                // 5xx answers are logged where they arise (with their cause);
                // a 503 from /readyz while starting is not an error.
                .on_failure(
                    tower_http::trace::DefaultOnFailure::new().level(tracing::Level::DEBUG),
                ),
        )
}

/// Serves HTTPS on `listener` until `shutdown`; then /readyz says no for
/// `drain_secs` before the listener closes and requests in flight finish.
pub async fn run(
    cfg: Config,
    listener: std::net::TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    portal_platform::config::refuse_retired_settings()?;
    let tls = tls::server_config(&cfg).await?;
    let state = state::AppState::new(&cfg)?;
    state.live.spawn(cfg.nats_url.clone(), shutdown.clone());
    let readiness = portal_platform::admin::Readiness::default();
    // The gateway's own readiness (every backend serving) is /readyz on its
    // HTTPS port; the admin port says it is up.
    readiness.set(true);
    portal_platform::admin::spawn(cfg.admin_addr, readiness.clone(), shutdown.clone());
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    let (draining, drain) = (state.draining.clone(), Duration::from_secs(cfg.drain_secs));
    let live = state.live.clone();
    tokio::spawn(async move {
        shutdown.cancelled().await;
        // Say "not ready" first, keep serving while load balancers notice,
        // then close the listener and let requests in flight finish.
        draining.set(true);
        readiness.set(false);
        tokio::time::sleep(drain).await;
        // Open event streams end, so that their connections can close.
        live.closing.cancel();
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    listener.set_nonblocking(true)?;
    tracing::info!(addr = %listener.local_addr()?, "gateway serving HTTPS");
    axum_server::from_tcp_rustls(listener, tls)?
        // Small answers go out at once, not after the client's delayed ACK.
        .map(|tls| tls.acceptor(axum_server::accept::NoDelayAcceptor::new()))
        .handle(handle)
        .serve(app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .await?;
    Ok(())
}

/// `portal-gateway healthcheck`: whether the HTTPS port accepts connections
/// (the container has no HTTP client; readiness proper is `/readyz`).
pub async fn healthcheck(port: u16) -> std::process::ExitCode {
    let connect = tokio::net::TcpStream::connect(("127.0.0.1", port));
    match tokio::time::timeout(Duration::from_secs(2), connect).await {
        Ok(Ok(_)) => std::process::ExitCode::SUCCESS,
        _ => std::process::ExitCode::FAILURE,
    }
}
