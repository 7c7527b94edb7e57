//! A redelivered `request.accepted` changes nothing.
use async_nats::HeaderMap;
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
    let client = async_nats::connect(stack.nats.url()).await?;
    let js = async_nats::jetstream::new(client);
    let mut headers = HeaderMap::new();
    for (k, v) in [
        ("ce-specversion", "1.0".to_owned()),
        ("ce-id", event_id.to_string()),
        ("ce-type", "portal.request.accepted.v1".to_owned()),
        ("ce-source", "/portal/requests".to_owned()),
        ("ce-time", chrono::Utc::now().to_rfc3339()),
        (
            "ce-tenant",
            subject.split('.').nth(1).unwrap_or_default().to_owned(),
        ),
        ("Nats-Msg-Id", uuid::Uuid::new_v4().to_string()),
    ] {
        headers.insert(k, v.as_str());
    }
    js.publish_with_headers(subject, headers, payload.into())
        .await?
        .await?;

    fixtures::drained(&stack, "work-orders-request-accepted").await?;
    fixtures::drained(&stack, "notification-request-accepted").await?;
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
    let mut headers = HeaderMap::new();
    for (k, v) in [
        ("ce-specversion", "1.0".to_owned()),
        ("ce-id", poison_id.to_string()),
        ("ce-type", "portal.request.accepted.v1".to_owned()),
        ("ce-source", "/somewhere/else".to_owned()),
        ("ce-time", chrono::Utc::now().to_rfc3339()),
        ("ce-tenant", tenant.clone()),
        ("Nats-Msg-Id", poison_id.to_string()),
    ] {
        headers.insert(k, v.as_str());
    }
    let client = async_nats::connect(stack.nats.url()).await?;
    let js = async_nats::jetstream::new(client);
    js.publish_with_headers(
        format!("portal.{tenant}.request.accepted"),
        headers,
        vec![0xff, 0xff, 0xff].into(),
    )
    .await?
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
