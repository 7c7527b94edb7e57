//! `/staff/import` (G1): a file of customers, sites, contacts or equipment,
//! checked first (the preview lists the rows refused and why) and imported
//! whole, or not at all.
use axum::extract::{Multipart, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::import_file::{self, Kind};
use crate::web::ctx::{Ctx, TenantPage};
use crate::web::multipart;

const KINDS: [&str; 4] = ["customers", "sites", "contacts", "equipment"];

fn page(ctx: &Ctx, status: StatusCode, extra: Value) -> Response {
    let mut values = json!({"kinds": KINDS, "kind": "customers"});
    if let (Some(v), Some(e)) = (values.as_object_mut(), extra.as_object()) {
        v.extend(e.clone());
    }
    ctx.page(status, "staff_import.html", values)
}

/// `/staff/import`: for the staff who manage customers.
pub async fn form(TenantPage(ctx): TenantPage) -> Response {
    match ctx.staff() {
        Ok(s) if s.is_manager() => page(&ctx, StatusCode::OK, json!({})),
        Ok(_) => ctx.fail(StatusCode::NOT_FOUND, "error-not-found"),
        Err(r) => *r,
    }
}

/// `POST /staff/import`: `action` (the button's field, or the query its
/// `formaction` sets) is `check` (the preview) or `import`.
pub async fn submit(
    TenantPage(mut ctx): TenantPage,
    RawQuery(raw): RawQuery,
    body: Multipart,
) -> Response {
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let form = match multipart::read(&ctx, body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let kind_name = form.fields.get("kind");
    let Some(kind) = Kind::parse(&kind_name) else {
        return page(&ctx, StatusCode::BAD_REQUEST, json!({"error": "kind?"}));
    };
    let dry_run = form.fields.get("action") != "import"
        && crate::web::pages::query(raw.as_deref(), "action") != "import";
    let again = |extra: Value| {
        let mut v = json!({"kind": kind.as_str()});
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        v
    };
    let Some(file) = form
        .files
        .into_iter()
        .find(|f| f.field == "file" && f.len > 0)
    else {
        let e = crate::web::i18n::t(ctx.lang, "import-no-file");
        return page(&ctx, StatusCode::BAD_REQUEST, again(json!({"error": e})));
    };
    if file.too_large {
        let e = crate::web::i18n::t(ctx.lang, "error-file-too-large");
        return page(
            &ctx,
            StatusCode::PAYLOAD_TOO_LARGE,
            again(json!({"error": e})),
        );
    }
    let bytes = match file.bytes(&ctx.state.upload_slots).await {
        Ok((b, _permit)) => b,
        Err(_) => return ctx.fail(StatusCode::INTERNAL_SERVER_ERROR, "error-internal"),
    };
    let rows = match import_file::read(kind, &bytes) {
        Ok(rows) => rows,
        Err(e) => return page(&ctx, StatusCode::BAD_REQUEST, again(json!({"error": e}))),
    };
    let caller = crate::web::pages::requests::api_caller(s);
    match crate::routes::imports::run(&ctx.state, &caller, kind, rows, dry_run).await {
        Ok(result) if result.written => {
            ctx.flash_next("flash-imported");
            let to = format!("{}/staff/import", ctx.base);
            ctx.redirect(&to)
        }
        Ok(result) => page(
            &ctx,
            StatusCode::OK,
            again(json!({"report": result, "checked": dry_run})),
        ),
        Err(p) => page(
            &ctx,
            StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST),
            again(json!({"error": p.detail})),
        ),
    }
}
