//! #13: any part fails at any moment, and every accepted request still
//! becomes exactly one work order and one mail, none lost, none doubled.
//! Each test counts the effects and prints how long the system took to
//! recover (`--nocapture` shows it).
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use portal_testkit::postgres::PostgresServer;
use portal_testkit::{Api, Stack, eventually};
use serde_json::json;

use crate::fixtures::{self, Tenant, s};

/// `n` requests of the tenant's contact titled `<prefix> 0001`, ... (no
/// title is part of another); their ids, in order.
async fn requests(
    stack: &Stack,
    t: &Tenant,
    prefix: &str,
    n: usize,
) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let r = fixtures::submit_request(stack, t, &title(prefix, i)).await?;
        ids.push(s(&r["id"]));
    }
    Ok(ids)
}

fn title(prefix: &str, i: usize) -> String {
    format!("{prefix} {i:04}")
}

/// Accepts request `id` as a client would through an outage: tries again
/// on any 5xx until an answer says it is accepted (200, or 409 because an
/// earlier try did commit). Returns how many tries it took.
async fn accept_until_done(api: &Api, admin: &str, id: &str) -> anyhow::Result<u32> {
    let path = format!("/api/v1/requests/{id}/accept");
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut tries = 0;
    loop {
        tries += 1;
        match api.post(&path, Some(admin), &json!({})).await {
            Ok(a) if a.status.as_u16() == 200 => return Ok(tries),
            Ok(a) if a.status.as_u16() == 409 => return Ok(tries),
            Ok(a) if a.status.is_server_error() => {
                // A clear answer while a part is down: "unavailable, try
                // again", never an internal error.
                anyhow::ensure!(
                    a.status.as_u16() == 503
                        && a.content_type.starts_with("application/problem+json"),
                    "{} {}",
                    a.status,
                    a.body
                );
            }
            Ok(a) => anyhow::bail!("accept {id}: {} {}", a.status, a.body),
            // The connection itself failed: try again too.
            Err(_) => {}
        }
        anyhow::ensure!(Instant::now() < deadline, "accept {id} never went through");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Accepts every request as `t`'s admin, one after the other, `gap` apart,
/// on a client of its own; `done` counts the accepts that went through.
fn stream_of_accepts(
    stack: &Stack,
    t: &Tenant,
    ids: Vec<String>,
    gap: Duration,
    done: Arc<AtomicUsize>,
) -> anyhow::Result<tokio::task::JoinHandle<anyhow::Result<u32>>> {
    let api = Api::new(stack.api.base.clone())?;
    let admin = t.admin.clone();
    Ok(tokio::spawn(async move {
        let mut retries = 0;
        for id in &ids {
            retries += accept_until_done(&api, &admin, id).await? - 1;
            done.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(gap).await;
        }
        Ok(retries)
    }))
}

/// Work orders per request and accepted mails per title, once everything
/// has settled: every work order there, every mail received, the consumers
/// drained, and a pause for anything late (a double would show then).
async fn settled_counts(
    stack: &Stack,
    t: &Tenant,
    prefix: &str,
    ids: &[String],
    patience_secs: u64,
) -> anyhow::Result<(Vec<i64>, Vec<usize>)> {
    let count = || async {
        let db = stack.db("work-orders").await?;
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT request_id::text, count(*) FROM work_orders
             WHERE request_id = ANY($1::uuid[]) GROUP BY request_id",
        )
        .bind(ids)
        .fetch_all(&db)
        .await?;
        db.close().await;
        let orders: Vec<i64> = ids
            .iter()
            .map(|id| rows.iter().find(|(r, _)| r == id).map_or(0, |(_, n)| *n))
            .collect();
        let mails: Vec<usize> = (0..ids.len())
            .map(|i| fixtures::accepted_mails(stack, t, &title(prefix, i)))
            .collect();
        anyhow::Ok((orders, mails))
    };
    eventually(
        patience_secs,
        "a work order and a mail for every accept",
        || async {
            let (orders, mails) = count().await?;
            Ok((orders.iter().all(|n| *n >= 1) && mails.iter().all(|n| *n >= 1)).then_some(()))
        },
    )
    .await?;
    fixtures::drained(stack, "work-orders-request-accepted").await?;
    fixtures::drained(stack, "notification-request-accepted").await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    count().await
}

fn assert_once_each(orders: &[i64], mails: &[usize]) {
    let n = orders.len();
    assert_eq!(
        orders,
        vec![1; n].as_slice(),
        "work orders per accepted request"
    );
    assert_eq!(mails, vec![1; n].as_slice(), "accepted mails per request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarted_in_the_middle_of_a_stream_of_accepts() -> anyhow::Result<()> {
    // A server of this test's own: the others' keep running.
    let pg = PostgresServer::start().await?;
    let stack = Stack::start_on_database(pg.admin_url()).await?;
    let t = fixtures::tenant(&stack, "fault-pg").await?;
    let ids = requests(&stack, &t, "PG restart", 30).await?;

    let done = Arc::new(AtomicUsize::new(0));
    let stream = stream_of_accepts(
        &stack,
        &t,
        ids.clone(),
        Duration::from_millis(50),
        done.clone(),
    )?;
    eventually(30, "a third of the accepts", || async {
        Ok((done.load(Ordering::SeqCst) >= 10).then_some(()))
    })
    .await?;
    // As a crash would: every connection cut, no checkpoint.
    let before = done.load(Ordering::SeqCst);
    let restarted = Instant::now();
    pg.restart().await?;
    let back_up = restarted.elapsed();
    eventually(60, "an accept after the restart", || async {
        Ok((done.load(Ordering::SeqCst) > before).then_some(()))
    })
    .await?;
    let first_accept = restarted.elapsed();
    let retries = stream.await??;
    let (orders, mails) = settled_counts(&stack, &t, "PG restart", &ids, 90).await?;
    let settled = restarted.elapsed();
    eprintln!(
        "postgres restart: {} accepts ({retries} tries refused meanwhile); server back in {back_up:?}, \
         next accept {first_accept:?}, every effect {settled:?} after the crash; \
         work orders {}, mails {}",
        ids.len(),
        orders.iter().sum::<i64>(),
        mails.iter().sum::<usize>()
    );
    assert_once_each(&orders, &mails);
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nats_restarted_in_the_middle_of_a_stream_of_accepts() -> anyhow::Result<()> {
    let mut stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "fault-nats").await?;
    let ids = requests(&stack, &t, "NATS restart", 30).await?;
    let done = Arc::new(AtomicUsize::new(0));
    let stream = stream_of_accepts(
        &stack,
        &t,
        ids.clone(),
        Duration::from_millis(50),
        done.clone(),
    )?;
    eventually(30, "a third of the accepts", || async {
        Ok((done.load(Ordering::SeqCst) >= 10).then_some(()))
    })
    .await?;
    let stopped = Instant::now();
    stack.nats.stop().await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    stack.nats.resume().await?;
    let retries = stream.await??;
    let (orders, mails) = settled_counts(&stack, &t, "NATS restart", &ids, 90).await?;
    eprintln!(
        "nats restart (down 2 s): {} accepts ({retries} tries refused meanwhile); every effect {:?} after the stop; \
         work orders {}, mails {}",
        ids.len(),
        stopped.elapsed(),
        orders.iter().sum::<i64>(),
        mails.iter().sum::<usize>()
    );
    assert_once_each(&orders, &mails);
    stack.stop().await
}
