//! One document's page (E2): what it is and what it concerns, a preview of
//! a PDF or an image in the page, every version with its download, and for
//! staff a newer version to upload.
use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use portal_proto::documents::v1 as docs;
use portal_proto::identity::v1 as id;
use portal_proto::work_orders::v1 as wo;
use serde_json::json;

use crate::routes::documents::{Disposition, file_response};
use crate::views::DocumentDetail;
use crate::web::ctx::{Ctx, TenantPage};
use crate::web::pages::{param, planning, requests};

/// How a file's type is previewed in the page, if at all.
pub fn preview_of(content_type: &str) -> Option<&'static str> {
    if !crate::routes::documents::previewable(content_type) {
        return None;
    }
    Some(if content_type == "application/pdf" {
        "pdf"
    } else {
        "image"
    })
}

/// `GET /documents/{id}/preview`.
pub async fn show(TenantPage(ctx): TenantPage, Path(p): Path<HashMap<String, String>>) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    page(&ctx, &id, StatusCode::OK, None).await
}

/// The page of document `id`, with an error from an upload if any.
pub async fn page(ctx: &Ctx, id: &str, status: StatusCode, error: Option<String>) -> Response {
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let detail = match ctx
        .state
        .documents
        .clone()
        .get_document(
            s.caller
                .request(docs::GetDocumentRequest { id: id.to_owned() }),
        )
        .await
    {
        Ok(d) => DocumentDetail::from(d.into_inner()),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let d = &detail.document;
    let zone = ctx.zone();
    let site = match d.site_id.as_deref() {
        Some(site_id) => ctx
            .state
            .identity
            .clone()
            .get_site(s.caller.request(id::GetSiteRequest {
                tenant_id: s.caller.claims.tid.to_string(),
                site_id: site_id.to_owned(),
            }))
            .await
            .ok()
            .map(|x| json!({"id": site_id, "name": x.into_inner().name})),
        None => None,
    };
    let equipment = match d.equipment_id.as_deref() {
        Some(equipment_id) => ctx
            .state
            .equipment
            .clone()
            .get_equipment(s.caller.request(wo::GetEquipmentRequest {
                id: equipment_id.to_owned(),
            }))
            .await
            .ok()
            .and_then(|x| x.into_inner().equipment)
            .map(|e| json!({"id": equipment_id, "name": e.name})),
        None => None,
    };
    let versions: Vec<_> = detail
        .versions
        .iter()
        .map(|v| {
            json!({"version": v.version, "file_name": v.file_name, "size_kb": (v.size + 1023) / 1024,
                "at": planning::at_text(zone, v.created_at),
                "sha256": v.sha256})
        })
        .collect();
    let uploaded = matches!(
        d.kind
            .map(|k| json!(k))
            .and_then(|k| k.as_str().map(str::to_owned))
            .as_deref(),
        Some("certificate" | "contract" | "checklist" | "incident_report" | "attachment")
    );
    ctx.page(
        status,
        "document.html",
        json!({"document": d, "site": site, "equipment": equipment, "versions": versions,
            "preview": preview_of(&d.content_type),
            "published": planning::at_text(zone, d.created_at),
            "may_replace": uploaded && s.is_manager(),
            "max_mb": ctx.state.max_document_bytes / (1024 * 1024),
            "error": error}),
    )
}

/// `GET /documents/{id}/inline`: the current file, for the page's preview frame.
pub async fn inline(
    TenantPage(ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let caller = requests::api_caller(s);
    let opened = ctx
        .state
        .documents
        .clone()
        .download_document(caller.request(docs::DownloadDocumentRequest { id }))
        .await;
    let res = match opened {
        Ok(stream) => file_response(stream.into_inner(), Disposition::Inline).await,
        Err(e) => Err(e.into()),
    };
    res.unwrap_or_else(|p| requests::problem_page(&ctx, p))
}

/// `GET /documents/{id}/versions/{version}`: one version's file.
pub async fn version(
    TenantPage(ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
) -> Response {
    let (Some(id), Some(version)) = (
        param(&p, "id"),
        param(&p, "version").and_then(|v| v.parse::<i32>().ok()),
    ) else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let caller = requests::api_caller(s);
    let opened = ctx
        .state
        .documents
        .clone()
        .download_document_version(
            caller.request(docs::DownloadDocumentVersionRequest { id, version }),
        )
        .await;
    let res = match opened {
        Ok(stream) => file_response(stream.into_inner(), Disposition::Attachment).await,
        Err(e) => Err(e.into()),
    };
    res.unwrap_or_else(|p| requests::problem_page(&ctx, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfs_and_pictures_are_previewed_other_files_downloaded() {
        assert_eq!(preview_of("application/pdf"), Some("pdf"));
        assert_eq!(preview_of("image/webp"), Some("image"));
        // A phone's HEIC is not shown by most browsers.
        assert_eq!(preview_of("image/heic"), None);
        assert_eq!(preview_of("text/plain"), None);
    }
}
