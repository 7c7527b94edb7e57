//! Documents staff publish from a file (E1, E2, E7): a certificate for an
//! equipment, found and downloaded by the contact, replaced by a newer
//! version while the old one stays; files that lie about their type, that
//! are too large or empty, links that disagree, and callers who may not
//! publish are refused with nothing stored.
use portal_testkit::Stack;
use portal_testkit::stack::MAX_DOCUMENT_BYTES;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::fixtures::{self, s};

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n").into_bytes()
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every object under published documents in this stack's blob store
/// (`<tenant>/document/<document>/<version>`).
fn stored_files(stack: &Stack) -> usize {
    let Ok(tenants) = std::fs::read_dir(stack.data_dir.join("blobs")) else {
        return 0;
    };
    tenants
        .flatten()
        .map(|t| walk(&t.path().join("document")))
        .sum()
}

fn walk(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() { walk(&p) } else { 1 }
        })
        .sum()
}

async fn get_bytes(
    stack: &Stack,
    token: &str,
    path: &str,
) -> anyhow::Result<(u16, String, Vec<u8>)> {
    let res = stack
        .api
        .http
        .get(format!("{}{path}", stack.api.base))
        .bearer_auth(token)
        .send()
        .await?;
    let status = res.status().as_u16();
    let disposition = res
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Ok((status, disposition, res.bytes().await?.to_vec()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_certificate_is_published_for_an_equipment_replaced_and_both_versions_kept()
-> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "published").await?;
    let other = fixtures::tenant(&stack, "published-other").await?;
    let api = &stack.api;
    let (_, dispatcher) = fixtures::staff(&stack, &t, "Dana Dispatch", "dispatcher").await?;
    let (_, technician) = fixtures::staff(&stack, &t, "Theo Tech", "technician").await?;
    let boiler = api
        .post(
            &format!("/api/v1/sites/{}/equipment", t.site_ids[0]),
            Some(&t.admin),
            &json!({"kind": "Boiler", "name": "Main boiler", "serial_number": "PB-1"}),
        )
        .await?
        .expect(201)?;
    let boiler_id = s(&boiler["id"]);

    // Published for the equipment alone: customer and site follow from it.
    let first = pdf("gas safety 2027");
    let published = api
        .upload_form(
            "/api/v1/documents",
            &dispatcher,
            &[("kind", "certificate"), ("equipment_id", &boiler_id)],
            "Gas safety certificate.pdf",
            "application/pdf",
            first.clone(),
        )
        .await?
        .expect(201)?;
    let id = s(&published["id"]);
    assert_eq!(published["kind"], "certificate");
    assert_eq!(published["title"], "Gas safety certificate");
    assert_eq!(published["customer_id"], t.customer_id.as_str());
    assert_eq!(published["site_id"], t.site_ids[0].as_str());
    assert_eq!(published["equipment_id"], boiler_id.as_str());
    assert_eq!(published["version"], 1);
    assert_eq!(published["size"], first.len());
    assert_eq!(stored_files(&stack), 1);

    // The contact finds it by its equipment and by kind, and downloads it.
    let listed = api
        .get(
            &format!("/api/v1/documents?equipment_id={boiler_id}"),
            &t.contact,
        )
        .await?
        .expect(200)?;
    let ids: Vec<String> = listed["items"]
        .as_array()
        .map(|a| a.iter().map(|d| s(&d["id"])).collect())
        .unwrap_or_default();
    assert_eq!(ids, vec![id.clone()]);
    let (status, disposition, bytes) = get_bytes(
        &stack,
        &t.contact,
        &format!("/api/v1/documents/{id}/content"),
    )
    .await?;
    assert_eq!(status, 200);
    assert_eq!(bytes, first);
    assert!(
        disposition.contains("Gas safety certificate.pdf"),
        "{disposition}"
    );
    // Another tenant does not see it; a contact and a technician cannot publish.
    api.get(&format!("/api/v1/documents/{id}"), &other.admin)
        .await?
        .problem(404)?;
    for token in [&t.contact, &technician] {
        api.upload_form(
            "/api/v1/documents",
            token,
            &[("kind", "certificate"), ("customer_id", &t.customer_id)],
            "mine.pdf",
            "application/pdf",
            pdf("mine"),
        )
        .await?
        .problem(403)?;
    }

    // A new version replaces the file; the first stays readable.
    let second = pdf("gas safety 2027, corrected");
    let replaced = api
        .upload_form(
            &format!("/api/v1/documents/{id}/versions"),
            &t.admin,
            &[],
            "Gas safety certificate v2.pdf",
            "application/pdf",
            second.clone(),
        )
        .await?
        .expect(201)?;
    assert_eq!(replaced["version"], 2);
    assert_eq!(replaced["id"], id.as_str());
    let detail = api
        .get(&format!("/api/v1/documents/{id}"), &t.contact)
        .await?
        .expect(200)?;
    let versions: Vec<(i64, String)> = detail["versions"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| (v["version"].as_i64().unwrap_or(0), s(&v["sha256"])))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(versions, vec![(2, hex(&second)), (1, hex(&first))]);
    let (_, _, now) = get_bytes(
        &stack,
        &t.contact,
        &format!("/api/v1/documents/{id}/content"),
    )
    .await?;
    assert_eq!(now, second);
    let (status, _, then) = get_bytes(
        &stack,
        &t.contact,
        &format!("/api/v1/documents/{id}/versions/1/content"),
    )
    .await?;
    assert_eq!((status, then), (200, first.clone()));
    api.get(
        &format!("/api/v1/documents/{id}/versions/3/content"),
        &t.contact,
    )
    .await?
    .problem(404)?;
    assert_eq!(stored_files(&stack), 2);

    // Refused, each with nothing stored and nothing listed.
    let before = api.get("/api/v1/documents", &t.admin).await?.expect(200)?["items"]
        .as_array()
        .map(Vec::len);
    // (form fields, file name, declared type, bytes, status, the answer says)
    type Case<'a> = (
        Vec<(&'a str, &'a str)>,
        &'a str,
        &'a str,
        Vec<u8>,
        u16,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            vec![("kind", "certificate"), ("customer_id", &t.customer_id)],
            "invoice.pdf",
            "application/pdf",
            b"MZ\x90\0\x03 this is a program".to_vec(),
            415,
            "is not application/pdf",
        ),
        (
            vec![("kind", "certificate"), ("customer_id", &t.customer_id)],
            "big.pdf",
            "application/pdf",
            [pdf("big"), vec![b' '; MAX_DOCUMENT_BYTES]].concat(),
            413,
            "larger",
        ),
        (
            vec![("kind", "certificate"), ("customer_id", &t.customer_id)],
            "empty.pdf",
            "application/pdf",
            Vec::new(),
            400,
            "",
        ),
        (
            vec![("kind", "certificate"), ("customer_id", &t.customer_id)],
            "page.html",
            "text/html",
            b"<script>alert(1)</script>".to_vec(),
            415,
            "not accepted",
        ),
        (
            vec![("kind", "quote"), ("customer_id", &t.customer_id)],
            "quote.pdf",
            "application/pdf",
            pdf("quote"),
            400,
            "kind must be",
        ),
        (
            vec![("kind", "certificate")],
            "nobody.pdf",
            "application/pdf",
            pdf("nobody"),
            400,
            "customer",
        ),
        (
            vec![
                ("kind", "certificate"),
                ("site_id", &t.site_ids[1]),
                ("equipment_id", &boiler_id),
            ],
            "mixed.pdf",
            "application/pdf",
            pdf("mixed"),
            400,
            "another site",
        ),
        (
            vec![("kind", "certificate"), ("site_id", &other.site_ids[0])],
            "theirs.pdf",
            "application/pdf",
            pdf("theirs"),
            400,
            "no such site",
        ),
    ];
    for (fields, name, content_type, bytes, status, says) in cases {
        let p = api
            .upload_form(
                "/api/v1/documents",
                &t.admin,
                &fields,
                name,
                content_type,
                bytes,
            )
            .await?
            .problem(status)?;
        assert!(
            s(&p["detail"]).contains(says),
            "{name}: {p} should say {says:?}"
        );
    }
    let after = api.get("/api/v1/documents", &t.admin).await?.expect(200)?["items"]
        .as_array()
        .map(Vec::len);
    assert_eq!(before, after);
    assert_eq!(stored_files(&stack), 2, "refused files leave nothing");

    // A quote's versions come from its decision, not from an upload.
    let quote = api
        .post(
            "/api/v1/quotes",
            Some(&t.admin),
            &json!({"customer_id": t.customer_id, "site_id": t.site_ids[0], "title": "Pump",
                    "valid_until": (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).to_string(),
                    "lines": [{"description": "Pump", "quantity": 1, "unit_price": 100, "tax_rate": 20}]}),
        )
        .await?
        .expect(201)?;
    api.upload_form(
        &format!("/api/v1/documents/{}/versions", s(&quote["document_id"])),
        &t.admin,
        &[],
        "forged.pdf",
        "application/pdf",
        pdf("forged"),
    )
    .await?
    .problem(409)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn documents_published_together_are_told_in_one_mail() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "digest").await?;
    let api = &stack.api;
    let publish = |title: &'static str, kind: &'static str| {
        let (admin, customer, site) = (
            t.admin.clone(),
            t.customer_id.clone(),
            t.site_ids[0].clone(),
        );
        async move {
            api.upload_form(
                "/api/v1/documents",
                &admin,
                &[
                    ("kind", kind),
                    ("customer_id", &customer),
                    ("site_id", &site),
                    ("title", title),
                ],
                "file.pdf",
                "application/pdf",
                pdf(title),
            )
            .await?
            .expect(201)
        }
    };
    let digests = || {
        stack
            .smtp
            .as_ref()
            .map(|m| m.to(&t.contact_email))
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.subject == "Nouveaux documents dans votre portail")
            .collect::<Vec<_>>()
    };
    publish("Gas certificate 2027", "certificate").await?;
    publish("Maintenance contract 2027", "contract").await?;
    let first =
        portal_testkit::eventually(30, "the digest", || async { Ok(digests().pop()) }).await?;
    // One mail for both, in the contact's language, with where to see them.
    assert!(
        first.body.contains("- Gas certificate 2027 (Certificat)"),
        "{}",
        first.body
    );
    assert!(
        first.body.contains("- Maintenance contract 2027 (Contrat)"),
        "{}",
        first.body
    );
    assert!(
        first.body.contains(&format!("/t/{}/documents", t.slug)),
        "{}",
        first.body
    );

    // A later one is its own mail, and the first two are not told again.
    publish("Incident of 4 March", "incident_report").await?;
    let second = portal_testkit::eventually(30, "the second digest", || async {
        Ok(digests()
            .into_iter()
            .find(|m| m.body.contains("Incident of 4 March")))
    })
    .await?;
    assert!(
        second.body.contains("(Rapport d’incident)"),
        "{}",
        second.body
    );
    assert!(!second.body.contains("Gas certificate"), "{}", second.body);
    assert_eq!(digests().len(), 2, "two bursts, two mails");

    // A10: once the customer sees requests only since today, a document of
    // an older request is told to no one; one of the customer is.
    let old = fixtures::submit_request(&stack, &t, "Leaking tap").await?;
    fixtures::drained(&stack, "documents-request-submitted").await?;
    api.put(
        &format!("/api/v1/customers/{}/portal", t.customer_id),
        &t.admin,
        &json!({"enabled": true, "request_visibility": "since",
                "visible_since": chrono::Utc::now().to_rfc3339()}),
    )
    .await?
    .expect(200)?;
    api.upload_form(
        "/api/v1/documents",
        &t.admin,
        &[
            ("kind", "incident_report"),
            ("request_id", &s(&old["id"])),
            ("title", "Old leak report"),
        ],
        "file.pdf",
        "application/pdf",
        pdf("Old leak report"),
    )
    .await?
    .expect(201)?;
    publish("Fresh notice", "attachment").await?;
    let third = portal_testkit::eventually(30, "the third digest", || async {
        Ok(digests()
            .into_iter()
            .find(|m| m.body.contains("Fresh notice")))
    })
    .await?;
    assert!(!third.body.contains("Old leak report"), "{}", third.body);
    fixtures::drained(&stack, "notification-document-published").await?;
    assert!(
        !digests().iter().any(|m| m.body.contains("Old leak report")),
        "a document of a request the customer does not see is not told"
    );
    stack.stop().await
}
