//! The web portal's shell over real HTTPS: security headers, cookies, CSRF,
//! language, tenant by path and by host name, transparent token refresh.
use portal_testkit::{Stack, smtp::link_token};

use crate::browser::Browser;
use serde_json::json;

async fn tenant(stack: &Stack, slug: &str) -> anyhow::Result<()> {
    stack
        .api
        .post(
            "/api/v1/tenants",
            Some(&stack.operator_token),
            &json!({"slug": slug, "name": format!("{slug} services"), "admin_email": format!("admin@{slug}.example"), "admin_password": "admin password 1"}),
        )
        .await?
        .expect(201)?;
    Ok(())
}

fn assert_safe_cookie(set_cookie: &str) {
    for part in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(part), "{part} missing in {set_cookie}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn login_page_headers_cookies_csrf_and_refresh() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    tenant(&stack, "webshell").await?;
    let mut b = Browser::new(&stack)?;

    let login = b.get("/t/webshell/login").await?;
    assert_eq!(login.status, 200, "{}", login.body);
    assert!(login.header("content-type").starts_with("text/html"));
    let csp = login.header("content-security-policy");
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(
        login
            .header("strict-transport-security")
            .contains("max-age=")
    );
    assert_eq!(login.header("x-content-type-options"), "nosniff");
    assert_eq!(login.header("referrer-policy"), "same-origin");
    assert!(login.body.contains("<html lang=\"en\""));
    assert!(login.body.contains("id=\"login-form\"") && login.body.contains("<main id=\"main\""));
    let csrf_cookie = login
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-portal-csrf="))
        .unwrap_or_default();
    assert_safe_cookie(&csrf_cookie);
    assert_eq!(login.input("csrf"), Some(b.csrf()));

    // Without the token, or with another one: refused before identity is asked.
    let creds = [
        ("email", "admin@webshell.example"),
        ("password", "admin password 1"),
    ];
    let refused = b.post("/t/webshell/login", &creds).await?;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("<h1>"));
    let forged = b
        .post(
            "/t/webshell/login",
            &[creds[0], creds[1], ("csrf", "forged-token")],
        )
        .await?;
    assert_eq!(forged.status, 403);
    assert!(!b.cookies.contains_key("__Host-portal-at"));

    // A wrong password stays on the form, with the reason next to it.
    let csrf = b.csrf();
    let wrong = b
        .post(
            "/t/webshell/login",
            &[
                ("email", "admin@webshell.example"),
                ("password", "nope"),
                ("csrf", &csrf),
            ],
        )
        .await?;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("role=\"alert\"") && wrong.body.contains("id=\"login-form\""));

    let ok = b
        .post("/t/webshell/login", &[creds[0], creds[1], ("csrf", &csrf)])
        .await?;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.header("location"), "/t/webshell/staff/customers");
    let set = ok.set_cookies();
    for name in ["__Host-portal-at=", "__Host-portal-rt="] {
        let c = set
            .iter()
            .find(|c| c.starts_with(name))
            .cloned()
            .unwrap_or_default();
        assert_safe_cookie(&c);
    }
    let customers = b.get("/t/webshell/staff/customers").await?;
    assert_eq!(customers.status, 200, "{}", customers.body);
    assert!(customers.body.contains("id=\"logout-form\""));

    // An expired (here: broken) access cookie is replaced from the refresh cookie.
    let old_refresh = b
        .cookies
        .get("__Host-portal-rt")
        .cloned()
        .unwrap_or_default();
    b.cookies
        .insert("__Host-portal-at".into(), "expired.token.value".into());
    let refreshed = b.get("/t/webshell/staff/customers").await?;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let new_refresh = b
        .cookies
        .get("__Host-portal-rt")
        .cloned()
        .unwrap_or_default();
    assert_ne!(old_refresh, new_refresh, "both cookies rotate");

    // A refresh token replayed after the few seconds two tabs may need ends
    // the session: cookies cleared, back to login.
    let db = stack.db("identity").await?;
    sqlx::query("UPDATE refresh_tokens SET used_at = used_at - interval '1 minute' WHERE used_at IS NOT NULL")
        .execute(&db)
        .await?;
    b.cookies
        .insert("__Host-portal-at".into(), "expired.token.value".into());
    b.cookies.insert("__Host-portal-rt".into(), old_refresh);
    let replay = b.get("/t/webshell/staff/customers").await?;
    assert_eq!(replay.status, 303);
    assert_eq!(replay.header("location"), "/t/webshell/login");
    assert!(!b.cookies.contains_key("__Host-portal-rt"));

    // Static files are cached for long; pages never.
    let css = b.get("/static/portal.css").await?;
    assert_eq!(css.status, 200);
    assert!(css.header("cache-control").contains("immutable"));
    assert_eq!(customers.header("cache-control"), "no-store");
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn language_and_tenant_by_path_or_host() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    tenant(&stack, "webhost").await?;
    let mut b = Browser::new(&stack)?;

    b.lang = Some("de-AT, de;q=0.9, en;q=0.5".into());
    let de = b.get("/t/webhost/login").await?;
    assert_eq!(de.status, 200, "{}", de.body);
    assert!(
        de.body.contains("<html lang=\"de\"") && de.body.contains("Anmelden"),
        "{}",
        de.body
    );
    b.lang = Some("ja, pl;q=0.8".into());
    let pl = b.get("/t/webhost/password/forgot").await?;
    assert!(pl.body.contains("<html lang=\"pl\"") && pl.body.contains("id=\"forgot-form\""));
    b.lang = Some("ja".into());
    let fallback = b.get("/t/webhost/login").await?;
    assert!(fallback.body.contains("<html lang=\"en\""));

    // The tenant's own host name (base domain `localhost`): paths without /t/<slug>.
    b.host = Some("webhost.localhost".into());
    let on_host = b.get("/login").await?;
    assert_eq!(on_host.status, 200, "{}", on_host.body);
    assert!(
        on_host.body.contains("action=\"/login\""),
        "{}",
        on_host.body
    );
    let home = b.get("/").await?;
    assert_eq!(home.status, 303, "an anonymous home asks for a login");
    assert_eq!(home.header("location"), "/login");

    // Unknown tenants: an HTML 404, by host and by path.
    b.host = Some("nosuch.localhost".into());
    let unknown_host = b.get("/login").await?;
    assert_eq!(unknown_host.status, 404);
    assert!(unknown_host.header("content-type").starts_with("text/html"));
    b.host = None;
    assert_eq!(b.get("/t/nosuch/login").await?.status, 404);
    // A plain host has no tenant pages at its root, only the front page.
    assert_eq!(b.get("/login").await?.status, 404);
    let landing = b.get("/").await?;
    assert_eq!(landing.status, 200);
    assert!(landing.body.contains("<main id=\"main\""));
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_invited_contact_sets_a_password_in_their_language_and_lands_home() -> anyhow::Result<()>
{
    let stack = Stack::start().await?;
    let t = crate::fixtures::invited_tenant(&stack, "webinvite").await?;
    let sink = stack.smtp.as_ref().ok_or_else(|| anyhow::anyhow!("sink"))?;
    let mail = portal_testkit::eventually(20, "the invitation", || async {
        Ok(sink.to(&t.contact_email).into_iter().next())
    })
    .await?;
    let token = link_token(&mail.body).ok_or_else(|| anyhow::anyhow!("token"))?;
    let mut b = Browser::new(&stack)?;
    b.lang = Some("en".into());

    let form = b.get(&format!("/invitations/accept?token={token}")).await?;
    assert_eq!(form.status, 200, "{}", form.body);
    // Claire's language is French, whatever the browser says.
    assert!(form.body.contains("<html lang=\"fr\""), "{}", form.body);
    assert!(form.body.contains("id=\"invitation-form\"") && form.body.contains(&t.contact_email));
    assert_eq!(form.header("referrer-policy"), "no-referrer");
    let csrf = b.csrf();
    let mismatch = b
        .post(
            "/invitations/accept",
            &[
                ("token", &token),
                ("password", "a long password 1"),
                ("password_confirm", "other"),
                ("csrf", &csrf),
            ],
        )
        .await?;
    assert_eq!(mismatch.status, 400);
    // The English browser gets Claire's French in the error too.
    assert!(
        mismatch
            .body
            .contains("Les deux mots de passe ne sont pas identiques."),
        "{}",
        mismatch.body
    );
    let short = b
        .post(
            "/invitations/accept",
            &[
                ("token", &token),
                ("password", "court"),
                ("password_confirm", "court"),
                ("csrf", &csrf),
            ],
        )
        .await?;
    assert_eq!(short.status, 400);
    assert!(
        short
            .body
            .contains("Le mot de passe doit compter au moins 10 caractères."),
        "{}",
        short.body
    );
    let done = b
        .post(
            "/invitations/accept",
            &[
                ("token", &token),
                ("password", "a long password 1"),
                ("password_confirm", "a long password 1"),
                ("csrf", &csrf),
            ],
        )
        .await?;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), "/t/webinvite/");
    let home = b.get("/t/webinvite/").await?;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("id=\"customer-card\"") && home.body.contains("C-1"));
    assert!(home.body.contains("Boulangerie Martin") && home.body.contains("Lyon bakery"));

    // The link worked once.
    let again = b.get(&format!("/invitations/accept?token={token}")).await?;
    assert_eq!(again.status, 410);
    assert!(!again.body.contains("id=\"invitation-form\""));
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn registering_in_the_browser_needs_the_mail_and_a_click() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = crate::fixtures::tenant(&stack, "webreg").await?;
    stack
        .api
        .post(
            &format!("/api/v1/customers/{}/contacts", t.customer_id),
            Some(&t.admin),
            &json!({"name": "Jan Nowak", "email": "jan@webreg-client.example", "language": "pl"}),
        )
        .await?
        .expect(201)?;
    let mut b = Browser::new(&stack)?;
    let page = b.get("/t/webreg/register").await?;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = b.csrf();
    let sent = b
        .post(
            "/t/webreg/register",
            &[
                ("email", "jan@webreg-client.example"),
                ("password", "jan's password 1"),
                ("password_confirm", "jan's password 1"),
                ("csrf", &csrf),
            ],
        )
        .await?;
    assert!(
        sent.status == 200 || sent.status == 303,
        "{} {}",
        sent.status,
        sent.body
    );
    let sink = stack.smtp.as_ref().ok_or_else(|| anyhow::anyhow!("sink"))?;
    let mail = portal_testkit::eventually(20, "the registration mail", || async {
        Ok(sink.to("jan@webreg-client.example").into_iter().next())
    })
    .await?;
    let token = link_token(&mail.body).ok_or_else(|| anyhow::anyhow!("token"))?;

    // Following the link (as a mail scanner would) only shows a button.
    for _ in 0..2 {
        let confirm = b
            .get(&format!("/registrations/confirm?token={token}"))
            .await?;
        assert_eq!(confirm.status, 200, "{}", confirm.body);
        assert!(
            confirm.body.contains("<html lang=\"pl\""),
            "{}",
            confirm.body
        );
        assert!(confirm.body.contains("id=\"registration-form\""));
    }
    let csrf = b.csrf();
    let done = b
        .post(
            "/registrations/confirm",
            &[("token", &token), ("csrf", &csrf)],
        )
        .await?;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), "/t/webreg/");
    let home = b.get("/t/webreg/").await?;
    assert!(home.body.contains("id=\"customer-card\""), "{}", home.body);
    let used = b
        .get(&format!("/registrations/confirm?token={token}"))
        .await?;
    assert_eq!(used.status, 410);
    stack.stop().await
}

