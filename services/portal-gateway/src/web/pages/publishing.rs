//! Staff publish a file as a document (E1) from a customer's, a site's or
//! an equipment's page (the form keeps what it was opened for), or add a
//! newer version of one from its page; the file streams on to documents.
use std::collections::HashMap;

use axum::extract::{Multipart, Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use portal_proto::documents::v1 as docs;
use portal_proto::identity::v1 as id;
use serde_json::{Value, json};

use crate::problem::Problem;
use crate::routes::publish::{self, Links};
use crate::web::ctx::{Ctx, TenantPage};
use crate::web::i18n;
use crate::web::multipart;
use crate::web::pages::{param, query, requests};

/// The kinds staff upload, in the order the form offers them.
pub const UPLOADED_KINDS: [&str; 5] = [
    "certificate",
    "contract",
    "checklist",
    "incident_report",
    "attachment",
];

/// The links a form was opened for, kept in hidden fields.
const LINKS: [&str; 5] = [
    "customer_id",
    "site_id",
    "work_order_id",
    "request_id",
    "equipment_id",
];

/// `GET /documents/new?customer_id=&site_id=&equipment_id=&work_order_id=&request_id=`.
pub async fn new_form(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    // Refused before a byte of a file is read.
    if let Err(r) = publishers(&ctx) {
        return *r;
    }
    let form: serde_json::Map<String, Value> = LINKS
        .iter()
        .map(|k| (k.to_string(), json!(query(raw.as_deref(), k))))
        .collect();
    form_page(&ctx, StatusCode::OK, Value::Object(form), None).await
}

/// Admins and dispatchers (who publish documents), or the refusal.
fn publishers(ctx: &Ctx) -> Result<(), Box<Response>> {
    let s = ctx.staff()?;
    if !s.is_manager() {
        return Err(Box::new(ctx.fail(StatusCode::FORBIDDEN, "error-forbidden")));
    }
    Ok(())
}

/// The form, with what it was opened for named, and an error if any.
async fn form_page(ctx: &Ctx, status: StatusCode, form: Value, error: Option<String>) -> Response {
    let Some(s) = ctx.session.as_ref() else {
        return ctx.fail(StatusCode::UNAUTHORIZED, "error-session");
    };
    let text = |k: &str| form[k].as_str().unwrap_or_default().to_owned();
    let linked = LINKS.iter().any(|k| !text(k).is_empty());
    // Opened for nothing in particular: the customer is chosen in the form.
    let customers: Vec<Value> = if linked {
        Vec::new()
    } else {
        ctx.state
            .identity
            .clone()
            .list_customers(s.caller.request(id::ListCustomersRequest {
                limit: 200,
                ..Default::default()
            }))
            .await
            .map(|r| r.into_inner().items)
            .unwrap_or_default()
            .into_iter()
            .map(|c| json!({"id": c.id, "name": format!("{} ({})", c.name, c.number)}))
            .collect()
    };
    let about = about(ctx, s, &text("site_id"), &text("equipment_id")).await;
    ctx.page(
        status,
        "document_new.html",
        json!({"form": form, "kinds": UPLOADED_KINDS, "customers": customers, "linked": linked,
            "about": about, "links": LINKS, "error": error,
            "max_mb": ctx.state.max_document_bytes / (1024 * 1024)}),
    )
}

/// What the form names, for the reader: the site's and the equipment's
/// names (an equipment's site when only the equipment is named).
async fn about(
    ctx: &Ctx,
    s: &crate::web::ctx::Session,
    site_id: &str,
    equipment_id: &str,
) -> Vec<String> {
    let equipment = match equipment_id {
        "" => None,
        id => {
            ctx.state
                .equipment
                .clone()
                .get_equipment(s.caller.request(
                    portal_proto::work_orders::v1::GetEquipmentRequest { id: id.to_owned() },
                ))
                .await
                .ok()
                .and_then(|e| e.into_inner().equipment)
        }
    };
    let site_id = match (site_id, &equipment) {
        ("", Some(e)) => e.site_id.clone(),
        (id, _) => id.to_owned(),
    };
    let mut names = Vec::new();
    if !site_id.is_empty()
        && let Ok(site) = ctx
            .state
            .identity
            .clone()
            .get_site(s.caller.request(id::GetSiteRequest {
                tenant_id: s.caller.claims.tid.to_string(),
                site_id,
            }))
            .await
    {
        names.push(site.into_inner().name);
    }
    names.extend(equipment.map(|e| e.name));
    names
}

/// A refusal in the reader's words where it has some, else as documents said.
fn refusal(ctx: &Ctx, name: &str, p: &Problem) -> String {
    let name = i18n::Arg::Str(name.to_owned());
    match p.status {
        413 => i18n::text(ctx.lang, "error-file-size-plain", &[("name", name)]),
        415 => i18n::text(ctx.lang, "error-file-type", &[("name", name)]),
        _ => i18n::text(
            ctx.lang,
            "error-invalid-detail",
            &[("detail", i18n::Arg::Str(p.detail.clone()))],
        ),
    }
}

/// `POST /documents` (multipart: the CSRF field first, the form's fields,
/// `file`).
pub async fn publish(TenantPage(mut ctx): TenantPage, multipart: Multipart) -> Response {
    // Refused before a byte of a file is read.
    if let Err(r) = publishers(&ctx) {
        return *r;
    }
    let mut form = match multipart::read_up_to(&ctx, ctx.state.max_document_bytes, multipart).await
    {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(s) = ctx.session.as_ref() else {
        return ctx.fail(StatusCode::UNAUTHORIZED, "error-session");
    };
    let caller = requests::api_caller(s);
    let typed: serde_json::Map<String, Value> = LINKS
        .iter()
        .chain(["kind", "title"].iter())
        .map(|k| (k.to_string(), json!(form.fields.get(k))))
        .collect();
    let typed = Value::Object(typed);
    let Some(at) = form.files.iter().position(|f| f.field == "file") else {
        let e = i18n::text(
            ctx.lang,
            "error-required",
            &[("fields", i18n::Arg::Str(i18n::t(ctx.lang, "document-file")))],
        );
        return form_page(&ctx, StatusCode::BAD_REQUEST, typed, Some(e)).await;
    };
    let file = form.files.swap_remove(at);
    let name = file.name.clone();
    let header = match publish::vouch(&ctx.state, &caller, &Links::from_form(&form.fields)).await {
        Ok(h) => h,
        Err(p) => {
            let e = refusal(&ctx, &name, &p);
            return form_page(
                &ctx,
                StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST),
                typed,
                Some(e),
            )
            .await;
        }
    };
    match publish::send(&ctx.state, &caller, header, file).await {
        Ok(d) => {
            ctx.flash_next("flash-document-published");
            let to = format!("{}/documents/{}/preview", ctx.base, d.id);
            ctx.redirect(&to)
        }
        Err(p) => {
            let e = refusal(&ctx, &name, &p);
            form_page(
                &ctx,
                StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST),
                typed,
                Some(e),
            )
            .await
        }
    }
}

