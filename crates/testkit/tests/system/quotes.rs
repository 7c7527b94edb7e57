//! Quotes (E3): written from lines into a PDF in the tenant's currency,
//! decided once by a contact in scope before they expire, the signed copy
//! certified, and an accepted quote turned into one work order to plan,
//! even when NATS was away at the time.
use portal_testkit::{Stack, eventually};
use serde_json::{Value, json};

use crate::fixtures::{self, Tenant, s};
use crate::service_report::{download, pdf_text};

/// A 1×1 PNG, as a canvas would send a (very small) drawing.
const SIGNATURE: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn in_days(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

fn quote_body(t: &Tenant, title: &str) -> Value {
    json!({
        "customer_id": t.customer_id, "site_id": t.site_ids[0], "title": title,
        "valid_until": in_days(30),
        "lines": [
            {"description": "Condenser fan motor", "quantity": 2, "unit_price": 19.99, "tax_rate": 20},
            {"description": "Labour (hours)", "quantity": 1.5, "unit_price": 45, "tax_rate": 5.5}
        ]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_quote_is_signed_once_and_becomes_work_to_plan() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "quotes").await?;
    let other = fixtures::tenant(&stack, "quotes-other").await?;
    let api = &stack.api;
    api.put(
        "/api/v1/tenant",
        &t.admin,
        &json!({"name": "Froid Services", "portal_enabled": true, "portal_all_customers": true,
                "registration_open": false, "currency": "pln"}),
    )
    .await?
    .expect(200)?;

    let quote = api
        .post(
            "/api/v1/quotes",
            Some(&t.admin),
            &quote_body(&t, "Cold room repair"),
        )
        .await?
        .expect(201)?;
    let id = s(&quote["id"]);
    // 2 × 19.99 = 39.98 + 8.00 tax; 1.5 × 45 = 67.50 + 3.71 tax.
    assert_eq!(quote["status"], "sent");
    assert_eq!(quote["currency"], "PLN");
    assert_eq!(quote["net"], 107.48);
    assert_eq!(quote["tax"], 11.71);
    assert_eq!(quote["total"], 119.19);
    assert_eq!(quote["lines"][1]["tax"], 3.71);

    // The contact (French) is told by mail, in their language, with a link.
    let told = eventually(30, "the mail about the new quote", || async {
        Ok(stack.smtp.as_ref().and_then(|m| {
            m.to(&t.contact_email)
                .into_iter()
                .find(|m| m.subject.starts_with("Un devis attend votre décision"))
        }))
    })
    .await?;
    assert!(
        told.subject.contains("Cold room repair"),
        "{}",
        told.subject
    );
    assert!(told.body.contains("/quotes"), "{}", told.body);

    // The contact finds it among their documents and reads the PDF.
    let docs = api
        .get("/api/v1/documents?kind=quote", &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(docs["items"][0]["id"], quote["document_id"]);
    let (status, _, sent_pdf) = download(&stack, &t.contact, &s(&quote["document_id"])).await?;
    assert_eq!(status, 200);
    let text = pdf_text(&sent_pdf)?;
    for expected in [
        "Froid Services",
        "Condenser fan motor",
        "119.19 PLN",
        "Cold room repair",
    ] {
        assert!(text.contains(expected), "{expected:?} in the PDF: {text}");
    }
    let sent_hash = s(&quote["pdf_sha256"]);
    assert_eq!(sent_hash, sha256_hex(&sent_pdf), "the hash is the PDF's");

    // Nobody else sees it; staff and contacts of another tenant do not decide.
    api.get(&format!("/api/v1/quotes/{id}"), &other.contact)
        .await?
        .problem(404)?;
    api.get(&format!("/api/v1/quotes/{id}"), &other.admin)
        .await?
        .problem(404)?;
    let accept = |name: &str, hash: &str| json!({"signer_name": name, "signature_png": SIGNATURE, "pdf_sha256": hash});
    let path = format!("/api/v1/quotes/{id}/accept");
    api.post(&path, Some(&t.admin), &accept("Admin", ""))
        .await?
        .problem(403)?;
    // A forged hash, no drawing, no name: refused, nothing decided.
    let forged = api
        .post(
            &path,
            Some(&t.contact),
            &accept("Jean Dupont", &"0".repeat(64)),
        )
        .await?
        .problem(400)?;
    assert!(s(&forged["detail"]).contains("pdf_sha256"), "{forged}");
    api.post(
        &path,
        Some(&t.contact),
        &json!({"signer_name": "Jean Dupont", "signature_png": ""}),
    )
    .await?
    .problem(400)?;
    api.post(&path, Some(&t.contact), &accept(" ", ""))
        .await?
        .problem(400)?;
    let still = api
        .get(&format!("/api/v1/quotes/{id}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(still["status"], "sent");
    assert!(still["decision"].is_null());

    // The customer renamed meanwhile: the signed copy still repeats the quote as sent.
    let customer_path = format!("/api/v1/customers/{}", t.customer_id);
    let before = api.get(&customer_path, &t.admin).await?.expect(200)?;
    api.put(
        &customer_path,
        &t.admin,
        &json!({"number": before["number"], "name": "Renamed Bakery"}),
    )
    .await?
    .expect(200)?;

    let accepted = api
        .post(
            &path,
            Some(&t.contact),
            &accept("Jean Dupont", &sent_hash.to_uppercase()),
        )
        .await?
        .expect(200)?;
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["decision"]["by"], "Jean Dupont");
    assert_eq!(accepted["decision"]["pdf_sha256"], sent_hash.as_str());
    assert!(!s(&accepted["decision"]["address"]).is_empty());
    // Once: a second acceptance or a late refusal changes nothing.
    api.post(&path, Some(&t.contact), &accept("Jean Dupont", ""))
        .await?
        .problem(409)?;
    api.post(
        &format!("/api/v1/quotes/{id}/decline"),
        Some(&t.contact),
        &json!({"reason": "changed my mind"}),
    )
    .await?
    .problem(409)?;

    // The document is now the signed copy: the quote, then its certificate.
    let (_, _, signed) = download(&stack, &t.contact, &s(&quote["document_id"])).await?;
    let text = pdf_text(&signed)?;
    let sent_name = s(&before["name"]);
    assert!(
        text.contains(&sent_name) && !text.contains("Renamed Bakery"),
        "the quote as sent: {text}"
    );
    for expected in [
        "Condenser fan motor",
        "Acceptance certificate",
        "Jean Dupont",
        &sent_hash,
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} in the signed PDF: {text}"
        );
    }

    // One work order to plan, linked both ways.
    let wo = eventually(30, "the quote's work order", || async {
        let q = api
            .get(&format!("/api/v1/quotes/{id}"), &t.admin)
            .await?
            .expect(200)?;
        Ok(q["work_order_id"].as_str().map(str::to_owned))
    })
    .await?;
    let work = api
        .get(&format!("/api/v1/work-orders/{wo}"), &t.admin)
        .await?
        .expect(200)?;
    assert_eq!(work["status"], "to_plan");
    assert_eq!(work["title"], "Cold room repair");
    assert_eq!(work["site_id"], t.site_ids[0].as_str());
    assert!(s(&work["description"]).contains("Jean Dupont"));
    fixtures::drained(&stack, "work-orders-quote-accepted").await?;
    assert_eq!(quote_work_orders(&stack, &id).await?, 1);

    // The admin hears of it, with the signer, the total and a link.
    let mail = eventually(30, "the mail about the decision", || async {
        Ok(staff_mails(&stack, "quotes", "Quote accepted: Cold room repair").pop())
    })
    .await?;
    assert!(mail.body.contains("Jean Dupont"), "{}", mail.body);
    assert!(mail.body.contains("119.19 PLN"), "{}", mail.body);
    assert!(
        mail.body.contains(&format!("/quotes/{id}")),
        "{}",
        mail.body
    );
    fixtures::drained(&stack, "notification-quote-accepted").await?;
    assert_eq!(
        staff_mails(&stack, "quotes", "Quote accepted: Cold room repair").len(),
        1
    );
    stack.stop().await
}

/// Mails to the tenant's admin with this subject.
fn staff_mails(stack: &Stack, slug: &str, subject: &str) -> Vec<portal_testkit::smtp::Mail> {
    stack
        .smtp
        .as_ref()
        .map(|s| s.to(&format!("admin@{slug}.example")))
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.subject == subject)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_quote_refuses_bad_lines_declines_with_a_reason_and_expires() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "quotebad").await?;
    let api = &stack.api;

    // Bad quotes: nothing is written.
    let mut zero = quote_body(&t, "Zero");
    zero["lines"][1]["quantity"] = json!(0);
    let e = api
        .post("/api/v1/quotes", Some(&t.admin), &zero)
        .await?
        .problem(400)?;
    assert!(s(&e["detail"]).contains("line 2"), "{e}");
    let mut past = quote_body(&t, "Past");
    past["valid_until"] = json!(in_days(-1));
    api.post("/api/v1/quotes", Some(&t.admin), &past)
        .await?
        .problem(400)?;
    let second = api
        .post(
            "/api/v1/customers",
            Some(&t.admin),
            &json!({"number": "C-2", "name": "Hotel du Parc"}),
        )
        .await?
        .expect(201)?;
    let mut foreign = quote_body(&t, "Foreign site");
    foreign["customer_id"] = second["id"].clone();
    let e = api
        .post("/api/v1/quotes", Some(&t.admin), &foreign)
        .await?
        .problem(400)?;
    assert!(s(&e["detail"]).contains("site"), "{e}");
    api.post("/api/v1/quotes", Some(&t.contact), &quote_body(&t, "Mine"))
        .await?
        .problem(403)?;
    let listed = api.get("/api/v1/quotes", &t.admin).await?.expect(200)?;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(0));

    // Declined with its reason.
    let q = api
        .post(
            "/api/v1/quotes",
            Some(&t.admin),
            &quote_body(&t, "Gutter cleaning"),
        )
        .await?
        .expect(201)?;
    // A customer who sees only requests since today still sees its quotes
    // and their PDFs: a quote is no request (A10).
    api.put(
        &format!("/api/v1/customers/{}/portal", t.customer_id),
        &t.admin,
        &json!({"enabled": true, "request_visibility": "since",
                "visible_since": chrono::Utc::now().to_rfc3339()}),
    )
    .await?
    .expect(200)?;
    let narrowed =
        fixtures::login(&stack, "quotebad", &t.contact_email, "contact password 1").await?;
    let docs = api
        .get("/api/v1/documents?kind=quote", &narrowed)
        .await?
        .expect(200)?;
    assert_eq!(docs["items"][0]["id"], q["document_id"], "{docs}");
    let (status, _, _) = download(&stack, &narrowed, &s(&q["document_id"])).await?;
    assert_eq!(status, 200);
    let decline = format!("/api/v1/quotes/{}/decline", s(&q["id"]));
    api.post(&decline, Some(&t.contact), &json!({"reason": " "}))
        .await?
        .problem(400)?;
    let declined = api
        .post(
            &decline,
            Some(&t.contact),
            &json!({"reason": "Too expensive this year"}),
        )
        .await?
        .expect(200)?;
    assert_eq!(declined["status"], "declined");
    assert_eq!(declined["decision"]["reason"], "Too expensive this year");
    assert!(declined["work_order_id"].is_null());
    let mail = eventually(30, "the mail about the refusal", || async {
        Ok(staff_mails(&stack, "quotebad", "Quote declined: Gutter cleaning").pop())
    })
    .await?;
    assert!(
        mail.body.contains("Too expensive this year"),
        "{}",
        mail.body
    );

    // Past its last day a quote shows as expired and cannot be accepted.
    let q = api
        .post(
            "/api/v1/quotes",
            Some(&t.admin),
            &quote_body(&t, "Roof survey"),
        )
        .await?
        .expect(201)?;
    let id = s(&q["id"]);
    let db = stack.db("documents").await?;
    sqlx::query("UPDATE quotes SET valid_until = current_date - 2 WHERE id = $1")
        .bind(id.parse::<uuid::Uuid>()?)
        .execute(&db)
        .await?;
    db.close().await;
    let shown = api
        .get(&format!("/api/v1/quotes/{id}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(shown["status"], "expired");
    let e = api
        .post(
            &format!("/api/v1/quotes/{id}/accept"),
            Some(&t.contact),
            &json!({"signer_name": "Jean Dupont", "signature_png": SIGNATURE}),
        )
        .await?
        .problem(409)?;
    assert!(s(&e["detail"]).contains("expired"), "{e}");

    // With the customer's portal switched off, no mail points to it.
    api.put(
        &format!("/api/v1/customers/{}/portal", t.customer_id),
        &t.admin,
        &json!({"enabled": false}),
    )
    .await?
    .expect(200)?;
    api.post(
        "/api/v1/quotes",
        Some(&t.admin),
        &quote_body(&t, "Quiet quote"),
    )
    .await?
    .expect(201)?;
    fixtures::drained(&stack, "notification-document-published").await?;
    let told = stack
        .smtp
        .as_ref()
        .map(|m| m.to(&t.contact_email))
        .unwrap_or_default();
    assert!(
        told.iter().any(|m| m.subject.contains("Roof survey")),
        "quotes before were told"
    );
    assert!(
        !told.iter().any(|m| m.subject.contains("Quiet quote")),
        "a contact who cannot log in is not mailed"
    );
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_acceptance_while_nats_is_away_becomes_one_work_order_when_it_returns()
-> anyhow::Result<()> {
    let mut stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "quotenats").await?;
    let q = stack
        .api
        .post(
            "/api/v1/quotes",
            Some(&t.admin),
            &quote_body(&t, "Boiler service"),
        )
        .await?
        .expect(201)?;
    let id = s(&q["id"]);
    stack.nats.stop().await?;
    stack
        .api
        .post(
            &format!("/api/v1/quotes/{id}/accept"),
            Some(&t.contact),
            &json!({"signer_name": "Jean Dupont", "signature_png": SIGNATURE}),
        )
        .await?
        .expect(200)?;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(quote_work_orders(&stack, &id).await?, 0);
    stack.nats.resume().await?;
    eventually(40, "the work order after NATS came back", || async {
        Ok((quote_work_orders(&stack, &id).await? == 1).then_some(()))
    })
    .await?;
    fixtures::drained(&stack, "work-orders-quote-accepted").await?;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(quote_work_orders(&stack, &id).await?, 1);
    stack.stop().await
}

/// Work orders made of the quote, as work-orders' table has them.
async fn quote_work_orders(stack: &Stack, quote_id: &str) -> anyhow::Result<i64> {
    let db = stack.db("work-orders").await?;
    let n = sqlx::query_scalar("SELECT count(*) FROM work_orders WHERE quote_id = $1")
        .bind(quote_id.parse::<uuid::Uuid>()?)
        .fetch_one(&db)
        .await?;
    db.close().await;
    Ok(n)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
