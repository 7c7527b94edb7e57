//! The golden path, as a user would follow it.
use portal_testkit::{Stack, eventually};

use crate::fixtures::{self, PNG, s};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_contacts_request_becomes_a_work_order_and_everyone_is_told() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "golden").await?;
    let api = &stack.api;

    let me = api.get("/api/v1/me", &t.contact).await?.expect(200)?;
    assert_eq!(me["kind"], "contact");
    assert_eq!(me["tenant"], "golden");
    assert_eq!(me["customer_id"], t.customer_id.as_str());

    let request = fixtures::submit_request(&stack, &t, "Oven broken").await?;
    let id = s(&request["id"]);
    let attachment = api
        .upload(
            &format!("/api/v1/requests/{id}/attachments"),
            &t.contact,
            "oven.png",
            "image/png",
            PNG.to_vec(),
        )
        .await?
        .expect(201)?;
    assert_eq!(attachment["name"], "oven.png");
    assert_eq!(attachment["size"], PNG.len());

    // The new request reaches the staff inbox and the admin's mailbox.
    let inbox = api
        .get("/api/v1/requests?status=submitted", &t.admin)
        .await?
        .expect(200)?;
    assert_eq!(inbox["items"][0]["id"], id.as_str());
    let sink = stack.smtp.as_ref().ok_or_else(|| anyhow::anyhow!("sink"))?;
    eventually(20, "the new-request mail to the admin", || async {
        Ok(sink
            .to("admin@golden.example")
            .into_iter()
            .find(|m| m.body.contains("Oven broken")))
    })
    .await?;

    // The admin sees the photo and accepts.
    let detail = api
        .get(&format!("/api/v1/requests/{id}"), &t.admin)
        .await?
        .expect(200)?;
    assert_eq!(detail["attachments"][0]["name"], "oven.png");
    let accepted = api
        .post(
            &format!("/api/v1/requests/{id}/accept"),
            Some(&t.admin),
            &serde_json::json!({}),
        )
        .await?
        .expect(200)?;
    assert_eq!(accepted["status"], "accepted");

    // Within seconds: one work order to plan, linked both ways, and the contact's mail.
    let work_orders = eventually(20, "the work order", || async {
        let w = fixtures::work_orders_of(&stack, &t, &id).await?;
        Ok((!w.is_empty()).then_some(w))
    })
    .await?;
    assert_eq!(work_orders.len(), 1);
    assert_eq!(work_orders[0]["status"], "to_plan");
    let work_order_id = s(&work_orders[0]["id"]);
    eventually(20, "the request to show its work order", || async {
        let d = api
            .get(&format!("/api/v1/requests/{id}"), &t.contact)
            .await?
            .expect(200)?;
        Ok((d["work_order_id"] == work_order_id.as_str()).then_some(()))
    })
    .await?;
    let mail = eventually(20, "the accepted mail", || async {
        Ok(sink
            .to(&t.contact_email)
            .into_iter()
            .find(|m| m.body.contains("Oven broken")))
    })
    .await?;
    // Claire chose French.
    assert!(
        mail.subject.to_lowercase().contains("accept"),
        "subject {}",
        mail.subject
    );
    assert!(
        mail.body.contains("Bonjour") || mail.body.contains("demande"),
        "French body: {}",
        mail.body
    );

    // The contact downloads their photo back, byte for byte.
    let file = api
        .http
        .get(format!(
            "{}/api/v1/attachments/{}/content",
            api.base,
            s(&attachment["id"])
        ))
        .bearer_auth(&t.contact)
        .send()
        .await?;
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "image/png");
    assert_eq!(file.bytes().await?.as_ref(), PNG);

    stack.stop().await
}
