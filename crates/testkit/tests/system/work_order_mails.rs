//! The request follows its work order, and the people it concerns hear of
//! it (issue #10: C3, D2, F1, F2, F3): planned, re-planned, started and done
//! show on the contact's request with when and who; the contact gets the
//! appointment with its calendar file, the change, and "work done" with a
//! link, in their language, once each; the dispatcher who planned hears
//! that the work is done; a contact with notifications off gets nothing;
//! nothing is lost or doubled while NATS is away.
use chrono::{DateTime, Duration, Utc};
use portal_testkit::smtp::Mail;
use portal_testkit::{Stack, eventually, smtp::link_token};
use serde_json::{Value, json};

use crate::fixtures::{self, s};

/// Mail consumers of the work order events.
const MAIL_CONSUMERS: [&str; 4] = [
    "notification-work-order-scheduled",
    "notification-work-order-rescheduled",
    "notification-work-order-cancelled",
    "notification-work-order-completed",
];

async fn staff(
    stack: &Stack,
    t: &fixtures::Tenant,
    name: &str,
    role: &str,
    language: &str,
) -> anyhow::Result<(String, String, String)> {
    let email = format!(
        "{}@{}.example",
        name.to_lowercase().replace(' ', "."),
        t.slug
    );
    let member = stack
        .api
        .post(
            "/api/v1/staff",
            Some(&t.admin),
            &json!({"email": email, "name": name, "roles": [role], "password": "staff password 1", "language": language}),
        )
        .await?
        .expect(201)?;
    let token = fixtures::login(stack, &t.slug, &email, "staff password 1").await?;
    Ok((s(&member["id"]), token, email))
}

/// Tomorrow at `hour`:00 UTC.
fn tomorrow(hour: i64) -> DateTime<Utc> {
    let day = (Utc::now() + Duration::days(1)).date_naive();
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::hours(hour)
}

/// `DTSTART:` as the calendar file writes it.
fn dtstart(at: DateTime<Utc>) -> String {
    format!("DTSTART:{}", at.format("%Y%m%dT%H%M%SZ"))
}

fn plan(technician: &str, start: i64, end: i64) -> Value {
    json!({"technician_ids": [technician], "start": tomorrow(start).to_rfc3339(), "end": tomorrow(end).to_rfc3339()})
}

fn sink(stack: &Stack) -> anyhow::Result<&portal_testkit::SmtpSink> {
    stack
        .smtp
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no SMTP sink"))
}

/// Mails to `to` whose subject starts with `subject`.
fn mails(stack: &Stack, to: &str, subject: &str) -> anyhow::Result<Vec<Mail>> {
    Ok(sink(stack)?
        .to(to)
        .into_iter()
        .filter(|m| m.subject.starts_with(subject))
        .collect())
}

/// Waits for the first mail to `to` whose subject starts with `subject`.
async fn mail(stack: &Stack, to: &str, subject: &str) -> anyhow::Result<Mail> {
    eventually(40, &format!("a mail \"{subject}\" to {to}"), || async {
        Ok(mails(stack, to, subject)?.into_iter().next())
    })
    .await
}

