//! Photos of a work order (D6): one backend (read the work order with the
//! caller's rights, decide, call documents) under the REST routes here and
//! the work order and request pages.
//!
//! The work order is read from work-orders with the caller's token, which
//! applies who sees it (a technician their own, planners all, a contact
//! their scope); its `allowed_actions` say whether the caller may add photos
//! now. The gateway then vouches for the owner's customer and site to
//! documents (ADR 0005). A contact sees photos only where the tenant shows
//! them; elsewhere they do not exist for them (404).
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use futures::StreamExt;
use portal_platform::images::{PhotoFormat, not_a_photo};
use portal_proto::documents::v1 as docs;
use portal_proto::identity::v1 as id;
use portal_proto::work_orders::v1 as pb;

use crate::extract::{ApiMultipart, ApiPath, Caller};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{Photo, PhotoList, PhotosForm, WorkOrderStatus};
use crate::web::multipart::{self, Upload};

/// documents' owner type of a work order's photos.
pub const OWNER: &str = "work_order";
/// The form field photos come in (API and page).
pub const FIELD: &str = "file";

/// Why photos were refused: one list for the API (problem+json, in
/// English) and the pages (a translated sentence).
#[derive(Debug)]
pub enum Fault {
    /// What a service answered (the work order unseen, documents refusing).
    Service(tonic::Status),
    /// Hidden from this caller: a contact where the tenant does not show
    /// photos, or a photo of another work order.
    NotFound,
    NotAllowed,
    /// The work order is not planned, or already completed or cancelled.
    Closed(WorkOrderStatus),
    NoFile,
    TooLarge {
        name: String,
        max_bytes: usize,
    },
    NotAPhoto {
        name: String,
    },
    Io(std::io::Error),
}

impl From<tonic::Status> for Fault {
    fn from(s: tonic::Status) -> Self {
        Self::Service(s)
    }
}

impl From<Fault> for Problem {
    fn from(f: Fault) -> Self {
        match f {
            Fault::Service(s) => s.into(),
            Fault::NotFound => Problem::new(StatusCode::NOT_FOUND, "not-found", "no such photo"),
            Fault::NotAllowed => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "only a technician planned on this work order, a dispatcher or an admin may add photos",
            ),
            Fault::Closed(status) => {
                Problem::new(StatusCode::CONFLICT, "wrong-state", closed_text(status))
            }
            Fault::NoFile => Problem::invalid(format!(
                "at least one image in a multipart field named '{FIELD}' is required"
            )),
            Fault::TooLarge { name, max_bytes } => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                format!("{name} is larger than the {max_bytes} byte limit"),
            ),
            Fault::NotAPhoto { name } => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                not_a_photo(&name),
            ),
            Fault::Io(e) => {
                tracing::warn!(error = %e, "spooled photo unreadable");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the photo could not be read",
                )
            }
        }
    }
}

fn closed_text(status: WorkOrderStatus) -> &'static str {
    match status {
        WorkOrderStatus::ToPlan => "photos are added once the work order is planned",
        WorkOrderStatus::Completed => {
            "the work order is completed and its report made: no more photos can be added"
        }
        _ => "the work order is cancelled: no photos can be added",
    }
}

/// Whether the caller may add photos to `w` now, from what work-orders
/// allows (`ADD_PHOTOS`). Refused, the status only picks the sentence: staff
/// who see a work order are its planners or its technicians, so for them a
/// refusal is the state; a contact never adds photos.
pub fn may_add(w: &pb::WorkOrder, staff: bool) -> Result<(), Fault> {
    if w.allowed_actions
        .contains(&i32::from(pb::WorkOrderAction::AddPhotos))
    {
        return Ok(());
    }
    match WorkOrderStatus::from_pb(w.status) {
        WorkOrderStatus::Scheduled | WorkOrderStatus::InProgress => Err(Fault::NotAllowed),
        _ if !staff => Err(Fault::NotAllowed),
        status => Err(Fault::Closed(status)),
    }
}

/// The work order as the caller may see it.
pub async fn work_order(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<pb::WorkOrder, Fault> {
    Ok(state
        .work_orders
        .clone()
        .get_work_order(caller.request(pb::GetWorkOrderRequest { id: id.to_owned() }))
        .await?
        .into_inner())
}

/// Whether the caller sees photos at all: staff always, a contact when the
/// tenant shows them (read with the gateway's own credential: the setting
/// is not in the token).
pub async fn shown(state: &AppState, caller: &Caller) -> Result<bool, Fault> {
    if caller.claims.is_staff() {
        return Ok(true);
    }
    let req = tonic::Request::new(id::GetTenantRequest {
        tenant_id: caller.claims.tid.to_string(),
    });
    let t = state
        .identity
        .clone()
        .get_tenant(state.credential.sign(req))
        .await?
        .into_inner();
    Ok(t.show_work_photos)
}

/// Adds every photo of a form to `w`, after checking them all (size, and an
/// image by its bytes), so a refused photo leaves nothing half-added.
pub async fn add(
    state: &AppState,
    caller: &Caller,
    w: &pb::WorkOrder,
    files: Vec<Upload>,
) -> Result<Vec<docs::Attachment>, Fault> {
    may_add(w, caller.claims.is_staff())?;
    let mut files: Vec<Upload> = files.into_iter().filter(|f| f.field == FIELD).collect();
    if files.is_empty() {
        return Err(Fault::NoFile);
    }
    for f in &mut files {
        if f.too_large {
            return Err(Fault::TooLarge {
                name: f.name.clone(),
                max_bytes: state.max_upload_bytes,
            });
        }
        let head = f.head(PhotoFormat::SNIFF_BYTES).await.map_err(Fault::Io)?;
        if PhotoFormat::sniff(&head).is_none() {
            return Err(Fault::NotAPhoto {
                name: f.name.clone(),
            });
        }
    }
    let mut added = Vec::with_capacity(files.len());
    for f in files {
        let req = docs::UploadAttachmentRequest {
            owner_type: OWNER.into(),
            owner_id: w.id.clone(),
            customer_id: w.customer_id.clone(),
            site_id: w.site_id.clone(),
            name: f.name.clone(),
            // documents takes the type from the bytes.
            content_type: String::new(),
        };
        // The gateway vouches for the owner it has just read with the caller's token.
        let vouched = state
            .credential
            .sign(caller.request(crate::routes::requests::attachment_parts(req, f)));
        added.push(
            state
                .documents
                .clone()
                .upload_attachment(vouched)
                .await?
                .into_inner(),
        );
    }
    Ok(added)
}

/// The photos of `w` the caller sees, oldest first.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    w: &pb::WorkOrder,
) -> Result<Vec<docs::Attachment>, Fault> {
    if !shown(state, caller).await? {
        return Err(Fault::NotFound);
    }
    let req = docs::ListAttachmentsRequest {
        owner_type: OWNER.into(),
        owner_id: w.id.clone(),
    };
    Ok(state
        .documents
        .clone()
        .list_attachments(caller.request(req))
        .await?
        .into_inner()
        .items)
}