/// `POST /documents/{id}/versions` (multipart: CSRF, `file`).
pub async fn new_version(
    TenantPage(mut ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
    multipart: Multipart,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    // Refused before a byte of a file is read.
    if let Err(r) = publishers(&ctx) {
        return *r;
    }
    let mut form = match multipart::read_up_to(&ctx, ctx.state.max_document_bytes, multipart).await
    {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(s) = ctx.session.as_ref() else {
        return ctx.fail(StatusCode::UNAUTHORIZED, "error-session");
    };
    let caller = requests::api_caller(s);
    let Some(at) = form.files.iter().position(|f| f.field == "file") else {
        let e = i18n::text(
            ctx.lang,
            "error-required",
            &[("fields", i18n::Arg::Str(i18n::t(ctx.lang, "document-file")))],
        );
        return crate::web::pages::document_view::page(&ctx, &id, StatusCode::BAD_REQUEST, Some(e))
            .await;
    };
    let file = form.files.swap_remove(at);
    let name = file.name.clone();
    let header = docs::PublishHeader {
        document_id: id.clone(),
        ..Default::default()
    };
    match publish::send(&ctx.state, &caller, header, file).await {
        Ok(_) => {
            ctx.flash_next("flash-document-version");
            let to = format!("{}/documents/{id}/preview", ctx.base);
            ctx.redirect(&to)
        }
        Err(p) => {
            let e = refusal(&ctx, &name, &p);
            let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST);
            crate::web::pages::document_view::page(&ctx, &id, status, Some(e)).await
        }
    }
}
