//! D4: a completed work order gets one service report (a PDF) naming its
//! customer and site, that its contact lists and downloads, that nobody
//! outside their scope can see, that is made once however often the
//! completion is told, and that still comes (with the names) when documents
//! or identity was away at the time.
use chrono::{Duration, Utc};
use portal_testkit::{Stack, eventually};
use serde_json::{Value, json};
use sqlx::Row;

use crate::fixtures::{self, Tenant, s};

/// A small signature as a signature pad sends it: a stroke on a
/// transparent 120×40 PNG, base64.
const SIGNATURE: &str = "iVBORw0KGgoAAAANSUhEUgAAAHgAAAAoCAYAAAA16j4lAAAA3klEQVR42u3ZWw6EIAxAURcx37NOdz+zAhM1hdJybuKfhsKtPMpxAAAAAABwzed7/q4eo9NULMmbyCW5gdy77xq5YnJHfoMickneQC7JhQSvkChYVC7JG8gludm6m5E8LQsLVf+wWZKXLb5kVIxmD8KMJF2uwvZUbFTgGZ0fmaBLCn4TSETwmR2PavuJyBTBkZLe1Iszp63ofrfetc6e2rMSvMzN1YgAq17pZew9bgWVMSVHDFrFY+H0PrxpyKX4euf/YWsHlUWzreSGAIUP2Wi2dqDe8QcAAAAAACCKP3s2I/lhWx6aAAAAAElFTkSuQmCC";

const NOTES: &str = "Replaced the thermostat; Zoë checked the pressure (Straße, Łódź).";

const DURABLE: &str = "documents-work-order-completed";

/// What the fixtures' customer and first site are called (fixtures::tenant).
const CUSTOMER: &str = "Boulangerie Martin";
const SITE: &str = "Lyon bakery";

/// The report names the customer and the work order's site (the first),
/// not the customer's other site.
fn names_the_customer_and_site(text: &str) {
    for expected in ["Customer", CUSTOMER, "Site", SITE] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
    assert!(!text.contains("Villeurbanne workshop"), "{text:?}");
}

/// A technician of `t` (created by the admin), logged in: `(id, token)`.
async fn technician(stack: &Stack, t: &Tenant) -> anyhow::Result<(String, String)> {
    let email = format!("tom@{}.example", t.slug);
    let member = stack
        .api
        .post(
            "/api/v1/staff",
            Some(&t.admin),
            &json!({"email": email, "name": "Tom Técnico", "roles": ["technician"], "password": "staff password 1"}),
        )
        .await?
        .expect(201)?;
    let token = fixtures::login(stack, &t.slug, &email, "staff password 1").await?;
    Ok((s(&member["id"]), token))
}

/// Tomorrow at `hour`:00 UTC, RFC 3339.
fn tomorrow(hour: i64) -> String {
    let day = (Utc::now() + Duration::days(1)).date_naive();
    let at = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::hours(hour);
    at.to_rfc3339()
}

/// A request of the contact, accepted, planned onto the technician
/// tomorrow from `hour` for two hours and started by them; the work order.
async fn started_work(
    stack: &Stack,
    t: &Tenant,
    (tech_id, tech): (&str, &str),
    title: &str,
    hour: i64,
) -> anyhow::Result<String> {
    let api = &stack.api;
    let request = fixtures::submit_request(stack, t, title).await?;
    let wo = fixtures::accept(stack, t, &s(&request["id"])).await?;
    let w = api
        .post(
            &format!("/api/v1/work-orders/{wo}/schedule"),
            Some(&t.admin),
            &json!({"technician_ids": [tech_id], "start": tomorrow(hour), "end": tomorrow(hour + 2)}),
        )
        .await?
        .expect(200)?;
    assert_eq!(w["status"], "scheduled");
    let w = api
        .post(
            &format!("/api/v1/work-orders/{wo}/start"),
            Some(tech),
            &json!({}),
        )
        .await?
        .expect(200)?;
    assert_eq!(w["status"], "in_progress");
    Ok(wo)
}

async fn complete(stack: &Stack, wo: &str, tech: &str) -> anyhow::Result<()> {
    let w = stack
        .api
        .post(
            &format!("/api/v1/work-orders/{wo}/complete"),
            Some(tech),
            &json!({"notes": NOTES, "minutes_spent": 75, "signer_name": "Claire Martin", "signature_png": SIGNATURE}),
        )
        .await?
        .expect(200)?;
    assert_eq!(w["status"], "completed");
    Ok(())
}