/// The request as `token` sees it, once `check` holds.
async fn request_when(
    stack: &Stack,
    token: &str,
    id: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> anyhow::Result<Value> {
    eventually(40, what, || async {
        let r = stack
            .api
            .get(&format!("/api/v1/requests/{id}"), token)
            .await?
            .expect(200)?;
        Ok(check(&r).then_some(r))
    })
    .await
}

fn at(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn statuses(r: &Value) -> Vec<String> {
    r["history"]
        .as_array()
        .map(|h| h.iter().map(|e| s(&e["status"])).collect())
        .unwrap_or_default()
}

/// Waits until every mail consumer of work order events is idle, then a
/// little longer for the sender.
async fn mails_settled(stack: &Stack) -> anyhow::Result<()> {
    for durable in MAIL_CONSUMERS {
        fixtures::drained(stack, durable).await?;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_request_follows_its_work_and_the_people_hear_of_it_once() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "workmail").await?;
    let api = &stack.api;
    let (dana_id, dana, dana_email) =
        staff(&stack, &t, "Dana Dispatch", "dispatcher", "en").await?;
    let (tom_id, tom, _) = staff(&stack, &t, "Tom Tech", "technician", "de").await?;
    let request = fixtures::submit_request(&stack, &t, "Oven").await?;
    let id = s(&request["id"]);
    let wo = fixtures::accept(&stack, &t, &id).await?;
    let wo_path = |action: &str| format!("/api/v1/work-orders/{wo}/{action}");

    // Planned: the contact's request shows when and who.
    api.post(&wo_path("schedule"), Some(&dana), &plan(&tom_id, 9, 11))
        .await?
        .expect(200)?;
    let r = request_when(&stack, &t.contact, &id, "the request planned", |r| {
        r["status"] == "planned"
    })
    .await?;
    assert_eq!(at(&r["planned_start"]), Some(tomorrow(9)), "{r}");
    assert_eq!(at(&r["planned_end"]), Some(tomorrow(11)), "{r}");
    assert_eq!(r["technicians"][0]["name"], "Tom Tech", "{r}");
    assert_eq!(r["technicians"][0]["id"], tom_id.as_str(), "{r}");
    assert_eq!(r["work_order_id"], wo.as_str());

    // The contact (French) gets the appointment with its calendar file.
    let planned = mail(&stack, &t.contact_email, "Intervention planifiée : Oven").await?;
    assert!(
        planned.body.starts_with("Bonjour Claire Martin,"),
        "{}",
        planned.body
    );
    assert!(planned.body.contains("Tom Tech"), "{}", planned.body);
    let appointments = format!("/t/{}/appointments", t.slug);
    assert!(planned.body.contains(&appointments), "{}", planned.body);
    assert_eq!(planned.attachments.len(), 1, "{planned:?}");
    let ics = &planned.attachments[0];
    assert_eq!(ics.filename, "appointment.ics");
    assert!(
        ics.content_type.starts_with("text/calendar")
            && ics.content_type.contains("method=PUBLISH"),
        "{}",
        ics.content_type
    );
    assert!(ics.body.contains("METHOD:PUBLISH"), "{}", ics.body);
    assert!(ics.body.contains(&dtstart(tomorrow(9))), "{}", ics.body);
    assert!(
        ics.body.contains(&format!("UID:{wo}@portal")),
        "{}",
        ics.body
    );
    assert!(ics.body.contains("SUMMARY:Oven"), "{}", ics.body);
    assert!(
        planned
            .header("References")
            .is_some_and(|r| r.contains(&id)),
        "joins the request's thread: {:?}",
        planned.headers
    );

    // Planned again: the request moves, the contact hears of the change.
    api.post(&wo_path("schedule"), Some(&dana), &plan(&tom_id, 13, 15))
        .await?
        .expect(200)?;
    let r = request_when(&stack, &t.contact, &id, "the request re-planned", |r| {
        at(&r["planned_start"]) == Some(tomorrow(13))
    })
    .await?;
    assert_eq!(r["status"], "planned");
    let changed = mail(&stack, &t.contact_email, "Intervention modifiée : Oven").await?;
    assert!(
        changed.body.contains("Il était prévu le"),
        "{}",
        changed.body
    );
    assert_eq!(changed.attachments.len(), 1);
    assert!(
        changed.attachments[0].body.contains(&dtstart(tomorrow(13))),
        "{}",
        changed.attachments[0].body
    );

    // The technician starts and completes: in progress, then done.
    api.post(&wo_path("start"), Some(&tom), &json!({}))
        .await?
        .expect(200)?;
    request_when(&stack, &t.contact, &id, "the request in progress", |r| {
        r["status"] == "in_progress"
    })
    .await?;
    api.post(
        &wo_path("complete"),
        Some(&tom),
        &json!({"notes": "Thermostat replaced.", "signer_name": "Claire Martin"}),
    )
    .await?
    .expect(200)?;
    let r = request_when(&stack, &t.contact, &id, "the request done", |r| {
        r["status"] == "done"
    })
    .await?;
    // The plan stays on a done request; every step is in its history.
    assert_eq!(at(&r["planned_start"]), Some(tomorrow(13)), "{r}");
    assert_eq!(
        statuses(&r),
        [
            "submitted",
            "accepted",
            "planned",
            "planned",
            "in_progress",
            "done"
        ],
        "{r}"
    );
    let history = r["history"].as_array().cloned().unwrap_or_default();
    assert!(s(&history[2]["note"]).contains("Tom Tech"), "{r}");
    assert_eq!(history[2]["by"], dana_id.as_str(), "{r}");
    assert_eq!(history[5]["by"], tom_id.as_str(), "{r}");

    // "Work done" to the contact, with the request's page.
    let done = mail(&stack, &t.contact_email, "Intervention terminée : Oven").await?;
    let page = format!("/t/{}/requests/{id}", t.slug);
    assert!(done.body.contains(&page), "{}", done.body);
    assert!(done.body.contains("Tom Tech"), "{}", done.body);
    assert!(done.attachments.is_empty());
    // The dispatcher who planned it hears that the technician is done.
    let told = mail(&stack, &dana_email, "Work completed: Oven").await?;
    assert!(
        told.body.starts_with("Hello Dana Dispatch,"),
        "{}",
        told.body
    );
    assert!(
        told.body.contains("Tom Tech has completed"),
        "{}",
        told.body
    );
    assert!(
        told.body.contains("Notes: Thermostat replaced."),
        "{}",
        told.body
    );
    assert!(
        told.body
            .contains(&format!("/t/{}/staff/requests/{id}", t.slug)),
        "{}",
        told.body
    );

    // Each once.
    mails_settled(&stack).await?;
    for subject in [
        "Intervention planifiée",
        "Intervention modifiée",
        "Intervention terminée",
    ] {
        assert_eq!(
            mails(&stack, &t.contact_email, subject)?.len(),
            1,
            "{subject}"
        );
    }
    assert_eq!(mails(&stack, &dana_email, "Work completed")?.len(), 1);
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_contact_with_notifications_off_gets_no_mail_and_cancelling_is_said() -> anyhow::Result<()>
{
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "workquiet").await?;
    let api = &stack.api;
    let (_, dana, _) = staff(&stack, &t, "Dana Dispatch", "dispatcher", "en").await?;
    let (tom_id, tom, _) = staff(&stack, &t, "Tom Tech", "technician", "en").await?;

    // A second contact of the customer, who will want no mails.
    let quiet_email = format!("quiet@{}-client.example", t.slug);
    let quiet = api
        .post(
            &format!("/api/v1/customers/{}/contacts", t.customer_id),
            Some(&t.admin),
            &json!({"name": "Quentin Quiet", "email": quiet_email, "language": "en", "notifications": true}),
        )
        .await?
        .expect(201)?;
    api.post(
        &format!("/api/v1/contacts/{}/invitation", s(&quiet["id"])),
        Some(&t.admin),
        &json!({}),
    )
    .await?
    .expect(202)?;
    let invitation = mail(&stack, &quiet_email, "").await?;
    let token = link_token(&invitation.body).ok_or_else(|| anyhow::anyhow!("no link"))?;
    let tokens = api
        .post(
            "/api/v1/auth/invitations/accept",
            None,
            &json!({"token": token, "password": "quiet password 1"}),
        )
        .await?
        .expect(200)?;
    let quiet_token = s(&tokens["access_token"]);
    // They turn their notifications off (an invitation needs them on).
    api.put(
        "/api/v1/me",
        &quiet_token,
        &json!({"name": "Quentin Quiet", "language": "en", "notifications": false}),
    )
    .await?
    .expect(200)?;
    let request = api
        .post(
            "/api/v1/requests",
            Some(&quiet_token),
            &json!({"site_id": t.site_ids[0], "title": "Quiet boiler", "description": "It knocks.", "priority": "normal"}),
        )
        .await?
        .expect(201)?;
    let id = s(&request["id"]);
    let wo = fixtures::accept(&stack, &t, &id).await?;
    let wo_path = |action: &str| format!("/api/v1/work-orders/{wo}/{action}");
    api.post(&wo_path("schedule"), Some(&dana), &plan(&tom_id, 9, 10))
        .await?
        .expect(200)?;
    api.post(&wo_path("schedule"), Some(&dana), &plan(&tom_id, 10, 11))
        .await?
        .expect(200)?;
    api.post(&wo_path("start"), Some(&tom), &json!({}))
        .await?
        .expect(200)?;
    api.post(&wo_path("complete"), Some(&tom), &json!({"notes": ""}))
        .await?
        .expect(200)?;
    // The request still shows all of it.
    let r = request_when(&stack, &quiet_token, &id, "the quiet request done", |r| {
        r["status"] == "done"
    })
    .await?;
    assert_eq!(at(&r["planned_start"]), Some(tomorrow(10)), "{r}");

    // Cancelled work: back to accepted without a plan, the reason in the
    // history, and the (listening) contact is told why.
    let other = fixtures::submit_request(&stack, &t, "Fridge").await?;
    let other_id = s(&other["id"]);
    let other_wo = fixtures::accept(&stack, &t, &other_id).await?;
    api.post(
        &format!("/api/v1/work-orders/{other_wo}/schedule"),
        Some(&dana),
        &plan(&tom_id, 14, 15),
    )
    .await?
    .expect(200)?;
    request_when(&stack, &t.contact, &other_id, "the fridge planned", |r| {
        r["status"] == "planned"
    })
    .await?;
    api.post(
        &format!("/api/v1/work-orders/{other_wo}/cancel"),
        Some(&dana),
        &json!({"reason": "Replaced under warranty"}),
    )
    .await?
    .expect(200)?;
    let r = request_when(&stack, &t.contact, &other_id, "the fridge cancelled", |r| {
        r["status"] == "accepted" && r["planned_start"].is_null()
    })
    .await?;
    assert_eq!(r["technicians"].as_array().map(Vec::len), Some(0), "{r}");
    let history = r["history"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        history.last().map(|h| s(&h["note"])).as_deref(),
        Some("Replaced under warranty"),
        "{r}"
    );
    let cancelled = mail(&stack, &t.contact_email, "Intervention annulée : Fridge").await?;
    assert!(
        cancelled.body.contains("Motif : Replaced under warranty"),
        "{}",
        cancelled.body
    );
    assert!(
        cancelled.body.contains("Elle était prévue le"),
        "{}",
        cancelled.body
    );

    // Nothing but the invitation ever reached the quiet contact.
    mails_settled(&stack).await?;
    let to_quiet = sink(&stack)?.to(&quiet_email);
    assert_eq!(to_quiet.len(), 1, "{to_quiet:?}");
    assert!(to_quiet[0].body.contains("token="));
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn work_done_while_nats_is_away_is_told_once_when_it_is_back() -> anyhow::Result<()> {
    let mut stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "worknats").await?;
    let api = &stack.api;
    let (_, dana, dana_email) = staff(&stack, &t, "Dana Dispatch", "dispatcher", "en").await?;
    let (tom_id, tom, _) = staff(&stack, &t, "Tom Tech", "technician", "en").await?;
    let request = fixtures::submit_request(&stack, &t, "Dishwasher").await?;
    let id = s(&request["id"]);
    let wo = fixtures::accept(&stack, &t, &id).await?;
    let wo_path = |action: &str| format!("/api/v1/work-orders/{wo}/{action}");
    api.post(&wo_path("schedule"), Some(&dana), &plan(&tom_id, 9, 11))
        .await?
        .expect(200)?;
    api.post(&wo_path("start"), Some(&tom), &json!({}))
        .await?
        .expect(200)?;
    request_when(&stack, &t.contact, &id, "the request in progress", |r| {
        r["status"] == "in_progress"
    })
    .await?;
    // The plan's and the start's mails are out (and acked) before NATS goes:
    // an ack lost with the server would only come back after the ack wait.
    mails_settled(&stack).await?;

    stack.nats.stop().await?;
    let done = api
        .post(
            &wo_path("complete"),
            Some(&tom),
            &json!({"notes": "Pump cleaned."}),
        )
        .await?
        .expect(200)?;
    assert_eq!(done["status"], "completed");
    // The event waits in work-orders' outbox; the request has not moved.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let work_orders_db = stack.db("work-orders").await?;
    let unsent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND ce_type = 'portal.work_order.completed.v1'",
    )
    .fetch_one(&work_orders_db)
    .await?;
    assert_eq!(unsent, 1);
    work_orders_db.close().await;
    let r = api
        .get(&format!("/api/v1/requests/{id}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(r["status"], "in_progress");

    stack.nats.resume().await?;
    request_when(
        &stack,
        &t.contact,
        &id,
        "the request done after NATS came back",
        |r| r["status"] == "done",
    )
    .await?;
    mail(
        &stack,
        &t.contact_email,
        "Intervention terminée : Dishwasher",
    )
    .await?;
    mail(&stack, &dana_email, "Work completed: Dishwasher").await?;
    fixtures::drained(&stack, "requests-work-order-completed").await?;
    mails_settled(&stack).await?;
    assert_eq!(
        mails(&stack, &t.contact_email, "Intervention terminée")?.len(),
        1
    );
    assert_eq!(mails(&stack, &dana_email, "Work completed")?.len(), 1);
    let r = api
        .get(&format!("/api/v1/requests/{id}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(
        statuses(&r).iter().filter(|s| *s == "done").count(),
        1,
        "{r}"
    );
    stack.stop().await
}
