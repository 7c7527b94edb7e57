//! Documents a customer sees (E1): the list, and each one's file.
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use futures::StreamExt;
use portal_proto::documents::v1 as docs;

use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::problem::Problem;
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
    let head =
        futures::stream::once(
            async move { Ok::<_, tonic::Status>(bytes::Bytes::from(first.data)) },
        );
    let rest = stream.map(|chunk| chunk.map(|c| bytes::Bytes::from(c.data)));
    let mut res = Response::new(Body::from_stream(head.chain(rest)));
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&meta.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&meta.size.to_string())
        && meta.size > 0
    {
        headers.insert(header::CONTENT_LENGTH, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A customer's document: never kept by a shared cache or the browser's disk cache.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&meta.title, &meta.content_type)) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
