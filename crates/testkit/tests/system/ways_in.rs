//! Every way in besides the invitation (A3-A7): forgotten password as a
//! first access, open registration, secure links, the access window,
//! logging out and changing the password, and the limits on guessing.
use portal_testkit::{Stack, eventually, smtp::link_token};
use serde_json::json;

use crate::fixtures::{self, s};

async fn mail_token(stack: &Stack, to: &str, marker: &str) -> anyhow::Result<String> {
    let sink = stack.smtp.as_ref().ok_or_else(|| anyhow::anyhow!("sink"))?;
    let mail = eventually(20, marker, || async {
        Ok(sink.to(to).into_iter().find(|m| m.body.contains(marker)))
    })
    .await?;
    link_token(&mail.body).ok_or_else(|| anyhow::anyhow!("no link in {}", mail.body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forgot_password_answers_alike_and_works_as_a_first_access() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    // Invited but never accepted: "forgot password" is their way in (A5).
    let t = fixtures::invited_tenant(&stack, "reset").await?;
    let api = &stack.api;
    let known = api
        .post(
            "/api/v1/auth/password-reset",
            None,
            &json!({"tenant": "reset", "email": t.contact_email}),
        )
        .await?
        .expect(202)?;
    let unknown = api
        .post(
            "/api/v1/auth/password-reset",
            None,
            &json!({"tenant": "reset", "email": "nobody@reset-client.example"}),
        )
        .await?
        .expect(202)?;
    let no_tenant = api
        .post(
            "/api/v1/auth/password-reset",
            None,
            &json!({"tenant": "no-such", "email": t.contact_email}),
        )
        .await?
        .expect(202)?;
    assert_eq!(known, unknown, "no user enumeration");
    assert_eq!(known, no_tenant);

    let token = mail_token(&stack, &t.contact_email, "/password-reset?token=").await?;
    let sink = stack.smtp.as_ref().ok_or_else(|| anyhow::anyhow!("sink"))?;
    assert!(sink.to("nobody@reset-client.example").is_empty());
    let reset_mail = sink
        .to(&t.contact_email)
        .into_iter()
        .find(|m| m.body.contains("/password-reset?token="))
        .ok_or_else(|| anyhow::anyhow!("reset mail"))?;
    assert!(
        reset_mail.subject.contains("reset services") || reset_mail.body.contains("reset services"),
        "provider named: {}",
        reset_mail.body
    );

    // Too short a password is refused and the link stays usable.
    api.post(
        "/api/v1/auth/password-reset/confirm",
        None,
        &json!({"token": token, "password": "short"}),
    )
    .await?
    .problem(400)?;
    let tokens = api
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "password": "my new password 1"}),
        )
        .await?
        .expect(200)?;
    let me = api
        .get("/api/v1/me", &s(&tokens["access_token"]))
        .await?
        .expect(200)?;
    assert_eq!(me["kind"], "contact");
    assert_eq!(me["customer_id"], t.customer_id.as_str());
    // Single use; the pending invitation died with it; the password works.
    api.post(
        "/api/v1/auth/password-reset/confirm",
        None,
        &json!({"token": token, "password": "other password 1"}),
    )
    .await?
    .problem(401)?;
    let invitation = mail_token(&stack, &t.contact_email, "/invitations/accept?token=").await?;
    api.post(
        "/api/v1/auth/invitations/accept",
        None,
        &json!({"token": invitation, "password": "other password 1"}),
    )
    .await?
    .problem(401)?;
    fixtures::login(&stack, "reset", &t.contact_email, "my new password 1").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn open_registration_lets_in_only_contacts_of_open_customers() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "reg").await?;
    let api = &stack.api;
    // A contact who was never invited, and one of a customer whose portal is off.
    api.post(
        &format!("/api/v1/customers/{}/contacts", t.customer_id),
        Some(&t.admin),
        &json!({"name": "Paul", "email": "paul@reg-client.example", "language": "en"}),
    )
    .await?
    .expect(201)?;
    let closed = api
        .post(
            "/api/v1/customers",
            Some(&t.admin),
            &json!({"number": "C-9", "name": "Closed Ltd"}),
        )
        .await?
        .expect(201)?;
    api.post(
        &format!("/api/v1/customers/{}/contacts", s(&closed["id"])),
        Some(&t.admin),
        &json!({"name": "Zoe", "email": "zoe@closed.example"}),
    )
    .await?
    .expect(201)?;

    let register =
        |email: &str| json!({"tenant": "reg", "email": email, "password": "registered pw 1"});
    let a = api
        .post(
            "/api/v1/auth/register",
            None,
            &register("paul@reg-client.example"),
        )
        .await?
        .expect(202)?;
    let b = api
        .post(
            "/api/v1/auth/register",
            None,
            &register("zoe@closed.example"),
        )
        .await?
        .expect(202)?;
    let c = api
        .post(
            "/api/v1/auth/register",
            None,
            &register("stranger@else.example"),
        )
        .await?
        .expect(202)?;
    assert!(a == b && b == c, "the same answer for everyone");

    let token = mail_token(
        &stack,
        "paul@reg-client.example",
        "/registrations/confirm?token=",
    )
    .await?;
    let tokens = api
        .post(
            "/api/v1/auth/register/confirm",
            None,
            &json!({"token": token}),
        )
        .await?
        .expect(200)?;
    api.get("/api/v1/me", &s(&tokens["access_token"]))
        .await?
        .expect(200)?;
    fixtures::login(&stack, "reg", "paul@reg-client.example", "registered pw 1").await?;
    api.post(
        "/api/v1/auth/register/confirm",
        None,
        &json!({"token": token}),
    )
    .await?
    .problem(401)?;
    let sink = stack.smtp.as_ref().ok_or_else(|| anyhow::anyhow!("sink"))?;
    assert!(
        sink.to("zoe@closed.example").is_empty(),
        "portal off: no way in"
    );
    assert!(sink.to("stranger@else.example").is_empty());

    // The admin closes registration: the link says so.
    api.put(
        "/api/v1/tenant",
        &t.admin,
        &json!({"name": "Reg services", "portal_enabled": true,
        "portal_all_customers": false, "registration_open": false}),
    )
    .await?
    .expect(200)?;
    api.post(
        "/api/v1/auth/register",
        None,
        &register("paul@reg-client.example"),
    )
    .await?
    .problem(403)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_secure_link_opens_its_scope_until_it_is_revoked_or_expires() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "links").await?;
    let api = &stack.api;
    // One request on each site.
    for (site, title) in t.site_ids.iter().zip(["Oven", "Door"]) {
        api.post(
            "/api/v1/requests",
            Some(&t.contact),
            &json!({"site_id": site, "title": title, "description": "broken"}),
        )
        .await?
        .expect(201)?;
    }
    let base = format!("/api/v1/customers/{}/secure-links", t.customer_id);
    api.post(
        &base,
        Some(&t.admin),
        &json!({"expires_at": "2001-01-01T00:00:00Z"}),
    )
    .await?
    .problem(400)?;
    let link = api
        .post(
            &base,
            Some(&t.admin),
            &json!({"site_id": t.site_ids[0], "label": "Lyon bakery"}),
        )
        .await?
        .expect(201)?;
    let url = s(&link["url"]);
    assert!(url.contains("/link?token="), "{url}");
    let token = link_token(&url).ok_or_else(|| anyhow::anyhow!("token in {url}"))?;
    // The URL is shown once: the list does not carry it.
    let listed = api.get(&base, &t.admin).await?.expect(200)?;
    assert_eq!(listed["items"][0]["id"], link["id"]);
    assert!(listed["items"][0].get("url").is_none());

    let session = api
        .post("/api/v1/auth/secure-link", None, &json!({"token": token}))
        .await?
        .expect(200)?;
    let access = s(&session["access_token"]);
    let me = api.get("/api/v1/me", &access).await?.expect(200)?;
    assert_eq!(me["kind"], "link");
    assert_eq!(me["customer_id"], t.customer_id.as_str());
    assert_eq!(me["site_ids"], json!([t.site_ids[0]]));
    assert_eq!(me["can_change_password"], false);
    // Its scope: one site's requests and sites, checked by each service.
    let list = api.get("/api/v1/requests", &access).await?.expect(200)?;
    let titles: Vec<_> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| s(&r["title"]))
        .collect();
    assert_eq!(titles, ["Oven"]);
    let card = api
        .get(&format!("/api/v1/customers/{}", t.customer_id), &access)
        .await?
        .expect(200)?;
    assert_eq!(card["sites"].as_array().map(Vec::len), Some(1));
    assert_eq!(card["number"], "C-1");
    // No credentials to change.
    api.post(
        "/api/v1/me/password",
        Some(&access),
        &json!({"current_password": "x", "new_password": "whatever pw 1"}),
    )
    .await?
    .problem(403)?;

    // Revoked: the link and its live session end.
    api.post(
        &format!("/api/v1/secure-links/{}/revoke", s(&link["id"])),
        Some(&t.admin),
        &json!({}),
    )
    .await?
    .expect(200)?;
    api.post("/api/v1/auth/secure-link", None, &json!({"token": token}))
        .await?
        .problem(401)?;
    api.post(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": s(&session["refresh_token"])}),
    )
    .await?
    .problem(401)?;

    // A link past its expiry opens nothing.
    let soon = api
        .post(
            &base,
            Some(&t.admin),
            &json!({"expires_at": (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339()}),
        )
        .await?
        .expect(201)?;
    let soon_token = link_token(&s(&soon["url"])).ok_or_else(|| anyhow::anyhow!("token"))?;
    api.post(
        "/api/v1/auth/secure-link",
        None,
        &json!({"token": soon_token}),
    )
    .await?
    .expect(200)?;
    let db = stack.db("identity").await?;
    sqlx::query(
        "UPDATE secure_links SET expires_at = now() - interval '1 second' WHERE id = $1::uuid",
    )
    .bind(s(&soon["id"]))
    .execute(&db)
    .await?;
    api.post(
        "/api/v1/auth/secure-link",
        None,
        &json!({"token": soon_token}),
    )
    .await?
    .problem(401)?;
    // And a made-up token is simply refused.
    api.post(
        "/api/v1/auth/secure-link",
        None,
        &json!({"token": "made-up"}),
    )
    .await?
    .problem(401)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn outside_the_access_window_logins_fail_and_live_sessions_end() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "window").await?;
    let api = &stack.api;
    let login =
        json!({"tenant": "window", "email": t.contact_email, "password": "contact password 1"});
    let live = api
        .post("/api/v1/auth/login", None, &login)
        .await?
        .expect(200)?;
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    let update = |from: Option<String>| json!({"name": "Claire Martin", "language": "fr", "access_from": from});
    api.put(
        &format!("/api/v1/contacts/{}", t.contact_id),
        &t.admin,
        &update(Some(tomorrow.to_rfc3339())),
    )
    .await?
    .expect(200)?;
    let refused = api
        .post("/api/v1/auth/login", None, &login)
        .await?
        .problem(403)?;
    assert_eq!(refused["type"], "urn:portal:problem:outside-access-window");
    assert!(s(&refused["detail"]).contains("not open"), "{refused}");
    api.post(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": s(&live["refresh_token"])}),
    )
    .await?
    .problem(403)?;
    // Reopened: they are back.
    api.put(
        &format!("/api/v1/contacts/{}", t.contact_id),
        &t.admin,
        &update(None),
    )
    .await?
    .expect(200)?;
    api.post("/api/v1/auth/login", None, &login)
        .await?
        .expect(200)?;
    // A window that ends before it starts is refused.
    api.put(&format!("/api/v1/contacts/{}", t.contact_id), &t.admin,
        &json!({"name": "C", "access_from": tomorrow.to_rfc3339(), "access_until": chrono::Utc::now().to_rfc3339()}))
        .await?
        .problem(400)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn log_out_everywhere_and_a_new_password_end_the_other_sessions() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "logout").await?;
    let api = &stack.api;
    let login =
        json!({"tenant": "logout", "email": t.contact_email, "password": "contact password 1"});
    let phone = api
        .post("/api/v1/auth/login", None, &login)
        .await?
        .expect(200)?;
    let laptop = api
        .post("/api/v1/auth/login", None, &login)
        .await?
        .expect(200)?;
    let refresh = |r: &serde_json::Value| json!({"refresh_token": s(&r["refresh_token"])});

    // Log out on the phone: the laptop stays.
    api.post("/api/v1/auth/logout", None, &refresh(&phone))
        .await?
        .expect(204)?;
    api.post("/api/v1/auth/refresh", None, &refresh(&phone))
        .await?
        .problem(401)?;
    let laptop = api
        .post("/api/v1/auth/refresh", None, &refresh(&laptop))
        .await?
        .expect(200)?;

    // Change password: the old one is asked for; other sessions end.
    api.post(
        "/api/v1/me/password",
        Some(&s(&laptop["access_token"])),
        &json!({"current_password": "wrong password", "new_password": "brand new pw 1"}),
    )
    .await?
    .problem(400)?;
    let tablet = api
        .post("/api/v1/auth/login", None, &login)
        .await?
        .expect(200)?;
    let changed = api
        .post(
            "/api/v1/me/password",
            Some(&s(&laptop["access_token"])),
            &json!({"current_password": "contact password 1", "new_password": "brand new pw 1"}),
        )
        .await?
        .expect(200)?;
    api.post("/api/v1/auth/refresh", None, &refresh(&tablet))
        .await?
        .problem(401)?;
    api.post("/api/v1/auth/login", None, &login)
        .await?
        .problem(401)?;
    fixtures::login(&stack, "logout", &t.contact_email, "brand new pw 1").await?;

    // Log out everywhere: even the session that asked for it.
    api.post(
        "/api/v1/auth/logout-everywhere",
        Some(&s(&changed["access_token"])),
        &json!({}),
    )
    .await?
    .expect(204)?;
    api.post("/api/v1/auth/refresh", None, &refresh(&changed))
        .await?
        .problem(401)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_guesses_is_counted_before_checking_and_never_locks_the_owner_out()
-> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "guess").await?;
    let api = &stack.api;
    let attempt = |password: &str, device: Option<&str>| json!({"tenant": "guess", "email": t.contact_email, "password": password, "device_token": device});
    // The owner's browser logged in before: it holds a device token.
    let mine = api
        .post_from(
            "203.0.113.1",
            "/api/v1/auth/login",
            None,
            &attempt("contact password 1", None),
        )
        .await?
        .expect(200)?;
    let device = s(&mine["device_token"]);
    assert!(device.len() >= 32, "a device token: {mine}");

    // Sixty wrong passwords at once from sixty addresses.
    let burst = (0..60).map(|i| {
        let body = attempt("wrong guess", None);
        async move {
            api.post_from(&format!("192.0.2.{i}"), "/api/v1/auth/login", None, &body)
                .await
                .map(|a| a.status.as_u16())
        }
    });
    let statuses = futures::future::try_join_all(burst).await?;
    let checked = statuses.iter().filter(|&&c| c == 401).count();
    let refused = statuses.iter().filter(|&&c| c == 429).count();
    assert_eq!(checked + refused, 60, "only 401 or 429: {statuses:?}");
    // Five free tries; then one try per growing wait (1 s, 2 s, 4 s) while the burst lasts.
    assert!((5..=8).contains(&checked), "{checked} passwords checked");

    // The account now waits, with the right password too, and says for how long.
    let limited = api
        .post_from(
            "192.0.2.200",
            "/api/v1/auth/login",
            None,
            &attempt("contact password 1", None),
        )
        .await?;
    if limited.status == 429 {
        let wait = limited.retry_after;
        let body = limited.problem(429)?;
        assert!(
            wait.is_some_and(|w| (1..=900).contains(&w)),
            "Retry-After {wait:?}"
        );
        assert!(s(&body["detail"]).contains("forgot password"), "{body}");
    }
    // The owner's known device gets in at once, whatever the guessers did.
    let again = api
        .post_from(
            "203.0.113.1",
            "/api/v1/auth/login",
            None,
            &attempt("contact password 1", Some(&device)),
        )
        .await?
        .expect(200)?;
    assert_eq!(s(&again["device_token"]), device, "the same device");
    // A device token of another account is just ignored.
    api.post_from(
        "192.0.2.201",
        "/api/v1/auth/login",
        None,
        &json!({"tenant": "guess", "email": "admin@guess.example", "password": "admin password 1", "device_token": device}),
    )
    .await?
    .expect(200)?;
    // Without it, the owner waits seconds, not a quarter of an hour.
    let started = std::time::Instant::now();
    loop {
        let a = api
            .post_from(
                "192.0.2.202",
                "/api/v1/auth/login",
                None,
                &attempt("contact password 1", None),
            )
            .await?;
        if a.status == 200 {
            break;
        }
        let wait = a.retry_after.unwrap_or(1);
        a.problem(429)?;
        assert!(
            started.elapsed().as_secs() + wait < 60,
            "still refused after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    }

    // Successes from one address (an office) never add up to a wait …
    for _ in 0..35 {
        api.post_from(
            "198.51.100.9",
            "/api/v1/auth/login",
            None,
            &json!({"tenant": "guess", "email": "admin@guess.example", "password": "admin password 1"}),
        )
        .await?
        .expect(200)?;
    }
    // … but one address trying many accounts is held back, and others are not.
    for i in 0..30 {
        api.post_from(
            "198.51.100.7",
            "/api/v1/auth/login",
            None,
            &json!({"tenant": "guess", "email": format!("user{i}@guess.example"), "password": "x"}),
        )
        .await?
        .problem(401)?;
    }
    api.post_from(
        "198.51.100.7",
        "/api/v1/auth/login",
        None,
        &json!({"tenant": "guess", "email": "dispatch@guess.example", "password": "x"}),
    )
    .await?
    .problem(429)?;
    api.post_from(
        "198.51.100.8",
        "/api/v1/auth/login",
        None,
        &json!({"tenant": "guess", "email": "admin@guess.example", "password": "admin password 1"}),
    )
    .await?
    .expect(200)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_registration_cannot_plant_a_password_and_old_links_die() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let mut t = fixtures::invited_tenant(&stack, "plant").await?;
    let api = &stack.api;
    api.put(
        "/api/v1/tenant",
        &t.admin,
        &json!({"name": "Plant services", "portal_enabled": true,
        "portal_all_customers": false, "registration_open": true}),
    )
    .await?
    .expect(200)?;
    mail_token(&stack, &t.contact_email, "/invitations/accept?token=").await?;
    // Someone registers with Claire's address and a password of their own.
    api.post(
        "/api/v1/auth/register",
        None,
        &json!({"tenant": "plant", "email": t.contact_email, "password": "attacker pw 12"}),
    )
    .await?
    .expect(202)?;
    let planted = mail_token(&stack, &t.contact_email, "/registrations/confirm?token=").await?;
    // Claire activates through her invitation, then clicks the registration mail.
    fixtures::accept_invitation(&stack, &mut t).await?;
    api.post(
        "/api/v1/auth/register/confirm",
        None,
        &json!({"token": planted}),
    )
    .await?
    .problem(401)?;
    api.post(
        "/api/v1/auth/login",
        None,
        &json!({"tenant": "plant", "email": t.contact_email, "password": "attacker pw 12"}),
    )
    .await?
    .problem(401)?;
    fixtures::login(&stack, "plant", &t.contact_email, "contact password 1").await?;

    // A reset link asked for before a password change dies with the change.
    api.post(
        "/api/v1/auth/password-reset",
        None,
        &json!({"tenant": "plant", "email": t.contact_email}),
    )
    .await?
    .expect(202)?;
    let reset = mail_token(&stack, &t.contact_email, "/password-reset?token=").await?;
    api.post(
        "/api/v1/me/password",
        Some(&t.contact),
        &json!({"current_password": "contact password 1", "new_password": "contact password 2"}),
    )
    .await?
    .expect(200)?;
    api.post(
        "/api/v1/auth/password-reset/confirm",
        None,
        &json!({"token": reset, "password": "someone elses 1"}),
    )
    .await?
    .problem(401)?;
    fixtures::login(&stack, "plant", &t.contact_email, "contact password 2").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_secure_link_for_one_work_order_shows_only_that_work() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "wolink").await?;
    let api = &stack.api;
    let planned = fixtures::submit_request(&stack, &t, "Planned oven").await?;
    fixtures::submit_request(&stack, &t, "Other door").await?;
    let id = s(&planned["id"]);
    let work_order = fixtures::accept(&stack, &t, &id).await?;
    let link = api
        .post(
            &format!("/api/v1/customers/{}/secure-links", t.customer_id),
            Some(&t.admin),
            &json!({"work_order_id": work_order, "label": "visit"}),
        )
        .await?
        .expect(201)?;
    let token = link_token(&s(&link["url"])).ok_or_else(|| anyhow::anyhow!("token"))?;
    let session = api
        .post("/api/v1/auth/secure-link", None, &json!({"token": token}))
        .await?
        .expect(200)?;
    let access = s(&session["access_token"]);
    let me = api.get("/api/v1/me", &access).await?.expect(200)?;
    assert_eq!(me["work_order_id"], work_order.as_str());
    let list = api.get("/api/v1/requests", &access).await?.expect(200)?;
    let ids: Vec<_> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| s(&r["id"]))
        .collect();
    assert_eq!(ids, std::slice::from_ref(&id));
    // The other request of the same site does not exist for this link.
    let other = api.get("/api/v1/requests", &t.contact).await?.expect(200)?;
    let other_id = other["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| s(&r["id"]))
        .find(|r| *r != id)
        .ok_or_else(|| anyhow::anyhow!("other request"))?;
    api.get(&format!("/api/v1/requests/{other_id}"), &access)
        .await?
        .problem(404)?;
    Ok(())
}
