//! The ticket pages over real HTTPS, without JavaScript: a contact creates a
//! request with files (C1), finds it in the list (C2), follows it (C3) and
//! closes it (C5); staff work the "to assign" inbox (G2); an open page's
//! event stream (H3) carries staff comments to the contact, never internal
//! notes, and opens for nobody outside the request's scope.
use std::time::Duration;

use portal_testkit::{Stack, eventually, smtp::link_token};
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::browser::Browser;
use crate::fixtures::{self, PNG, s};

const SLUG: &str = "webtix";

fn file(name: &str, content_type: &str, bytes: Vec<u8>) -> anyhow::Result<Part> {
    Ok(Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(content_type)?)
}

/// A staff member with `role`, created by the admin; their e-mail.
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
            &json!({"email": email, "name": format!("Dana {role}"), "roles": [role], "password": "staff password 1"}),
        )
        .await?
        .expect(201)?;
    Ok((s(&member["id"]), email))
}

/// A contact of another customer of the same tenant, activated; their e-mail.
async fn outsider(stack: &Stack, t: &fixtures::Tenant) -> anyhow::Result<String> {
    let api = &stack.api;
    let customer = api
        .post(
            "/api/v1/customers",
            Some(&t.admin),
            &json!({"number": "C-2", "name": "Garage Dupuis"}),
        )
        .await?
        .expect(201)?;
    let id = s(&customer["id"]);
    api.post(
        &format!("/api/v1/customers/{id}/sites"),
        Some(&t.admin),
        &json!({"name": "Garage", "address": "Lyon", "latitude": 45.7, "longitude": 4.8}),
    )
    .await?
    .expect(201)?;
    let email = format!("paul@{SLUG}-garage.example");
    let contact = api
        .post(
            &format!("/api/v1/customers/{id}/contacts"),
            Some(&t.admin),
            &json!({"name": "Paul Dupuis", "email": email, "language": "en", "notifications": true}),
        )
        .await?
        .expect(201)?;
    api.put(
        &format!("/api/v1/customers/{id}/portal"),
        &t.admin,
        &json!({"enabled": true}),
    )
    .await?
    .expect(200)?;
    api.post(
        &format!("/api/v1/contacts/{}/invitation", s(&contact["id"])),
        Some(&t.admin),
        &json!({}),
    )
    .await?
    .expect(202)?;
    let sink = stack
        .smtp
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no SMTP sink"))?;
    let mail = eventually(20, "the outsider's invitation", || async {
        Ok(sink.to(&email).into_iter().next())
    })
    .await?;
    let token =
        link_token(&mail.body).ok_or_else(|| anyhow::anyhow!("no link in {}", mail.body))?;
    api.post(
        "/api/v1/auth/invitations/accept",
        None,
        &json!({"token": token, "password": "garage password 1"}),
    )
    .await?
    .expect(200)?;
    Ok(email)
}

