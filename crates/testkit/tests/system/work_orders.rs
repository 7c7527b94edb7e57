//! Planning and doing the work (issue #10: D2, G3, D3): who may plan, start,
//! complete and cancel, what is refused and leaves nothing changed, and what
//! the contact sees as appointments.
use chrono::{Duration, Utc};
use portal_testkit::Stack;
use serde_json::{Value, json};

use crate::fixtures::{self, s};

/// A 1×1 PNG, as a signature pad would send it.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// Tomorrow at `hour`:00 UTC, RFC 3339.
fn tomorrow(hour: i64) -> String {
    let day = (Utc::now() + Duration::days(1)).date_naive();
    let at = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::hours(hour);
    at.to_rfc3339()
}

fn changes(w: &Value) -> Vec<String> {
    w["history"]
        .as_array()
        .map(|h| h.iter().map(|e| s(&e["change"])).collect())
        .unwrap_or_default()
}

fn actions(w: &Value) -> Vec<String> {
    w["allowed_actions"]
        .as_array()
        .map(|h| h.iter().map(s).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn work_is_planned_done_and_shown_by_the_right_people() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "planning").await?;
    let other = fixtures::tenant(&stack, "planning-other").await?;
    let api = &stack.api;
    let (_, dispatcher) = fixtures::staff(&stack, &t, "Dana Dispatch", "dispatcher").await?;
    let (tom_id, tom) = fixtures::staff(&stack, &t, "Tom Tech", "technician").await?;
    let (_, tina) = fixtures::staff(&stack, &t, "Tina Tech", "technician").await?;
    let (dispatcher_id, _) = fixtures::staff(&stack, &t, "Dave Desk", "dispatcher").await?;
    let (stranger_id, _) = fixtures::staff(&stack, &other, "Olga Other", "technician").await?;

    let oven = fixtures::submit_request(&stack, &t, "Oven").await?;
    let oven_wo = fixtures::accept(&stack, &t, &s(&oven["id"])).await?;
    let fridge = fixtures::submit_request(&stack, &t, "Fridge").await?;
    let fridge_wo = fixtures::accept(&stack, &t, &s(&fridge["id"])).await?;
    let path = |id: &str, action: &str| format!("/api/v1/work-orders/{id}/{action}");

    let w = api
        .get(&format!("/api/v1/work-orders/{oven_wo}"), &dispatcher)
        .await?
        .expect(200)?;
    assert_eq!(w["status"], "to_plan");
    assert_eq!(changes(&w), ["created"]);
    assert_eq!(actions(&w), ["schedule", "cancel"]);

    // Refused plans change nothing.
    let plan = |technicians: Vec<&str>, start: String, end: String| json!({"technician_ids": technicians, "start": start, "end": end});
    let past = (Utc::now() - Duration::hours(3)).to_rfc3339();
    for (body, status, why) in [
        (
            plan(vec![&tom_id], past.clone(), tomorrow(9)),
            400,
            "in the past",
        ),
        (
            plan(vec![&tom_id], tomorrow(11), tomorrow(9)),
            400,
            "after the start",
        ),
        (
            plan(vec![&dispatcher_id], tomorrow(9), tomorrow(11)),
            400,
            "not a technician",
        ),
        (
            plan(vec![&stranger_id], tomorrow(9), tomorrow(11)),
            400,
            "not a technician",
        ),
        (plan(vec![], tomorrow(9), tomorrow(11)), 400, "at least one"),
    ] {
        let p = api
            .post(&path(&oven_wo, "schedule"), Some(&dispatcher), &body)
            .await?
            .problem(status)?;
        assert!(s(&p["detail"]).contains(why), "{why}: {p}");
    }
    // Contacts and technicians do not plan.
    api.post(
        &path(&oven_wo, "schedule"),
        Some(&t.contact),
        &plan(vec![&tom_id], tomorrow(9), tomorrow(11)),
    )
    .await?
    .problem(403)?;
    api.post(
        &path(&oven_wo, "schedule"),
        Some(&tom),
        &plan(vec![&tom_id], tomorrow(9), tomorrow(11)),
    )
    .await?
    .problem(403)?;
    // Another tenant's staff do not even find it.
    api.post(
        &path(&oven_wo, "schedule"),
        Some(&other.admin),
        &plan(vec![&stranger_id], tomorrow(9), tomorrow(11)),
    )
    .await?
    .problem(404)?;
    let w = api
        .get(&format!("/api/v1/work-orders/{oven_wo}"), &dispatcher)
        .await?
        .expect(200)?;
    assert_eq!(w["status"], "to_plan");
    assert_eq!(changes(&w), ["created"]);

    // Planned.
    let w = api
        .post(
            &path(&oven_wo, "schedule"),
            Some(&dispatcher),
            &plan(vec![&tom_id], tomorrow(9), tomorrow(11)),
        )
        .await?
        .expect(200)?;
    assert_eq!(w["status"], "scheduled");
    assert_eq!(w["technicians"][0]["name"], "Tom Tech");
    assert_eq!(changes(&w), ["created", "scheduled"]);
    assert_eq!(w["history"][1]["by"], "Dana Dispatch");

    // Tom is busy 9-11: an overlapping plan is refused, naming the other work,
    // unless forced; back to back is fine.
    let busy = api
        .post(
            &path(&fridge_wo, "schedule"),
            Some(&dispatcher),
            &plan(vec![&tom_id], tomorrow(10), tomorrow(12)),
        )
        .await?
        .problem(409)?;
    assert!(s(&busy["detail"]).contains("Oven"), "{busy}");
    let w = api
        .post(
            &path(&fridge_wo, "schedule"),
            Some(&dispatcher),
            &plan(vec![&tom_id], tomorrow(11), tomorrow(12)),
        )
        .await?
        .expect(200)?;
    assert_eq!(w["status"], "scheduled");
    let forced = json!({"technician_ids": [tom_id], "start": tomorrow(10), "end": tomorrow(12), "force": true});
    let w = api
        .post(&path(&fridge_wo, "schedule"), Some(&dispatcher), &forced)
        .await?
        .expect(200)?;
    assert_eq!(changes(&w), ["created", "scheduled", "rescheduled"]);

    // The contact sees both as upcoming appointments, in time order, with who
    // comes, and can add one to a calendar; staff have the work-order list.
    let upcoming = api
        .get("/api/v1/appointments?when=upcoming", &t.contact)
        .await?
        .expect(200)?;
    let titles: Vec<String> = upcoming["items"]
        .as_array()
        .map(|a| a.iter().map(|i| s(&i["title"])).collect())
        .unwrap_or_default();
    assert_eq!(titles, ["Oven", "Fridge"]);
    assert_eq!(upcoming["items"][0]["technicians"][0]["name"], "Tom Tech");
    api.get("/api/v1/appointments", &dispatcher)
        .await?
        .problem(403)?;
    let ics = api
        .http
        .get(format!(
            "{}/api/v1/appointments/{oven_wo}/calendar.ics",
            api.base
        ))
        .bearer_auth(&t.contact)
        .send()
        .await?;
    assert_eq!(ics.status(), 200);
    assert!(
        ics.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()?
            .starts_with("text/calendar")
    );
    let ics = ics.text().await?;
    assert!(
        ics.contains("BEGIN:VEVENT") && ics.contains("SUMMARY:Oven"),
        "{ics}"
    );
    let nine = tomorrow(9).replace(['-', ':'], "");
    assert!(ics.contains(&format!("DTSTART:{}", &nine[..15])), "{ics}");
    let outsider = api
        .http
        .get(format!(
            "{}/api/v1/appointments/{oven_wo}/calendar.ics",
            api.base
        ))
        .bearer_auth(&other.contact)
        .send()
        .await?;
    assert_eq!(outsider.status(), 404);

    // Only a technician planned on the work starts it; a technician sees
    // only their own work.
    api.post(&path(&oven_wo, "start"), Some(&tina), &json!({}))
        .await?
        .problem(403)?;
    api.post(&path(&oven_wo, "start"), Some(&dispatcher), &json!({}))
        .await?
        .problem(403)?;
    api.get(&format!("/api/v1/work-orders/{oven_wo}"), &tina)
        .await?
        .problem(404)?;
    let mine = api
        .get("/api/v1/work-orders?technician_id=me", &tina)
        .await?
        .expect(200)?;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(0));
    let all = api.get("/api/v1/work-orders", &tom).await?.expect(200)?;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
    let w = api
        .get(&format!("/api/v1/work-orders/{oven_wo}"), &tom)
        .await?
        .expect(200)?;
    assert_eq!(actions(&w), ["start", "add_photos"]);
    let w = api
        .post(&path(&oven_wo, "start"), Some(&tom), &json!({}))
        .await?
        .expect(200)?;
    assert_eq!(w["status"], "in_progress");
    assert_eq!(actions(&w), ["complete", "add_photos", "record_inspection"]);

    // Started work is finished, not cancelled; a bad signature is refused.
    api.post(
        &path(&oven_wo, "cancel"),
        Some(&dispatcher),
        &json!({"reason": "no"}),
    )
    .await?
    .problem(409)?;
    let p = api
        .post(&path(&oven_wo, "complete"), Some(&tom), &json!({"notes": "x", "signer_name": "Claire", "signature_png": "R0lGODlhAQABAAAAACw="}))
        .await?
        .problem(400)?;
    assert!(s(&p["detail"]).contains("PNG"), "{p}");
    api.post(
        &path(&oven_wo, "complete"),
        Some(&tom),
        &json!({"notes": "x", "signature_png": PNG}),
    )
    .await?
    .problem(400)?;
    let w = api
        .post(&path(&oven_wo, "complete"), Some(&tom), &json!({"notes": "Replaced the thermostat.", "minutes_spent": 75, "signer_name": "Claire Martin", "signature_png": PNG}))
        .await?
        .expect(200)?;
    assert_eq!(w["status"], "completed");
    assert_eq!(w["signed"], true);
    assert_eq!(w["minutes_spent"], 75);
    assert_eq!(
        changes(&w),
        ["created", "scheduled", "started", "completed"]
    );
    // Twice is refused; cancelling done work too.
    api.post(
        &path(&oven_wo, "complete"),
        Some(&tom),
        &json!({"notes": "again"}),
    )
    .await?
    .problem(409)?;
    api.post(
        &path(&oven_wo, "cancel"),
        Some(&dispatcher),
        &json!({"reason": "late"}),
    )
    .await?
    .problem(409)?;
    let done = api
        .get("/api/v1/appointments?when=done", &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(done["items"][0]["work_order_id"], oven_wo.as_str());
    let w = api
        .get(&format!("/api/v1/work-orders/{oven_wo}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(w["notes"], "Replaced the thermostat.");
    assert_eq!(actions(&w), Vec::<String>::new());

    // Unplanned, then cancelled with a reason (and not without one).
    let w = api
        .post(
            &path(&fridge_wo, "unschedule"),
            Some(&dispatcher),
            &json!({}),
        )
        .await?
        .expect(200)?;
    assert_eq!(w["status"], "to_plan");
    assert_eq!(w["technicians"].as_array().map(Vec::len), Some(0));
    api.post(
        &path(&fridge_wo, "cancel"),
        Some(&dispatcher),
        &json!({"reason": "  "}),
    )
    .await?
    .problem(400)?;
    let w = api
        .post(
            &path(&fridge_wo, "cancel"),
            Some(&dispatcher),
            &json!({"reason": "The customer bought a new fridge."}),
        )
        .await?
        .expect(200)?;
    assert_eq!(w["status"], "cancelled");
    assert_eq!(w["cancel_reason"], "The customer bought a new fridge.");
    let upcoming = api
        .get("/api/v1/appointments", &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(upcoming["items"].as_array().map(Vec::len), Some(0));

    // The done list as a spreadsheet (E5): a header, then the signed oven.
    let csv = api
        .http
        .get(format!(
            "{}/api/v1/appointments/export.csv?when=done",
            api.base
        ))
        .bearer_auth(&t.contact)
        .send()
        .await?;
    assert_eq!(csv.status(), 200);
    let csv = csv.text().await?;
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("work_order_id,title,status"), "{csv}");
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].contains(&format!("{oven_wo},Oven,completed")),
        "{csv}"
    );
    assert!(lines[1].contains("Tom Tech"), "{csv}");
    let xlsx = api
        .http
        .get(format!(
            "{}/api/v1/appointments/export.xlsx?when=done",
            api.base
        ))
        .bearer_auth(&t.contact)
        .send()
        .await?;
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await?.starts_with(b"PK"));
    stack.stop().await
}

