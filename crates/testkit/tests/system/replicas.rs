//! #13: two replicas of every service, gateway included, on the same
//! databases and NATS. Each event's effect happens once, calls are spread
//! over both replicas of a backend, a replica going away takes nothing
//! with it, scheduled jobs take turns, and a page's live stream hears a
//! change made through the other gateway.
use std::collections::BTreeMap;
use std::time::Duration;

use portal_testkit::{Api, Stack, traces};
use serde_json::json;

use crate::browser::Browser;
use crate::faults::{assert_once_each, requests, settled_counts};
use crate::fixtures;
use crate::web_tickets::read_until;

/// How many calls of `method` each replica served, by its port, among the
/// spans finished so far.
fn served_by_port(method: &str, ports: &[u16]) -> BTreeMap<u16, usize> {
    let mut by_port: BTreeMap<u16, usize> = ports.iter().map(|p| (*p, 0)).collect();
    for span in traces::install().get_finished_spans().unwrap_or_default() {
        if span.name != "grpc.server"
            || traces::attribute(&span, "rpc.method").as_deref() != Some(method)
        {
            continue;
        }
        if let Some(port) = traces::attribute(&span, "server.port").and_then(|p| p.parse().ok())
            && let Some(n) = by_port.get_mut(&port)
        {
            *n += 1;
        }
    }
    by_port
}

/// The ports of a backend's replicas, from its URL list.
fn ports(urls: &str) -> Vec<u16> {
    urls.split(',')
        .filter_map(|u| u.rsplit(':').next()?.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_of_everything_apply_each_event_once_and_share_the_calls() -> anyhow::Result<()>
{
    let stack = Stack::start_replicated(2).await?;
    assert_eq!(stack.gateways.len(), 2);
    let t = fixtures::tenant(&stack, "replicas").await?;
    let ids = requests(&stack, &t, "Two replicas", 20).await?;
    // Accepts come in through either gateway, as a load balancer sends them.
    let second = Api::new(stack.gateways[1].clone())?;
    for (i, id) in ids.iter().enumerate() {
        let api = if i % 2 == 0 { &stack.api } else { &second };
        api.post(
            &format!("/api/v1/requests/{id}/accept"),
            Some(&t.admin),
            &json!({}),
        )
        .await?
        .expect(200)?;
    }
    let (orders, mails) = settled_counts(&stack, &t, "Two replicas", &ids, 60).await?;
    assert_once_each(&orders, &mails);

    // Both replicas of requests served the gateways' calls.
    let replicas = ports(&stack.urls.requests);
    assert_eq!(replicas.len(), 2);
    for _ in 0..20 {
        second
            .get("/api/v1/requests", &t.contact)
            .await?
            .expect(200)?;
    }
    let served = served_by_port(
        "/portal.requests.v1.RequestsService/ListRequests",
        &replicas,
    );
    assert!(
        served.values().all(|n| *n >= 5),
        "calls per replica: {served:?}"
    );
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_scheduled_job_runs_once_per_period_whichever_replica_asks() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let db = stack.db("requests").await?;
    let every = Duration::from_secs(2);
    // Twenty replicas ask at the same moment: one runs it.
    let ask = || portal_platform::jobs::claim_run(&db, "test-job", every);
    let first = futures::future::try_join_all((0..20).map(|_| ask())).await?;
    assert_eq!(first.iter().filter(|won| **won).count(), 1, "{first:?}");
    // Within the period nobody runs it again.
    let again = futures::future::try_join_all((0..20).map(|_| ask())).await?;
    assert_eq!(again.iter().filter(|won| **won).count(), 0);
    // The next period, once more exactly one.
    tokio::time::sleep(every + Duration::from_millis(200)).await;
    let next = futures::future::try_join_all((0..20).map(|_| ask())).await?;
    assert_eq!(next.iter().filter(|won| **won).count(), 1, "{next:?}");
    // The relay's pruning takes its turn the same way.
    let pruning: i64 =
        sqlx::query_scalar("SELECT count(*) FROM job_runs WHERE job = 'outbox-prune'")
            .fetch_one(&db)
            .await?;
    assert_eq!(pruning, 1);
    db.close().await;
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_page_on_one_gateway_hears_a_comment_made_through_the_other() -> anyhow::Result<()> {
    let stack = Stack::start_replicated(2).await?;
    let t = fixtures::tenant(&stack, "replicas-live").await?;
    let ids = requests(&stack, &t, "Live across", 1).await?;
    let id = &ids[0];
    // The contact's browser reached the second gateway.
    let mut contact = Browser::new(&stack)?;
    contact.base = stack.gateways[1].clone();
    contact
        .log_in(&t.slug, &t.contact_email, "contact password 1")
        .await?;
    let mut stream = contact
        .stream(&format!("/t/{}/requests/{id}/events", t.slug))
        .await?;
    assert_eq!(stream.status(), 200);
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "the ready event", |s| {
        s.contains("event: ready")
    })
    .await?;
    // Staff answer through the first gateway.
    stack
        .api
        .post(
            &format!("/api/v1/requests/{id}/comments"),
            Some(&t.admin),
            &json!({"body": "A technician comes on Tuesday."}),
        )
        .await?
        .expect(201)?;
    read_until(&mut stream, &mut seen, "the staff comment", |s| {
        s.contains("A technician comes on Tuesday.")
    })
    .await?;
    drop(stream);
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn calls_go_on_when_one_replica_of_a_backend_is_gone() -> anyhow::Result<()> {
    let mut stack = Stack::start_replicated(2).await?;
    let t = fixtures::tenant(&stack, "replicas-gone").await?;
    requests(&stack, &t, "One replica gone", 1).await?;
    let replicas = ports(&stack.urls.requests);
    // The second replica of requests stops answering (its pod died).
    stack.stop_replica("requests#2").await?;
    // Calls keep working: a call that finds the replica gone fails (it is
    // not retried: it may have had an effect), that replica is passed over,
    // and the next calls go to the one left.
    let mut answers = Vec::new();
    for _ in 0..20 {
        answers.push(
            stack
                .api
                .get("/api/v1/requests", &t.contact)
                .await?
                .status
                .as_u16(),
        );
    }
    let served = served_by_port(
        "/portal.requests.v1.RequestsService/ListRequests",
        &replicas,
    );
    eprintln!("one replica of two gone: answers {answers:?}; served per replica {served:?}");
    let failed = answers.iter().filter(|s| **s != 200).count();
    assert!(failed <= 1, "{answers:?}");
    assert!(
        answers.iter().all(|s| *s == 200 || *s == 503),
        "{answers:?}"
    );
    stack.stop().await
}
