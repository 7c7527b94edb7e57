//! Quotes (E3): staff write and send them; the contact in scope accepts
//! (typed name and drawn signature) or declines (reason).
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use portal_proto::documents::v1 as docs;

use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{AcceptQuote, CreateQuote, DeclineQuote, Page, Quote, QuoteFilter};

#[utoipa::path(post, path = "/api/v1/quotes", operation_id = "create_quote", request_body = CreateQuote,
    responses((status = 201, description = "written as a PDF document and sent", body = Quote),
        (status = 400, description = "a line, the title or the validity date is wrong, or the site is not the customer's", body = Problem),
        (status = 403, description = "contacts, technicians", body = Problem),
        (status = 404, description = "no such customer or site", body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<CreateQuote>,
) -> Result<(StatusCode, Json<Quote>), Problem> {
    let req = b.to_pb()?;
    let q = state
        .documents
        .clone()
        .create_quote(caller.request(req))
        .await?;
    Ok((StatusCode::CREATED, Json(q.into_inner().into())))
}

#[utoipa::path(get, path = "/api/v1/quotes", operation_id = "list_quotes", params(QuoteFilter),
    responses((status = 200, description = "newest first, within the caller's scope", body = Page<Quote>),
        (status = 400, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<QuoteFilter>,
) -> Result<Json<Page<Quote>>, Problem> {
    let req = docs::ListQuotesRequest {
        site_id: f.site_id.map(|s| s.to_string()).unwrap_or_default(),
        status: f.status.unwrap_or_default(),
        limit: f.limit.unwrap_or(50),
    };
    let r = state
        .documents
        .clone()
        .list_quotes(caller.request(req))
        .await?
        .into_inner();
    Ok(Json(Page::new(
        r.items.into_iter().map(Into::into).collect(),
        String::new(),
    )))
}

#[utoipa::path(get, path = "/api/v1/quotes/{id}", operation_id = "get_quote",
    params(("id" = uuid::Uuid, Path, description = "The quote's id")),
    responses((status = 200, body = Quote), (status = 404, description = "none the caller may see", body = Problem)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(quote_id): ApiPath<String>,
) -> Result<Json<Quote>, Problem> {
    let q = state
        .documents
        .clone()
        .get_quote(caller.request(docs::GetQuoteRequest { quote_id }))
        .await?;
    Ok(Json(q.into_inner().into()))
}

/// A canvas's data URL or bare base64.
fn signature(text: &str) -> Result<Vec<u8>, Problem> {
    let text = text.trim();
    let text = text.strip_prefix("data:image/png;base64,").unwrap_or(text);
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| Problem::invalid("signature_png is not base64"))
}

#[utoipa::path(post, path = "/api/v1/quotes/{id}/accept", operation_id = "accept_quote", request_body = AcceptQuote,
    params(("id" = uuid::Uuid, Path, description = "The quote's id")),
    responses((status = 200, description = "accepted; a work order follows by event", body = Quote),
        (status = 400, description = "no name, no PNG signature, or a hash that is not the quote's", body = Problem),
        (status = 403, description = "staff and secure links do not decide", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "already decided, or expired", body = Problem)),
    security(("bearer" = [])))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(quote_id): ApiPath<String>,
    ApiJson(b): ApiJson<AcceptQuote>,
) -> Result<Json<Quote>, Problem> {
    let req = docs::DecideQuoteRequest {
        quote_id,
        accept: true,
        signer_name: b.signer_name,
        signature_png: signature(&b.signature_png)?,
        reason: String::new(),
        pdf_sha256: b.pdf_sha256,
    };
    let q = state
        .documents
        .clone()
        .decide_quote(caller.request(req))
        .await?;
    Ok(Json(q.into_inner().into()))
}

#[utoipa::path(post, path = "/api/v1/quotes/{id}/decline", operation_id = "decline_quote", request_body = DeclineQuote,
    params(("id" = uuid::Uuid, Path, description = "The quote's id")),
    responses((status = 200, body = Quote),
        (status = 400, description = "no reason", body = Problem),
        (status = 403, description = "staff and secure links do not decide", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "already decided, or expired", body = Problem)),
    security(("bearer" = [])))]
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(quote_id): ApiPath<String>,
    ApiJson(b): ApiJson<DeclineQuote>,
) -> Result<Json<Quote>, Problem> {
    let req = docs::DecideQuoteRequest {
        quote_id,
        accept: false,
        reason: b.reason,
        ..Default::default()
    };
    let q = state
        .documents
        .clone()
        .decide_quote(caller.request(req))
        .await?;
    Ok(Json(q.into_inner().into()))
}
