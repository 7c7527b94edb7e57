//! Liveness (the process answers) and readiness: this replica can serve
//! (not draining, identity answering: no token is checked without its keys)
//! even while another backend is down, whose pages then answer 503; with
//! `?all=true`, whether every backend is SERVING (start-up waits).
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use portal_platform::callers::Service;
use serde::Deserialize;
use serde_json::{Value, json};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

use crate::state::AppState;

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

#[derive(Deserialize)]
pub struct Ready {
    /// Every backend, not only what this replica needs to serve.
    #[serde(default)]
    all: bool,
}

/// What the gateway cannot serve anything without (no token is checked
/// without identity's keys).
const ESSENTIAL: Service = Service::Identity;

/// Whether the gateway is ready, from each backend's state. Pure.
pub fn ready(serving: &[(Service, bool)], all: bool) -> bool {
    serving
        .iter()
        .filter(|(name, _)| all || *name == ESSENTIAL)
        .all(|(_, ok)| *ok)
}

pub async fn readyz(
    State(state): State<AppState>,
    Query(query): Query<Ready>,
) -> (StatusCode, Json<Value>) {
    if state.draining.get() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "ready": false, "draining": true })),
        );
    }
    let checks = state.backends.iter().map(|(service, channel)| {
        let mut client = HealthClient::new(channel.clone());
        async move {
            let call = client.check(HealthCheckRequest {
                service: String::new(),
            });
            let serving = matches!(
                tokio::time::timeout(std::time::Duration::from_secs(2), call).await,
                Ok(Ok(r)) if r.get_ref().status == 1
            );
            (*service, serving)
        }
    });
    let results = futures::future::join_all(checks).await;
    let is_ready = ready(&results, query.all);
    let degraded: Vec<&str> = results
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(service, _)| service.name())
        .collect();
    let body: serde_json::Map<String, Value> = results
        .into_iter()
        .map(|(service, ok)| {
            (
                service.name().to_owned(),
                json!(if ok { "serving" } else { "not_serving" }),
            )
        })
        .collect();
    let status = if is_ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({ "ready": is_ready, "services": body, "degraded": degraded })),
    )
}

#[cfg(test)]
mod tests {
    use super::{Service, ready};

    #[test]
    fn one_backend_down_leaves_the_replica_ready_but_not_all() {
        let documents_down = [
            (Service::Identity, true),
            (Service::Requests, true),
            (Service::Documents, false),
        ];
        assert!(ready(&documents_down, false));
        assert!(!ready(&documents_down, true));
        let identity_down = [(Service::Identity, false), (Service::Requests, true)];
        assert!(!ready(&identity_down, false));
        assert!(ready(
            &[(Service::Identity, true), (Service::Requests, true)],
            true
        ));
    }
}
