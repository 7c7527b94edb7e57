//! Reading customers and contacts, changing a contact's access, tenant
//! settings, secure links and the audit log.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_platform::time::to_proto;
use portal_proto::identity::v1 as pb;

use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{
    AddToCustomer, AuditEntry, AuditFilter, Contact, ContactFilter, CreateSecureLink, CreateStaff,
    Customer, CustomerDetail, CustomerFilter, Page, SecureLink, StaffMember, TenantSettings,
    UpdateContact,
};

#[utoipa::path(get, path = "/api/v1/customers", operation_id = "list_customers", params(CustomerFilter),
    responses((status = 200, body = Page<Customer>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<CustomerFilter>,
) -> Result<Json<Page<Customer>>, Problem> {
    let req = caller.request(pb::ListCustomersRequest {
        q: f.q.unwrap_or_default(),
        limit: f.limit.unwrap_or_default(),
        cursor: f.cursor.unwrap_or_default(),
    });
    let r = state
        .identity
        .clone()
        .list_customers(req)
        .await?
        .into_inner();
    Ok(Json(Page::new(
        r.items.into_iter().map(Into::into).collect(),
        r.next_cursor,
    )))
}

/// The customer card: staff for any customer, a contact for their own.
#[utoipa::path(get, path = "/api/v1/customers/{id}", operation_id = "get_customer", params(("id" = uuid::Uuid, Path, description = "The customer's id")),
    responses((status = 200, body = CustomerDetail), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(customer_id): ApiPath<String>,
) -> Result<Json<CustomerDetail>, Problem> {
    let req = caller.request(pb::GetCustomerRequest { customer_id });
    let d = state.identity.clone().get_customer(req).await?.into_inner();
    Ok(Json(d.into()))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}/contacts", operation_id = "list_contacts", params(("id" = uuid::Uuid, Path, description = "The customer's id"), ContactFilter),
    responses((status = 200, body = Page<Contact>), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn contacts(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(customer_id): ApiPath<String>,
    ApiQuery(f): ApiQuery<ContactFilter>,
) -> Result<Json<Page<Contact>>, Problem> {
    let req = caller.request(pb::ListContactsRequest {
        customer_id,
        mine: f.mine,
    });
    let r = state
        .identity
        .clone()
        .list_contacts(req)
        .await?
        .into_inner();
    Ok(Json(Page::new(
        r.items.into_iter().map(Into::into).collect(),
        String::new(),
    )))
}

/// A contact's details, sites and access window (staff).
#[utoipa::path(put, path = "/api/v1/contacts/{id}", operation_id = "update_contact", request_body = UpdateContact,
    params(("id" = uuid::Uuid, Path, description = "The contact's id")),
    responses((status = 200, body = Contact), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_contact(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(contact_id): ApiPath<String>,
    ApiJson(b): ApiJson<UpdateContact>,
) -> Result<Json<Contact>, Problem> {
    let req = caller.request(b.into_pb(contact_id));
    let c = state.identity.clone().update_contact(req).await?;
    Ok(Json(c.into_inner().into()))
}

/// Makes a contact a contact of one more customer.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/customers", operation_id = "add_contact_to_customer", request_body = AddToCustomer,
    params(("id" = uuid::Uuid, Path, description = "The contact's id")),
    responses((status = 200, body = Contact), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "already a contact of that customer", body = Problem)),
    security(("bearer" = [])))]
pub async fn add_to_customer(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(contact_id): ApiPath<String>,
    ApiJson(b): ApiJson<AddToCustomer>,
) -> Result<Json<Contact>, Problem> {
    let req = caller.request(pb::AddContactToCustomerRequest {
        contact_id,
        customer_id: b.customer_id,
        site_ids: b.site_ids,
        email: String::new(),
    });
    let c = state.identity.clone().add_contact_to_customer(req).await?;
    Ok(Json(c.into_inner().into()))
}

