//! One trace follows the golden path across every hop, and every service
//! exposes its metrics.
use portal_testkit::{Stack, eventually, traces};

use crate::fixtures::{self, s};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_accept_is_one_trace_from_the_gateway_to_the_mail() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "traced").await?;
    let request = fixtures::submit_request(&stack, &t, "Traced oven").await?;
    let id = s(&request["id"]);

    // The caller starts the trace, as a browser or an API client with tracing would.
    let trace_id = uuid::Uuid::new_v4().simple().to_string();
    let traceparent = format!(
        "00-{trace_id}-{}-01",
        &uuid::Uuid::new_v4().simple().to_string()[..16]
    );
    let accepted = stack
        .api
        .http
        .post(format!("{}/api/v1/requests/{id}/accept", stack.api.base))
        .bearer_auth(&t.admin)
        .header("traceparent", &traceparent)
        .send()
        .await?;
    assert_eq!(accepted.status(), 200);

    let hops = [
        "http.server",
        "grpc.server portal.requests.v1.RequestsService/AcceptRequest",
        "consume work-orders-request-accepted",
        "consume requests-work-order-created",
        "consume notification-request-accepted",
        // notification reads the contact from identity's directory.
        "grpc.server portal.identity.v1.IdentityService/GetContact",
        "mail.send",
    ];
    let seen = eventually(30, "every hop in the trace", || async {
        let seen: Vec<String> = traces::of_trace(&trace_id)
            .iter()
            .map(|span| {
                let detail = traces::attribute(span, "rpc.method")
                    .map(|m| m.trim_start_matches('/').to_owned())
                    .or_else(|| traces::attribute(span, "messaging.consumer"));
                match detail {
                    Some(d) => format!("{} {d}", span.name),
                    None => span.name.to_string(),
                }
            })
            .collect();
        Ok(hops
            .iter()
            .all(|h| seen.iter().any(|s| s == h))
            .then_some(seen))
    })
    .await
    .map_err(|e| {
        anyhow::anyhow!(
            "{e}; spans of the trace: {:?}",
            traces::of_trace(&trace_id)
                .iter()
                .map(|s| s.name.to_string())
                .collect::<Vec<_>>()
        )
    })?;
    assert!(seen.len() >= hops.len());

    // The admin port of a service serves the shared metrics.
    let metrics = reqwest::get(format!("http://{}/metrics", stack.admin[1]))
        .await?
        .text()
        .await?;
    for name in [
        "portal_grpc_requests_total",
        "portal_grpc_request_duration_seconds",
        "portal_http_requests_total",
        "portal_outbox_backlog",
        "portal_outbox_oldest_age_seconds",
        "portal_consumer_pending",
        "portal_mails_total",
        "portal_db_pool_connections",
        "portal_sql_statements_total",
    ] {
        assert!(metrics.contains(name), "{name} missing from /metrics");
    }
    let ready = reqwest::get(format!("http://{}/readyz", stack.admin[1])).await?;
    assert_eq!(ready.status(), 200);
    stack.stop().await
}
