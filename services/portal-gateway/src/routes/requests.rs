//! Requests: create and follow (contacts), decide (staff), attachments.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use futures::StreamExt;
use portal_proto::documents::v1 as docs;
use portal_proto::requests::v1 as pb;

use crate::extract::{ApiJson, ApiMultipart, ApiPath, ApiQuery, Caller};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{
    Attachment, CreateRequest, Page, RejectRequest, RequestFilter, RequestView, UploadForm,
};
use crate::web::multipart::{self, Upload};

const OWNER: &str = "request";

#[utoipa::path(post, path = "/api/v1/requests", operation_id = "create_request", request_body = CreateRequest,
    responses((status = 201, body = RequestView), (status = 403, description = "staff do not submit requests", body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<CreateRequest>,
) -> Result<(StatusCode, Json<RequestView>), Problem> {
    super::equipment::check_request_equipment(&state, &caller, &b.site_id, &b.equipment_id).await?;
    let req = pb::CreateRequestRequest {
        site_id: b.site_id,
        title: b.title,
        description: b.description,
        category: b.category,
        priority: b.priority,
        severity: b.severity,
        equipment_id: b.equipment_id,
        contract_id: b.contract_id,
        site_address: b.site_address,
        contact_name: b.contact_name,
        contact_email: b.contact_email,
        contact_phone: b.contact_phone,
    };
    let r = state
        .requests
        .clone()
        .create_request(caller.request(req))
        .await?
        .into_inner();
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[utoipa::path(get, path = "/api/v1/requests", operation_id = "list_requests", params(RequestFilter),
    responses((status = 200, body = Page<RequestView>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<RequestFilter>,
) -> Result<Json<Page<RequestView>>, Problem> {
    let r = state
        .requests
        .clone()
        .list_requests(caller.request(list_request(f)))
        .await?
        .into_inner();
    Ok(Json(Page::new(
        r.items.into_iter().map(Into::into).collect(),
        r.next_cursor,
    )))
}

/// The list's filters as the service's message (lists and exports).
pub fn list_request(f: RequestFilter) -> pb::ListRequestsRequest {
    pb::ListRequestsRequest {
        status: f.status.unwrap_or_default(),
        site_id: f.site_id.unwrap_or_default(),
        mine: f.mine,
        limit: f.limit.unwrap_or(0),
        cursor: f.cursor.unwrap_or_default(),
        q: f.q.unwrap_or_default(),
        sort: f.sort.unwrap_or_default(),
        customer_id: f.customer_id.unwrap_or_default(),
        unassigned: f.unassigned,
    }
}

/// The whole ticket: the request, its status history, the conversation
/// (internal notes for staff only) and its attachments.
#[utoipa::path(get, path = "/api/v1/requests/{id}", operation_id = "get_request", params(("id" = uuid::Uuid, Path, description = "The request's id")),
    responses((status = 200, body = RequestView), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RequestView>, Problem> {
    let r = state
        .requests
        .clone()
        .get_request_detail(caller.request(pb::GetRequestRequest { id: id.clone() }))
        .await?;
    let mut view: RequestView = r.into_inner().into();
    // documents away takes only the files out of the answer, not the request.
    view.attachments = match list_attachments(&state, &caller, id).await {
        Ok(files) => Some(files),
        Err(p) if p.status == axum::http::StatusCode::SERVICE_UNAVAILABLE => {
            tracing::warn!("request shown without its files: documents unavailable");
            None
        }
        Err(p) => return Err(p),
    };
    Ok(Json(view))
}

#[utoipa::path(post, path = "/api/v1/requests/{id}/accept", operation_id = "accept_request", params(("id" = uuid::Uuid, Path, description = "The request's id")),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "not submitted", body = Problem)),
    security(("bearer" = [])))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RequestView>, Problem> {
    let r = state
        .requests
        .clone()
        .accept_request(caller.request(pb::AcceptRequestRequest { id }))
        .await?;
    Ok(Json(r.into_inner().into()))
}

#[utoipa::path(post, path = "/api/v1/requests/{id}/reject", operation_id = "reject_request", request_body = RejectRequest, params(("id" = uuid::Uuid, Path, description = "The request's id")),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "not submitted", body = Problem)),
    security(("bearer" = [])))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<RejectRequest>,
) -> Result<Json<RequestView>, Problem> {
    let r = state
        .requests
        .clone()
        .reject_request(caller.request(pb::RejectRequestRequest {
            id,
            reason: b.reason,
        }))
        .await?;
    Ok(Json(r.into_inner().into()))
}

/// Attaches one file (multipart field `file`) to a request the caller can see.
#[utoipa::path(post, path = "/api/v1/requests/{id}/attachments", operation_id = "upload_attachment", params(("id" = uuid::Uuid, Path, description = "The request's id")),
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    responses((status = 201, body = Attachment), (status = 404, body = Problem),
        (status = 409, description = "the request is closed", body = Problem),
        (status = 413, description = "the file is over the size limit", body = Problem),
        (status = 415, description = "the file's type is refused", body = Problem)),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<(StatusCode, Json<Attachment>), Problem> {
    // The request decides visibility and scope; documents checks the scope again.
    let request = state
        .requests
        .clone()
        .get_request(caller.request(pb::GetRequestRequest { id }))
        .await?
        .into_inner();
    takes_files(&request)?;
    let form = multipart::read_api(&state, multipart).await?;
    let file = form
        .files
        .into_iter()
        .find(|f| f.field == "file")
        .ok_or_else(|| Problem::invalid("a multipart field named 'file' is required"))?;
    let a = store_attachment(&state, &caller, &request, file).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// An attachment as documents takes it: the header, then the spooled file
/// a piece at a time, never whole in memory. A read error sends an empty
/// part, which documents refuses: a file cut short is never stored.
pub(crate) fn attachment_parts(
    header: docs::UploadAttachmentRequest,
    file: Upload,
) -> impl futures::Stream<Item = docs::UploadAttachmentPart> + Send + 'static {
    use docs::upload_attachment_part::Part;
    file.after(
        docs::UploadAttachmentPart {
            part: Some(Part::Header(header)),
        },
        |piece| docs::UploadAttachmentPart {
            part: piece.map(Part::Data),
        },
    )
}

/// A closed request takes no more files (its conversation has ended).
pub(crate) fn takes_files(request: &pb::Request) -> Result<(), Problem> {
    if request.status == "closed" {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "wrong-state",
            "the request is closed: nothing more can be added to it",
        ));
    }
    Ok(())
}

pub(crate) async fn store_attachment(
    state: &AppState,
    caller: &Caller,
    request: &pb::Request,
    file: Upload,
) -> Result<docs::Attachment, Problem> {
    file.refuse_if_too_large(state.max_upload_bytes)?;
    let req = docs::UploadAttachmentRequest {
        owner_type: OWNER.into(),
        owner_id: request.id.clone(),
        customer_id: request.customer_id.clone(),
        site_id: request.site_id.clone(),
        name: file.name.clone(),
        content_type: file.content_type.clone(),
    };
    // The gateway vouches for the owner it has just read with the caller's token.
    let vouched = state
        .credential
        .sign(caller.request(attachment_parts(req, file)));
    Ok(state
        .documents
        .clone()
        .upload_attachment(vouched)
        .await?
        .into_inner())
}

#[utoipa::path(get, path = "/api/v1/requests/{id}/attachments", operation_id = "list_attachments", params(("id" = uuid::Uuid, Path, description = "The request's id")),
    responses((status = 200, body = Vec<Attachment>), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn attachments(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<Attachment>>, Problem> {
    state
        .requests
        .clone()
        .get_request(caller.request(pb::GetRequestRequest { id: id.clone() }))
        .await?;
    Ok(Json(list_attachments(&state, &caller, id).await?))
}

async fn list_attachments(
    state: &AppState,
    caller: &Caller,
    owner_id: String,
) -> Result<Vec<Attachment>, Problem> {
    let req = docs::ListAttachmentsRequest {
        owner_type: OWNER.into(),
        owner_id,
    };
    let items = state
        .documents
        .clone()
        .list_attachments(caller.request(req))
        .await?
        .into_inner()
        .items;
    Ok(items.into_iter().map(Into::into).collect())
}

/// Streams a file the caller may see.
#[utoipa::path(get, path = "/api/v1/attachments/{id}/content", operation_id = "download_attachment", params(("id" = uuid::Uuid, Path, description = "The attachment's id")),
    responses((status = 200, description = "the file, with its own content type", content_type = "*/*"),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, Problem> {
    let mut stream = state
        .documents
        .clone()
        .download_attachment(caller.request(docs::DownloadAttachmentRequest { id }))
        .await?
        .into_inner();
    let first = stream
        .message()
        .await?
        .ok_or_else(|| Problem::new(StatusCode::BAD_GATEWAY, "internal", "empty download"))?;
    let meta = first.attachment.clone().unwrap_or_default();
    // A work order's photo is served by its own route, which checks the
    // work order and whether the tenant shows photos to customers.
    if crate::routes::photos::is_photo(&meta) {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "no such attachment",
        ));
    }
    let safe_name: String = meta
        .name
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' || *c == ' ')
        .collect();
    let head = crate::routes::private_file::Head {
        content_type: &meta.content_type,
        // Not sent before: the bytes stored are what documents streams.
        size: 0,
        disposition: &format!("attachment; filename=\"{safe_name}\""),
    };
    let rest = stream.map(|chunk| chunk.map(|c| c.data));
    Ok(crate::routes::private_file::response(
        &head, first.data, rest,
    ))
}
