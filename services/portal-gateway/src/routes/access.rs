//! The other ways in (password reset, registration, secure links) and the
//! account's own session and settings.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_proto::identity::v1 as pb;

use crate::extract::{ApiJson, Caller, ClientIp};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{
    Accepted, ChangePassword, LinkToken, Me, PasswordResetRequest, Refresh, Register,
    SwitchCustomer, TokenAndPassword, Tokens, UpdateMe,
};

/// Asks for a password-reset (or first-access) mail. The answer is the same
/// whether the address is known or not.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", operation_id = "request_password_reset", request_body = PasswordResetRequest,
    responses((status = 202, body = Accepted), (status = 429, description = "too many mails asked for; see Retry-After", body = Problem)))]
pub async fn request_reset(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(b): ApiJson<PasswordResetRequest>,
) -> Result<(StatusCode, Json<Accepted>), Problem> {
    let req = ip.request(pb::RequestPasswordResetRequest {
        tenant: b.tenant,
        email: b.email,
    });
    state.identity.clone().request_password_reset(req).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            message: "if the address belongs to an account, a link is on its way".into(),
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", operation_id = "confirm_password_reset", request_body = TokenAndPassword,
    responses((status = 200, body = Tokens), (status = 401, description = "unknown, used or expired link", body = Problem),
        (status = 403, description = "the contact's portal is off or the access window is closed", body = Problem),
        (status = 429, description = "too many tries from this address; see Retry-After", body = Problem)))]
pub async fn confirm_reset(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(b): ApiJson<TokenAndPassword>,
) -> Result<Json<Tokens>, Problem> {
    let req = ip.request(pb::ConfirmPasswordResetRequest {
        token: b.token,
        password: b.password,
    });
    let pair = state.identity.clone().confirm_password_reset(req).await?;
    Ok(Json(pair.into_inner().into()))
}

/// Open registration (one link per tenant): only contacts of a customer
/// whose portal is on get a confirmation mail; the answer is the same.
#[utoipa::path(post, path = "/api/v1/auth/register", operation_id = "register", request_body = Register,
    responses((status = 202, body = Accepted), (status = 403, description = "the tenant's registration is closed", body = Problem),
        (status = 404, description = "no such tenant", body = Problem),
        (status = 429, description = "too many mails asked for; see Retry-After", body = Problem)))]
pub async fn register(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(b): ApiJson<Register>,
) -> Result<(StatusCode, Json<Accepted>), Problem> {
    let req = ip.request(pb::RegisterRequest {
        tenant: b.tenant,
        email: b.email,
        password: b.password,
    });
    state.identity.clone().register(req).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            message: "if the address may register, a confirmation link is on its way".into(),
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/register/confirm", operation_id = "confirm_registration", request_body = LinkToken,
    responses((status = 200, body = Tokens), (status = 401, description = "unknown, used or expired link", body = Problem),
        (status = 403, description = "the contact's portal is off or the access window is closed", body = Problem),
        (status = 429, description = "too many tries from this address; see Retry-After", body = Problem)))]
pub async fn confirm_registration(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(b): ApiJson<LinkToken>,
) -> Result<Json<Tokens>, Problem> {
    let req = ip.request(pb::ConfirmRegistrationRequest { token: b.token });
    let pair = state.identity.clone().confirm_registration(req).await?;
    Ok(Json(pair.into_inner().into()))
}

/// Opens a secure link: a session scoped to the link's customer, site or
/// work order.
#[utoipa::path(post, path = "/api/v1/auth/secure-link", operation_id = "open_secure_link", request_body = LinkToken,
    responses((status = 200, body = Tokens), (status = 401, description = "unknown, revoked or expired link", body = Problem),
        (status = 403, description = "the customer's portal is off", body = Problem),
        (status = 429, description = "too many tries from this address; see Retry-After", body = Problem)))]
pub async fn open_secure_link(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(b): ApiJson<LinkToken>,
) -> Result<Json<Tokens>, Problem> {
    let req = ip.request(pb::OpenSecureLinkRequest { token: b.token });
    let pair = state.identity.clone().open_secure_link(req).await?;
    Ok(Json(pair.into_inner().into()))
}

/// Ends the session of this refresh token.
#[utoipa::path(post, path = "/api/v1/auth/logout", operation_id = "logout", request_body = Refresh,
    responses((status = 204, description = "session ended (also when it had ended already)")))]
pub async fn logout(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(b): ApiJson<Refresh>,
) -> Result<StatusCode, Problem> {
    let req = ip.request(pb::LogoutRequest {
        refresh_token: b.refresh_token,
    });
    state.identity.clone().logout(req).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the account.
#[utoipa::path(post, path = "/api/v1/auth/logout-everywhere", operation_id = "logout_everywhere",
    responses((status = 204, description = "every session ended")),
    security(("bearer" = [])))]
pub async fn logout_everywhere(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, Problem> {
    state
        .identity
        .clone()
        .logout_everywhere(caller.request(pb::LogoutEverywhereRequest {}))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the password (asks the current one); other sessions end and a
/// new session is returned.
#[utoipa::path(post, path = "/api/v1/me/password", operation_id = "change_password", request_body = ChangePassword,
    responses((status = 200, body = Tokens), (status = 403, description = "the current password is wrong, or the account has none (a secure link)", body = Problem),
        (status = 429, description = "too many wrong passwords; see Retry-After", body = Problem)),
    security(("bearer" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<ChangePassword>,
) -> Result<Json<Tokens>, Problem> {
    let req = caller.request(pb::ChangePasswordRequest {
        current_password: b.current_password,
        new_password: b.new_password,
    });
    let pair = state.identity.clone().change_password(req).await?;
    Ok(Json(pair.into_inner().into()))
}

/// Personal details, language and notification preference.
#[utoipa::path(put, path = "/api/v1/me", operation_id = "update_me", request_body = UpdateMe,
    responses((status = 200, body = Me), (status = 403, description = "a secure link's session has no account to change", body = Problem)),
    security(("bearer" = [])))]
pub async fn update_me(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<UpdateMe>,
) -> Result<Json<Me>, Problem> {
    let req = caller.request(pb::UpdateMeRequest {
        name: b.name,
        language: b.language,
        notifications: b.notifications,
    });
    let me = state.identity.clone().update_me(req).await?;
    Ok(Json(me.into_inner().into()))
}

/// A contact of several customers acts for another one: a new session.
#[utoipa::path(post, path = "/api/v1/me/customer", operation_id = "switch_customer", request_body = SwitchCustomer,
    responses((status = 200, body = Tokens), (status = 403, description = "staff and secure links act for no customer", body = Problem),
        (status = 404, description = "not one of the contact's customers", body = Problem)),
    security(("bearer" = [])))]
pub async fn switch_customer(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<SwitchCustomer>,
) -> Result<Json<Tokens>, Problem> {
    let req = caller.request(pb::SwitchCustomerRequest {
        customer_id: b.customer_id,
    });
    let pair = state.identity.clone().switch_customer(req).await?;
    Ok(Json(pair.into_inner().into()))
}
