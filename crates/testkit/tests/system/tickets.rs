//! The whole ticket life through the REST API (C2, C3, C5, G2, E5):
//! the conversation from both sides, internal notes, assignment with a due
//! date, closing, counts, settings, full-text search, downloads, and the
//! events each change publishes once.
use portal_testkit::{Stack, eventually};
use serde_json::{Value, json};

use crate::fixtures::{self, PNG, s};

async fn staff(
    stack: &Stack,
    t: &fixtures::Tenant,
    role: &str,
) -> anyhow::Result<(String, String)> {
    let email = format!("{role}@{}.example", t.slug);
    let member = stack
        .api
        .post(
            "/api/v1/staff",
            Some(&t.admin),
            &json!({"email": email, "name": format!("Sam {role}"), "roles": [role], "password": "staff password 1"}),
        )
        .await?
        .expect(201)?;
    let token = fixtures::login(stack, &t.slug, &email, "staff password 1").await?;
    Ok((s(&member["id"]), token))
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|a| a.iter().map(|r| s(&r["id"])).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ticket_from_first_words_to_closing() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "tickets").await?;
    let api = &stack.api;
    let (_, dispatcher) = staff(&stack, &t, "dispatcher").await?;
    let (technician_id, technician) = staff(&stack, &t, "technician").await?;
    let other = fixtures::extra_contact(&stack, &t, "other@tickets-client.example", &[]).await?;

    // Settings: admins write, every account reads; the form follows them.
    api.put(
        "/api/v1/request-settings",
        &dispatcher,
        &json!({"categories": ["repair"]}),
    )
    .await?
    .problem(403)?;
    api.put(
        "/api/v1/request-settings",
        &t.admin,
        &json!({"categories": ["repair", "install"], "required_fields": ["severity"]}),
    )
    .await?
    .expect(200)?;
    let settings = api
        .get("/api/v1/request-settings", &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(settings["categories"], json!(["repair", "install"]));
    let body = json!({"site_id": t.site_ids[0], "title": "Oven broken", "description": "It no longer heats.", "category": "repair"});
    api.post("/api/v1/requests", Some(&t.contact), &body)
        .await?
        .problem(400)?;
    let mut body = body;
    body["severity"] = json!("major");
    body["category"] = json!("painting");
    api.post("/api/v1/requests", Some(&t.contact), &body)
        .await?
        .problem(400)?;
    body["category"] = json!("repair");
    body["contact_phone"] = json!("+33 4 00 00 00 00");
    let created = api
        .post("/api/v1/requests", Some(&t.contact), &body)
        .await?
        .expect(201)?;
    let id = s(&created["id"]);
    assert_eq!(created["severity"], "major");
    assert_eq!(created["contact_name"], "Claire Martin");
    assert_eq!(created["contact_phone"], "+33 4 00 00 00 00");
    assert_eq!(created["site_address"], "Lyon");
    let path = |p: &str| format!("/api/v1/requests/{id}{p}");

    // The conversation, both sides, in order, with authors and times.
    let c1 = api
        .post(
            &path("/comments"),
            Some(&t.contact),
            &json!({"body": "The thermostat clicks but nothing happens."}),
        )
        .await?
        .expect(201)?;
    assert_eq!(c1["author"], "Claire Martin");
    assert_eq!(c1["author_kind"], "contact");
    let c2 = api
        .post(
            &path("/comments"),
            Some(&dispatcher),
            &json!({"body": "We will check the heating element."}),
        )
        .await?
        .expect(201)?;
    assert_eq!(c2["author"], "Sam dispatcher");
    assert_eq!(c2["author_kind"], "staff");
    api.post(
        &path("/comments"),
        Some(&technician),
        &json!({"body": "Customer is grumpy, bring spare zanzibarite.", "internal": true}),
    )
    .await?
    .expect(201)?;
    // Contacts cannot write internal notes; empty comments are refused.
    api.post(
        &path("/comments"),
        Some(&t.contact),
        &json!({"body": "x", "internal": true}),
    )
    .await?
    .problem(403)?;
    api.post(&path("/comments"), Some(&t.contact), &json!({"body": "  "}))
        .await?
        .problem(400)?;
    // Files of a request are listed to its contact: none on internal notes.
    api.post(
        &path("/comments"),
        Some(&dispatcher),
        &json!({"body": "see file", "internal": true, "attachment_ids": [uuid::Uuid::now_v7().to_string()]}),
    )
    .await?
    .problem(400)?;
    // An attachment on a comment (multipart); over the size limit: 413.
    let form = reqwest::multipart::Form::new()
        .text("body", "A photo of the oven.")
        .part(
            "file",
            reqwest::multipart::Part::bytes(PNG.to_vec())
                .file_name("oven.png")
                .mime_str("image/png")?,
        );
    let res = api
        .http
        .post(format!("{}{}", api.base, path("/comments")))
        .bearer_auth(&t.contact)
        .multipart(form)
        .send()
        .await?;
    assert_eq!(res.status(), 201);
    let with_file: Value = res.json().await?;
    assert_eq!(
        with_file["attachment_ids"].as_array().map(Vec::len),
        Some(1)
    );
    let big = vec![0u8; 1024 * 1024 + 10];
    let form = reqwest::multipart::Form::new()
        .text("body", "Too big.")
        .part(
            "file",
            reqwest::multipart::Part::bytes(big)
                .file_name("big.png")
                .mime_str("image/png")?,
        );
    let res = api
        .http
        .post(format!("{}{}", api.base, path("/comments")))
        .bearer_auth(&t.contact)
        .multipart(form)
        .send()
        .await?;
    assert_eq!(res.status(), 413);

    let seen_by_contact = api.get(&path(""), &t.contact).await?.expect(200)?;
    let bodies: Vec<String> = seen_by_contact["comments"]
        .as_array()
        .map(|a| a.iter().map(|c| s(&c["body"])).collect())
        .unwrap_or_default();
    assert_eq!(
        bodies,
        vec![
            "The thermostat clicks but nothing happens.",
            "We will check the heating element.",
            "A photo of the oven."
        ]
    );
    assert_eq!(seen_by_contact["comment_count"], 3);
    assert!(
        seen_by_contact["comments"][0]["created_at"].as_str()
            <= seen_by_contact["comments"][1]["created_at"].as_str()
    );
    assert_eq!(seen_by_contact["history"][0]["status"], "submitted");
    let seen_by_staff = api.get(&path(""), &t.admin).await?.expect(200)?;
    assert_eq!(seen_by_staff["comments"].as_array().map(Vec::len), Some(4));
    assert_eq!(seen_by_staff["comments"][2]["internal"], true);
    assert_eq!(seen_by_staff["comment_count"], 4);
    let listed = api.get("/api/v1/requests", &t.contact).await?.expect(200)?;
    assert_eq!(listed["items"][0]["comment_count"], 3);

    // Full-text search: words of a public comment; the note only for staff.
    let found = api
        .get("/api/v1/requests?q=thermostat", &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(ids(&found), vec![id.clone()]);
    let hidden = api
        .get("/api/v1/requests?q=zanzibarite", &t.contact)
        .await?
        .expect(200)?;
    assert!(ids(&hidden).is_empty());
    let staff_found = api
        .get("/api/v1/requests?q=zanzibarite", &t.admin)
        .await?
        .expect(200)?;
    assert_eq!(ids(&staff_found), vec![id.clone()]);
    api.get("/api/v1/requests?sort=sideways", &t.admin)
        .await?
        .problem(400)?;

    // Assignment: staff of the tenant only; dispatchers yes, technicians and contacts no.
    let due = "2031-05-04T09:00:00Z";
    api.post(
        &path("/assign"),
        Some(&dispatcher),
        &json!({"assignee_id": t.contact_id, "due_date": due}),
    )
    .await?
    .problem(400)?;
    api.post(
        &path("/assign"),
        Some(&technician),
        &json!({"assignee_id": technician_id}),
    )
    .await?
    .problem(403)?;
    api.post(
        &path("/assign"),
        Some(&t.contact),
        &json!({"assignee_id": technician_id}),
    )
    .await?
    .problem(404)?;
    let unassigned = api
        .get("/api/v1/requests?unassigned=true", &t.admin)
        .await?
        .expect(200)?;
    assert_eq!(ids(&unassigned), vec![id.clone()]);
    let assigned = api
        .post(
            &path("/assign"),
            Some(&dispatcher),
            &json!({"assignee_id": technician_id, "due_date": due}),
        )
        .await?
        .expect(200)?;
    assert_eq!(assigned["assignee"], "Sam technician");
    let seen = api.get(&path(""), &t.contact).await?.expect(200)?;
    assert_eq!(seen["assignee"], "Sam technician");
    assert_eq!(seen["due_date"], due);
    let mine = api
        .get("/api/v1/requests?mine=true", &technician)
        .await?
        .expect(200)?;
    assert_eq!(ids(&mine), vec![id.clone()]);
    let not_mine = api
        .get("/api/v1/requests?mine=true", &dispatcher)
        .await?
        .expect(200)?;
    assert!(ids(&not_mine).is_empty());
    assert!(
        ids(&api
            .get("/api/v1/requests?unassigned=true", &t.admin)
            .await?
            .expect(200)?)
        .is_empty()
    );

    // A second request, for counts and downloads.
    let second = fixtures::submit_request(&stack, &t, "Fridge noisy").await;
    // (submit_request sends no severity, which this tenant requires)
    assert!(second.is_err());
    let mut b2 = body.clone();
    b2["title"] = json!("Fridge noisy");
    b2["description"] = json!("A loud hum, day and night.");
    let second = api
        .post("/api/v1/requests", Some(&t.contact), &b2)
        .await?
        .expect(201)?;
    api.post(
        &format!("/api/v1/requests/{}/accept", s(&second["id"])),
        Some(&t.admin),
        &json!({}),
    )
    .await?
    .expect(200)?;
    let counts = api
        .get("/api/v1/requests/counts", &t.admin)
        .await?
        .expect(200)?;
    assert_eq!(counts["counts"]["submitted"], 1);
    assert_eq!(counts["counts"]["accepted"], 1);
    assert_eq!(counts["counts"]["closed"], 0);

    // Downloads hold exactly what the filter shows.
    let res = api
        .http
        .get(format!(
            "{}/api/v1/requests/export.csv?status=accepted",
            api.base
        ))
        .bearer_auth(&t.contact)
        .send()
        .await?;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()?
            .starts_with("attachment")
    );
    let text = res.text().await?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers()?.get(3), Some("title"));
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get(0), Some(s(&second["id"]).as_str()));
    let res = api
        .http
        .get(format!("{}/api/v1/requests/export.csv", api.base))
        .bearer_auth(&t.contact)
        .send()
        .await?;
    let all: Vec<csv::StringRecord> = csv::Reader::from_reader(res.text().await?.as_bytes())
        .records()
        .collect::<Result<_, _>>()?;
    assert_eq!(all.len(), 2);
    let res = api
        .http
        .get(format!(
            "{}/api/v1/requests/export.xlsx?q=thermostat",
            api.base
        ))
        .bearer_auth(&t.contact)
        .send()
        .await?;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()?
            .contains("spreadsheetml")
    );
    let book = res.bytes().await?;
    assert_eq!(&book[..4], b"PK\x03\x04");
    assert!(book.len() > 3000, "xlsx of {} bytes", book.len());

    // Closing: not another contact's request, not a technician it is not
    // assigned to; the creator may; then no more comments.
    api.post(&path("/close"), Some(&other), &json!({}))
        .await?
        .problem(404)?;
    let closed = api
        .post(
            &path("/close"),
            Some(&t.contact),
            &json!({"note": "Fixed by resetting it."}),
        )
        .await?
        .expect(200)?;
    assert_eq!(closed["status"], "closed");
    assert!(closed["closed_at"].is_string());
    api.post(
        &path("/comments"),
        Some(&t.contact),
        &json!({"body": "One more thing"}),
    )
    .await?
    .problem(409)?;
    api.post(&path("/close"), Some(&t.admin), &json!({}))
        .await?
        .problem(409)?;
    api.post(
        &path("/assign"),
        Some(&t.admin),
        &json!({"assignee_id": technician_id}),
    )
    .await?
    .problem(409)?;
    // A technician may close only what is assigned to them.
    let third = api
        .post("/api/v1/requests", Some(&t.contact), &b2)
        .await?
        .expect(201)?;
    api.post(
        &format!("/api/v1/requests/{}/close", s(&third["id"])),
        Some(&technician),
        &json!({}),
    )
    .await?
    .problem(403)?;
    let detail = api.get(&path(""), &t.contact).await?.expect(200)?;
    let history: Vec<String> = detail["history"]
        .as_array()
        .map(|a| a.iter().map(|h| s(&h["status"])).collect())
        .unwrap_or_default();
    assert_eq!(history, vec!["submitted", "closed"]);
    assert_eq!(detail["history"][1]["note"], "Fixed by resetting it.");

    // Each change published its event once (outbox rows, all sent).
    let db = stack.db("requests").await?;
    let count = |ce: &'static str| {
        let db = db.clone();
        async move {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM outbox WHERE ce_type = $1 AND subject LIKE '%' || $2",
            )
            .bind(ce)
            .bind(ce.trim_start_matches("portal.").trim_end_matches(".v1"))
            .fetch_one(&db)
            .await?;
            anyhow::Ok(n)
        }
    };
    assert_eq!(count("portal.request.commented.v1").await?, 4);
    assert_eq!(count("portal.request.assigned.v1").await?, 1);
    assert_eq!(count("portal.request.closed.v1").await?, 1);
    let internal: i64 = sqlx::query_scalar("SELECT count(*) FROM request_comments WHERE internal")
        .fetch_one(&db)
        .await?;
    assert_eq!(internal, 1);
    eventually(20, "the outbox to be published", || async {
        let unsent: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&db)
            .await?;
        Ok((unsent == 0).then_some(()))
    })
    .await?;
    // Assign and close are in the audit log.
    let audit = api.get("/api/v1/audit", &t.admin).await?.expect(200)?;
    let actions: Vec<String> = audit["items"]
        .as_array()
        .map(|a| a.iter().map(|e| s(&e["action"])).collect())
        .unwrap_or_default();
    assert!(
        actions.contains(&"request.assigned".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"request.closed".to_owned()),
        "{actions:?}"
    );

    // Staff close too: the technician once it is theirs, a dispatcher any.
    let third_path = format!("/api/v1/requests/{}", s(&third["id"]));
    api.post(
        &format!("{third_path}/assign"),
        Some(&t.admin),
        &json!({"assignee_id": technician_id}),
    )
    .await?
    .expect(200)?;
    let by_tech = api
        .post(
            &format!("{third_path}/close"),
            Some(&technician),
            &json!({"note": "Done on site."}),
        )
        .await?
        .expect(200)?;
    assert_eq!(by_tech["status"], "closed");
    let fourth = api
        .post("/api/v1/requests", Some(&t.contact), &b2)
        .await?
        .expect(201)?;
    let by_dispatcher = api
        .post(
            &format!("/api/v1/requests/{}/close", s(&fourth["id"])),
            Some(&dispatcher),
            &json!({}),
        )
        .await?
        .expect(200)?;
    assert_eq!(by_dispatcher["status"], "closed");
    // The contact sees who closed theirs as closed, with the note.
    let seen = api.get(&third_path, &t.contact).await?.expect(200)?;
    assert_eq!(seen["status"], "closed");
    assert_eq!(seen["history"][1]["note"], "Done on site.");
    stack.stop().await
}
