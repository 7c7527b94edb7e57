//! Requests in the back office (G2): the "to assign" inbox with counts per
//! status, the detail's actions (assign with a due date, accept, reject with
//! a reason; comments and closing are shared with contacts), and the
//! tenant's categories and required fields (admins).
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use portal_proto::requests::v1 as pb;
use serde_json::{Value, json};

use crate::web::csrf::Form;
use crate::web::ctx::{TenantPage, parse_date};
use crate::web::i18n;
use crate::web::pages::param;
use crate::web::pages::requests::{
    Filter, PAGE_SIZE, Params, REQUIRABLE, SORTS, STATUSES, back, detail_page, refused,
    request_json,
};

macro_rules! staff_or_return {
    ($ctx:expr) => {
        match $ctx.staff() {
            Ok(s) => s,
            Err(r) => return *r,
        }
    };
}

/// The inbox counts each status exactly up to this, and shows "1000+"
/// beyond: exact counts of a tenant's every request cost a scan of them all
/// on every view.
const COUNT_SHOWN_UP_TO: u32 = 1000;

/// `/staff/requests` (`?unassigned=true`: the "to assign" inbox).
pub async fn inbox(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let s = staff_or_return!(ctx);
    let filter = Filter::parse(raw.as_deref());
    let mut requests = ctx.state.requests.clone();
    let list = match requests
        .list_requests(s.caller.request(filter.to_pb(PAGE_SIZE)))
        .await
    {
        Ok(l) => l.into_inner(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let counts = requests
        .count_by_status(s.caller.request(pb::CountByStatusRequest {
            at_most: COUNT_SHOWN_UP_TO + 1,
        }))
        .await
        .map(|c| c.into_inner().counts)
        .unwrap_or_default();
    let counts: Vec<Value> = STATUSES
        .iter()
        .map(|st| {
            json!({
                "status": st,
                "count": counts.get(*st).copied().unwrap_or(0).min(COUNT_SHOWN_UP_TO),
                "more": counts.get(*st).copied().unwrap_or(0) > COUNT_SHOWN_UP_TO,
                "query": Filter { status: (*st).into(), ..Default::default() }.query(None),
            })
        })
        .collect();
    let none = Default::default();
    let items: Vec<Value> = list
        .items
        .iter()
        .map(|r| request_json(ctx.zone(), r, &none))
        .collect();
    let next = (!list.next_cursor.is_empty()).then(|| filter.query(Some(&list.next_cursor)));
    ctx.page(
        StatusCode::OK,
        "staff_requests.html",
        json!({
            "requests": items, "filter": filter.json(), "next": next, "counts": counts,
            "statuses": STATUSES, "sorts": SORTS,
            "inbox_query": Filter { unassigned: true, ..Default::default() }.query(None),
            "mine_query": Filter { mine: true, ..Default::default() }.query(None),
        }),
    )
}

/// `/staff/requests/{id}`.
pub async fn detail(TenantPage(ctx): TenantPage, Path(p): Params) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    staff_or_return!(ctx);
    detail_page(&ctx, &id, StatusCode::OK, json!({})).await
}

/// `POST /staff/requests/{id}/assign`: who handles it, and by when.
pub async fn assign(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = staff_or_return!(ctx);
    let Ok(due_date) = parse_date(ctx.zone(), &form.get("due_date")) else {
        let e = i18n::t(ctx.lang, "error-date");
        return detail_page(&ctx, &id, StatusCode::BAD_REQUEST, json!({"error": e})).await;
    };
    let assignee_id = form.get("assignee_id");
    // The display name comes from the staff list, never from the form.
    let assignee_name = if assignee_id.is_empty() {
        String::new()
    } else {
        let req = s
            .caller
            .request(portal_proto::identity::v1::ListStaffRequest {
                tenant_id: s.caller.claims.tid.to_string(),
                role: String::new(),
            });
        match ctx.state.identity.clone().list_staff(req).await {
            Ok(l) => match l
                .into_inner()
                .staff
                .into_iter()
                .find(|p| p.id == assignee_id)
            {
                Some(p) if !p.name.is_empty() => p.name,
                Some(p) => p.email,
                None => {
                    let e = i18n::t(ctx.lang, "error-assignee");
                    return detail_page(&ctx, &id, StatusCode::BAD_REQUEST, json!({"error": e}))
                        .await;
                }
            },
            Err(e) => return refused(&ctx, &id, &e).await,
        }
    };
    let req = s.caller.request(pb::AssignRequestRequest {
        id: id.clone(),
        assignee_id,
        assignee_name,
        due_date,
    });
    match ctx.state.requests.clone().assign_request(req).await {
        Ok(_) => back(&mut ctx, &id, "flash-assigned", ""),
        Err(e) => refused(&ctx, &id, &e).await,
    }
}

pub async fn accept(TenantPage(mut ctx): TenantPage, Path(p): Params, _form: Form) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = staff_or_return!(ctx);
    let req = s
        .caller
        .request(pb::AcceptRequestRequest { id: id.clone() });
    match ctx.state.requests.clone().accept_request(req).await {
        Ok(_) => back(&mut ctx, &id, "flash-accepted", ""),
        Err(e) => refused(&ctx, &id, &e).await,
    }
}

pub async fn reject(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = staff_or_return!(ctx);
    let reason = form.get("reason");
    if reason.is_empty() {
        let e = i18n::text(
            ctx.lang,
            "error-required",
            &[("fields", i18n::Arg::Str(i18n::t(ctx.lang, "field-reason")))],
        );
        return detail_page(&ctx, &id, StatusCode::BAD_REQUEST, json!({"error": e})).await;
    }
    let req = s.caller.request(pb::RejectRequestRequest {
        id: id.clone(),
        reason,
    });
    match ctx.state.requests.clone().reject_request(req).await {
        Ok(_) => back(&mut ctx, &id, "flash-rejected", ""),
        Err(e) => refused(&ctx, &id, &e).await,
    }
}

/// `/staff/request-settings`: categories and required fields (admins).
pub async fn settings(TenantPage(ctx): TenantPage) -> Response {
    let s = match ctx.admin() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let current = crate::web::pages::requests::settings(&ctx, s).await;
    ctx.page(
        StatusCode::OK,
        "staff_request_settings.html",
        json!({
            "categories": current.categories.join("\n"),
            "required": current.required_fields, "requirable": REQUIRABLE,
        }),
    )
}

pub async fn save_settings(TenantPage(mut ctx): TenantPage, form: Form) -> Response {
    let s = match ctx.admin() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let mut categories: Vec<String> = form
        .raw("categories")
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    categories.dedup();
    let required: Vec<String> = form
        .all("required")
        .into_iter()
        .filter(|f| REQUIRABLE.contains(&f.as_str()))
        .collect();
    let req = s.caller.request(pb::RequestSettings {
        categories: categories.clone(),
        required_fields: required.clone(),
    });
    match ctx
        .state
        .requests
        .clone()
        .update_request_settings(req)
        .await
    {
        Ok(_) => {
            ctx.flash_next("flash-saved");
            let to = format!("{}/staff/request-settings", ctx.base);
            ctx.redirect(&to)
        }
        Err(e) => {
            let shown = crate::web::errors::shown(ctx.lang, crate::web::errors::Action::Other, &e);
            ctx.page(
                shown.status,
                "staff_request_settings.html",
                json!({
                    "categories": categories.join("\n"), "required": required,
                    "requirable": REQUIRABLE, "error": shown.message,
                }),
            )
        }
    }
}
