//! Invoices (E4): drafts seen by staff only, finalised with numbers without
//! gaps into a PDF the contact sees, paid or overdue, and billed from an
//! accepted quote.
use portal_testkit::Stack;
use serde_json::{Value, json};

use crate::fixtures::{self, Tenant, s};
use crate::service_report::{download, pdf_text};

fn draft(t: &Tenant, title: &str) -> Value {
    json!({
        "customer_id": t.customer_id, "site_id": t.site_ids[0], "title": title, "payment_days": 14,
        "lines": [
            {"description": "Boiler service", "quantity": 1, "unit_price": 180, "tax_rate": 10},
            {"description": "Gasket", "quantity": 2, "unit_price": 12.5, "tax_rate": 20}
        ]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_invoice_is_seen_once_final_numbered_without_gaps_and_paid() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "invoices").await?;
    let other = fixtures::tenant(&stack, "invoices-other").await?;
    let api = &stack.api;

    let first = api
        .post(
            "/api/v1/invoices",
            Some(&t.admin),
            &draft(&t, "Boiler service, March"),
        )
        .await?
        .expect(201)?;
    let id = s(&first["id"]);
    assert_eq!(first["status"], "draft");
    assert!(first["number"].is_null());
    // 180 + 18 tax; 25 + 5 tax.
    assert_eq!(first["total"], 228.0);
    api.post("/api/v1/invoices", Some(&t.contact), &draft(&t, "Mine"))
        .await?
        .problem(403)?;

    // A draft does not exist for the contact, nor for another tenant.
    let path = format!("/api/v1/invoices/{id}");
    api.get(&path, &t.contact).await?.problem(404)?;
    api.get(&path, &other.admin).await?.problem(404)?;
    let listed = api.get("/api/v1/invoices", &t.contact).await?.expect(200)?;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(0));
    api.post(&format!("{path}/paid"), Some(&t.admin), &json!({}))
        .await?
        .problem(409)?;

    // Finalised: numbered, dated, printed, shown.
    let issued = api
        .post(&format!("{path}/finalize"), Some(&t.admin), &json!({}))
        .await?
        .expect(200)?;
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(issued["number"], format!("INV-{year}-0001"));
    assert_eq!(issued["status"], "final");
    assert_eq!(issued["payment"], "unpaid");
    let issued_on: chrono::NaiveDate = s(&issued["issued_on"]).parse()?;
    let due_on: chrono::NaiveDate = s(&issued["due_on"]).parse()?;
    assert_eq!((due_on - issued_on).num_days(), 14);
    api.post(&format!("{path}/finalize"), Some(&t.admin), &json!({}))
        .await?
        .problem(409)?;
    let second = api
        .post(
            "/api/v1/invoices",
            Some(&t.admin),
            &draft(&t, "Boiler service, April"),
        )
        .await?
        .expect(201)?;
    let second_id = s(&second["id"]);
    let second = api
        .post(
            &format!("/api/v1/invoices/{second_id}/finalize"),
            Some(&t.admin),
            &json!({}),
        )
        .await?
        .expect(200)?;
    assert_eq!(second["number"], format!("INV-{year}-0002"));
    let elsewhere = api
        .post(
            "/api/v1/invoices",
            Some(&other.admin),
            &draft(&other, "Theirs"),
        )
        .await?
        .expect(201)?;
    let elsewhere = api
        .post(
            &format!("/api/v1/invoices/{}/finalize", s(&elsewhere["id"])),
            Some(&other.admin),
            &json!({}),
        )
        .await?
        .expect(200)?;
    assert_eq!(
        elsewhere["number"],
        format!("INV-{year}-0001"),
        "per tenant"
    );

    // The contact is told of the final invoice, never of the draft.
    let told = portal_testkit::eventually(30, "the mail about the invoice", || async {
        Ok(stack.smtp.as_ref().and_then(|m| {
            m.to(&t.contact_email)
                .into_iter()
                .find(|m| m.subject.starts_with("Nouvelle facture"))
        }))
    })
    .await?;
    assert!(
        told.subject.contains(&format!("INV-{year}-0001")),
        "{}",
        told.subject
    );
    let seen = api.get(&path, &t.contact).await?.expect(200)?;
    assert_eq!(seen["number"], issued["number"]);
    let listed = api.get("/api/v1/invoices", &t.contact).await?.expect(200)?;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));
    let (status, _, pdf) = download(&stack, &t.contact, &s(&issued["document_id"])).await?;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf)?;
    for expected in [
        format!("Invoice INV-{year}-0001"),
        "Boiler service".to_owned(),
        "228.00 EUR".to_owned(),
        due_on.to_string(),
    ] {
        assert!(text.contains(&expected), "{expected:?} in the PDF: {text}");
    }
    let docs = api
        .get("/api/v1/documents?kind=invoice", &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(docs["items"].as_array().map(Vec::len), Some(2));

    // E5: the contact's documents as CSV and Excel, the same filter.
    let csv = stack
        .api
        .http
        .get(format!(
            "{}/api/v1/documents/export.csv?kind=invoice&q=april",
            stack.api.base
        ))
        .bearer_auth(&t.contact)
        .send()
        .await?
        .text()
        .await?;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "header and the April invoice: {csv}");
    assert!(lines[0].starts_with("id,kind,title"), "{csv}");
    assert!(
        lines[1].contains(&format!("Invoice INV-{year}-0002")),
        "{csv}"
    );
    let xlsx = stack
        .api
        .http
        .get(format!("{}/api/v1/documents/export.xlsx", stack.api.base))
        .bearer_auth(&t.contact)
        .send()
        .await?;
    assert_eq!(xlsx.status().as_u16(), 200);
    assert!(xlsx.bytes().await?.starts_with(b"PK\x03\x04"), "a zip");
    let theirs = stack
        .api
        .http
        .get(format!("{}/api/v1/documents/export.csv", stack.api.base))
        .bearer_auth(&other.contact)
        .send()
        .await?
        .text()
        .await?;
    assert!(
        theirs.contains("Theirs") && !theirs.contains("Boiler service"),
        "another tenant's contact sees its own only: {theirs}"
    );

    // Paid once, by an admin; another one unpaid past its due day is overdue.
    api.post(&format!("{path}/paid"), Some(&t.contact), &json!({}))
        .await?
        .problem(403)?;
    let paid = api
        .post(&format!("{path}/paid"), Some(&t.admin), &json!({}))
        .await?
        .expect(200)?;
    assert_eq!(paid["payment"], "paid");
    assert!(paid["paid_at"].is_string());
    api.post(&format!("{path}/paid"), Some(&t.admin), &json!({}))
        .await?
        .problem(409)?;
    let db = stack.db("documents").await?;
    sqlx::query("UPDATE invoices SET due_on = current_date - 1 WHERE id = $1")
        .bind(second_id.parse::<uuid::Uuid>()?)
        .execute(&db)
        .await?;
    // One event per invoice finalised: two here, one at the other tenant.
    let issued_events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE ce_type = 'portal.invoice.issued.v1'",
    )
    .fetch_one(&db)
    .await?;
    assert_eq!(issued_events, 3);
    db.close().await;
    let overdue = api
        .get(&format!("/api/v1/invoices/{second_id}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(overdue["payment"], "overdue");

    // E5: the invoices with their payment status, page by page and as
    // downloads; the staff's draft and the other tenant's are not the contact's.
    let first_page = api
        .get("/api/v1/invoices?limit=1", &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(first_page["items"][0]["number"], format!("INV-{year}-0002"));
    let cursor = s(&first_page["next_cursor"]);
    let second_page = api
        .get(
            &format!("/api/v1/invoices?limit=1&cursor={cursor}"),
            &t.contact,
        )
        .await?
        .expect(200)?;
    assert_eq!(
        second_page["items"][0]["number"],
        format!("INV-{year}-0001")
    );
    assert!(second_page["next_cursor"].is_null(), "the last page");
    api.post(
        "/api/v1/invoices",
        Some(&t.admin),
        &draft(&t, "A draft, May"),
    )
    .await?
    .expect(201)?;
    let download = |token: String, path: &'static str| {
        let http = stack.api.http.clone();
        let url = format!("{}{path}", stack.api.base);
        async move {
            let res = http.get(url).bearer_auth(token).send().await?;
            Ok::<_, anyhow::Error>((res.status().as_u16(), res.bytes().await?.to_vec()))
        }
    };
    let (status, csv) = download(t.contact.clone(), "/api/v1/invoices/export.csv").await?;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv)?;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "the header and two final invoices: {csv}");
    assert!(lines[0].starts_with("id,number,title"), "{csv}");
    assert!(
        lines[1].contains(&format!("INV-{year}-0002")) && lines[1].contains(",overdue,"),
        "{csv}"
    );
    assert!(
        lines[2].contains(&format!("INV-{year}-0001")) && lines[2].contains(",paid,"),
        "{csv}"
    );
    assert!(lines[2].contains(",228.00,EUR,"), "{csv}");
    assert!(
        !csv.contains("A draft, May") && !csv.contains("Theirs"),
        "{csv}"
    );
    let (_, staff_csv) = download(t.admin.clone(), "/api/v1/invoices/export.csv").await?;
    assert!(
        String::from_utf8(staff_csv)?.contains("A draft, May"),
        "staff see drafts"
    );
    let (status, xlsx) = download(t.contact.clone(), "/api/v1/invoices/export.xlsx").await?;
    assert_eq!(status, 200);
    assert!(xlsx.starts_with(b"PK\x03\x04"), "a zip");
    fixtures::drained(&stack, "notification-document-published").await?;
    let told = stack
        .smtp
        .as_ref()
        .map(|m| m.to(&t.contact_email))
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.subject.starts_with("Nouvelle facture"))
        .count();
    assert_eq!(told, 2, "one mail per final invoice, none for drafts");
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_accepted_quote_is_billed_as_it_was_accepted() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "billing").await?;
    let api = &stack.api;
    let valid = (chrono::Utc::now().date_naive() + chrono::Duration::days(10)).to_string();
    let quote = api
        .post(
            "/api/v1/quotes",
            Some(&t.admin),
            &json!({"customer_id": t.customer_id, "site_id": t.site_ids[0], "title": "Roof repair",
                    "valid_until": valid,
                    "lines": [{"description": "Tiles", "quantity": 40, "unit_price": 3.15, "tax_rate": 20}]}),
        )
        .await?
        .expect(201)?;
    let quote_id = s(&quote["id"]);
    // Not before it is accepted.
    api.post(
        "/api/v1/invoices",
        Some(&t.admin),
        &json!({"quote_id": quote_id}),
    )
    .await?
    .problem(409)?;
    api.post(
        &format!("/api/v1/quotes/{quote_id}/accept"),
        Some(&t.contact),
        &json!({"signer_name": "Jean Dupont",
                "signature_png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="}),
    )
    .await?
    .expect(200)?;
    let invoice = api
        .post(
            "/api/v1/invoices",
            Some(&t.admin),
            &json!({"quote_id": quote_id}),
        )
        .await?
        .expect(201)?;
    assert_eq!(invoice["title"], "Roof repair");
    assert_eq!(invoice["total"], quote["total"]);
    assert_eq!(invoice["lines"], quote["lines"]);
    assert_eq!(invoice["quote_id"], quote_id.as_str());
    assert_eq!(invoice["site_id"], t.site_ids[0].as_str());
    stack.stop().await
}
