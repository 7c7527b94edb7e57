//! Customers, sites, contacts, portal switch and invitations (staff).
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_platform::time::to_proto;
use portal_proto::identity::v1 as pb;

use crate::extract::{ApiJson, ApiPath, Caller};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{
    Contact, CreateContact, CreateCustomer, CreateSite, Customer, InvitationSent, SetPortal, Site,
};

#[utoipa::path(post, path = "/api/v1/customers", operation_id = "create_customer", request_body = CreateCustomer,
    responses((status = 201, body = Customer), (status = 403, description = "contacts, and staff whose role may not", body = Problem),
        (status = 409, description = "the number is taken", body = Problem)),
    security(("bearer" = [])))]
pub async fn create_customer(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<CreateCustomer>,
) -> Result<(StatusCode, Json<Customer>), Problem> {
    let req = pb::CreateCustomerRequest {
        number: b.number,
        name: b.name,
        address: b.address,
        info: b.info,
    };
    let c = state
        .identity
        .clone()
        .create_customer(caller.request(req))
        .await?;
    Ok((StatusCode::CREATED, Json(c.into_inner().into())))
}

/// A customer's number, name, address and notes.
#[utoipa::path(put, path = "/api/v1/customers/{id}", operation_id = "update_customer", request_body = CreateCustomer,
    params(("id" = uuid::Uuid, Path, description = "The customer's id")),
    responses((status = 200, body = Customer), (status = 400, body = Problem),
        (status = 403, description = "contacts, and staff whose role may not", body = Problem),
        (status = 404, body = Problem), (status = 409, description = "the number is taken", body = Problem)),
    security(("bearer" = [])))]
pub async fn update_customer(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(customer_id): ApiPath<String>,
    ApiJson(b): ApiJson<CreateCustomer>,
) -> Result<Json<Customer>, Problem> {
    let req = pb::UpdateCustomerRequest {
        customer_id,
        number: b.number,
        name: b.name,
        address: b.address,
        info: b.info,
    };
    let c = state
        .identity
        .clone()
        .update_customer(caller.request(req))
        .await?;
    Ok(Json(c.into_inner().into()))
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/sites", operation_id = "create_site", request_body = CreateSite,
    params(("id" = uuid::Uuid, Path, description = "The customer's id")),
    responses((status = 201, body = Site), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_site(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(customer_id): ApiPath<String>,
    ApiJson(b): ApiJson<CreateSite>,
) -> Result<(StatusCode, Json<Site>), Problem> {
    let req = pb::CreateSiteRequest {
        customer_id,
        name: b.name,
        address: b.address,
        latitude: b.latitude,
        longitude: b.longitude,
    };
    let s = state
        .identity
        .clone()
        .create_site(caller.request(req))
        .await?;
    Ok((StatusCode::CREATED, Json(s.into_inner().into())))
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/contacts", operation_id = "create_contact", request_body = CreateContact,
    params(("id" = uuid::Uuid, Path, description = "The customer's id")),
    responses((status = 201, body = Contact), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "the e-mail address is taken", body = Problem)),
    security(("bearer" = [])))]
pub async fn create_contact(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(customer_id): ApiPath<String>,
    ApiJson(b): ApiJson<CreateContact>,
) -> Result<(StatusCode, Json<Contact>), Problem> {
    let req = pb::CreateContactRequest {
        customer_id,
        name: b.name,
        email: b.email,
        language: b.language,
        notifications: b.notifications,
        site_ids: b.site_ids,
        access_from: b.access_from.map(to_proto),
        access_until: b.access_until.map(to_proto),
    };
    let c = state
        .identity
        .clone()
        .create_contact(caller.request(req))
        .await?;
    Ok((StatusCode::CREATED, Json(c.into_inner().into())))
}

#[utoipa::path(put, path = "/api/v1/customers/{id}/portal", operation_id = "set_portal", request_body = SetPortal,
    params(("id" = uuid::Uuid, Path, description = "The customer's id")),
    responses((status = 200, body = Customer), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_portal(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(customer_id): ApiPath<String>,
    ApiJson(b): ApiJson<SetPortal>,
) -> Result<Json<Customer>, Problem> {
    let req = pb::SetCustomerPortalRequest {
        customer_id,
        enabled: b.enabled,
        request_visibility: b.request_visibility.unwrap_or_default(),
        visible_since: b.visible_since.map(to_proto),
    };
    let c = state
        .identity
        .clone()
        .set_customer_portal(caller.request(req))
        .await?;
    Ok(Json(c.into_inner().into()))
}

#[utoipa::path(post, path = "/api/v1/contacts/{id}/invitation", operation_id = "invite_contact",
    params(("id" = uuid::Uuid, Path, description = "The contact's id")),
    responses((status = 202, body = InvitationSent), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "already activated, or the portal is off for this contact", body = Problem),
        (status = 429, description = "too many mails to this address; see Retry-After", body = Problem)),
    security(("bearer" = [])))]
pub async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(contact_id): ApiPath<String>,
) -> Result<(StatusCode, Json<InvitationSent>), Problem> {
    let r = state
        .identity
        .clone()
        .invite_contact(caller.request(pb::InviteContactRequest { contact_id }))
        .await?;
    let expires_at = r
        .into_inner()
        .expires_at
        .as_ref()
        .and_then(portal_platform::time::from_proto);
    Ok((StatusCode::ACCEPTED, Json(InvitationSent { expires_at })))
}
