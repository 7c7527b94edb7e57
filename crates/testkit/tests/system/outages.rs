//! Nothing is lost or doubled while NATS or the mail server is away, and a
//! backend away takes only its own pages down.
use portal_testkit::stack::MailSetup;
use portal_testkit::{SmtpSink, Stack, eventually, free_port};
use sqlx::Row;

use crate::fixtures::{self, s};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_accept_while_nats_is_away_takes_effect_once_it_is_back() -> anyhow::Result<()> {
    let mut stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "natsaway").await?;
    let request = fixtures::submit_request(&stack, &t, "Broken door").await?;
    let id = s(&request["id"]);

    stack.nats.stop().await?;
    let accepted = stack
        .api
        .post(
            &format!("/api/v1/requests/{id}/accept"),
            Some(&t.admin),
            &serde_json::json!({}),
        )
        .await?;
    assert_eq!(accepted.expect(200)?["status"], "accepted");
    // The event waits in the outbox.
    let requests_db = stack.db("requests").await?;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let unsent: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND ce_type = 'portal.request.accepted.v1'")
        .fetch_one(&requests_db)
        .await?;
    assert_eq!(unsent, 1);
    assert!(fixtures::work_orders_of(&stack, &t, &id).await?.is_empty());

    stack.nats.resume().await?;
    eventually(40, "the work order after NATS came back", || async {
        Ok((!fixtures::work_orders_of(&stack, &t, &id).await?.is_empty()).then_some(()))
    })
    .await?;
    eventually(40, "the accepted mail", || async {
        Ok((fixtures::accepted_mails(&stack, &t, "Broken door") >= 1).then_some(()))
    })
    .await?;
    fixtures::drained(&stack, "work-orders-request-accepted").await?;
    fixtures::drained(&stack, "notification-request-accepted").await?;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(fixtures::work_orders_of(&stack, &t, &id).await?.len(), 1);
    assert_eq!(fixtures::accepted_mails(&stack, &t, "Broken door"), 1);
    requests_db.close().await;
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mail_is_retried_until_the_mail_server_answers() -> anyhow::Result<()> {
    let port = free_port()?;
    let mut stack = Stack::start_with(MailSetup::Unreachable(port)).await?;
    let mut t = fixtures::invited_tenant(&stack, "smtpaway").await?;

    // The invitation is queued and fails while nothing listens.
    let notification_db = stack.db("notification").await?;
    eventually(20, "a failed delivery attempt", || async {
        let row = sqlx::query("SELECT attempts, status FROM deliveries WHERE recipient = $1")
            .bind(&t.contact_email)
            .fetch_optional(&notification_db)
            .await?;
        Ok(match row {
            Some(r)
                if r.try_get::<i32, _>("attempts")? >= 1
                    && r.try_get::<String, _>("status")? == "pending" =>
            {
                Some(())
            }
            _ => None,
        })
    })
    .await?;

    stack.smtp = Some(SmtpSink::start_on(port)?);
    fixtures::accept_invitation(&stack, &mut t).await?;
    let status: String = sqlx::query_scalar("SELECT status FROM deliveries WHERE recipient = $1")
        .bind(&t.contact_email)
        .fetch_one(&notification_db)
        .await?;
    assert_eq!(status, "sent");
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let sink = stack.smtp.as_ref().ok_or_else(|| anyhow::anyhow!("sink"))?;
    assert_eq!(sink.to(&t.contact_email).len(), 1, "delivered once");
    notification_db.close().await;
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backend_down_leaves_the_gateway_in_rotation_and_the_rest_working() -> anyhow::Result<()>
{
    let mut stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "degraded").await?;
    let (base, http) = (stack.api.base.clone(), stack.api.http.clone());
    let readyz = |all: bool| {
        let url = format!("{base}/readyz{}", if all { "?all=true" } else { "" });
        let http = http.clone();
        async move {
            let r = http.get(url).send().await?;
            let status = r.status().as_u16();
            anyhow::Ok((status, r.json::<serde_json::Value>().await?))
        }
    };

    stack.stop_documents().await?;
    // The replica still serves: a load balancer keeps it.
    let (status, body) = readyz(false).await?;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["degraded"], serde_json::json!(["documents"]), "{body}");
    assert_eq!(body["services"]["documents"], "not_serving", "{body}");
    // ... but not everything is up.
    assert_eq!(readyz(true).await?.0, 503);
    // Requests work; documents' pages say so, as a problem.
    let list = stack
        .api
        .get("/api/v1/requests", &t.contact)
        .await?
        .expect(200)?;
    assert!(list["items"].is_array(), "{list}");
    let refused = stack.api.get("/api/v1/documents", &t.contact).await?;
    assert_eq!(refused.status.as_u16(), 503);
    assert_eq!(
        refused.body["type"]
            .as_str()
            .map(|t| t.ends_with(":unavailable")),
        Some(true),
        "{}",
        refused.body
    );

    stack.start_documents().await?;
    assert_eq!(readyz(true).await?.0, 200);
    stack.stop().await
}