/// Logs a browser in through the login form; returns where it was sent.
async fn log_in(
    b: &mut Browser,
    slug: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<String> {
    b.get(&format!("/t/{slug}/login")).await?;
    let csrf = b.csrf();
    let done = b
        .post(
            &format!("/t/{slug}/login"),
            &[("email", email), ("password", password), ("csrf", &csrf)],
        )
        .await?;
    anyhow::ensure!(done.status == 303, "login: {} {}", done.status, done.body);
    Ok(done.header("location"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_open_the_portal_hand_out_a_secure_link_and_revoke_it() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = crate::fixtures::tenant(&stack, "webstaff").await?;
    let api = &stack.api;
    let closed = api
        .post(
            "/api/v1/customers",
            Some(&t.admin),
            &json!({"number": "C-7", "name": "Hôtel Bellevue"}),
        )
        .await?
        .expect(201)?;
    let id = closed["id"].as_str().unwrap_or_default().to_owned();
    let mut b = Browser::new(&stack)?;
    let to = log_in(
        &mut b,
        "webstaff",
        "admin@webstaff.example",
        "admin password 1",
    )
    .await?;
    assert_eq!(to, "/t/webstaff/staff/customers");
    let list = b.get("/t/webstaff/staff/customers?q=Bellevue").await?;
    assert!(
        list.body.contains("Hôtel Bellevue") && !list.body.contains("Boulangerie"),
        "{}",
        list.body
    );

    let detail = b.get(&format!("/t/webstaff/staff/customers/{id}")).await?;
    assert!(detail.body.contains("id=\"portal-form\""));
    let csrf = b.csrf();
    let saved = b
        .post(
            &format!("/t/webstaff/staff/customers/{id}/portal"),
            &[
                ("enabled", "true"),
                ("request_visibility", "all"),
                ("visible_since", ""),
                ("csrf", &csrf),
            ],
        )
        .await?;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let card = api
        .get(&format!("/api/v1/customers/{id}"), &t.admin)
        .await?
        .expect(200)?;
    assert_eq!(card["portal_enabled"], true);

    // The new link is shown once, on the page that created it.
    let created = b
        .post(
            &format!("/t/webstaff/staff/customers/{id}/secure-links"),
            &[
                ("site_id", ""),
                ("expires_at", ""),
                ("label", "reception"),
                ("csrf", &csrf),
            ],
        )
        .await?;
    assert_eq!(created.status, 200, "{}", created.body);
    let url = created
        .body
        .split("id=\"secure-link-url\"")
        .nth(1)
        .and_then(|tag| tag.split("value=\"").nth(1))
        .and_then(|v| v.split('"').next())
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no URL in {}", created.body))?;
    let token = link_token(&url).ok_or_else(|| anyhow::anyhow!("token in {url}"))?;
    let again = b.get(&format!("/t/webstaff/staff/customers/{id}")).await?;
    assert!(!again.body.contains(&token), "the URL is not shown twice");

    // Someone else opens it with no session: the customer's portal.
    // The GET only asks (a mail scanner or a prefetch opens nothing) …
    let mut guest = Browser::new(&stack)?;
    let asked = guest.get(&format!("/link?token={token}")).await?;
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(
        asked.body.contains("id=\"secure-link-open-form\"")
            && asked.body.contains("Hôtel Bellevue")
    );
    assert!(
        asked
            .set_cookies()
            .iter()
            .all(|c| !c.starts_with("__Host-portal-at="))
    );
    // … and a staff member who follows it keeps their own session.
    let staff_asked = b.get(&format!("/link?token={token}")).await?;
    assert_eq!(staff_asked.status, 409, "{}", staff_asked.body);
    let staff_csrf = b.csrf();
    let staff_post = b
        .post("/link", &[("csrf", &staff_csrf), ("token", &token)])
        .await?;
    assert_eq!(staff_post.status, 409, "{}", staff_post.body);
    assert_eq!(
        b.get(&format!("/t/webstaff/staff/customers/{id}"))
            .await?
            .status,
        200,
        "still staff"
    );
    // Without the CSRF field nothing opens; with it, the customer's portal.
    let forged = guest.post("/link", &[("token", &token)]).await?;
    assert_eq!(forged.status, 403);
    let csrf = guest.csrf();
    let landed = guest
        .post("/link", &[("csrf", &csrf), ("token", &token)])
        .await?;
    assert_eq!(landed.status, 303, "{}", landed.body);
    assert_eq!(landed.header("location"), "/t/webstaff/");
    let home = guest.get("/t/webstaff/").await?;
    assert!(home.body.contains("Hôtel Bellevue") && home.body.contains("id=\"customer-card\""));

    // Revoked from the staff page: the link no longer opens anything.
    let page = b.get(&format!("/t/webstaff/staff/customers/{id}")).await?;
    let action_at = page
        .body
        .find("class=\"revoke-link-form\" method=\"post\" action=\"")
        .ok_or_else(|| anyhow::anyhow!("no revoke form in {}", page.body))?;
    let action: String = page.body[action_at..]
        .split("action=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .replace("&#x2f;", "/");
    let csrf = b.csrf();
    let revoked = b.post(&action, &[("csrf", &csrf)]).await?;
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    let mut late = Browser::new(&stack)?;
    assert_eq!(late.get(&format!("/link?token={token}")).await?.status, 410);

    // Both changes are in the audit log page.
    let audit = b.get("/t/webstaff/staff/audit").await?;
    assert_eq!(audit.status, 200, "{}", audit.body);
    for action in [
        "secure_link.created",
        "secure_link.revoked",
        "secure_link.opened",
        "customer.portal_enabled",
    ] {
        assert!(audit.body.contains(action), "{action} in {}", audit.body);
    }
    // A contact cannot reach the staff pages.
    let mut contact = Browser::new(&stack)?;
    log_in(
        &mut contact,
        "webstaff",
        &t.contact_email,
        "contact password 1",
    )
    .await?;
    let refused = contact.get("/t/webstaff/staff/customers").await?;
    assert!(
        refused.status == 403 || refused.status == 404,
        "{}",
        refused.status
    );
    stack.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_contact_changes_language_and_password_then_logs_out_everywhere() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = crate::fixtures::tenant(&stack, "websettings").await?;
    let mut b = Browser::new(&stack)?;
    let to = log_in(
        &mut b,
        "websettings",
        &t.contact_email,
        "contact password 1",
    )
    .await?;
    assert_eq!(to, "/t/websettings/");
    let settings = b.get("/t/websettings/settings").await?;
    assert!(
        settings.body.contains("<html lang=\"fr\""),
        "Claire reads French"
    );
    assert!(
        settings.body.contains("websettings services"),
        "the provider's details"
    );
    let csrf = b.csrf();
    let saved = b
        .post(
            "/t/websettings/settings",
            &[
                ("name", "Claire Martin"),
                ("language", "es"),
                ("notifications", "true"),
                ("csrf", &csrf),
            ],
        )
        .await?;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let spanish = b.get("/t/websettings/settings").await?;
    assert!(
        spanish.body.contains("<html lang=\"es\""),
        "{}",
        spanish.body
    );

    let wrong = b
        .post(
            "/t/websettings/settings/password",
            &[
                ("current_password", "not it at all"),
                ("new_password", "new secret pw 1"),
                ("new_password_confirm", "new secret pw 1"),
                ("csrf", &csrf),
            ],
        )
        .await?;
    assert_eq!(wrong.status, 400, "{}", wrong.body);
    // Said in the contact's language, not in the service's English.
    assert!(
        wrong.body.contains("La contraseña actual es incorrecta."),
        "{}",
        wrong.body
    );
    let short = b
        .post(
            "/t/websettings/settings/password",
            &[
                ("current_password", "contact password 1"),
                ("new_password", "short"),
                ("new_password_confirm", "short"),
                ("csrf", &csrf),
            ],
        )
        .await?;
    assert_eq!(short.status, 400, "{}", short.body);
    assert!(
        short
            .body
            .contains("La contraseña necesita al menos 10 caracteres."),
        "{}",
        short.body
    );
    assert!(!short.body.contains("password must"), "{}", short.body);
    let changed = b
        .post(
            "/t/websettings/settings/password",
            &[
                ("current_password", "contact password 1"),
                ("new_password", "new secret pw 1"),
                ("new_password_confirm", "new secret pw 1"),
                ("csrf", &csrf),
            ],
        )
        .await?;
    assert_eq!(changed.status, 303, "{}", changed.body);
    crate::fixtures::login(&stack, "websettings", &t.contact_email, "new secret pw 1").await?;

    // A second browser's session ends with "log out everywhere".
    let mut other = Browser::new(&stack)?;
    log_in(
        &mut other,
        "websettings",
        &t.contact_email,
        "new secret pw 1",
    )
    .await?;
    let csrf = b.csrf();
    let out = b
        .post(
            "/t/websettings/settings/logout-everywhere",
            &[("csrf", &csrf)],
        )
        .await?;
    assert_eq!(out.status, 303, "{}", out.body);
    assert!(!b.cookies.contains_key("__Host-portal-rt"));
    let refresh = other
        .cookies
        .get("__Host-portal-rt")
        .cloned()
        .unwrap_or_default();
    stack
        .api
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": refresh}),
        )
        .await?
        .problem(401)?;
    stack.stop().await
}