/// The work order's `report_document_id`, once it has one.
pub(crate) async fn report_of(stack: &Stack, token: &str, wo: &str) -> anyhow::Result<String> {
    eventually(
        40,
        "the service report linked to the work order",
        || async {
            let w = stack
                .api
                .get(&format!("/api/v1/work-orders/{wo}"), token)
                .await?
                .expect(200)?;
            Ok(w["report_document_id"].as_str().map(str::to_owned))
        },
    )
    .await
}

fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().cloned().unwrap_or_default()
}

/// GET of a document's file: status, headers and bytes.
pub(crate) async fn download(
    stack: &Stack,
    token: &str,
    id: &str,
) -> anyhow::Result<(u16, reqwest::header::HeaderMap, Vec<u8>)> {
    let res = stack
        .api
        .http
        .get(format!("{}/api/v1/documents/{id}/content", stack.api.base))
        .bearer_auth(token)
        .send()
        .await?;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    Ok((status, headers, res.bytes().await?.to_vec()))
}

pub(crate) fn pdf_text(pdf: &[u8]) -> anyhow::Result<String> {
    let doc = lopdf::Document::load_mem(pdf)?;
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    Ok(doc.extract_text(&pages)?)
}

/// Rows about `wo` in documents' database: its documents and the
/// `document.published` events in the outbox.
async fn made_for(stack: &Stack, wo: &str) -> anyhow::Result<(i64, i64)> {
    let db = stack.db("documents").await?;
    let wo: uuid::Uuid = wo.parse()?;
    let documents: i64 =
        sqlx::query_scalar("SELECT count(*) FROM documents WHERE work_order_id = $1")
            .bind(wo)
            .fetch_one(&db)
            .await?;
    let mut published = 0;
    for row in
        sqlx::query("SELECT payload FROM outbox WHERE ce_type = 'portal.document.published.v1'")
            .fetch_all(&db)
            .await?
    {
        let payload: Vec<u8> = row.try_get("payload")?;
        let event = <portal_proto::events::v1::DocumentPublished as prost::Message>::decode(
            payload.as_slice(),
        )?;
        if event.work_order_id == wo.to_string() {
            published += 1;
        }
    }
    db.close().await;
    Ok((documents, published))
}

