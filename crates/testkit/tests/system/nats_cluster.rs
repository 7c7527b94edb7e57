//! The event log on a three-node NATS cluster (#14, ADR 0024): the stream
//! keeps three copies, and losing the node that leads it in the middle of
//! a stream of accepts loses and doubles nothing; once the node is back the
//! stream has its three copies again.
use std::time::Instant;

use async_nats::jetstream;
use async_nats::jetstream::stream::ClusterInfo;
use portal_platform::nats::StreamSettings;
use portal_testkit::nats::NatsServer;
use portal_testkit::stack::{MailSetup, STREAM_SETTINGS};
use portal_testkit::{Stack, eventually};

use crate::fixtures;

const ACCEPTS: usize = 30;

async fn cluster_info(js: &jetstream::Context) -> anyhow::Result<Option<ClusterInfo>> {
    let mut stream = js.get_stream("PORTAL").await?;
    Ok(stream.info().await?.cluster.clone())
}

/// Whether the stream has a leader and `peers` followers, all current.
fn whole(cluster: &ClusterInfo, peers: usize) -> bool {
    cluster.leader.is_some()
        && cluster.replicas.len() == peers
        && cluster.replicas.iter().all(|r| r.current && !r.offline)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn losing_the_stream_leader_mid_stream_loses_and_doubles_nothing() -> anyhow::Result<()> {
    let nats = NatsServer::start_cluster(3).await?;
    let events = StreamSettings {
        replicas: 3,
        ..STREAM_SETTINGS
    };
    let mut stack = Stack::start_on(MailSetup::Sink, nats, &events).await?;
    let js = jetstream::new(portal_platform::nats::connect(&stack.nats.url(), "test").await?);
    let cluster = eventually(30, "three current copies of the stream", || {
        let js = js.clone();
        async move { Ok(cluster_info(&js).await?.filter(|c| whole(c, 2))) }
    })
    .await?;
    let leader = cluster.leader.clone().unwrap_or_default();

    let t = fixtures::tenant(&stack, "cluster").await?;
    let mut requests = Vec::new();
    for i in 0..ACCEPTS {
        let title = format!("Contrôle {i:02}");
        let r = fixtures::submit_request(&stack, &t, &title).await?;
        requests.push((r["id"].as_str().unwrap_or_default().to_owned(), title));
    }
    let accept = |id: &str| {
        let (api, admin, id) = (&stack.api, &t.admin, id.to_owned());
        async move {
            api.post(
                &format!("/api/v1/requests/{id}/accept"),
                Some(admin),
                &serde_json::json!({}),
            )
            .await?
            .expect(200)
        }
    };

    // A third of the accepts, then the leader goes, in the middle of them.
    for (id, _) in &requests[..ACCEPTS / 3] {
        accept(id).await?;
    }
    let lost = stack
        .nats
        .node(&leader)
        .ok_or_else(|| anyhow::anyhow!("no node {leader}"))?;
    stack.nats.stop_node(lost).await?;
    let stopped = Instant::now();
    for (id, _) in &requests[ACCEPTS / 3..2 * ACCEPTS / 3] {
        accept(id).await?;
    }
    // Elections are quick alone; a loaded CI machine running every
    // system test at once has taken over 30 s to show the new leader.
    let new_leader = eventually(90, "a new leader", || {
        let js = js.clone();
        let leader = leader.clone();
        async move {
            Ok(cluster_info(&js)
                .await
                .ok()
                .flatten()
                .and_then(|c| c.leader)
                .filter(|l| *l != leader))
        }
    })
    .await?;
    let elected = stopped.elapsed();
    // Everything accepted while a node was away is carried out.
    let (id, _) = &requests[2 * ACCEPTS / 3 - 1];
    eventually(
        60,
        "the work order of the last accept during the loss",
        || async {
            Ok(Some(fixtures::work_orders_of(&stack, &t, id).await?).filter(|w| !w.is_empty()))
        },
    )
    .await?;
    let flowing = stopped.elapsed();

    // The node comes back; the rest of the accepts.
    stack.nats.resume_node(lost).await?;
    let resumed = Instant::now();
    for (id, _) in &requests[2 * ACCEPTS / 3..] {
        accept(id).await?;
    }

    // Each accept: exactly one work order and one mail to the contact.
    for (id, title) in &requests {
        eventually(60, "the work order", || async {
            Ok(Some(fixtures::work_orders_of(&stack, &t, id).await?).filter(|w| !w.is_empty()))
        })
        .await?;
        eventually(60, "the acceptance mail", || async {
            Ok((fixtures::accepted_mails(&stack, &t, title) >= 1).then_some(()))
        })
        .await?;
    }
    // Late duplicates would come now, if any: wait for the consumers to be done.
    fixtures::drained(&stack, "work-orders-request-accepted").await?;
    let mut orders = 0;
    for (id, title) in &requests {
        let found = fixtures::work_orders_of(&stack, &t, id).await?;
        assert_eq!(found.len(), 1, "work orders of {title}: {found:?}");
        orders += found.len();
        assert_eq!(
            fixtures::accepted_mails(&stack, &t, title),
            1,
            "mails for {title}"
        );
    }

    // Three current copies again, the lost node among them.
    let healed = eventually(60, "three current copies again", || {
        let js = js.clone();
        async move { Ok(cluster_info(&js).await?.filter(|c| whole(c, 2))) }
    })
    .await?;
    let names: Vec<_> = healed
        .replicas
        .iter()
        .map(|r| r.name.clone())
        .chain(healed.leader.clone())
        .collect();
    assert!(names.contains(&leader), "{leader} is back among {names:?}");
    println!(
        "cluster: {ACCEPTS} accepts, {orders} work orders, {ACCEPTS} mails; leader {leader} lost, \
         {new_leader} elected after {:.1} s, work flowing again after {:.1} s, \
         R3 whole again when checked {:.1} s after the node came back",
        elected.as_secs_f64(),
        flowing.as_secs_f64(),
        resumed.elapsed().as_secs_f64()
    );
    stack.stop().await
}
