//! Liveness (the process answers) and readiness (every backend is SERVING).
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

use crate::state::AppState;

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.draining.get() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "ready": false, "draining": true })),
        );
    }
    let checks = state.backends.iter().map(|(name, channel)| {
        let mut client = HealthClient::new(channel.clone());
        async move {
            let call = client.check(HealthCheckRequest {
                service: String::new(),
            });
            let serving = matches!(
                tokio::time::timeout(std::time::Duration::from_secs(2), call).await,
                Ok(Ok(r)) if r.get_ref().status == 1
            );
            (*name, serving)
        }
    });
    let results = futures::future::join_all(checks).await;
    let ready = results.iter().all(|(_, ok)| *ok);
    let body: serde_json::Map<String, Value> = results
        .into_iter()
        .map(|(name, ok)| {
            (
                name.to_owned(),
                json!(if ok { "serving" } else { "not_serving" }),
            )
        })
        .collect();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(json!({ "ready": ready, "services": body })))
}