/// Publishes work-orders' `work_order.completed` again, as JetStream would
/// redeliver it (`event_id` the same) or as a second telling would (a new
/// one), with a new Nats-Msg-Id so the broker does not drop it.
async fn tell_again(stack: &Stack, same_event: bool) -> anyhow::Result<()> {
    let db = stack.db("work-orders").await?;
    let row = sqlx::query(
        "SELECT id, tenant_id, subject, ce_type, source, payload FROM outbox
         WHERE ce_type = 'portal.work_order.completed.v1'",
    )
    .fetch_one(&db)
    .await?;
    db.close().await;
    let envelope = portal_platform::events::Envelope {
        id: if same_event {
            row.try_get("id")?
        } else {
            uuid::Uuid::now_v7()
        },
        tenant_id: row.try_get("tenant_id")?,
        ce_type: row.try_get("ce_type")?,
        source: row.try_get("source")?,
        time: Utc::now(),
        traceparent: None,
    };
    let mut headers = async_nats::HeaderMap::new();
    for (name, value) in envelope.to_headers() {
        headers.insert(name, value.as_str());
    }
    headers.insert(
        portal_platform::events::H_MSG_ID,
        uuid::Uuid::new_v4().to_string().as_str(),
    );
    let subject: String = row.try_get("subject")?;
    let payload: Vec<u8> = row.try_get("payload")?;
    let js = async_nats::jetstream::new(async_nats::connect(stack.nats.url()).await?);
    js.publish_with_headers(subject, headers, payload.into())
        .await?
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_completed_work_order_has_one_report_its_contact_reads() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "report").await?;
    let other = fixtures::tenant(&stack, "report-other").await?;
    let api = &stack.api;
    let (tech_id, tech) = technician(&stack, &t).await?;
    let wo = started_work(&stack, &t, (&tech_id, &tech), "Oven does not heat", 9).await?;
    complete(&stack, &wo, &tech).await?;

    let report = report_of(&stack, &t.contact, &wo).await?;
    // The contact finds it among their documents, by work order and kind.
    let page = api
        .get(&format!("/api/v1/documents?work_order_id={wo}"), &t.contact)
        .await?
        .expect(200)?;
    let listed = items(&page);
    assert_eq!(listed.len(), 1, "{page}");
    let d = &listed[0];
    assert_eq!(s(&d["id"]), report);
    assert_eq!(d["kind"], "service_report");
    assert_eq!(d["work_order_id"], wo.as_str());
    assert_eq!(d["customer_id"], t.customer_id.as_str());
    assert_eq!(d["site_id"], t.site_ids[0].as_str());
    assert_eq!(d["content_type"], "application/pdf");
    assert!(s(&d["title"]).contains("Oven does not heat"), "{d}");
    assert!(d["created_at"].is_string(), "{d}");
    assert!(page["next_cursor"].is_null(), "{page}");
    for query in [
        "kind=service_report",
        &format!("site_id={}", t.site_ids[0]),
        "",
    ] {
        let page = api
            .get(&format!("/api/v1/documents?{query}"), &t.contact)
            .await?
            .expect(200)?;
        assert_eq!(items(&page).len(), 1, "{query}: {page}");
    }
    for query in ["kind=invoice", &format!("site_id={}", t.site_ids[1])] {
        let page = api
            .get(&format!("/api/v1/documents?{query}"), &t.contact)
            .await?
            .expect(200)?;
        assert!(items(&page).is_empty(), "{query}: {page}");
    }
    api.get("/api/v1/documents?kind=poster", &t.contact)
        .await?
        .problem(400)?;
    // Staff see the tenant's documents.
    let page = api
        .get("/api/v1/documents?kind=service_report", &t.admin)
        .await?
        .expect(200)?;
    assert_eq!(items(&page).len(), 1, "{page}");

    // The file: a PDF that says what was done, never cached.
    let (status, headers, pdf) = download(&stack, &t.contact, &report).await?;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        headers["content-disposition"]
            .to_str()?
            .starts_with("attachment; filename=\"Service report"),
        "{headers:?}"
    );
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let text = pdf_text(&pdf)?;
    names_the_customer_and_site(&text);
    for expected in [
        NOTES,
        "Oven does not heat",
        "Tom Técnico",
        "1 h 15 min",
        "Signed by Claire Martin",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }

    // Nobody outside the contact's scope sees it: another tenant, a contact
    // of the other site only.
    let (status, _, _) = download(&stack, &other.contact, &report).await?;
    assert_eq!(status, 404);
    api.get(&format!("/api/v1/documents/{report}/content"), &other.admin)
        .await?
        .problem(404)?;
    let page = api
        .get(
            &format!("/api/v1/documents?work_order_id={wo}"),
            &other.contact,
        )
        .await?
        .expect(200)?;
    assert!(items(&page).is_empty(), "{page}");
    let elsewhere = fixtures::extra_contact(
        &stack,
        &t,
        "elsewhere@report-client.example",
        &[&t.site_ids[1]],
    )
    .await?;
    let (status, _, _) = download(&stack, &elsewhere, &report).await?;
    assert_eq!(status, 404);
    assert!(
        items(
            &api.get("/api/v1/documents", &elsewhere)
                .await?
                .expect(200)?
        )
        .is_empty()
    );
    api.get(
        &format!("/api/v1/documents/{}/content", uuid::Uuid::now_v7()),
        &t.contact,
    )
    .await?
    .problem(404)?;

    // Told again, the same event or a second one: still one report.
    tell_again(&stack, true).await?;
    tell_again(&stack, false).await?;
    fixtures::drained(&stack, DURABLE).await?;
    assert_eq!(fixtures::handed_to(&stack, DURABLE).await?, 3);
    fixtures::drained(&stack, "work-orders-document-published").await?;
    assert_eq!(made_for(&stack, &wo).await?, (1, 1));
    assert_eq!(report_of(&stack, &t.admin, &wo).await?, report);
    let page = api
        .get(&format!("/api/v1/documents?work_order_id={wo}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(items(&page).len(), 1, "{page}");
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_report_comes_once_documents_is_back() -> anyhow::Result<()> {
    let mut stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "report-away").await?;
    let (tech_id, tech) = technician(&stack, &t).await?;
    let wo = started_work(&stack, &t, (&tech_id, &tech), "Fridge too warm", 9).await?;

    stack.stop_documents().await?;
    complete(&stack, &wo, &tech).await?;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let w = stack
        .api
        .get(&format!("/api/v1/work-orders/{wo}"), &t.admin)
        .await?
        .expect(200)?;
    assert_eq!(w["status"], "completed");
    assert!(w["report_document_id"].is_null(), "{w}");
    assert_eq!(made_for(&stack, &wo).await?, (0, 0));

    stack.start_documents().await?;
    let report = report_of(&stack, &t.contact, &wo).await?;
    let page = stack
        .api
        .get(&format!("/api/v1/documents?work_order_id={wo}"), &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(items(&page).len(), 1, "{page}");
    assert_eq!(s(&items(&page)[0]["id"]), report);
    let (status, _, pdf) = download(&stack, &t.contact, &report).await?;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf)?;
    assert!(text.contains(NOTES), "{text:?}");
    names_the_customer_and_site(&text);
    fixtures::drained(&stack, DURABLE).await?;
    assert_eq!(made_for(&stack, &wo).await?, (1, 1));
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_identity_the_report_waits_for_the_names() -> anyhow::Result<()> {
    let mut stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "report-names").await?;
    let (tech_id, tech) = technician(&stack, &t).await?;
    let wo = started_work(&stack, &t, (&tech_id, &tech), "Mixer stalls", 9).await?;

    // Completed while documents is away; documents comes back while
    // identity is away (completing needs identity, making the report must
    // wait for it): it cannot read the names, so no report rather than one
    // without them.
    stack.stop_documents().await?;
    complete(&stack, &wo, &tech).await?;
    stack.stop_identity().await?;
    stack.spawn_documents().await?;
    eventually(20, "documents to be handed the completion", || async {
        Ok((fixtures::handed_to(&stack, DURABLE).await? >= 1).then_some(()))
    })
    .await?;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(made_for(&stack, &wo).await?, (0, 0));

    stack.start_identity().await?;
    let report = report_of(&stack, &t.contact, &wo).await?;
    let (status, _, pdf) = download(&stack, &t.contact, &report).await?;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf)?;
    assert!(text.contains("Mixer stalls"), "{text:?}");
    names_the_customer_and_site(&text);
    fixtures::drained(&stack, DURABLE).await?;
    assert_eq!(made_for(&stack, &wo).await?, (1, 1));
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_secure_link_sees_the_report_of_its_own_work_only() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "report-link").await?;
    let api = &stack.api;
    let (tech_id, tech) = technician(&stack, &t).await?;
    let own = started_work(&stack, &t, (&tech_id, &tech), "Planned oven", 8).await?;
    let other = started_work(&stack, &t, (&tech_id, &tech), "Other door", 12).await?;
    complete(&stack, &own, &tech).await?;
    complete(&stack, &other, &tech).await?;
    let own_report = report_of(&stack, &t.admin, &own).await?;
    let other_report = report_of(&stack, &t.admin, &other).await?;

    let link = api
        .post(
            &format!("/api/v1/customers/{}/secure-links", t.customer_id),
            Some(&t.admin),
            &json!({"work_order_id": own, "label": "visit"}),
        )
        .await?
        .expect(201)?;
    let token = portal_testkit::smtp::link_token(&s(&link["url"]))
        .ok_or_else(|| anyhow::anyhow!("no token in {link}"))?;
    let session = api
        .post("/api/v1/auth/secure-link", None, &json!({"token": token}))
        .await?
        .expect(200)?;
    let access = s(&session["access_token"]);

    let listed = items(&api.get("/api/v1/documents", &access).await?.expect(200)?);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(s(&listed[0]["id"]), own_report);
    assert_eq!(download(&stack, &access, &own_report).await?.0, 200);
    assert_eq!(download(&stack, &access, &other_report).await?.0, 404);
    // The customer's own contact sees both.
    let listed = items(
        &api.get("/api/v1/documents", &t.contact)
            .await?
            .expect(200)?,
    );
    assert_eq!(listed.len(), 2, "{listed:?}");
    stack.stop().await
}
