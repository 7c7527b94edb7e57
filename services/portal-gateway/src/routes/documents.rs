//! Documents a customer sees (E1): the list, and each one's file.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use futures::StreamExt;
use portal_platform::time::to_proto;
use portal_proto::documents::v1 as docs;

use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::problem::Problem;
use crate::routes::private_file;
use crate::state::AppState;
use crate::views::{Document, DocumentFilter, Page, content_disposition};

#[utoipa::path(get, path = "/api/v1/documents", operation_id = "list_documents", params(DocumentFilter),
    responses((status = 200, description = "newest first; staff see the tenant's, a contact their customer's and sites'", body = Page<Document>)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<DocumentFilter>,
) -> Result<Json<Page<Document>>, Problem> {
    let req = docs::ListDocumentsRequest {
        kind: f.kind.map_or(0, |k| k.to_pb().into()),
        site_id: f.site_id.map(|s| s.to_string()).unwrap_or_default(),
        work_order_id: f.work_order_id.map(|w| w.to_string()).unwrap_or_default(),
        limit: f.limit.unwrap_or(0),
        cursor: f.cursor.unwrap_or_default(),
        q: f.q.unwrap_or_default(),
        created_from: f.created_from.map(to_proto),
        created_before: f.created_before.map(to_proto),
    };
    let r = state
        .documents
        .clone()
        .list_documents(caller.request(req))
        .await?
        .into_inner();
    Ok(Json(Page::new(
        r.items.into_iter().map(Into::into).collect(),
        r.next_cursor,
    )))
}

/// Streams a document the caller may see.
#[utoipa::path(get, path = "/api/v1/documents/{id}/content", operation_id = "download_document",
    params(("id" = uuid::Uuid, Path, description = "The document's id")),
    responses((status = 200, description = "the file, with its own content type (a PDF for reports)", content_type = "application/pdf"),
        (status = 404, description = "no such document, or not in the caller's scope", body = Problem)),
    security(("bearer" = [])))]
pub async fn content(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, Problem> {
    let mut stream = state
        .documents
        .clone()
        .download_document(caller.request(docs::DownloadDocumentRequest { id }))
        .await?
        .into_inner();
    let first = stream
        .message()
        .await?
        .ok_or_else(|| Problem::new(StatusCode::BAD_GATEWAY, "internal", "empty download"))?;
    let meta = first.document.clone().unwrap_or_default();
    let head = private_file::Head {
        content_type: &meta.content_type,
        size: meta.size,
        disposition: &content_disposition(&meta.title, &meta.content_type),
    };
    let rest = stream.map(|chunk| chunk.map(|c| c.data));
    Ok(private_file::response(&head, first.data, rest))
}
