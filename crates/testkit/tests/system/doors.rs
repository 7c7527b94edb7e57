//! Hostile uploads (issue #9): a multipart form is refused while it streams,
//! before the gateway holds it, and the CSRF field is checked before the rest
//! of the body is read.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::StreamExt;
use portal_testkit::Stack;
use reqwest::multipart::{Form, Part};

use crate::browser::Browser;
use crate::fixtures;

const MB: usize = 1024 * 1024;

/// A part of `total` bytes made as it is sent; `pulled` counts what the
/// gateway has taken so far.
fn endless(total: usize, pulled: Arc<AtomicUsize>) -> Part {
    let chunk = 64 * 1024;
    let body = futures::stream::iter(0..total / chunk).map(move |_| {
        pulled.fetch_add(chunk, Ordering::Relaxed);
        Ok::<_, std::io::Error>(vec![b'a'; chunk])
    });
    Part::stream(reqwest::Body::wrap_stream(body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_endless_form_is_refused_while_it_streams() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "endless").await?;
    let mut contact = Browser::new(&stack)?;
    contact
        .log_in("endless", &t.contact_email, "contact password 1")
        .await?;
    let new = "/t/endless/requests/new";
    contact.get(new).await?;
    let csrf = contact.csrf();

    // A 200 MB description: refused once it passes the field limit.
    let pulled = Arc::new(AtomicUsize::new(0));
    let form = Form::new()
        .text("csrf", csrf.clone())
        .text("title", "Oven")
        .part("description", endless(200 * MB, pulled.clone()));
    let refused = contact.post_multipart(new, form).await?;
    assert_eq!(refused.status, 413, "{}", refused.body);
    let read = pulled.load(Ordering::Relaxed);
    assert!(read < 16 * MB, "the gateway took {} MB first", read / MB);

    // A forged form: the token comes first and is checked before the rest.
    let pulled = Arc::new(AtomicUsize::new(0));
    let form = Form::new().text("csrf", "forged").part(
        "files",
        endless(200 * MB, pulled.clone()).file_name("big.png"),
    );
    let forged = contact.post_multipart(new, form).await?;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(pulled.load(Ordering::Relaxed) < 16 * MB);
    // … and a form that does not start with it is refused alike.
    let form = Form::new().text("title", "Oven").text("csrf", csrf.clone());
    assert_eq!(contact.post_multipart(new, form).await?.status, 403);

    // Too many text fields, and too many files, are refused as they come.
    let mut many = Form::new().text("csrf", csrf.clone());
    for i in 0..60 {
        many = many.text(format!("extra{i}"), "x");
    }
    assert_eq!(contact.post_multipart(new, many).await?.status, 400);
    let mut files = Form::new().text("csrf", csrf.clone());
    for i in 0..12 {
        files = files.part(
            "files",
            Part::bytes(fixtures::PNG.to_vec())
                .file_name(format!("f{i}.png"))
                .mime_str("image/png")?,
        );
    }
    let too_many = contact.post_multipart(new, files).await?;
    assert_eq!(too_many.status, 400, "{}", too_many.body);

    // The API takes the same limits as it streams.
    let request = fixtures::submit_request(&stack, &t, "Freezer").await?;
    let pulled = Arc::new(AtomicUsize::new(0));
    let res = stack
        .api
        .http
        .post(format!(
            "{}/api/v1/requests/{}/comments",
            stack.api.base,
            fixtures::s(&request["id"])
        ))
        .bearer_auth(&t.contact)
        .multipart(Form::new().part("body", endless(200 * MB, pulled.clone())))
        .send()
        .await?;
    assert_eq!(res.status(), 413);
    assert!(pulled.load(Ordering::Relaxed) < 16 * MB);

    // Nothing of all this became a request (beyond the one made above).
    let list = stack
        .api
        .get("/api/v1/requests", &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn files_are_not_cached_closed_requests_take_none_and_streams_are_few() -> anyhow::Result<()>
{
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "shut").await?;
    let api = &stack.api;
    let request = fixtures::submit_request(&stack, &t, "Fridge").await?;
    let id = fixtures::s(&request["id"]);
    let files = format!("/api/v1/requests/{id}/attachments");
    let file = api
        .upload(
            &files,
            &t.contact,
            "door.png",
            "image/png",
            fixtures::PNG.to_vec(),
        )
        .await?
        .expect(201)?;
    let res = api
        .http
        .get(format!(
            "{}/api/v1/attachments/{}/content",
            api.base,
            fixtures::s(&file["id"])
        ))
        .bearer_auth(&t.contact)
        .send()
        .await?;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );

    // A page may hold a few live streams per account, not any number.
    let mut contact = Browser::new(&stack)?;
    contact
        .log_in("shut", &t.contact_email, "contact password 1")
        .await?;
    let events = format!("/t/shut/requests/{id}/events");
    let mut open = Vec::new();
    for _ in 0..6 {
        let s = contact.stream(&events).await?;
        assert_eq!(s.status(), 200);
        open.push(s);
    }
    assert_eq!(contact.stream(&events).await?.status(), 429);
    open.pop();
    // The slot comes back once the server sees the stream gone.
    portal_testkit::eventually(10, "a freed stream slot", || async {
        let s = contact.stream(&events).await?;
        Ok((s.status() == 200).then_some(s))
    })
    .await?;

    // Closed: no more files, by the API or the page.
    api.post(
        &format!("/api/v1/requests/{id}/close"),
        Some(&t.contact),
        &serde_json::json!({}),
    )
    .await?
    .expect(200)?;
    api.upload(
        &files,
        &t.contact,
        "late.png",
        "image/png",
        fixtures::PNG.to_vec(),
    )
    .await?
    .problem(409)?;
    contact.get(&format!("/t/shut/requests/{id}")).await?;
    let csrf = contact.csrf();
    let page = contact
        .post_multipart(
            &format!("/t/shut/requests/{id}/attachments"),
            Form::new().text("csrf", csrf).part(
                "file",
                Part::bytes(fixtures::PNG.to_vec())
                    .file_name("late.png")
                    .mime_str("image/png")?,
            ),
        )
        .await?;
    assert_eq!(page.status, 409, "{}", page.body);
    let listed = api.get(&files, &t.contact).await?.expect(200)?;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mail_that_failed_for_good_keeps_no_secret_link() -> anyhow::Result<()> {
    let port = portal_testkit::free_port()?;
    let stack = Stack::start_with(portal_testkit::MailSetup::Unreachable(port)).await?;
    let t = fixtures::invited_tenant(&stack, "deadmail").await?;
    let db = stack.db("notification").await?;
    // The invitation waits, unsent, with its link in the stored body.
    let id: uuid::Uuid = portal_testkit::eventually(20, "the queued invitation", || async {
        Ok(sqlx::query_scalar(
            "SELECT id FROM deliveries WHERE recipient = $1 AND body LIKE '%token=%'",
        )
        .bind(&t.contact_email)
        .fetch_optional(&db)
        .await?)
    })
    .await?;
    // The mail server refuses it for good (what the sender records then).
    let mut conn = db.acquire().await?;
    notification::store::mark_attempt_failed(
        &mut conn,
        id,
        "550 5.1.1 no such mailbox",
        std::time::Duration::ZERO,
        true,
    )
    .await?;
    let (status, body): (String, String) =
        sqlx::query_as("SELECT status, body FROM deliveries WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    assert_eq!(status, "failed");
    assert!(body.is_empty(), "the link is still stored: {body}");
    Ok(())
}
