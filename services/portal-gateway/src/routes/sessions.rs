//! Tenants (operator), logins, token refresh, invitation acceptance, me, JWKS.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_proto::identity::v1 as pb;
use serde_json::{Value, json};

use crate::extract::{ApiJson, BearerToken, Caller, ClientIp};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{AcceptInvitation, CreateTenant, Login, Me, Refresh, TenantCreated, Tokens};

/// Creates a tenant and its first admin (operator only).
#[utoipa::path(post, path = "/api/v1/tenants", operation_id = "create_tenant", request_body = CreateTenant,
    responses((status = 201, body = TenantCreated), (status = 400, description = "invalid slug, name, e-mail or password", body = Problem),
        (status = 401, description = "not the operator token", body = Problem), (status = 409, description = "the slug is taken", body = Problem)),
    security(("operator" = [])))]
pub async fn create_tenant(
    State(state): State<AppState>,
    BearerToken(token): BearerToken,
    ApiJson(body): ApiJson<CreateTenant>,
) -> Result<(StatusCode, Json<TenantCreated>), Problem> {
    let req = portal_platform::auth::with_bearer(
        tonic::Request::new(pb::CreateTenantRequest {
            slug: body.slug,
            name: body.name,
            admin_email: body.admin_email,
            admin_password: body.admin_password,
            time_zone: body.time_zone,
        }),
        &token,
    );
    let t = state
        .identity
        .clone()
        .create_tenant(req)
        .await?
        .into_inner();
    Ok((
        StatusCode::CREATED,
        Json(TenantCreated {
            id: t.id,
            slug: t.slug,
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/login", operation_id = "login", request_body = Login,
    responses((status = 200, body = Tokens), (status = 401, description = "wrong tenant, e-mail or password", body = Problem),
        (status = 403, description = "the contact's portal is off or the access window is closed", body = Problem),
        (status = 429, description = "too many attempts; see Retry-After", body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<Login>,
) -> Result<Json<Tokens>, Problem> {
    let req = ip.request(pb::LoginRequest {
        tenant: body.tenant,
        email: body.email,
        password: body.password,
        device_token: body.device_token.unwrap_or_default(),
    });
    Ok(Json(
        state.identity.clone().login(req).await?.into_inner().into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", operation_id = "refresh", request_body = Refresh,
    responses((status = 200, body = Tokens), (status = 401, description = "unknown, used or expired refresh token", body = Problem),
        (status = 403, description = "the contact's portal is off or the access window is closed", body = Problem)))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Refresh>,
) -> Result<Json<Tokens>, Problem> {
    let req = pb::RefreshRequest {
        refresh_token: body.refresh_token,
    };
    Ok(Json(
        state
            .identity
            .clone()
            .refresh(req)
            .await?
            .into_inner()
            .into(),
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/invitations/accept", operation_id = "accept_invitation", request_body = AcceptInvitation,
    responses((status = 200, body = Tokens), (status = 400, description = "the password is too short or too long", body = Problem),
        (status = 401, description = "unknown, used or expired invitation", body = Problem),
        (status = 403, description = "the contact's portal is off or the access window is closed", body = Problem),
        (status = 429, description = "too many tries from this address; see Retry-After", body = Problem)))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<AcceptInvitation>,
) -> Result<Json<Tokens>, Problem> {
    let req = ip.request(pb::AcceptInvitationRequest {
        token: body.token,
        password: body.password,
    });
    Ok(Json(
        state
            .identity
            .clone()
            .accept_invitation(req)
            .await?
            .into_inner()
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/me", operation_id = "me", responses((status = 200, body = Me)),
    security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Me>, Problem> {
    let me = state
        .identity
        .clone()
        .get_me(caller.request(pb::GetMeRequest {}))
        .await?;
    Ok(Json(me.into_inner().into()))
}

/// The public keys that verify access tokens (RFC 7517).
pub async fn jwks(State(state): State<AppState>) -> Result<Json<Value>, Problem> {
    let keys = state
        .identity
        .clone()
        .get_signing_keys(pb::GetSigningKeysRequest {})
        .await?
        .into_inner()
        .keys;
    let keys: Vec<Value> = keys
        .into_iter()
        .map(|k| json!({ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": k.kid, "x": k.x }))
        .collect();
    Ok(Json(json!({ "keys": keys })))
}
