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

use futures::{StreamExt, TryStreamExt};

use crate::fixtures::{self, PNG, Tenant, s};

/// `n` requests of the tenant's contact titled `<prefix> 0001`, ... (no
/// title is part of another); their ids, in order.
pub(crate) async fn requests(
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

pub(crate) fn title(prefix: &str, i: usize) -> String {
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
pub(crate) async fn settled_counts(
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
    let waited = eventually(
        patience_secs,
        "a work order and a mail for every accept",
        || async {
            let (orders, mails) = count().await?;
            Ok((orders.iter().all(|n| *n >= 1) && mails.iter().all(|n| *n >= 1)).then_some(()))
        },
    )
    .await;
    if let Err(e) = waited {
        let (orders, mails) = count().await?;
        let db = stack.db("notification").await?;
        let deliveries: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT template, status, count(*) FROM deliveries GROUP BY template, status",
        )
        .fetch_all(&db)
        .await?;
        db.close().await;
        anyhow::bail!(
            "{e:#}: work orders per request {orders:?}, mails {mails:?}, deliveries {deliveries:?}"
        );
    }
    // Past the ack wait: a message whose ack was lost in a fault comes
    // back once more, and must change nothing.
    fixtures::drained_within(stack, "work-orders-request-accepted", 45).await?;
    fixtures::drained_within(stack, "notification-request-accepted", 45).await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    count().await
}

pub(crate) fn assert_once_each(orders: &[i64], mails: &[usize]) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_consumer_killed_between_its_commit_and_its_ack_applies_the_event_once()
-> anyhow::Result<()> {
    let mut stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "fault-kill").await?;
    let ids = requests(&stack, &t, "Killed consumer", 1).await?;
    // work-orders as a process of its own that stops right after its
    // consumer commits, before the ack leaves.
    stack.stop_work_orders().await?;
    let mut process = stack.work_orders_process(
        env!("CARGO_BIN_EXE_portal-test-service"),
        Some("consumer-committed-not-acked=pause"),
    )?;
    stack.wait_ready().await?;
    stack
        .api
        .post(
            &format!("/api/v1/requests/{}/accept", ids[0]),
            Some(&t.admin),
            &json!({}),
        )
        .await?
        .expect(200)?;
    let db = stack.db("work-orders").await?;
    eventually(30, "the work order committed", || async {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM work_orders WHERE request_id = $1::uuid")
                .bind(&ids[0])
                .fetch_one(&db)
                .await?;
        Ok((n == 1).then_some(()))
    })
    .await?;
    // Committed, not acknowledged: the broker still waits for the ack.
    let consumer = "work-orders-request-accepted";
    assert_eq!(fixtures::handed_to(&stack, consumer).await?, 1);
    assert_eq!(fixtures::ack_pending(&stack, consumer).await?, 1);

    let killed = Instant::now();
    process.start_kill()?;
    let status = process.wait().await?;
    assert!(!status.success(), "killed, not ended: {status}");
    // Back up as the deployment would bring it; the broker hands the
    // message over again once its ack wait has passed.
    stack.start_work_orders().await?;
    eventually(60, "the message handed over again", || async {
        Ok((fixtures::handed_to(&stack, consumer).await? >= 2).then_some(()))
    })
    .await?;
    let (orders, mails) = settled_counts(&stack, &t, "Killed consumer", &ids, 60).await?;
    eprintln!(
        "consumer killed between commit and ack: redelivered and absorbed {:?} after the kill \
         (the broker's ack wait is 30 s); work orders {}, mails {}",
        killed.elapsed(),
        orders.iter().sum::<i64>(),
        mails.iter().sum::<usize>()
    );
    assert_once_each(&orders, &mails);
    let inbox: i64 = sqlx::query_scalar("SELECT count(*) FROM inbox WHERE consumer = $1")
        .bind(consumer)
        .fetch_one(&db)
        .await?;
    assert_eq!(inbox, 1, "the redelivery was recognised, not applied");
    db.close().await;
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_mail_server_refusing_for_a_minute_loses_and_doubles_nothing() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "fault-smtp").await?;
    let sink = stack
        .smtp
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no sink"))?;
    let ids = requests(&stack, &t, "Busy mail server", 20).await?;
    // "451 try again later" to every mail for 60 s.
    sink.set_busy(true);
    let busy = Instant::now();
    for id in &ids {
        fixtures::accept(&stack, &t, id).await?;
    }
    let notification = stack.db("notification").await?;
    eventually(30, "every accepted mail tried and refused", || async {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM deliveries
             WHERE template = 'request_accepted' AND status = 'pending' AND attempts >= 1",
        )
        .fetch_one(&notification)
        .await?;
        Ok((n == 20).then_some(()))
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(60).saturating_sub(busy.elapsed())).await;
    // Nothing reached the contact meanwhile.
    assert!((0..ids.len()).all(|i| fixtures::accepted_mails(
        &stack,
        &t,
        &title("Busy mail server", i)
    ) == 0));
    let tries: i64 = sqlx::query_scalar(
        "SELECT sum(attempts) FROM deliveries WHERE template = 'request_accepted'",
    )
    .fetch_one(&notification)
    .await?;
    sink.set_busy(false);
    let open = Instant::now();
    let (orders, mails) = settled_counts(&stack, &t, "Busy mail server", &ids, 360).await?;
    eprintln!(
        "mail server refusing for 60 s: {tries} attempts refused; every mail out {:?} after it \
         answered again (exponential backoff from 200 ms); work orders {}, mails {}",
        open.elapsed(),
        orders.iter().sum::<i64>(),
        mails.iter().sum::<usize>()
    );
    assert_once_each(&orders, &mails);
    let failed: i64 = sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status <> 'sent'")
        .fetch_one(&notification)
        .await?;
    assert_eq!(failed, 0, "none given up, none left behind");
    notification.close().await;
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uploads_while_documents_is_down_are_refused_whole_and_work_once_it_is_back()
-> anyhow::Result<()> {
    let mut stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "fault-docs").await?;
    let ids = requests(&stack, &t, "Upload outage", 1).await?;
    let path = format!("/api/v1/requests/{}/attachments", ids[0]);
    // A client of its own, so that the stack can be stopped and started.
    let api = Api::new(stack.api.base.clone())?;
    let upload = |name: String| {
        let (api, path, token) = (&api, path.clone(), t.contact.clone());
        async move {
            api.upload(&path, &token, &name, "image/png", PNG.to_vec())
                .await
        }
    };
    for i in 0..3 {
        upload(format!("before-{i}.png")).await?.expect(201)?;
    }
    stack.stop_documents().await?;
    for i in 0..5 {
        let refused = upload(format!("during-{i}.png")).await?.problem(503)?;
        assert!(
            refused["type"]
                .as_str()
                .is_some_and(|t| t.ends_with(":unavailable")),
            "{refused}"
        );
    }
    // The request itself still answers while its files cannot.
    let shown = stack
        .api
        .get(&format!("/api/v1/requests/{}", ids[0]), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(shown["title"], title("Upload outage", 0));
    assert!(shown.get("attachments").is_none(), "{shown}");
    let back = Instant::now();
    stack.start_documents().await?;
    for i in 0..3 {
        upload(format!("after-{i}.png")).await?.expect(201)?;
    }
    let listed = stack.api.get(&path, &t.contact).await?.expect(200)?;
    let mut names: Vec<String> = listed
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| s(&f["name"]))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "after-0.png",
            "after-1.png",
            "after-2.png",
            "before-0.png",
            "before-1.png",
            "before-2.png"
        ]
    );
    // Nothing half-written: exactly one stored file per listed one.
    let documents = stack.db("documents").await?;
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM attachments")
        .fetch_one(&documents)
        .await?;
    assert_eq!(rows, 6);
    let blobs = count_files(&stack.data_dir.join("blobs"));
    assert_eq!(blobs, 6, "one blob per attachment");
    eprintln!(
        "documents down: 5 uploads refused with 503, none stored; uploads work {:?} after it is back",
        back.elapsed()
    );
    documents.close().await;
    stack.stop().await
}

