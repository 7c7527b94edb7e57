//! A redelivered `request.accepted` changes nothing; a message that cannot
//! be handled, or an event NATS refuses, is set aside and the rest flows.
use portal_testkit::{Stack, eventually};
use sqlx::Row;

use crate::fixtures::{self, s};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_accepted_event_twice_makes_one_work_order_and_one_mail() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "redeliver").await?;
    let request = fixtures::submit_request(&stack, &t, "Leaking tap").await?;
    let id = s(&request["id"]);
    stack
        .api
        .post(
            &format!("/api/v1/requests/{id}/accept"),
            Some(&t.admin),
            &serde_json::json!({}),
        )
        .await?
        .expect(200)?;
    eventually(20, "the work order", || async {
        Ok((fixtures::work_orders_of(&stack, &t, &id).await?.len() == 1).then_some(()))
    })
    .await?;
    eventually(20, "the accepted mail", || async {
        Ok((fixtures::accepted_mails(&stack, &t, "Leaking tap") == 1).then_some(()))
    })
    .await?;

    // Publish the very same event again, as JetStream would redeliver it
    // (a new Nats-Msg-Id, so the broker's de-duplication does not hide it).
    let requests_db = stack.db("requests").await?;
    let row = sqlx::query(
        "SELECT id, subject, payload FROM outbox WHERE ce_type = 'portal.request.accepted.v1'",
    )
    .fetch_one(&requests_db)
    .await?;
    let event_id: uuid::Uuid = row.try_get("id")?;
    let subject: String = row.try_get("subject")?;
    let payload: Vec<u8> = row.try_get("payload")?;
    let tenant = subject.split('.').nth(1).unwrap_or_default().to_owned();
    // A new Nats-Msg-Id, so that the broker's de-duplication does not hide it.
    fixtures::publish_accepted(&stack, &tenant, event_id, uuid::Uuid::new_v4(), payload).await?;

    fixtures::drained(&stack, "work-orders-request-accepted").await?;
    fixtures::drained(&stack, "notification-request-accepted").await?;
    // Both consumers really were handed the event twice.
    assert_eq!(
        fixtures::handed_to(&stack, "work-orders-request-accepted").await?,
        2
    );
    assert_eq!(
        fixtures::handed_to(&stack, "notification-request-accepted").await?,
        2
    );
    let work_orders_db = stack.db("work-orders").await?;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM work_orders")
        .fetch_one(&work_orders_db)
        .await?;
    assert_eq!(count, 1, "one work order");
    assert_eq!(fixtures::work_orders_of(&stack, &t, &id).await?.len(), 1);
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM inbox WHERE event_id = $1")
        .bind(event_id)
        .fetch_one(&work_orders_db)
        .await?;
    assert_eq!(seen, 1, "the event is in the inbox once");
    // Give a wrongly sent duplicate mail the time to arrive before counting.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        fixtures::accepted_mails(&stack, &t, "Leaking tap"),
        1,
        "one mail"
    );
    requests_db.close().await;
    work_orders_db.close().await;
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_poison_message_is_parked_where_it_can_be_listed_and_the_rest_flows() -> anyhow::Result<()>
{
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "poison").await?;
    let request = fixtures::submit_request(&stack, &t, "After the poison").await?;
    let id = s(&request["id"]);

    // Something publishes an undecodable body on the accepted subject.
    let requests_db = stack.db("requests").await?;
    let subject: String = sqlx::query_scalar(
        "SELECT subject FROM outbox WHERE ce_type = 'portal.request.submitted.v1'",
    )
    .fetch_one(&requests_db)
    .await?;
    let tenant = subject.split('.').nth(1).unwrap_or_default().to_owned();
    let poison_id = uuid::Uuid::now_v7();
    fixtures::publish_accepted(
        &stack,
        &tenant,
        poison_id,
        poison_id,
        vec![0xff, 0xff, 0xff],
    )
    .await?;
    fixtures::drained(&stack, "work-orders-request-accepted").await?;

    let work_orders_db = stack.db("work-orders").await?;
    let parked: Vec<(String, String)> =
        sqlx::query_as("SELECT consumer, event_id FROM parked_events")
            .fetch_all(&work_orders_db)
            .await?;
    assert_eq!(
        parked,
        vec![(
            "work-orders-request-accepted".to_owned(),
            poison_id.to_string()
        )]
    );
    // The tenant's admin sees it, once per consumer that gave up on it
    // (work-orders and notification both read accepted requests), named by
    // service, consumer and type.
    fixtures::drained(&stack, "notification-request-accepted").await?;
    let listed = stack
        .api
        .get("/api/v1/parked-events", &t.admin)
        .await?
        .expect(200)?;
    let mut seen: Vec<(String, String)> = listed["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            assert_eq!(p["event_type"], "portal.request.accepted.v1", "{p}");
            assert_eq!(p["event_id"], poison_id.to_string(), "{p}");
            (s(&p["service"]), s(&p["stage"]))
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("notification", "notification-request-accepted"),
            ("work-orders", "work-orders-request-accepted")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(listed["unreachable"], serde_json::json!([]));

    // The consumer goes on with the next, good event.
    stack
        .api
        .post(
            &format!("/api/v1/requests/{id}/accept"),
            Some(&t.admin),
            &serde_json::json!({}),
        )
        .await?
        .expect(200)?;
    eventually(20, "the work order after the poison", || async {
        Ok((fixtures::work_orders_of(&stack, &t, &id).await?.len() == 1).then_some(()))
    })
    .await?;
    requests_db.close().await;
    work_orders_db.close().await;
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn old_published_events_and_inbox_rows_are_pruned() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "prune").await?;
    fixtures::submit_request(&stack, &t, "Pruned later").await?;
    let db = stack.db("requests").await?;
    eventually(20, "the submitted event to be published", || async {
        let unsent: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&db)
            .await?;
        Ok((unsent == 0).then_some(()))
    })
    .await?;
    // Age the published row, and remember one old and one recent event.
    sqlx::query("UPDATE outbox SET sent_at = now() - interval '8 days'")
        .execute(&db)
        .await?;
    for age in ["31 days", "1 day"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO inbox (consumer, event_id, processed_at) VALUES ('test', gen_random_uuid(), now() - interval '{age}')"
        )))
        .execute(&db)
        .await?;
    }
    let week = std::time::Duration::from_secs(7 * 24 * 3600);
    let month = std::time::Duration::from_secs(30 * 24 * 3600);
    let (sent, seen) = portal_platform::outbox::prune(&db, week, month).await?;
    assert_eq!((sent, seen), (1, 1));
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM inbox WHERE consumer = 'test'")
        .fetch_one(&db)
        .await?;
    assert_eq!(left, 1, "the recent inbox row stays");
    db.close().await;
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_event_nats_refuses_is_set_aside_and_the_rest_flows() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "oversize").await?;
    let other = fixtures::tenant(&stack, "oversize-other").await?;
    let request = fixtures::submit_request(&stack, &t, "Porte coupe-feu").await?;
    // An event of this tenant larger than the server's largest message
    // (1 MiB by default), first in line in requests' outbox.
    let requests_db = stack.db("requests").await?;
    let tenant: uuid::Uuid =
        sqlx::query_scalar("SELECT tenant_id FROM requests WHERE id = $1::uuid")
            .bind(s(&request["id"]))
            .fetch_one(&requests_db)
            .await?;
    let stuck = uuid::Uuid::now_v7();
    sqlx::query(
        "INSERT INTO outbox (id, tenant_id, subject, ce_type, source, payload, created_at)
         VALUES ($1, $2, $3, 'portal.request.noted.v1', 'requests', $4, now() - interval '1 minute')",
    )
    .bind(stuck)
    .bind(tenant)
    .bind(format!("portal.{tenant}.request.noted"))
    .bind(vec![b'x'; 2 << 20])
    .execute(&requests_db)
    .await?;

    // What comes after it still goes: an accept becomes its work order.
    fixtures::accept(&stack, &t, &s(&request["id"])).await?;

    let row = sqlx::query(
        "SELECT sent_at IS NULL AS unsent, parked_at IS NOT NULL AS parked, attempts, last_error
         FROM outbox WHERE id = $1",
    )
    .bind(stuck)
    .fetch_one(&requests_db)
    .await?;
    assert!(row.try_get::<bool, _>("unsent")?);
    assert!(row.try_get::<bool, _>("parked")?, "set aside");
    assert_eq!(row.try_get::<i32, _>("attempts")?, 3);
    let error: String = row.try_get("last_error")?;
    assert!(error.to_lowercase().contains("payload"), "{error}");
    // Set aside stays set aside: no more tries.
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    let attempts: i32 = sqlx::query_scalar("SELECT attempts FROM outbox WHERE id = $1")
        .bind(stuck)
        .fetch_one(&requests_db)
        .await?;
    assert_eq!(attempts, 3);

    // The tenant's admins see it; a dispatcher may not; another tenant's
    // admin sees nothing of it.
    let listed = stack
        .api
        .get("/api/v1/parked-events", &t.admin)
        .await?
        .expect(200)?;
    let items = listed["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!(items[0]["service"], "requests");
    assert_eq!(items[0]["stage"], "outbox");
    assert_eq!(items[0]["event_type"], "portal.request.noted.v1");
    assert_eq!(items[0]["event_id"], stuck.to_string());
    assert_eq!(items[0]["attempts"], 3);
    let (_, dispatcher) = fixtures::staff(&stack, &t, "Dana Disp", "dispatcher").await?;
    stack
        .api
        .get("/api/v1/parked-events", &dispatcher)
        .await?
        .problem(403)?;
    let theirs = stack
        .api
        .get("/api/v1/parked-events", &other.admin)
        .await?
        .expect(200)?;
    assert_eq!(theirs["items"], serde_json::json!([]));
    stack
        .api
        .get("/api/v1/parked-events", &t.contact)
        .await?
        .problem(403)?;
    requests_db.close().await;
    stack.stop().await
}
