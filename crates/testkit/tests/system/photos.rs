//! D6: the photos of a work order. Its planned technician adds them while
//! the work is planned or in progress (images only, known by their bytes);
//! the contact sees them when the tenant shows them to customers; the
//! service report prints them; nobody else adds any, and another tenant
//! finds none.
use chrono::{Duration, Utc};
use portal_testkit::{Stack, eventually};
use serde_json::{Value, json};

use crate::fixtures::{self, Tenant, s};

/// A real 2×1 PNG (one black, one transparent pixel) that decodes.
const PHOTO: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0xF4, 0x22, 0x7F,
    0x8A, 0x00, 0x00, 0x00, 0x0F, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0x60, 0x60, 0x60, 0xF8,
    0x0F, 0xC4, 0x0C, 0x00, 0x05, 0x04, 0x01, 0x00, 0x09, 0x7E, 0xF4, 0xD5, 0x00, 0x00, 0x00, 0x00,
    0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// A technician of `t`, logged in: `(id, token)`.
async fn technician(stack: &Stack, t: &Tenant, who: &str) -> anyhow::Result<(String, String)> {
    let email = format!("{who}@{}.example", t.slug);
    let member = stack
        .api
        .post(
            "/api/v1/staff",
            Some(&t.admin),
            &json!({"email": email, "name": who, "roles": ["technician"], "password": "staff password 1"}),
        )
        .await?
        .expect(201)?;
    let token = fixtures::login(stack, &t.slug, &email, "staff password 1").await?;
    Ok((s(&member["id"]), token))
}

fn tomorrow(hour: i64) -> String {
    let day = (Utc::now() + Duration::days(1)).date_naive();
    let at = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::hours(hour);
    at.to_rfc3339()
}

/// A request of the contact, accepted and planned onto `tech_id`.
async fn planned_work(stack: &Stack, t: &Tenant, tech_id: &str) -> anyhow::Result<String> {
    let request = fixtures::submit_request(stack, t, "Cracked oven door").await?;
    let wo = fixtures::accept(stack, t, &s(&request["id"])).await?;
    stack
        .api
        .post(
            &format!("/api/v1/work-orders/{wo}/schedule"),
            Some(&t.admin),
            &json!({"technician_ids": [tech_id], "start": tomorrow(9), "end": tomorrow(11)}),
        )
        .await?
        .expect(200)?;
    Ok(wo)
}

async fn bytes_of(
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
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Ok((status, ct, res.bytes().await?.to_vec()))
}

