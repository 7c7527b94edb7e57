//! Every way in: login, registration, forgotten password, reset,
//! invitation, registration confirmation, secure link; and logout.
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portal_proto::identity::v1 as pb;
use serde_json::json;

use crate::extract::Caller;
use crate::web::csrf::Form;
use crate::web::ctx::{Ctx, TenantPage};
use crate::web::errors::Action;
use crate::web::pages::{query, with_error};
use crate::web::{i18n, tenant};

/// `/login` (`?next=` a page of the tenant to come back to, as a printed
/// equipment label links it).
pub async fn login_form(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let next = ctx.safe_next(&query(raw.as_deref(), "next"));
    if let Some(s) = &ctx.session {
        let to = next.unwrap_or_else(|| ctx.landing(s.is_staff()));
        return ctx.redirect(&to);
    }
    ctx.page(
        StatusCode::OK,
        "login.html",
        json!({"email": "", "next": next}),
    )
}

pub async fn login(TenantPage(mut ctx): TenantPage, form: Form) -> Response {
    let email = form.get("email");
    let next = ctx.safe_next(&form.get("next"));
    let req = pb::LoginRequest {
        tenant: ctx.slug().to_owned(),
        email: email.clone(),
        password: form.raw("password"),
        device_token: ctx.device_token.clone().unwrap_or_default(),
    };
    match ctx.state.identity.clone().login(ctx.ip.request(req)).await {
        Ok(pair) => land(&mut ctx, pair.into_inner(), next).await,
        Err(s) => with_error(
            &ctx,
            "login.html",
            Action::Login,
            &s,
            json!({"email": email, "next": next}),
        ),
    }
}

/// Stores the tokens and sends the browser to its tenant's start page (or
/// the page it came for).
async fn land(ctx: &mut Ctx, pair: pb::TokenPair, next: Option<String>) -> Response {
    ctx.set_tokens(&pair);
    let caller = match Caller::verify(&ctx.state, pair.access_token.clone(), ctx.ip.clone()).await {
        Ok(c) => c,
        Err(_) => return ctx.fail(StatusCode::SERVICE_UNAVAILABLE, "error-unavailable"),
    };
    let staff = caller.claims.is_staff();
    if ctx.tenant.is_none() {
        // A link page: the tenant comes from the account.
        match ctx
            .state
            .identity
            .clone()
            .get_me(caller.request(pb::GetMeRequest {}))
            .await
        {
            Ok(me) => {
                ctx.base = tenant::base_path(ctx.host_tenant.as_deref(), &me.into_inner().tenant)
            }
            Err(s) => return ctx.grpc_fail(&s),
        }
    }
    let to = next.unwrap_or_else(|| ctx.landing(staff));
    ctx.redirect(&to)
}

pub async fn logout(TenantPage(mut ctx): TenantPage, _form: Form) -> Response {
    if let Some(refresh_token) = ctx.refresh_token.clone() {
        let req = ctx.ip.request(pb::LogoutRequest { refresh_token });
        // Logged out in the browser whatever identity says.
        if let Err(s) = ctx.state.identity.clone().logout(req).await {
            tracing::warn!(code = ?s.code(), "logout not recorded");
        }
    }
    ctx.clear_tokens();
    ctx.flash_next("flash-logged-out");
    let to = format!("{}/login", ctx.base);
    ctx.redirect(&to)
}

pub async fn register_form(TenantPage(ctx): TenantPage) -> Response {
    ctx.page(StatusCode::OK, "register.html", json!({"email": ""}))
}

pub async fn register(TenantPage(ctx): TenantPage, form: Form) -> Response {
    let email = form.get("email");
    let values = json!({"email": email});
    if !ctx.tenant.as_ref().is_some_and(|t| t.registration_open) {
        return ctx.fail(StatusCode::NOT_FOUND, "register-closed");
    }
    if let Some(r) = mismatch(
        &ctx,
        &form,
        "password",
        "password_confirm",
        "register.html",
        &values,
    ) {
        return r;
    }
    let req = pb::RegisterRequest {
        tenant: ctx.slug().to_owned(),
        email,
        password: form.raw("password"),
    };
    match ctx
        .state
        .identity
        .clone()
        .register(ctx.ip.request(req))
        .await
    {
        Ok(_) => message(&ctx, "register-sent-title", "register-sent"),
        Err(s) => with_error(&ctx, "register.html", Action::Other, &s, values),
    }
}

/// The two password fields differ: the form again, with that said.
fn mismatch(
    ctx: &Ctx,
    form: &Form,
    first: &str,
    second: &str,
    template: &str,
    values: &serde_json::Value,
) -> Option<Response> {
    if form.raw(first) == form.raw(second) {
        return None;
    }
    let mut v = values.clone();
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "error".into(),
            json!(i18n::t(ctx.lang, "error-password-mismatch")),
        );
    }
    Some(ctx.page(StatusCode::BAD_REQUEST, template, v))
}

