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

    // Nothing of all this became a request.
    let list = stack
        .api
        .get("/api/v1/requests", &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "{list}");
    Ok(())
}