/// Two dispatchers planning one technician into the same hour at once: one
/// plan wins, the others are told the technician is busy.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_technician_is_not_planned_twice_at_once() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "racing").await?;
    let (tom_id, _) = fixtures::staff(&stack, &t, "Tom Tech", "technician").await?;
    let mut orders = Vec::new();
    for title in [
        "Oven", "Fridge", "Sink", "Door", "Boiler", "Roof", "Gate", "Lift",
    ] {
        let r = fixtures::submit_request(&stack, &t, title).await?;
        orders.push(fixtures::accept(&stack, &t, &s(&r["id"])).await?);
    }
    let plan = json!({"technician_ids": [tom_id], "start": tomorrow(9), "end": tomorrow(10)});
    let paths: Vec<String> = orders
        .iter()
        .map(|id| format!("/api/v1/work-orders/{id}/schedule"))
        .collect();
    // Warm one connection per plan, so that the plans arrive together.
    futures::future::join_all(
        paths
            .iter()
            .map(|_| stack.api.get("/api/v1/work-orders?limit=1", &t.admin)),
    )
    .await;
    let answers = futures::future::join_all(
        paths
            .iter()
            .map(|path| stack.api.post(path, Some(&t.admin), &plan)),
    )
    .await;
    let mut statuses: Vec<u16> = answers
        .into_iter()
        .map(|a| a.map(|a| a.status.as_u16()))
        .collect::<anyhow::Result<_>>()?;
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409, 409, 409, 409, 409, 409, 409]);
    let planned = stack
        .api
        .get(
            &format!("/api/v1/work-orders?technician_id={tom_id}"),
            &t.admin,
        )
        .await?
        .expect(200)?;
    let scheduled = planned["items"]
        .as_array()
        .map(|a| a.iter().filter(|w| w["status"] == "scheduled").count());
    assert_eq!(scheduled, Some(1));
    stack.stop().await
}