fn message(ctx: &Ctx, title_key: &str, message_key: &str) -> Response {
    ctx.page(
        StatusCode::OK,
        "message.html",
        json!({"title_key": title_key, "message": i18n::t(ctx.lang, message_key)}),
    )
}

pub async fn forgot_form(TenantPage(ctx): TenantPage) -> Response {
    ctx.page(StatusCode::OK, "forgot.html", json!({"email": ""}))
}

pub async fn forgot(TenantPage(ctx): TenantPage, form: Form) -> Response {
    let email = form.get("email");
    let req = pb::RequestPasswordResetRequest {
        tenant: ctx.slug().to_owned(),
        email: email.clone(),
    };
    match ctx
        .state
        .identity
        .clone()
        .request_password_reset(ctx.ip.request(req))
        .await
    {
        Ok(_) => message(&ctx, "forgot-sent-title", "forgot-sent"),
        Err(s) => with_error(
            &ctx,
            "forgot.html",
            Action::Other,
            &s,
            json!({"email": email}),
        ),
    }
}

/// Which link page: its purpose for `DescribeLink`, its form and where it posts.
#[derive(Clone, Copy)]
enum LinkPage {
    Invitation,
    Reset,
}

impl LinkPage {
    fn purpose(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::Reset => "reset",
        }
    }
}

/// Why a password was not set; put into words only once the page's
/// language (the invitee's) is known.
enum SetError {
    Mismatch,
    Refused(tonic::Status),
}

/// The "choose a password" page of an invitation or reset link.
async fn password_page(
    mut ctx: Ctx,
    page: LinkPage,
    token: String,
    error: Option<SetError>,
) -> Response {
    ctx.no_referrer = true;
    let req = pb::DescribeLinkRequest {
        token: token.clone(),
        purpose: page.purpose().into(),
    };
    let info = match ctx
        .state
        .identity
        .clone()
        .describe_link(ctx.ip.request(req))
        .await
    {
        Ok(i) => i.into_inner(),
        Err(s) if s.code() == tonic::Code::ResourceExhausted => {
            return with_error(
                &ctx,
                "message.html",
                Action::Other,
                &s,
                json!({"title_key": "error-title"}),
            );
        }
        Err(s)
            if matches!(
                s.code(),
                tonic::Code::NotFound | tonic::Code::Unauthenticated | tonic::Code::InvalidArgument
            ) =>
        {
            return ctx.fail(StatusCode::GONE, "error-link-dead");
        }
        Err(s) => return ctx.grpc_fail(&s),
    };
    if !info.valid {
        return ctx.fail(StatusCode::GONE, "error-link-dead");
    }
    // The invitee's language (set by staff) beats the browser's.
    if let Some(l) = i18n::supported(&info.language) {
        ctx.lang = l;
    }
    let (status, error) = match error {
        None => (StatusCode::OK, None),
        Some(SetError::Mismatch) => (
            StatusCode::BAD_REQUEST,
            Some(i18n::t(ctx.lang, "error-password-mismatch")),
        ),
        Some(SetError::Refused(s)) => {
            let e = crate::web::errors::shown(ctx.lang, Action::Other, &s);
            (e.status, Some(e.message))
        }
    };
    let (form_id, action, title_key) = match page {
        LinkPage::Invitation => ("invitation-form", "/invitations/accept", "invitation-title"),
        LinkPage::Reset => ("reset-form", "/password-reset", "reset-title"),
    };
    ctx.page(
        status,
        "password_set.html",
        json!({
            "form_id": form_id, "action": action, "title_key": title_key, "token": token,
            "email": info.email, "name": info.name, "tenant_name": info.tenant_name, "error": error,
        }),
    )
}

pub async fn invitation_form(ctx: Ctx, RawQuery(q): RawQuery) -> Response {
    let token = query(q.as_deref(), "token");
    password_page(ctx, LinkPage::Invitation, token, None).await
}

pub async fn reset_form(ctx: Ctx, RawQuery(q): RawQuery) -> Response {
    let token = query(q.as_deref(), "token");
    password_page(ctx, LinkPage::Reset, token, None).await
}

pub async fn invitation_accept(ctx: Ctx, form: Form) -> Response {
    set_password(ctx, LinkPage::Invitation, form).await
}

pub async fn reset_confirm(ctx: Ctx, form: Form) -> Response {
    set_password(ctx, LinkPage::Reset, form).await
}

