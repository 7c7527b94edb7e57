//! Sessions: refresh tokens rotate, a reused one ends the session, an
//! invitation works once.
use portal_testkit::{Stack, smtp::link_token};
use serde_json::json;

use crate::fixtures::{self, s};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_tokens_rotate_and_reuse_ends_the_session() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "sessions").await?;
    let api = &stack.api;
    let login =
        json!({"tenant": "sessions", "email": t.contact_email, "password": "contact password 1"});
    let first = api
        .post("/api/v1/auth/login", None, &login)
        .await?
        .expect(200)?;
    let r1 = s(&first["refresh_token"]);

    let second = api
        .post("/api/v1/auth/refresh", None, &json!({"refresh_token": r1}))
        .await?
        .expect(200)?;
    let r2 = s(&second["refresh_token"]);
    assert_ne!(r1, r2, "a new refresh token each time");
    api.get("/api/v1/me", &s(&second["access_token"]))
        .await?
        .expect(200)?;

    // Two tabs refreshing at once present the same token within seconds:
    // both get a session.
    let tab = api
        .post("/api/v1/auth/refresh", None, &json!({"refresh_token": r1}))
        .await?
        .expect(200)?;
    assert_ne!(s(&tab["refresh_token"]), r2);

    // Later, someone replays the old token: refused, and the newer ones die with it.
    let db = stack.db("identity").await?;
    sqlx::query("UPDATE refresh_tokens SET used_at = used_at - interval '1 minute' WHERE used_at IS NOT NULL")
        .execute(&db)
        .await?;
    api.post("/api/v1/auth/refresh", None, &json!({"refresh_token": r1}))
        .await?
        .problem(401)?;
    api.post(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": s(&tab["refresh_token"])}),
    )
    .await?
    .problem(401)?;
    api.post("/api/v1/auth/refresh", None, &json!({"refresh_token": r2}))
        .await?
        .problem(401)?;
    api.post(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": "made-up"}),
    )
    .await?
    .problem(401)?;

    // The invitation link was single use.
    let sink = stack.smtp.as_ref().ok_or_else(|| anyhow::anyhow!("sink"))?;
    let invitation = sink
        .to(&t.contact_email)
        .into_iter()
        .find(|m| m.body.contains("token="))
        .ok_or_else(|| anyhow::anyhow!("invitation"))?;
    let token = link_token(&invitation.body).ok_or_else(|| anyhow::anyhow!("token"))?;
    api.post(
        "/api/v1/auth/invitations/accept",
        None,
        &json!({"token": token, "password": "another password 1"}),
    )
    .await?
    .problem(401)?;
    // A fresh login still works with the password chosen at activation, and
    // an active account cannot be invited (its password reset) again.
    fixtures::login(&stack, "sessions", &t.contact_email, "contact password 1").await?;
    api.post(
        &format!("/api/v1/contacts/{}/invitation", t.contact_id),
        Some(&t.admin),
        &json!({}),
    )
    .await?
    .problem(409)?;
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_contact_of_chosen_sites_sees_only_those_sites_requests() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "scope").await?;
    let api = &stack.api;
    let on_site_one = fixtures::submit_request(&stack, &t, "Site one oven").await?;
    let site_two = t.site_ids[1].clone();
    let manager = fixtures::extra_contact(
        &stack,
        &t,
        "manager@scope-client.example",
        &[site_two.as_str()],
    )
    .await?;

    let me = api.get("/api/v1/me", &manager).await?.expect(200)?;
    assert_eq!(me["site_ids"], json!([site_two]));
    api.get(
        &format!("/api/v1/requests/{}", s(&on_site_one["id"])),
        &manager,
    )
    .await?
    .problem(404)?;
    // They may ask for work on their own site only.
    api.post(
        "/api/v1/requests",
        Some(&manager),
        &json!({"site_id": t.site_ids[0], "description": "not mine"}),
    )
    .await?
    .problem(400)?;
    let own = api
        .post(
            "/api/v1/requests",
            Some(&manager),
            &json!({"site_id": site_two, "description": "Heating off"}),
        )
        .await?
        .expect(201)?;

    let theirs = api.get("/api/v1/requests", &manager).await?.expect(200)?;
    let ids: Vec<String> = theirs["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| s(&r["id"]))
        .collect();
    assert_eq!(ids, vec![s(&own["id"])]);
    // The customer-wide contact sees both; "mine" narrows to their own.
    let all = api.get("/api/v1/requests", &t.contact).await?.expect(200)?;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
    // Pages of one, newest first, chained by the cursor.
    let first = api
        .get("/api/v1/requests?limit=1", &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(first["items"][0]["id"], own["id"]);
    let cursor = s(&first["next_cursor"]);
    let second = api
        .get(
            &format!("/api/v1/requests?limit=1&cursor={cursor}"),
            &t.contact,
        )
        .await?
        .expect(200)?;
    assert_eq!(second["items"][0]["id"], on_site_one["id"]);
    assert!(second["next_cursor"].is_null());
    let mine = api
        .get("/api/v1/requests?mine=true", &t.contact)
        .await?
        .expect(200)?;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(mine["items"][0]["id"], on_site_one["id"]);
    // Staff cannot be stood in for by a contact: deciding is staff-only.
    api.post(
        &format!("/api/v1/requests/{}/accept", s(&own["id"])),
        Some(&t.contact),
        &json!({}),
    )
    .await?
    .problem(404)?;
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_the_newest_invitation_link_works_until_it_expires() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::invited_tenant(&stack, "reinvite").await?;
    let api = &stack.api;
    let sink = stack.smtp.as_ref().ok_or_else(|| anyhow::anyhow!("sink"))?;
    let first = portal_testkit::eventually(20, "the first invitation", || async {
        Ok(sink.to(&t.contact_email).into_iter().next())
    })
    .await?;
    // Staff invite again: the `nth` mail to the contact holds the new link.
    let t = &t;
    let invite_again = |nth: usize| async move {
        api.post(
            &format!("/api/v1/contacts/{}/invitation", t.contact_id),
            Some(&t.admin),
            &json!({}),
        )
        .await?
        .expect(202)?;
        let mail = portal_testkit::eventually(20, "the next invitation", || async {
            Ok(sink.to(&t.contact_email).into_iter().nth(nth))
        })
        .await?;
        link_token(&mail.body).ok_or_else(|| anyhow::anyhow!("token"))
    };
    let old = link_token(&first.body).ok_or_else(|| anyhow::anyhow!("token"))?;
    let new = invite_again(1).await?;
    assert_ne!(old, new);
    api.post(
        "/api/v1/auth/invitations/accept",
        None,
        &json!({"token": old, "password": "first password 1"}),
    )
    .await?
    .problem(401)?;
    // A week later the newest link has expired too: refused, nothing set.
    let identity = stack.db("identity").await?;
    let aged = sqlx::query(
        "UPDATE invitations SET expires_at = now() - interval '1 second' \
         WHERE contact_id = $1::uuid AND used_at IS NULL",
    )
    .bind(&t.contact_id)
    .execute(&identity)
    .await?;
    assert_eq!(aged.rows_affected(), 1);
    api.post(
        "/api/v1/auth/invitations/accept",
        None,
        &json!({"token": new, "password": "second password 1"}),
    )
    .await?
    .problem(401)?;
    let mut browser = crate::browser::Browser::new(&stack)?;
    let page = browser
        .get(&format!("/invitations/accept?token={new}"))
        .await?;
    assert_eq!(page.status, 410, "{}", page.body);
    assert!(!page.body.contains("id=\"invitation-form\""));
    api.post(
        "/api/v1/auth/login",
        None,
        &json!({"tenant": "reinvite", "email": t.contact_email, "password": "second password 1"}),
    )
    .await?
    .problem(401)?;
    // Staff send a fresh one, and that one works.
    let fresh = invite_again(2).await?;
    api.post(
        "/api/v1/auth/invitations/accept",
        None,
        &json!({"token": fresh, "password": "third password 1"}),
    )
    .await?
    .expect(200)?;
    fixtures::login(&stack, "reinvite", &t.contact_email, "third password 1").await?;
    stack.stop().await
}
