//! The ticket life after creation: comments, assignment, closing, counts
//! per status, and the tenant's request settings.
use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use portal_platform::time::to_proto;
use portal_proto::identity::v1 as idpb;
use portal_proto::requests::v1 as pb;

use crate::extract::{ApiJson, ApiMultipart, ApiPath, Caller};
use crate::problem::Problem;
use crate::routes::requests::{store_attachment, takes_files};
use crate::state::AppState;
use crate::views::{
    AddComment, AssignRequest, CloseRequest, Comment, CommentForm, RequestSettings, RequestView,
    StatusCounts,
};
use crate::web::multipart;

/// The caller's display name, from the directory (blank when it has none).
async fn display_name(state: &AppState, caller: &Caller) -> Result<String, Problem> {
    let me = state
        .identity
        .clone()
        .get_me(caller.request(idpb::GetMeRequest {}))
        .await?
        .into_inner();
    Ok(if me.name.trim().is_empty() {
        me.email
    } else {
        me.name
    })
}

/// A comment from either side. JSON `{body, internal, attachment_ids}`
/// (files uploaded first), or multipart with fields `body`, `internal`
/// and any number of `file` parts (each stored as an attachment of the
/// request, then listed on the comment; 413 over the size limit).
#[utoipa::path(post, path = "/api/v1/requests/{id}/comments", operation_id = "add_comment", params(("id" = uuid::Uuid, Path, description = "The request's id")),
    request_body(content((AddComment = "application/json"), (inline(CommentForm) = "multipart/form-data"))),
    responses((status = 201, body = Comment), (status = 403, description = "contacts write no internal notes", body = Problem),
        (status = 404, body = Problem), (status = 409, description = "the request is closed", body = Problem),
        (status = 413, description = "a file is over the size limit", body = Problem),
        (status = 415, description = "a file's type is refused", body = Problem)),
    security(("bearer" = [])))]
pub async fn comment(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    request: Request,
) -> Result<(StatusCode, Json<Comment>), Problem> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    let body = if multipart {
        // The request decides visibility; a closed one refuses before any upload.
        let target = state
            .requests
            .clone()
            .get_request(caller.request(pb::GetRequestRequest { id: id.clone() }))
            .await?
            .into_inner();
        takes_files(&target)?;
        let ApiMultipart(multipart) = ApiMultipart::from_request(request, &state).await?;
        let form = multipart::read_api(&state, multipart).await?;
        let mut b = AddComment {
            body: form.fields.raw("body"),
            internal: matches!(form.fields.get("internal").as_str(), "true" | "on" | "1"),
            attachment_ids: form.fields.all("attachment_ids"),
        };
        if b.body.trim().is_empty() {
            return Err(Problem::invalid("a comment needs a body"));
        }
        for file in form
            .files
            .into_iter()
            .filter(|f| f.field == "file" && f.len > 0)
        {
            let a = store_attachment(&state, &caller, &target, file).await?;
            b.attachment_ids.push(a.id);
        }
        b
    } else {
        let ApiJson(b) = ApiJson::<AddComment>::from_request(request, &state).await?;
        b
    };
    let author_name = display_name(&state, &caller).await?;
    let c = state
        .requests
        .clone()
        .add_comment(caller.request(pb::AddCommentRequest {
            request_id: id,
            body: body.body,
            internal: body.internal,
            attachment_ids: body.attachment_ids,
            author_name,
        }))
        .await?
        .into_inner();
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// Staff (admin, dispatcher): who handles it and by when; the contact sees both.
#[utoipa::path(post, path = "/api/v1/requests/{id}/assign", operation_id = "assign_request", request_body = AssignRequest, params(("id" = uuid::Uuid, Path, description = "The request's id")),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "closed or rejected", body = Problem)),
    security(("bearer" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<AssignRequest>,
) -> Result<Json<RequestView>, Problem> {
    let r = state
        .requests
        .clone()
        .assign_request(caller.request(pb::AssignRequestRequest {
            id,
            assignee_id: b.assignee_id.unwrap_or_default(),
            assignee_name: String::new(),
            due_date: b.due_date.map(to_proto),
        }))
        .await?;
    Ok(Json(r.into_inner().into()))
}

/// The contact who created it, or staff (C5); ends the conversation.
#[utoipa::path(post, path = "/api/v1/requests/{id}/close", operation_id = "close_request", params(("id" = uuid::Uuid, Path, description = "The request's id")),
    request_body(content = CloseRequest, description = "optional: an empty body closes without a note"),
    responses((status = 200, body = RequestView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "closed or rejected", body = Problem)),
    security(("bearer" = [])))]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    body: axum::body::Bytes,
) -> Result<Json<RequestView>, Problem> {
    // The body is optional: `{}`, `{"note": …}` or nothing.
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        serde_json::from_slice::<CloseRequest>(&body)
            .map_err(|e| Problem::invalid(format!("invalid JSON body: {e}")))?
            .note
    };
    let r = state
        .requests
        .clone()
        .close_request(caller.request(pb::CloseRequestRequest { id, note }))
        .await?;
    Ok(Json(r.into_inner().into()))
}

/// How many requests the caller sees in each status (the staff inbox).
#[utoipa::path(get, path = "/api/v1/requests/counts", operation_id = "count_requests",
    responses((status = 200, body = StatusCounts)), security(("bearer" = [])))]
pub async fn counts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<StatusCounts>, Problem> {
    let c = state
        .requests
        .clone()
        .count_by_status(caller.request(pb::CountByStatusRequest { at_most: 0 }))
        .await?
        .into_inner();
    Ok(Json(StatusCounts {
        counts: c.counts.into_iter().collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/request-settings", operation_id = "get_request_settings",
    responses((status = 200, body = RequestSettings)), security(("bearer" = [])))]
pub async fn settings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<RequestSettings>, Problem> {
    let s = state
        .requests
        .clone()
        .get_request_settings(caller.request(pb::GetRequestSettingsRequest {}))
        .await?
        .into_inner();
    Ok(Json(s.into()))
}

/// Admins: the categories offered and the fields a contact must fill in.
#[utoipa::path(put, path = "/api/v1/request-settings", operation_id = "update_request_settings", request_body = RequestSettings,
    responses((status = 200, body = RequestSettings), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_settings(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<RequestSettings>,
) -> Result<Json<RequestSettings>, Problem> {
    let s = state
        .requests
        .clone()
        .update_request_settings(caller.request(pb::RequestSettings {
            categories: b.categories,
            required_fields: b.required_fields,
        }))
        .await?
        .into_inner();
    Ok(Json(s.into()))
}