/// Reads a server-sent-event stream until `done` holds for what came so far.
pub(crate) async fn read_until(
    res: &mut reqwest::Response,
    seen: &mut String,
    what: &str,
    done: impl Fn(&str) -> bool,
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done(seen) {
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .map_err(|_| anyhow::anyhow!("no {what} in the stream; got:\n{seen}"))??;
        match chunk {
            Some(c) => seen.push_str(&String::from_utf8_lossy(&c)),
            None => anyhow::bail!("the stream ended before {what}; got:\n{seen}"),
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ticket_in_the_browser_with_a_live_stream() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, SLUG).await?;
    let (dispatcher_id, dispatcher_email) = staff(&stack, &t, "dispatcher").await?;
    let outsider_email = outsider(&stack, &t).await?;

    // Admins set the categories and required fields the form follows.
    let mut admin = Browser::new(&stack)?;
    admin
        .log_in(SLUG, &format!("admin@{SLUG}.example"), "admin password 1")
        .await?;
    let settings = admin
        .get(&format!("/t/{SLUG}/staff/request-settings"))
        .await?;
    assert_eq!(settings.status, 200, "{}", settings.body);
    let csrf = admin.csrf();
    let saved = admin
        .post(
            &format!("/t/{SLUG}/staff/request-settings"),
            &[
                ("csrf", &csrf),
                ("categories", "Repair\nInstallation"),
                ("required", "category"),
            ],
        )
        .await?;
    assert_eq!(saved.status, 303, "{}", saved.body);

    // The contact opens the form from a site (C7): site, address and contact details prefilled.
    let mut contact = Browser::new(&stack)?;
    contact
        .log_in(SLUG, &t.contact_email, "contact password 1")
        .await?;
    let site = &t.site_ids[1];
    let form = contact
        .get(&format!("/t/{SLUG}/requests/new?site_id={site}"))
        .await?;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body
            .contains(&format!("value=\"{site}\" data-address=\"Lyon\" selected")),
        "{}",
        form.body
    );
    assert_eq!(
        form.input("contact_email").as_deref(),
        Some(t.contact_email.as_str())
    );
    assert!(
        form.body.contains("<option>Installation</option>"),
        "categories in {}",
        form.body
    );
    assert!(form.body.contains("enctype=\"multipart/form-data\""));

    // A required field missing: the form again, with the reason and what was typed.
    let csrf = contact.csrf();
    let base_fields = |title: &str, category: &str| {
        Form::new()
            .text("csrf", csrf.clone())
            .text("site_id", site.clone())
            .text("title", title.to_owned())
            .text(
                "description",
                "The door seal is torn and the oven loses heat.",
            )
            .text("category", category.to_owned())
            .text("priority", "high")
            .text("contact_phone", "+33 4 00 00 00 00")
    };
    let missing = contact
        .post_multipart(
            &format!("/t/{SLUG}/requests/new"),
            base_fields("Oven door", ""),
        )
        .await?;
    assert_eq!(missing.status, 400, "{}", missing.body);
    assert!(
        missing.body.contains("role=\"alert\"") && missing.body.contains("value=\"Oven door\"")
    );
    // Without the CSRF field nothing is created.
    let forged = contact
        .post_multipart(
            &format!("/t/{SLUG}/requests/new"),
            Form::new()
                .text("site_id", site.clone())
                .text("title", "x")
                .text("description", "y"),
        )
        .await?;
    assert_eq!(forged.status, 403);

    // The request and two files in one post (the form without JavaScript).
    let created = contact
        .post_multipart(
            &format!("/t/{SLUG}/requests/new"),
            base_fields("Oven door", "Repair")
                .part("files", file("door.png", "image/png", PNG.to_vec())?)
                .part(
                    "files",
                    file("notes.txt", "text/plain", b"seal part 4711".to_vec())?,
                ),
        )
        .await?;
    assert_eq!(created.status, 303, "{}", created.body);
    let location = created.header("location");
    let id = location
        .split("created=")
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("no id in {location}"))?
        .to_owned();
    let list = contact.get(&location).await?;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(
        list.body.contains("id=\"request-created\""),
        "{}",
        list.body
    );
    let first_row = list
        .body
        .find("<tr id=\"request-")
        .map(|i| &list.body[i..i + 60]);
    assert!(
        first_row.is_some_and(|r| r.contains(&id)),
        "the new request is not first: {}",
        list.body
    );
    assert!(list.body.contains("Repair") && list.body.contains("Villeurbanne workshop"));
    // Filters and search keep working on the list.
    let found = contact
        .get(&format!(
            "/t/{SLUG}/requests?q=seal&status=submitted&mine=true"
        ))
        .await?;
    assert!(found.body.contains(&id), "{}", found.body);
    let none = contact
        .get(&format!("/t/{SLUG}/requests?status=closed"))
        .await?;
    assert!(!none.body.contains(&id) && none.body.contains("id=\"requests-none\""));

    // The list's downloads carry its filters (E5), with the session's cookies.
    let csv = contact
        .get(&format!("/t/{SLUG}/requests/export.csv?q=seal&mine=true"))
        .await?;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.body.contains("Oven door"), "{}", csv.body);
    let empty = contact
        .get(&format!("/t/{SLUG}/requests/export.csv?status=closed"))
        .await?;
    assert!(!empty.body.contains("Oven door"));
    let xlsx = contact
        .get(&format!("/t/{SLUG}/requests/export.xlsx?q=seal"))
        .await?;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.header("content-type").contains("spreadsheetml"));
    assert!(
        list.body
            .contains(&format!("{SLUG}/requests/export.xlsx?\"")),
        "{}",
        list.body
    );

    let detail_path = format!("/t/{SLUG}/requests/{id}");
    let detail = contact.get(&detail_path).await?;
    assert_eq!(detail.status, 200, "{}", detail.body);
    for part in [
        "door.png",
        "notes.txt",
        "id=\"comment-form\"",
        "id=\"close-form\"",
        "data-events=",
    ] {
        assert!(
            detail.body.contains(part),
            "{part} missing in {}",
            detail.body
        );
    }
    // The files download with the session (the text file, by its link before its name).
    let notes_at = detail.body.find("notes.txt").unwrap_or(0);
    let link_at =
        detail.body[..notes_at].rfind("/attachments/").unwrap_or(0) + "/attachments/".len();
    let file_id: String = detail.body[link_at..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let download = contact
        .get(&format!("/t/{SLUG}/attachments/{file_id}"))
        .await?;
    assert_eq!(download.status, 200, "{file_id}: {}", download.body);
    assert_eq!(download.body, "seal part 4711");
    assert!(download.header("content-disposition").contains("notes.txt"));
    assert_eq!(
        Browser::new(&stack)?
            .get(&format!("/t/{SLUG}/attachments/{file_id}"))
            .await?
            .status,
        303
    );

    // A file too large, a type refused: said next to the upload form.
    let csrf = contact.csrf();
    let big = contact
        .post_multipart(
            &format!("{detail_path}/attachments"),
            Form::new().text("csrf", csrf.clone()).part(
                "file",
                file("huge.png", "image/png", vec![0u8; 1024 * 1024 + 10])?,
            ),
        )
        .await?;
    assert_eq!(big.status, 413, "{}", big.body);
    assert!(big.body.contains("id=\"upload-error\"") && big.body.contains("huge.png"));
    let exe = contact
        .post_multipart(
            &format!("{detail_path}/attachments"),
            Form::new().text("csrf", csrf.clone()).part(
                "file",
                file("tool.exe", "application/x-msdownload", b"MZ".to_vec())?,
            ),
        )
        .await?;
    assert_eq!(exe.status, 415, "{}", exe.body);

    // The contact's page listens; so does another customer's contact, who gets nothing.
    let mut stream = contact.stream(&format!("{detail_path}/events")).await?;
    assert_eq!(stream.status(), 200);
    let content_type = stream
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "the ready event", |s| {
        s.contains("event: ready")
    })
    .await?;
    let mut garage = Browser::new(&stack)?;
    garage
        .log_in(SLUG, &outsider_email, "garage password 1")
        .await?;
    assert_eq!(
        garage
            .stream(&format!("{detail_path}/events"))
            .await?
            .status(),
        404
    );
    assert_eq!(garage.get(&detail_path).await?.status, 404);
    let anonymous = Browser::new(&stack)?;
    assert_eq!(
        anonymous
            .stream(&format!("{detail_path}/events"))
            .await?
            .status(),
        401
    );

    // The dispatcher's inbox: new first, counts per status.
    let mut staff_b = Browser::new(&stack)?;
    staff_b
        .log_in(SLUG, &dispatcher_email, "staff password 1")
        .await?;
    let inbox = staff_b
        .get(&format!("/t/{SLUG}/staff/requests?unassigned=true"))
        .await?;
    assert_eq!(inbox.status, 200, "{}", inbox.body);
    assert!(
        inbox.body.contains(&id) && inbox.body.contains("data-status=\"submitted\">1<"),
        "{}",
        inbox.body
    );
    // One customer's requests, from the customer's page.
    let customer_page = staff_b
        .get(&format!("/t/{SLUG}/staff/customers/{}", t.customer_id))
        .await?;
    assert!(
        customer_page.body.contains("id=\"customer-requests\""),
        "{}",
        customer_page.body
    );
    let theirs = staff_b
        .get(&format!(
            "/t/{SLUG}/staff/requests?customer_id={}",
            t.customer_id
        ))
        .await?;
    assert!(theirs.body.contains(&id), "{}", theirs.body);
    let staff_detail = format!("/t/{SLUG}/staff/requests/{id}");
    let page = staff_b.get(&staff_detail).await?;
    assert!(
        page.body.contains("id=\"assign-form\"") && page.body.contains("Dana dispatcher"),
        "{}",
        page.body
    );
    let mut staff_stream = staff_b.stream(&format!("{detail_path}/events")).await?;
    let mut staff_seen = String::new();
    read_until(&mut staff_stream, &mut staff_seen, "ready", |s| {
        s.contains("event: ready")
    })
    .await?;

    // An internal note, then a public comment, then the assignment with a due date.
    let csrf = staff_b.csrf();
    let note = staff_b
        .post(
            &format!("{detail_path}/comments"),
            &[
                ("csrf", &csrf),
                ("body", "Internal: check the warranty first"),
                ("internal", "true"),
            ],
        )
        .await?;
    assert_eq!(note.status, 303, "{}", note.body);
    assert_eq!(
        note.header("location"),
        format!("{staff_detail}#conversation")
    );
    let public = staff_b
        .post(
            &format!("{detail_path}/comments"),
            &[("csrf", &csrf), ("body", "We order the seal today.")],
        )
        .await?;
    assert_eq!(public.status, 303, "{}", public.body);
    let assigned = staff_b
        .post(
            &format!("{staff_detail}/assign"),
            &[
                ("csrf", &csrf),
                ("assignee_id", &dispatcher_id),
                ("due_date", "2031-05-20"),
            ],
        )
        .await?;
    assert_eq!(assigned.status, 303, "{}", assigned.body);

    read_until(
        &mut stream,
        &mut seen,
        "the staff comment and the assignment",
        |s| s.contains("We order the seal today.") && s.contains("event: assigned"),
    )
    .await?;
    assert!(
        !seen.contains("warranty"),
        "the contact's stream carried an internal note:\n{seen}"
    );
    read_until(
        &mut staff_stream,
        &mut staff_seen,
        "the internal note",
        |s| s.contains("warranty"),
    )
    .await?;

    // What the contact's page shows now (the part the script reloads).
    let detail = contact.get(&detail_path).await?;
    for part in ["We order the seal today.", "Dana dispatcher", "2031-05-20"] {
        assert!(
            detail.body.contains(part),
            "{part} missing in {}",
            detail.body
        );
    }
    assert!(
        !detail.body.contains("warranty"),
        "internal note shown to the contact"
    );
    let staff_page = staff_b.get(&staff_detail).await?;
    assert!(staff_page.body.contains("warranty") && staff_page.body.contains("internal-badge"));

    // The contact answers, then closes: the conversation ends.
    let csrf = contact.csrf();
    let answer = contact
        .post(
            &format!("{detail_path}/comments"),
            &[("csrf", &csrf), ("body", "Thank you!")],
        )
        .await?;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        answer.header("location"),
        format!("{detail_path}#conversation")
    );
    // A comment with a file (the form is multipart): the file is listed under it.
    let with_file = contact
        .post_multipart(
            &format!("{detail_path}/comments"),
            Form::new()
                .text("csrf", csrf.clone())
                .text("body", "Here is the label of the oven.")
                .part("file", file("label.png", "image/png", PNG.to_vec())?),
        )
        .await?;
    assert_eq!(with_file.status, 303, "{}", with_file.body);
    let detail = contact.get(&detail_path).await?;
    let comment_at = detail
        .body
        .find("Here is the label of the oven.")
        .unwrap_or(0);
    assert!(
        detail.body[comment_at..].contains("label.png"),
        "{}",
        detail.body
    );
    // Files never go with internal notes (contacts see every file of the request).
    let staff_csrf = staff_b.csrf();
    let refused = staff_b
        .post_multipart(
            &format!("{detail_path}/comments"),
            Form::new()
                .text("csrf", staff_csrf)
                .text("body", "Internal with a file")
                .text("internal", "true")
                .part("file", file("secret.png", "image/png", PNG.to_vec())?),
        )
        .await?;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(!contact.get(&detail_path).await?.body.contains("secret.png"));
    let closed = contact
        .post(&format!("{detail_path}/close"), &[("csrf", &csrf)])
        .await?;
    assert_eq!(closed.status, 303, "{}", closed.body);
    read_until(&mut stream, &mut seen, "the closing", |s| {
        s.contains("event: closed")
    })
    .await?;
    let detail = contact.get(&detail_path).await?;
    assert!(
        detail.body.contains("id=\"closed-note\"") && !detail.body.contains("id=\"comment-form\"")
    );
    assert!(
        detail.body.contains("data-status=\"closed\""),
        "{}",
        detail.body
    );
    let late = contact
        .post(
            &format!("{detail_path}/comments"),
            &[("csrf", &csrf), ("body", "One more thing")],
        )
        .await?;
    assert_eq!(late.status, 409, "{}", late.body);
    // Closing someone else's request: not found for them.
    let csrf = garage.csrf();
    assert_eq!(
        garage
            .post(&format!("{detail_path}/close"), &[("csrf", &csrf)])
            .await?
            .status,
        404
    );

    drop(stream);
    drop(staff_stream);
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_accept_or_reject_and_the_contact_sees_why_in_their_language() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let slug = "webdecide";
    let t = fixtures::tenant(&stack, slug).await?;
    let rejected = s(&fixtures::submit_request(&stack, &t, "Paint the hall").await?["id"]);
    let accepted = s(&fixtures::submit_request(&stack, &t, "Oven repair").await?["id"]);

    // The contact (French) listens on the request that will be accepted.
    let mut contact = Browser::new(&stack)?;
    contact
        .log_in(slug, &t.contact_email, "contact password 1")
        .await?;
    let mut stream = contact
        .stream(&format!("/t/{slug}/requests/{accepted}/events"))
        .await?;
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "ready", |s| {
        s.contains("event: ready")
    })
    .await?;
    // Staff pages are not theirs.
    assert_eq!(
        contact
            .get(&format!("/t/{slug}/staff/requests"))
            .await?
            .status,
        404
    );
    assert_eq!(
        contact
            .get(&format!("/t/{slug}/staff/requests/{accepted}"))
            .await?
            .status,
        404
    );

    let mut admin = Browser::new(&stack)?;
    admin
        .log_in(slug, &format!("admin@{slug}.example"), "admin password 1")
        .await?;
    let inbox = admin
        .get(&format!("/t/{slug}/staff/requests?unassigned=true"))
        .await?;
    assert!(
        inbox.body.contains("data-status=\"submitted\">2<"),
        "{}",
        inbox.body
    );
    // The newest first.
    let (a, r) = (inbox.body.find(&accepted), inbox.body.find(&rejected));
    assert!(a.is_some() && r.is_some() && a < r, "{}", inbox.body);
    let csrf = admin.csrf();
    let staff_page = format!("/t/{slug}/staff/requests/{rejected}");
    let page = admin.get(&staff_page).await?;
    assert!(page.body.contains("id=\"reject-form\"") && page.body.contains("id=\"accept-form\""));
    // A rejection needs its reason.
    let bare = admin
        .post(
            &format!("{staff_page}/reject"),
            &[("csrf", &csrf), ("reason", " ")],
        )
        .await?;
    assert_eq!(bare.status, 400, "{}", bare.body);
    let done = admin
        .post(
            &format!("{staff_page}/reject"),
            &[
                ("csrf", &csrf),
                ("reason", "Painting is not part of our contract."),
            ],
        )
        .await?;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), staff_page);
    let ok = admin
        .post(
            &format!("/t/{slug}/staff/requests/{accepted}/accept"),
            &[("csrf", &csrf)],
        )
        .await?;
    assert_eq!(ok.status, 303, "{}", ok.body);
    // Deciding twice is a conflict, said on the page.
    let twice = admin
        .post(
            &format!("/t/{slug}/staff/requests/{accepted}/accept"),
            &[("csrf", &csrf)],
        )
        .await?;
    assert_eq!(twice.status, 409, "{}", twice.body);

    // The contact's stream hears the acceptance, then the work order.
    read_until(&mut stream, &mut seen, "accepted and the work order", |s| {
        s.contains("event: accepted") && s.contains("event: work_order")
    })
    .await?;
    let why = contact
        .get(&format!("/t/{slug}/requests/{rejected}"))
        .await?;
    assert!(why.body.contains("<html lang=\"fr\""));
    assert!(
        why.body.contains("Painting is not part of our contract.") && why.body.contains("Refusée"),
        "{}",
        why.body
    );
    // The work order is linked by requests once work-orders made it.
    let mut planned = contact
        .get(&format!("/t/{slug}/requests/{accepted}"))
        .await?;
    for _ in 0..100 {
        if planned.body.contains("À planifier") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        planned = contact
            .get(&format!("/t/{slug}/requests/{accepted}"))
            .await?;
    }
    assert!(planned.body.contains("À planifier"), "{}", planned.body);
    assert!(planned.body.contains("Acceptée"), "{}", planned.body);
    drop(stream);
    stack.stop().await
}