async fn show_photos(stack: &Stack, t: &Tenant, on: bool) -> anyhow::Result<()> {
    let settings = stack
        .api
        .put(
            "/api/v1/tenant",
            &t.admin,
            &json!({"name": format!("{} services", t.slug), "portal_enabled": true,
                    "portal_all_customers": true, "registration_open": false,
                    "show_work_photos": on}),
        )
        .await?
        .expect(200)?;
    assert_eq!(settings["show_work_photos"], on, "{settings}");
    Ok(())
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_technician_adds_photos_the_contact_sees_them_and_the_report_prints_them()
-> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "photos").await?;
    let other = fixtures::tenant(&stack, "photos-other").await?;
    let api = &stack.api;
    let (tech_id, tech) = technician(&stack, &t, "tom").await?;
    let (_, stranger) = technician(&stack, &t, "ana").await?;
    let wo = planned_work(&stack, &t, &tech_id).await?;
    let photos = format!("/api/v1/work-orders/{wo}/photos");

    // The planned technician adds a photo, even before starting.
    let added = api
        .upload(&photos, &tech, "door.png", "image/png", PHOTO.to_vec())
        .await?
        .expect(201)?;
    let list = items(&added);
    assert_eq!(list.len(), 1, "{added}");
    let photo = &list[0];
    assert_eq!(photo["name"], "door.png");
    assert_eq!(photo["content_type"], "image/png");
    assert_eq!(photo["size"], PHOTO.len());
    assert!(photo["created_at"].is_string(), "{photo}");
    let photo_id = s(&photo["id"]);
    let one = format!("{photos}/{photo_id}");

    // Known by its bytes: a PDF named like a photo is refused, and nothing is added.
    let refused = api
        .upload(
            &photos,
            &tech,
            "door2.jpg",
            "image/jpeg",
            b"%PDF-1.7 not an image".to_vec(),
        )
        .await?
        .problem(415)?;
    assert!(s(&refused["detail"]).contains("not a photo"), "{refused}");
    // The contact, another technician and another tenant add nothing.
    api.upload(&photos, &t.contact, "x.png", "image/png", PHOTO.to_vec())
        .await?
        .problem(403)?;
    api.upload(&photos, &stranger, "x.png", "image/png", PHOTO.to_vec())
        .await?
        .problem(404)?;
    api.upload(&photos, &other.admin, "x.png", "image/png", PHOTO.to_vec())
        .await?
        .problem(404)?;
    api.get(&photos, &other.admin).await?.problem(404)?;
    api.get(&one, &other.contact).await?.problem(404)?;
    let listed = api.get(&photos, &t.admin).await?.expect(200)?;
    assert_eq!(items(&listed).len(), 1, "{listed}");

    // The contact sees it while the tenant shows photos (the default)...
    let listed = api.get(&photos, &t.contact).await?.expect(200)?;
    assert_eq!(items(&listed).len(), 1, "{listed}");
    let (status, ct, body) = bytes_of(&stack, &t.contact, &one).await?;
    assert_eq!((status, ct.as_str()), (200, "image/png"));
    assert_eq!(body, PHOTO);
    // ...and not through the request's generic file download.
    let (status, _, _) = bytes_of(
        &stack,
        &t.contact,
        &format!("/api/v1/attachments/{photo_id}/content"),
    )
    .await?;
    assert_eq!(status, 404);

    // Turned off: the photos do not exist for the contact; staff still see them.
    show_photos(&stack, &t, false).await?;
    api.get(&photos, &t.contact).await?.problem(404)?;
    api.get(&one, &t.contact).await?.problem(404)?;
    let listed = api.get(&photos, &tech).await?.expect(200)?;
    assert_eq!(items(&listed).len(), 1, "{listed}");
    show_photos(&stack, &t, true).await?;
    api.get(&photos, &t.contact).await?.expect(200)?;

    // Done: the report prints the photo; no more photos after completion.
    api.post(
        &format!("/api/v1/work-orders/{wo}/start"),
        Some(&tech),
        &json!({}),
    )
    .await?
    .expect(200)?;
    api.post(
        &format!("/api/v1/work-orders/{wo}/complete"),
        Some(&tech),
        &json!({"notes": "New door seal.", "minutes_spent": 30}),
    )
    .await?
    .expect(200)?;
    let late = api
        .upload(&photos, &tech, "late.png", "image/png", PHOTO.to_vec())
        .await?
        .problem(409)?;
    assert!(s(&late["detail"]).contains("completed"), "{late}");
    let report = eventually(40, "the service report", || async {
        let w = api
            .get(&format!("/api/v1/work-orders/{wo}"), &t.contact)
            .await?
            .expect(200)?;
        Ok(w["report_document_id"].as_str().map(str::to_owned))
    })
    .await?;
    let (status, _, pdf) = bytes_of(
        &stack,
        &t.contact,
        &format!("/api/v1/documents/{report}/content"),
    )
    .await?;
    assert_eq!(status, 200);
    let doc = lopdf::Document::load_mem(&pdf)?;
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages)?;
    assert!(text.contains("Photos"), "{text}");
    assert!(!text.contains("more photo"), "{text}");
    let images = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|st| {
            st.dict
                .get(b"Subtype")
                .and_then(|v| v.as_name())
                .is_ok_and(|n| n == b"Image")
        })
        .count();
    // No signature here: the images are the photo (and its transparency mask).
    assert!(images >= 1, "no image in the report");
    Ok(())
}
