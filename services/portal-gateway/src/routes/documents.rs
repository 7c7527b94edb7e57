//! Documents a customer sees (E1): the list, and each one's file.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use futures::StreamExt;
use portal_platform::time::to_proto;
use portal_proto::documents::v1 as docs;

use portal_platform::permissions::Permission;

use crate::extract::{ApiMultipart, ApiPath, ApiQuery, Caller};
use crate::problem::Problem;
use crate::routes::{private_file, publish};
use crate::state::AppState;
use crate::views::{
    Document, DocumentDetail, DocumentFilter, Page, PublishForm, UploadForm, content_disposition,
};
use crate::web::multipart::{self, MultipartForm, Upload};

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
        equipment_id: f.equipment_id.map(|e| e.to_string()).unwrap_or_default(),
        customer_id: f.customer_id.map(|c| c.to_string()).unwrap_or_default(),
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
    let stream = state
        .documents
        .clone()
        .download_document(caller.request(docs::DownloadDocumentRequest { id }))
        .await?
        .into_inner();
    file_response(stream, Disposition::Attachment).await
}

/// Staff refuse early, before a file is read, what documents would refuse.
fn may_publish(caller: &Caller) -> Result<(), Problem> {
    if caller.claims.may(Permission::PublishDocuments) {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only admins and dispatchers publish documents",
        ))
    }
}

/// The one file of a publishing form (field `file`).
fn the_file(form: &mut MultipartForm) -> Result<Upload, Problem> {
    let at = form
        .files
        .iter()
        .position(|f| f.field == "file")
        .ok_or_else(|| Problem::invalid("a multipart field named 'file' is required"))?;
    Ok(form.files.swap_remove(at))
}

/// Publishes a file as a document for a customer (E1).
#[utoipa::path(post, path = "/api/v1/documents", operation_id = "publish_document",
    request_body(content = inline(PublishForm), content_type = "multipart/form-data"),
    responses((status = 201, body = Document),
        (status = 400, description = "a missing or unknown link, links of different customers or sites, an empty file", body = Problem),
        (status = 403, description = "not an admin or dispatcher", body = Problem),
        (status = 413, description = "the file is over the size limit", body = Problem),
        (status = 415, description = "the type is refused, or the bytes are not of the declared type", body = Problem)),
    security(("bearer" = [])))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<(StatusCode, Json<Document>), Problem> {
    may_publish(&caller)?;
    let mut form = multipart::read_api_up_to(state.max_document_bytes, multipart).await?;
    let file = the_file(&mut form)?;
    let header = publish::vouch(&state, &caller, &publish::Links::from_form(&form.fields)).await?;
    let d = publish::send(&state, &caller, header, file).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

/// A document with every version of its file.
#[utoipa::path(get, path = "/api/v1/documents/{id}", operation_id = "get_document",
    params(("id" = uuid::Uuid, Path, description = "The document's id")),
    responses((status = 200, body = DocumentDetail),
        (status = 404, description = "no such document, or not in the caller's scope", body = Problem)),
    security(("bearer" = [])))]
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocumentDetail>, Problem> {
    let d = state
        .documents
        .clone()
        .get_document(caller.request(docs::GetDocumentRequest { id }))
        .await?
        .into_inner();
    Ok(Json(d.into()))
}

/// Replaces a published document's file; the earlier versions are kept.
#[utoipa::path(post, path = "/api/v1/documents/{id}/versions", operation_id = "add_document_version",
    params(("id" = uuid::Uuid, Path, description = "The document's id")),
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 201, description = "the document as it is now", body = Document),
        (status = 403, description = "not an admin or dispatcher", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "a quote, invoice or service report: their versions come from the portal", body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem)),
    security(("bearer" = [])))]
pub async fn add_version(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<(StatusCode, Json<Document>), Problem> {
    may_publish(&caller)?;
    let mut form = multipart::read_api_up_to(state.max_document_bytes, multipart).await?;
    let file = the_file(&mut form)?;
    let header = docs::PublishHeader {
        document_id: id,
        ..Default::default()
    };
    let d = publish::send(&state, &caller, header, file).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

/// Streams one version of a document's file.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{version}/content", operation_id = "download_document_version",
    params(("id" = uuid::Uuid, Path, description = "The document's id"),
        ("version" = i32, Path, description = "The version's number, from 1")),
    responses((status = 200, description = "the file as it was in that version", content_type = "application/octet-stream"),
        (status = 404, description = "no such document or version", body = Problem)),
    security(("bearer" = [])))]
pub async fn version_content(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, version)): ApiPath<(String, i32)>,
) -> Result<Response, Problem> {
    let stream = state
        .documents
        .clone()
        .download_document_version(
            caller.request(docs::DownloadDocumentVersionRequest { id, version }),
        )
        .await?
        .into_inner();
    file_response(stream, Disposition::Attachment).await
}

/// Whether a file of this type is shown in the page (PDFs and the
/// pictures browsers draw); every other one is downloaded.
pub fn previewable(content_type: &str) -> bool {
    matches!(
        content_type,
        "application/pdf" | "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

/// How a file is offered: saved, or shown in the page's preview frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Attachment,
    Inline,
}

/// The first chunk's metadata as headers, then the bytes.
pub async fn file_response(
    mut stream: tonic::Streaming<docs::DocumentChunk>,
    how: Disposition,
) -> Result<Response, Problem> {
    let first = stream
        .message()
        .await?
        .ok_or_else(|| Problem::new(StatusCode::BAD_GATEWAY, "internal", "empty download"))?;
    let meta = first.document.clone().unwrap_or_default();
    let named = if meta.file_name.is_empty() {
        meta.title.clone()
    } else {
        meta.file_name
            .rsplit_once('.')
            .map_or(meta.file_name.clone(), |(stem, _)| stem.to_owned())
    };
    // Only what the page previews is shown inline; anything else (a text,
    // an Office file, a type an operator allowed later) is a download.
    let how = match how {
        Disposition::Inline if previewable(&meta.content_type) => Disposition::Inline,
        _ => Disposition::Attachment,
    };
    let disposition = match how {
        Disposition::Attachment => content_disposition(&named, &meta.content_type),
        Disposition::Inline => {
            content_disposition(&named, &meta.content_type).replacen("attachment", "inline", 1)
        }
    };
    let head = private_file::Head {
        content_type: &meta.content_type,
        size: meta.size,
        disposition: &disposition,
    };
    let rest = stream.map(|chunk| chunk.map(|c| c.data));
    let mut res = private_file::response(&head, first.data, rest);
    if how == Disposition::Inline {
        // Shown in a frame of the portal's own page, and nothing else.
        let h = res.headers_mut();
        h.insert(
            axum::http::header::CONTENT_SECURITY_POLICY,
            axum::http::HeaderValue::from_static(
                "default-src 'none'; img-src 'self'; object-src 'self'; form-action 'none'; \
                 base-uri 'none'; frame-ancestors 'self'",
            ),
        );
        h.insert(
            axum::http::header::X_FRAME_OPTIONS,
            axum::http::HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    Ok(res)
}