async fn set_password(mut ctx: Ctx, page: LinkPage, form: Form) -> Response {
    ctx.no_referrer = true;
    let token = form.get("token");
    let password = form.raw("password");
    if password != form.raw("password_confirm") {
        return password_page(ctx, page, token, Some(SetError::Mismatch)).await;
    }
    let mut identity = ctx.state.identity.clone();
    let answer = match page {
        LinkPage::Invitation => {
            let req = pb::AcceptInvitationRequest {
                token: token.clone(),
                password,
            };
            identity.accept_invitation(ctx.ip.request(req)).await
        }
        LinkPage::Reset => {
            let req = pb::ConfirmPasswordResetRequest {
                token: token.clone(),
                password,
            };
            identity.confirm_password_reset(ctx.ip.request(req)).await
        }
    };
    match answer {
        Ok(pair) => land(&mut ctx, pair.into_inner(), None).await,
        Err(s)
            if s.code() == tonic::Code::InvalidArgument
                || s.code() == tonic::Code::ResourceExhausted =>
        {
            password_page(ctx, page, token, Some(SetError::Refused(s))).await
        }
        Err(s) => link_failed(&ctx, &s),
    }
}

fn link_failed(ctx: &Ctx, s: &tonic::Status) -> Response {
    let e = crate::web::errors::shown(ctx.lang, Action::Link, s);
    let mut res = ctx.page(
        e.status,
        "error.html",
        json!({"title_key": "error-title", "message": e.message}),
    );
    if let Some(secs) = e.retry_after
        && let Ok(v) = secs.to_string().parse()
    {
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    res.into_response()
}

/// What identity knows of a mailed or handed-out link that still works;
/// the page to answer otherwise (410 for a dead link).
async fn live_link(ctx: &Ctx, token: &str, purpose: &str) -> Result<pb::LinkInfo, Box<Response>> {
    let req = pb::DescribeLinkRequest {
        token: token.to_owned(),
        purpose: purpose.into(),
    };
    let info = ctx
        .state
        .identity
        .clone()
        .describe_link(ctx.ip.request(req))
        .await
        .map_err(|s| Box::new(link_failed(ctx, &s)))?
        .into_inner();
    if !info.valid {
        return Err(Box::new(ctx.fail(StatusCode::GONE, "error-link-dead")));
    }
    Ok(info)
}

/// The link of a registration mail shows a button: mail scanners follow
/// links, and a plain GET must not use the single-use token up.
pub async fn registration_form(mut ctx: Ctx, RawQuery(q): RawQuery) -> Response {
    ctx.no_referrer = true;
    let token = query(q.as_deref(), "token");
    let info = match live_link(&ctx, &token, "registration").await {
        Ok(i) => i,
        Err(r) => return *r,
    };
    if let Some(l) = i18n::supported(&info.language) {
        ctx.lang = l;
    }
    ctx.page(
        StatusCode::OK,
        "registration_confirm.html",
        json!({"token": token, "email": info.email, "tenant_name": info.tenant_name}),
    )
}

pub async fn registration_confirm(mut ctx: Ctx, form: Form) -> Response {
    ctx.no_referrer = true;
    let req = pb::ConfirmRegistrationRequest {
        token: form.get("token"),
    };
    match ctx
        .state
        .identity
        .clone()
        .confirm_registration(ctx.ip.request(req))
        .await
    {
        Ok(pair) => land(&mut ctx, pair.into_inner(), None).await,
        Err(s) => link_failed(&ctx, &s),
    }
}

/// A secure link shows a button first: a GET (a mail scanner, a prefetch,
/// a link planted in a page) never opens a session nor ends the one this
/// browser has; a staff session is never replaced at all.
pub async fn secure_link(mut ctx: Ctx, RawQuery(q): RawQuery) -> Response {
    ctx.no_referrer = true;
    let token = query(q.as_deref(), "token");
    let info = match live_link(&ctx, &token, "secure").await {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let staff = ctx.session.as_ref().is_some_and(|s| s.is_staff());
    let status = if staff {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    ctx.page(
        status,
        "secure_link.html",
        json!({"token": token, "customer_name": info.name, "tenant_name": info.tenant_name,
               "staff": staff, "replaces": ctx.session.is_some()}),
    )
}

/// `POST /link`: opens the link's session (after the CSRF check).
pub async fn secure_link_open(mut ctx: Ctx, form: Form) -> Response {
    ctx.no_referrer = true;
    if ctx.session.as_ref().is_some_and(|s| s.is_staff()) {
        return ctx.page(
            StatusCode::CONFLICT,
            "secure_link.html",
            json!({"staff": true}),
        );
    }
    let req = pb::OpenSecureLinkRequest {
        token: form.get("token"),
    };
    match ctx
        .state
        .identity
        .clone()
        .open_secure_link(ctx.ip.request(req))
        .await
    {
        Ok(pair) => land(&mut ctx, pair.into_inner(), None).await,
        Err(s) => link_failed(&ctx, &s),
    }
}
