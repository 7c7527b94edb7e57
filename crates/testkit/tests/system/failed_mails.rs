//! F3: a mail the mail server refuses for good is given up at once, shown
//! to staff with the server's answer, and sent exactly once more when they
//! ask; a mail that held a sign-in link is shown but cannot be resent.
use portal_testkit::{Stack, eventually};
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::fixtures::{self, s};

/// The tenant's failed mails to `to`, as staff list them.
async fn failed_to(stack: &Stack, token: &str, to: &str) -> anyhow::Result<Vec<Value>> {
    let list = stack
        .api
        .get("/api/v1/mail/deliveries?status=failed", token)
        .await?
        .expect(200)?;
    Ok(list["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d["recipient"] == to)
        .collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mail_refused_for_good_is_shown_to_staff_and_sent_once_more_on_request()
-> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "mailfail").await?;
    let other = fixtures::tenant(&stack, "mailfail-other").await?;
    let sink = stack
        .smtp
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no sink"))?;
    let api = &stack.api;

    // The contact's mailbox is gone: the server answers 550.
    sink.refuse_mailbox(&t.contact_email, true);
    let request = fixtures::submit_request(&stack, &t, "Chambre froide").await?;
    fixtures::accept(&stack, &t, &s(&request["id"])).await?;
    let failed = eventually(20, "the accepted mail failed for good", || async {
        Ok(failed_to(&stack, &t.admin, &t.contact_email)
            .await?
            .into_iter()
            .next())
    })
    .await?;
    // Given up at the first permanent answer, not retried for hours.
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["attempts"], 1, "{failed}");
    assert!(
        failed["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("550"),
        "{failed}"
    );
    assert_eq!(failed["resendable"], true);
    let id = s(&failed["id"]);
    assert_eq!(fixtures::accepted_mails(&stack, &t, "Chambre froide"), 0);

    // Only the tenant's admins and dispatchers may send it again.
    let (_, technician) = fixtures::staff(&stack, &t, "Theo Tech", "technician").await?;
    let resend = format!("/api/v1/mail/deliveries/{id}/resend");
    api.post(&resend, Some(&technician), &json!({}))
        .await?
        .problem(403)?;
    api.post(&resend, Some(&t.contact), &json!({}))
        .await?
        .problem(403)?;
    api.get("/api/v1/mail/deliveries", &t.contact)
        .await?
        .problem(403)?;
    api.post(&resend, Some(&other.admin), &json!({}))
        .await?
        .problem(404)?;
    assert!(
        failed_to(&stack, &other.admin, &t.contact_email)
            .await?
            .is_empty()
    );

    // The address is fixed; a dispatcher sends it again, once.
    sink.refuse_mailbox(&t.contact_email, false);
    let (_, dispatcher) = fixtures::staff(&stack, &t, "Dana Disp", "dispatcher").await?;
    let queued = api
        .post(&resend, Some(&dispatcher), &json!({}))
        .await?
        .expect(200)?;
    assert_eq!(queued["status"], "pending");
    assert_eq!(queued["resendable"], false);
    eventually(20, "the mail sent again", || async {
        Ok((fixtures::accepted_mails(&stack, &t, "Chambre froide") == 1).then_some(()))
    })
    .await?;
    eventually(20, "the delivery marked sent", || async {
        let all = api
            .get("/api/v1/mail/deliveries", &dispatcher)
            .await?
            .expect(200)?;
        Ok(all["items"]
            .as_array()
            .and_then(|items| items.iter().find(|d| d["id"] == id.as_str()).cloned())
            .filter(|d| d["status"] == "sent"))
    })
    .await?;
    assert!(
        failed_to(&stack, &t.admin, &t.contact_email)
            .await?
            .is_empty()
    );
    // A second resend of a sent mail is refused: nothing goes twice.
    let again = api
        .post(&resend, Some(&dispatcher), &json!({}))
        .await?
        .problem(409)?;
    assert!(
        again["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("failed"),
        "{again}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(fixtures::accepted_mails(&stack, &t, "Chambre froide"), 1);
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_invitation_is_shown_but_its_link_is_never_resent() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "mailinvite").await?;
    let sink = stack
        .smtp
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no sink"))?;
    let api = &stack.api;
    let address = format!("paul@{}-client.example", t.slug);
    sink.refuse_mailbox(&address, true);
    let contact = api
        .post(
            &format!("/api/v1/customers/{}/contacts", t.customer_id),
            Some(&t.admin),
            &json!({"name": "Paul Martin", "email": address, "language": "en", "notifications": true}),
        )
        .await?
        .expect(201)?;
    api.post(
        &format!("/api/v1/contacts/{}/invitation", s(&contact["id"])),
        Some(&t.admin),
        &json!({}),
    )
    .await?
    .expect(202)?;
    let failed = eventually(20, "the invitation failed for good", || async {
        Ok(failed_to(&stack, &t.admin, &address)
            .await?
            .into_iter()
            .next())
    })
    .await?;
    assert_eq!(failed["resendable"], false, "{failed}");
    let refused = api
        .post(
            &format!("/api/v1/mail/deliveries/{}/resend", s(&failed["id"])),
            Some(&t.admin),
            &json!({}),
        )
        .await?
        .problem(409)?;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("invitation"),
        "{refused}"
    );

    // The back office page shows it, says why it cannot be resent, and
    // offers no button for it.
    let mut browser = Browser::new(&stack)?;
    browser
        .log_in(
            &t.slug,
            &format!("admin@{}.example", t.slug),
            "admin password 1",
        )
        .await?;
    let page = browser.get(&format!("/t/{}/staff/mail", t.slug)).await?;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&address), "{}", page.body);
    assert!(page.body.contains("550"), "the server's answer is shown");
    assert!(page.body.contains("sign-in link"), "{}", page.body);
    assert!(!page.body.contains("/resend\""), "no resend form for it");
    // Admins also see the events set aside, here none.
    assert!(page.body.contains("id=\"parked-none\""), "{}", page.body);
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_resend_a_failed_mail_from_the_back_office_page() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "mailpage").await?;
    let sink = stack
        .smtp
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no sink"))?;
    sink.refuse_mailbox(&t.contact_email, true);
    let request = fixtures::submit_request(&stack, &t, "Four à pain").await?;
    fixtures::accept(&stack, &t, &s(&request["id"])).await?;
    let failed = eventually(20, "the accepted mail failed", || async {
        Ok(failed_to(&stack, &t.admin, &t.contact_email)
            .await?
            .into_iter()
            .next())
    })
    .await?;
    let id = s(&failed["id"]);
    sink.refuse_mailbox(&t.contact_email, false);

    let (_, _) = fixtures::staff(&stack, &t, "Dana Disp", "dispatcher").await?;
    let mut browser = Browser::new(&stack)?;
    browser
        .log_in(
            &t.slug,
            &format!("dana.disp@{}.example", t.slug),
            "staff password 1",
        )
        .await?;
    let page = browser.get(&format!("/t/{}/staff/mail", t.slug)).await?;
    assert_eq!(page.status, 200, "{}", page.body);
    let action = format!("/t/{}/staff/mail/{id}/resend", t.slug);
    assert!(
        page.body.contains(&format!("/staff/mail/{id}/resend\"")),
        "{}",
        page.body
    );
    // Dispatchers do not see the events set aside (admins only).
    assert!(!page.body.contains("id=\"parked\""));
    // Without the form's token nothing happens.
    let forged = browser.post(&action, &[("csrf", "forged")]).await?;
    assert_eq!(forged.status, 403, "{}", forged.body);
    let csrf = browser.csrf();
    let done = browser.post(&action, &[("csrf", &csrf)]).await?;
    assert_eq!(done.status, 303, "{}", done.body);
    eventually(20, "the mail sent again", || async {
        Ok((fixtures::accepted_mails(&stack, &t, "Four à pain") == 1).then_some(()))
    })
    .await?;
    let after = browser.get(&done.header("location")).await?;
    assert!(after.body.contains("queued again"), "{}", after.body);
    stack.stop().await
}