/// One photo's bytes, shown in the page (inline), never cached.
pub async fn open(
    state: &AppState,
    caller: &Caller,
    w: &pb::WorkOrder,
    photo_id: String,
) -> Result<Response, Fault> {
    if !shown(state, caller).await? {
        return Err(Fault::NotFound);
    }
    let mut stream = state
        .documents
        .clone()
        .download_attachment(caller.request(docs::DownloadAttachmentRequest { id: photo_id }))
        .await?
        .into_inner();
    let first = stream.message().await?.ok_or(Fault::NotFound)?;
    let meta = first.attachment.clone().unwrap_or_default();
    // A file of another owner is not a photo of this work order.
    if meta.owner_type != OWNER || meta.owner_id != w.id {
        return Err(Fault::NotFound);
    }
    // Only the three image types are ever stored (documents sniffs them).
    let content_type = match meta.content_type.as_str() {
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        "image/webp" => "image/webp",
        _ => "application/octet-stream",
    };
    let head = crate::routes::private_file::Head {
        content_type,
        size: 0,
        disposition: "inline",
    };
    let rest = stream.map(|chunk| chunk.map(|c| c.data));
    Ok(crate::routes::private_file::response(
        &head, first.data, rest,
    ))
}

/// Whether a file of documents is a work order's photo (the generic
/// attachment download leaves those to the photo routes, which check the
/// work order and the tenant's setting).
pub fn is_photo(a: &docs::Attachment) -> bool {
    a.owner_type == OWNER
}

/// Adds photos (multipart, one or more fields `file`: JPEG, PNG or WebP,
/// recognised by their bytes) to a work order.
#[utoipa::path(post, path = "/api/v1/work-orders/{id}/photos", operation_id = "add_work_order_photos",
    params(("id" = uuid::Uuid, Path, description = "The work order's id")),
    request_body(content = inline(PhotosForm), content_type = "multipart/form-data"),
    responses((status = 201, description = "the photos added", body = PhotoList),
        (status = 403, description = "not a technician planned on it, a dispatcher or an admin", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "not planned yet, completed or cancelled", body = Problem),
        (status = 413, description = "a photo is over the size limit", body = Problem),
        (status = 415, description = "a file is not a JPEG, PNG or WebP image", body = Problem)),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<(StatusCode, Json<PhotoList>), Problem> {
    // The work order first: one the caller may not touch is refused before
    // the body is read.
    let w = work_order(&state, &caller, &id).await?;
    may_add(&w, caller.claims.is_staff())?;
    let form = multipart::read_api(&state, multipart).await?;
    let added = add(&state, &caller, &w, form.files).await?;
    Ok((StatusCode::CREATED, Json(PhotoList::of(added))))
}

#[utoipa::path(get, path = "/api/v1/work-orders/{id}/photos", operation_id = "list_work_order_photos",
    params(("id" = uuid::Uuid, Path, description = "The work order's id")),
    responses((status = 200, description = "oldest first", body = PhotoList),
        (status = 404, description = "no such work order, or its photos are not shown to customers", body = Problem)),
    security(("bearer" = [])))]
pub async fn photos(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PhotoList>, Problem> {
    let w = work_order(&state, &caller, &id).await?;
    Ok(Json(PhotoList::of(list(&state, &caller, &w).await?)))
}

#[utoipa::path(get, path = "/api/v1/work-orders/{id}/photos/{photo_id}", operation_id = "get_work_order_photo",
    params(("id" = uuid::Uuid, Path, description = "The work order's id"),
        ("photo_id" = uuid::Uuid, Path, description = "The photo's id")),
    responses((status = 200, description = "the image", content_type = "image/*"),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn photo(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, photo_id)): ApiPath<(String, String)>,
) -> Result<Response, Problem> {
    let w = work_order(&state, &caller, &id).await?;
    Ok(open(&state, &caller, &w, photo_id).await?)
}

impl PhotoList {
    pub fn of(items: Vec<docs::Attachment>) -> Self {
        Self {
            items: items.into_iter().map(Photo::from).collect(),
        }
    }
}