/// The tenant's portal switches and provider details (admins).
#[utoipa::path(put, path = "/api/v1/tenant", operation_id = "update_tenant", request_body = TenantSettings,
    responses((status = 200, body = TenantSettings), (status = 400, body = Problem), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn update_tenant(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<TenantSettings>,
) -> Result<Json<TenantSettings>, Problem> {
    let req = caller.request(pb::UpdateTenantRequest {
        name: b.name,
        portal_enabled: b.portal_enabled,
        portal_all_customers: b.portal_all_customers,
        registration_open: b.registration_open,
        contact_email: b.contact_email,
        phone: b.phone,
        address: b.address,
        show_work_photos: b.show_work_photos,
        time_zone: b.time_zone,
        currency: b.currency,
    });
    let t = state.identity.clone().update_tenant(req).await?;
    Ok(Json(t.into_inner().into()))
}

/// A new secure link; its URL is in this answer only.
#[utoipa::path(post, path = "/api/v1/customers/{id}/secure-links", operation_id = "create_secure_link", request_body = CreateSecureLink,
    params(("id" = uuid::Uuid, Path, description = "The customer's id")),
    responses((status = 201, body = SecureLink), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_secure_link(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(customer_id): ApiPath<String>,
    ApiJson(b): ApiJson<CreateSecureLink>,
) -> Result<(StatusCode, Json<SecureLink>), Problem> {
    let req = caller.request(pb::CreateSecureLinkRequest {
        customer_id,
        site_id: b.site_id.unwrap_or_default(),
        work_order_id: b.work_order_id.unwrap_or_default(),
        expires_at: b.expires_at.map(to_proto),
        label: b.label,
    });
    let l = state.identity.clone().create_secure_link(req).await?;
    Ok((StatusCode::CREATED, Json(l.into_inner().into())))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}/secure-links", operation_id = "list_secure_links", params(("id" = uuid::Uuid, Path, description = "The customer's id")),
    responses((status = 200, body = Page<SecureLink>), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn secure_links(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(customer_id): ApiPath<String>,
) -> Result<Json<Page<SecureLink>>, Problem> {
    let req = caller.request(pb::ListSecureLinksRequest { customer_id });
    let r = state
        .identity
        .clone()
        .list_secure_links(req)
        .await?
        .into_inner();
    Ok(Json(Page::new(
        r.items.into_iter().map(Into::into).collect(),
        String::new(),
    )))
}

/// Revokes a secure link; sessions opened with it end at their next refresh.
#[utoipa::path(post, path = "/api/v1/secure-links/{id}/revoke", operation_id = "revoke_secure_link", params(("id" = uuid::Uuid, Path, description = "The secure link's id")),
    responses((status = 200, body = SecureLink), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn revoke_secure_link(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(link_id): ApiPath<String>,
) -> Result<Json<SecureLink>, Problem> {
    let req = caller.request(pb::RevokeSecureLinkRequest { link_id });
    let l = state.identity.clone().revoke_secure_link(req).await?;
    Ok(Json(l.into_inner().into()))
}

/// Who did what (admins), newest first: access changes recorded by
/// identity and decisions on requests recorded by requests, merged.
#[utoipa::path(get, path = "/api/v1/audit", operation_id = "list_audit", params(AuditFilter),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<AuditFilter>,
) -> Result<Json<Page<AuditEntry>>, Problem> {
    let cursor = f.cursor.unwrap_or_default();
    let (entries, next) =
        crate::audit_log::merged(&state, &caller, f.limit.unwrap_or_default(), &cursor).await?;
    Ok(Json(Page::new(entries, next)))
}

/// A new staff member with their roles (admins).
#[utoipa::path(post, path = "/api/v1/staff", operation_id = "create_staff", request_body = CreateStaff,
    responses((status = 201, body = StaffMember), (status = 403, body = Problem),
        (status = 409, description = "the e-mail address is taken", body = Problem)),
    security(("bearer" = [])))]
pub async fn create_staff(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<CreateStaff>,
) -> Result<(StatusCode, Json<StaffMember>), Problem> {
    let req = caller.request(pb::CreateStaffRequest {
        email: b.email,
        name: b.name,
        roles: b.roles,
        password: b.password,
        language: b.language,
    });
    let s = state.identity.clone().create_staff(req).await?;
    Ok((StatusCode::CREATED, Json(s.into_inner().into())))
}
