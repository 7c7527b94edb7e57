//! Bad input gets a clear problem+json answer and writes nothing.
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use portal_platform::auth::{AUDIENCE, AccountKind, Claims, ISSUER};
use portal_testkit::Stack;
use serde_json::json;

use crate::fixtures::{self, PNG};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_requests_are_refused_clearly_and_nothing_is_written() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "badinput").await?;
    let api = &stack.api;
    let site = &t.site_ids[0];

    let missing = api
        .post(
            "/api/v1/requests",
            Some(&t.contact),
            &json!({"site_id": site, "title": "No description"}),
        )
        .await?
        .problem(400)?;
    assert!(
        missing["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("description")
    );
    api.post(
        "/api/v1/requests",
        Some(&t.contact),
        &json!({"site_id": site, "title": "t", "description": "   "}),
    )
    .await?
    .problem(400)?;
    let unknown = uuid::Uuid::now_v7().to_string();
    let bad_site = api
        .post(
            "/api/v1/requests",
            Some(&t.contact),
            &json!({"site_id": unknown, "description": "d"}),
        )
        .await?
        .problem(400)?;
    assert!(
        bad_site["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("site")
    );
    api.post(
        "/api/v1/requests",
        Some(&t.contact),
        &json!({"site_id": "not-an-id", "description": "d"}),
    )
    .await?
    .problem(400)?;
    api.post_raw("/api/v1/requests", &t.contact, "{\"site_id\": ")
        .await?
        .problem(400)?;
    api.post(
        "/api/v1/requests",
        Some(&t.contact),
        &json!({"site_id": site, "description": "d", "priority": "whenever"}),
    )
    .await?
    .problem(400)?;

    // Tokens: forged, expired, missing, or the operator's endpoint without its token.
    let tampered = format!("{}x", &t.contact[..t.contact.len() - 1]);
    api.get("/api/v1/requests", &tampered).await?.problem(401)?;
    let forged = forged_token(&stack, &t).await?;
    api.get("/api/v1/requests", &forged).await?.problem(401)?;
    api.post(
        "/api/v1/requests",
        Some(&forged),
        &json!({"site_id": site, "description": "forged"}),
    )
    .await?
    .problem(401)?;
    let expired = expired_token(&stack, &t).await?;
    api.get("/api/v1/requests", &expired).await?.problem(401)?;
    let anonymous = api
        .call(reqwest::Method::GET, "/api/v1/requests", None, None)
        .await?;
    anonymous.problem(401)?;
    api.post("/api/v1/tenants", Some("wrong"), &json!({"slug": "x1", "name": "x", "admin_email": "a@b.example", "admin_password": "long enough 1"}))
        .await?
        .problem(401)?;
    api.post(
        "/api/v1/auth/login",
        None,
        &json!({"tenant": "badinput", "email": t.contact_email, "password": "wrong password"}),
    )
    .await?
    .problem(401)?;

    // Text PostgreSQL cannot store, unknown filters, a body that is not multipart.
    api.post(
        "/api/v1/requests",
        Some(&t.contact),
        &json!({"site_id": site, "description": "nul \u{0} byte"}),
    )
    .await?
    .problem(400)?;
    api.get("/api/v1/requests?colour=blue", &t.contact)
        .await?
        .problem(400)?;

    // Nothing was written.
    let list = api.get("/api/v1/requests", &t.admin).await?.expect(200)?;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
    let db = stack.db("requests").await?;
    let rows: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM requests) + (SELECT count(*) FROM outbox)",
    )
    .fetch_one(&db)
    .await?;
    assert_eq!(rows, 0);

    // Attachments: too large, refused type, a file that lies about its type.
    let request = fixtures::submit_request(&stack, &t, "Attachments").await?;
    let path = format!(
        "/api/v1/requests/{}/attachments",
        fixtures::s(&request["id"])
    );
    api.upload(
        &path,
        &t.contact,
        "big.png",
        "image/png",
        vec![0u8; 2 * 1024 * 1024],
    )
    .await?
    .problem(413)?;
    api.upload(
        &path,
        &t.contact,
        "tool.exe",
        "application/x-msdownload",
        b"MZ\x90\0".to_vec(),
    )
    .await?
    .problem(415)?;
    api.upload(
        &path,
        &t.contact,
        "fake.png",
        "image/png",
        b"not a png at all".to_vec(),
    )
    .await?
    .problem(415)?;
    let files = api.get(&path, &t.contact).await?.expect(200)?;
    assert_eq!(files.as_array().map(Vec::len), Some(0));
    api.post(&path, Some(&t.contact), &json!({"file": "not multipart"}))
        .await?
        .problem(400)?;
    api.upload(&path, &t.contact, "ok.png", "image/png", PNG.to_vec())
        .await?
        .expect(201)?;
    db.close().await;
    stack.stop().await
}

/// A token signed with identity's real key, but expired an hour ago.
async fn expired_token(stack: &Stack, t: &fixtures::Tenant) -> anyhow::Result<String> {
    let (kid, pem, tenant_id) = identity_key(stack, t).await?;
    let now = chrono::Utc::now().timestamp();
    sign(
        &kid,
        &pem,
        contact_claims(t, tenant_id, now - 7200, now - 3600)?,
    )
}

/// A well-formed, unexpired token with identity's key id, signed by another key.
async fn forged_token(stack: &Stack, t: &fixtures::Tenant) -> anyhow::Result<String> {
    let (kid, _, tenant_id) = identity_key(stack, t).await?;
    let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)?.serialize_pem();
    let now = chrono::Utc::now().timestamp();
    sign(&kid, &other, contact_claims(t, tenant_id, now, now + 600)?)
}

async fn identity_key(
    stack: &Stack,
    t: &fixtures::Tenant,
) -> anyhow::Result<(String, String, uuid::Uuid)> {
    let kid = portal_testkit::stack::FIRST_SIGNING_KID.to_owned();
    let pem = std::fs::read_to_string(stack.signing_keys_dir.join(format!("{kid}.pem")))?;
    let db = stack.db("identity").await?;
    let tenant_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(&t.slug)
        .fetch_one(&db)
        .await?;
    db.close().await;
    Ok((kid, pem, tenant_id))
}

fn sign(kid: &str, pem: &str, claims: Claims) -> anyhow::Result<String> {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    Ok(jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_ed_pem(pem.as_bytes())?,
    )?)
}

fn contact_claims(
    t: &fixtures::Tenant,
    tenant_id: uuid::Uuid,
    iat: i64,
    exp: i64,
) -> anyhow::Result<Claims> {
    Ok(Claims {
        sub: t.contact_id.parse()?,
        tid: tenant_id,
        kind: AccountKind::Contact,
        roles: vec![],
        cust: Some(t.customer_id.parse()?),
        sites: vec![],
        wo: None,
        rvis: None,
        jti: uuid::Uuid::now_v7(),
        iat,
        exp,
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
    })
}
