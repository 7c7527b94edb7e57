//! Invoices (E4): admins write drafts and finalise them; contacts see final
//! invoices only (a draft's id is not found for them).
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_proto::documents::v1 as docs;

use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{CreateInvoice, Invoice, InvoiceFilter, Page};

#[utoipa::path(post, path = "/api/v1/invoices", operation_id = "create_invoice", request_body = CreateInvoice,
    responses((status = 201, description = "a draft, seen by staff only", body = Invoice),
        (status = 400, description = "a line or the title is wrong, or the site is not the customer's", body = Problem),
        (status = 403, description = "only admins", body = Problem),
        (status = 404, description = "no such customer, site or quote", body = Problem),
        (status = 409, description = "the quote is not accepted", body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<CreateInvoice>,
) -> Result<(StatusCode, Json<Invoice>), Problem> {
    let req = b.to_pb()?;
    let i = state
        .documents
        .clone()
        .create_invoice(caller.request(req))
        .await?;
    Ok((StatusCode::CREATED, Json(i.into_inner().into())))
}

#[utoipa::path(get, path = "/api/v1/invoices", operation_id = "list_invoices", params(InvoiceFilter),
    responses((status = 200, description = "newest first; contacts see final invoices of their scope only", body = Page<Invoice>),
        (status = 400, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<InvoiceFilter>,
) -> Result<Json<Page<Invoice>>, Problem> {
    let req = docs::ListInvoicesRequest {
        site_id: f.site_id.map(|s| s.to_string()).unwrap_or_default(),
        limit: f.limit.unwrap_or(0),
        cursor: f.cursor.unwrap_or_default(),
    };
    let r = state
        .documents
        .clone()
        .list_invoices(caller.request(req))
        .await?
        .into_inner();
    Ok(Json(Page::new(
        r.items.into_iter().map(Into::into).collect(),
        r.next_cursor,
    )))
}

#[utoipa::path(get, path = "/api/v1/invoices/{id}", operation_id = "get_invoice",
    params(("id" = uuid::Uuid, Path, description = "The invoice's id")),
    responses((status = 200, body = Invoice), (status = 404, description = "none the caller may see (a draft, for a contact)", body = Problem)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(invoice_id): ApiPath<String>,
) -> Result<Json<Invoice>, Problem> {
    let i = state
        .documents
        .clone()
        .get_invoice(caller.request(docs::InvoiceRequest { invoice_id }))
        .await?;
    Ok(Json(i.into_inner().into()))
}

#[utoipa::path(post, path = "/api/v1/invoices/{id}/finalize", operation_id = "finalize_invoice",
    params(("id" = uuid::Uuid, Path, description = "The invoice's id")),
    responses((status = 200, description = "numbered, printed and shown to the customer", body = Invoice),
        (status = 403, description = "only admins", body = Problem), (status = 404, body = Problem),
        (status = 409, description = "already final", body = Problem)),
    security(("bearer" = [])))]
pub async fn finalize(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(invoice_id): ApiPath<String>,
) -> Result<Json<Invoice>, Problem> {
    let i = state
        .documents
        .clone()
        .finalize_invoice(caller.request(docs::InvoiceRequest { invoice_id }))
        .await?;
    Ok(Json(i.into_inner().into()))
}

#[utoipa::path(post, path = "/api/v1/invoices/{id}/paid", operation_id = "mark_invoice_paid",
    params(("id" = uuid::Uuid, Path, description = "The invoice's id")),
    responses((status = 200, body = Invoice),
        (status = 403, description = "only admins", body = Problem), (status = 404, body = Problem),
        (status = 409, description = "a draft, or already paid", body = Problem)),
    security(("bearer" = [])))]
pub async fn paid(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(invoice_id): ApiPath<String>,
) -> Result<Json<Invoice>, Problem> {
    let i = state
        .documents
        .clone()
        .mark_invoice_paid(caller.request(docs::InvoiceRequest { invoice_id }))
        .await?;
    Ok(Json(i.into_inner().into()))
}