/// Files under `dir`, at any depth.
fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() { count_files(&p) } else { 1 }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_held_by_a_lock_for_10_s_delays_but_loses_and_doubles_nothing()
-> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "fault-lock").await?;
    let ids = requests(&stack, &t, "Locked table", 10).await?;
    // Someone holds work-orders' table for 10 s (a migration, a long report).
    let db = stack.db("work-orders").await?;
    let mut holder = db.begin().await?;
    sqlx::query("LOCK TABLE work_orders IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *holder)
        .await?;
    let locked = Instant::now();
    // Accepting does not wait for work-orders: each answers at once.
    for id in &ids {
        stack
            .api
            .post(
                &format!("/api/v1/requests/{id}/accept"),
                Some(&t.admin),
                &json!({}),
            )
            .await?
            .expect(200)?;
    }
    tokio::time::sleep(Duration::from_secs(10).saturating_sub(locked.elapsed())).await;
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM inbox")
        .fetch_one(&db)
        .await?;
    assert_eq!(none, 0, "nothing applied while the table is held");
    holder.rollback().await?;
    let released = Instant::now();
    let (orders, mails) = settled_counts(&stack, &t, "Locked table", &ids, 60).await?;
    eprintln!(
        "work-orders' table locked 10 s: 10 accepts answered meanwhile; every effect {:?} after the \
         lock went; work orders {}, mails {}",
        released.elapsed(),
        orders.iter().sum::<i64>(),
        mails.iter().sum::<usize>()
    );
    assert_once_each(&orders, &mails);
    db.close().await;
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_1000_accepts_at_once_makes_1000_work_orders_and_1000_mails()
-> anyhow::Result<()> {
    const N: usize = 1000;
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "fault-burst").await?;
    // The requests, written straight through the API (32 at a time).
    let ids: Vec<String> = futures::stream::iter(0..N)
        .map(|i| {
            let (stack, t) = (&stack, &t);
            async move {
                let r = fixtures::submit_request(stack, t, &title("Burst", i)).await?;
                anyhow::Ok(s(&r["id"]))
            }
        })
        .buffered(32)
        .try_collect()
        .await?;
    // The inbox counts them exactly up to 1000 (it reads no further).
    let mut staff = crate::browser::Browser::new(&stack)?;
    staff
        .log_in(
            &t.slug,
            &format!("admin@{}.example", t.slug),
            "admin password 1",
        )
        .await?;
    let inbox = staff.get(&format!("/t/{}/staff/requests", t.slug)).await?;
    assert!(
        inbox.body.contains("data-status=\"submitted\">1000<"),
        "{}",
        inbox.body
    );
    fixtures::submit_request(&stack, &t, "Burst extra").await?;
    let inbox = staff.get(&format!("/t/{}/staff/requests", t.slug)).await?;
    assert!(
        inbox.body.contains("data-status=\"submitted\">1000+<"),
        "{}",
        inbox.body
    );
    let exact = stack
        .api
        .get("/api/v1/requests/counts", &t.admin)
        .await?
        .expect(200)?;
    assert_eq!(exact["counts"]["submitted"], 1001, "{exact}");
    // All accepts at once, on 100 connections (how fast they are answered
    // is the bench's business; here: all of them, each once).
    let started = Instant::now();
    let (api, admin) = (&stack.api, &t.admin);
    let answers: Vec<u16> = futures::stream::iter(ids.iter())
        .map(|id| async move {
            let a = api
                .post(
                    &format!("/api/v1/requests/{id}/accept"),
                    Some(admin),
                    &json!({}),
                )
                .await?;
            anyhow::Ok(a.status.as_u16())
        })
        .buffer_unordered(100)
        .try_collect()
        .await?;
    let accepted_in = started.elapsed();
    assert_eq!(
        answers.iter().filter(|s| **s == 200).count(),
        N,
        "every accept answered 200"
    );
    let (orders, mails) = settled_counts(&stack, &t, "Burst", &ids, 240).await?;
    eprintln!(
        "burst: {N} accepts answered in {accepted_in:?}; every work order and mail {:?} after the \
         first; work orders {}, mails {}",
        started.elapsed(),
        orders.iter().sum::<i64>(),
        mails.iter().sum::<usize>()
    );
    assert_once_each(&orders, &mails);
    stack.stop().await
}
