//! The back office pages: customers, their contacts, portal switch,
//! invitations, secure links (A3), audit log (G5), tenant settings (A1).
use std::collections::HashMap;

use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use portal_proto::identity::v1 as pb;
use serde_json::{Value, json};

use crate::web::csrf::Form;
use crate::web::ctx::{Ctx, TenantPage, date, date_time, parse_date};
use crate::web::errors::Action;
use crate::web::pages::portal::{contact_json, customer_json, site_json};
use crate::web::pages::{param, query, with_error};
use crate::web::{audit_names, i18n};

type Params = Path<HashMap<String, String>>;

/// The detail page of customer `id`.
fn customer_url(ctx: &Ctx, id: &str) -> String {
    format!("{}/staff/customers/{id}", ctx.base)
}

/// Runs `call` for a staff member; an error there is a page.
macro_rules! staff_or_return {
    ($ctx:expr) => {
        match $ctx.staff() {
            Ok(s) => s,
            Err(r) => return *r,
        }
    };
}

pub async fn customers(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let q = query(raw.as_deref(), "q");
    let cursor = query(raw.as_deref(), "cursor");
    customers_page(&ctx, q, cursor, StatusCode::OK, json!({})).await
}

/// The customer list; `extra` adds the new-customer form's error and values.
pub(crate) async fn customers_page(
    ctx: &Ctx,
    q: String,
    cursor: String,
    status: StatusCode,
    extra: Value,
) -> Response {
    let s = staff_or_return!(ctx);
    let req = s.caller.request(pb::ListCustomersRequest {
        q: q.clone(),
        limit: 50,
        cursor,
    });
    match ctx.state.identity.clone().list_customers(req).await {
        Ok(list) => {
            let list = list.into_inner();
            let items: Vec<Value> = list
                .items
                .iter()
                .map(|c| customer_json(ctx.zone(), c))
                .collect();
            let next = (!list.next_cursor.is_empty()).then(|| {
                serde_urlencoded::to_string([
                    ("q", q.as_str()),
                    ("cursor", list.next_cursor.as_str()),
                ])
                .unwrap_or_default()
            });
            let mut values = json!({"customers": items, "q": q, "next": next});
            if let (Some(v), Some(e)) = (values.as_object_mut(), extra.as_object()) {
                v.extend(e.clone());
            }
            ctx.page(status, "staff_customers.html", values)
        }
        Err(e) => ctx.grpc_fail(&e),
    }
}

/// Everything the customer page shows; `extra` adds the new link or an error.
pub(crate) async fn customer_page(
    ctx: &Ctx,
    id: &str,
    status: StatusCode,
    extra: Value,
) -> Response {
    let s = staff_or_return!(ctx);
    let mut identity = ctx.state.identity.clone();
    let detail = match identity
        .get_customer(s.caller.request(pb::GetCustomerRequest {
            customer_id: id.into(),
        }))
        .await
    {
        Ok(d) => d.into_inner(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let contacts = match identity
        .list_contacts(s.caller.request(pb::ListContactsRequest {
            customer_id: id.into(),
            mine: false,
        }))
        .await
    {
        Ok(c) => c.into_inner().items,
        Err(e) => return ctx.grpc_fail(&e),
    };
    // Secure links are the managers' to hand out and to see (identity's
    // table): technicians read the rest of the page.
    let links = if s.is_manager() {
        match identity
            .list_secure_links(s.caller.request(pb::ListSecureLinksRequest {
                customer_id: id.into(),
            }))
            .await
        {
            Ok(l) => l.into_inner().items,
            Err(e) => return ctx.grpc_fail(&e),
        }
    } else {
        vec![]
    };
    let site_name = |sid: &str| {
        detail
            .sites
            .iter()
            .find(|s| s.id == sid)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| sid.to_owned())
    };
    let contacts: Vec<Value> = contacts
        .iter()
        .map(|c| {
            let mut v = contact_json(ctx.zone(), c);
            v["site_names"] = json!(c.site_ids.iter().map(|s| site_name(s)).collect::<Vec<_>>());
            v
        })
        .collect();
    let links: Vec<Value> = links
        .iter()
        .map(|l| {
            json!({
                "id": l.id, "label": l.label,
                "site": (!l.site_id.is_empty()).then(|| site_name(&l.site_id)),
                "work_order_id": l.work_order_id,
                "expires_at": date(ctx.zone(), l.expires_at.as_ref()),
                "created_at": date_time(ctx.zone(), l.created_at.as_ref()),
                "last_used_at": date_time(ctx.zone(), l.last_used_at.as_ref()),
                "revoked": l.revoked_at.is_some(),
            })
        })
        .collect();
    // The customer's papers (B1): contracts, attachments, certificates…
    let documents: Vec<Value> = ctx
        .state
        .documents
        .clone()
        .list_documents(
            s.caller
                .request(portal_proto::documents::v1::ListDocumentsRequest {
                    customer_id: id.into(),
                    limit: 20,
                    ..Default::default()
                }),
        )
        .await
        .map(|r| r.into_inner().items)
        .unwrap_or_default()
        .into_iter()
        .map(crate::views::Document::from)
        .map(|d| {
            json!({"id": d.id, "title": d.title, "kind": d.kind,
                   "created": crate::web::pages::planning::at_text(ctx.zone(), d.created_at)})
        })
        .collect();
    let mut values = json!({
        "documents": documents,
        "customer": detail.customer.as_ref().map(|c| customer_json(ctx.zone(), c)),
        "main_contact": detail.main_contact.as_ref().map(|c| contact_json(ctx.zone(), c)),
        "sites": detail.sites.iter().map(site_json).collect::<Vec<_>>(),
        "contacts": contacts,
        "links": links,
        "map": {"tiles": ctx.state.map.url, "attribution": ctx.state.map.attribution},
    });
    if let (Some(v), Value::Object(extra)) = (values.as_object_mut(), extra) {
        v.extend(extra);
    }
    ctx.page(status, "staff_customer.html", values)
}

pub async fn customer(TenantPage(ctx): TenantPage, Path(p): Params) -> Response {
    match param(&p, "id") {
        Some(id) => customer_page(&ctx, &id, StatusCode::OK, json!({})).await,
        None => ctx.fail(StatusCode::NOT_FOUND, "error-not-found"),
    }
}

/// After a change: back to the customer's page with a message (PRG).
pub(crate) fn back(ctx: &mut Ctx, customer_id: &str, flash: &str) -> Response {
    ctx.flash_next(flash);
    let to = customer_url(ctx, customer_id);
    ctx.redirect(&to)
}

pub async fn invite(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let (Some(contact_id), Some(customer_id)) =
        (param(&p, "id"), valid_id(&form.get("customer_id")))
    else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = staff_or_return!(ctx);
    let req = s.caller.request(pb::InviteContactRequest { contact_id });
    match ctx.state.identity.clone().invite_contact(req).await {
        Ok(_) => back(&mut ctx, &customer_id, "flash-invited"),
        Err(e) => {
            customer_page(
                &ctx,
                &customer_id,
                errors_status(&ctx, &e),
                error_of(&ctx, &e),
            )
            .await
        }
    }
}

fn valid_id(v: &str) -> Option<String> {
    let mut p = HashMap::new();
    p.insert("id".to_owned(), v.to_owned());
    param(&p, "id")
}

pub(crate) fn errors_status(ctx: &Ctx, e: &tonic::Status) -> StatusCode {
    crate::web::errors::shown(ctx.lang, Action::Other, e).status
}

pub(crate) fn error_of(ctx: &Ctx, e: &tonic::Status) -> Value {
    json!({"error": crate::web::errors::shown(ctx.lang, Action::Other, e).message})
}

pub async fn set_portal(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let Ok(visible_since) = parse_date(ctx.zone(), &form.get("visible_since")) else {
        return customer_page(
            &ctx,
            &id,
            StatusCode::BAD_REQUEST,
            json!({"error": crate::web::i18n::t(ctx.lang, "error-date")}),
        )
        .await;
    };
    let s = staff_or_return!(ctx);
    let req = s.caller.request(pb::SetCustomerPortalRequest {
        customer_id: id.clone(),
        enabled: form.flag("enabled"),
        request_visibility: form.get("request_visibility"),
        visible_since,
    });
    match ctx.state.identity.clone().set_customer_portal(req).await {
        Ok(_) => back(&mut ctx, &id, "flash-saved"),
        Err(e) => customer_page(&ctx, &id, errors_status(&ctx, &e), error_of(&ctx, &e)).await,
    }
}

pub async fn create_link(TenantPage(ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let Ok(expires_at) = parse_date(ctx.zone(), &form.get("expires_at")) else {
        return customer_page(
            &ctx,
            &id,
            StatusCode::BAD_REQUEST,
            json!({"error": crate::web::i18n::t(ctx.lang, "error-date")}),
        )
        .await;
    };
    let s = staff_or_return!(ctx);
    let req = s.caller.request(pb::CreateSecureLinkRequest {
        customer_id: id.clone(),
        site_id: form.get("site_id"),
        // Set by the form on a request's page: a link to that work order only.
        work_order_id: form.get("work_order_id"),
        expires_at,
        label: form.get("label"),
    });
    match ctx.state.identity.clone().create_secure_link(req).await {
        // Shown once, now: only its hash is kept.
        Ok(link) => {
            customer_page(
                &ctx,
                &id,
                StatusCode::OK,
                json!({"new_link_url": link.into_inner().url}),
            )
            .await
        }
        Err(e) => customer_page(&ctx, &id, errors_status(&ctx, &e), error_of(&ctx, &e)).await,
    }
}

pub async fn revoke_link(
    TenantPage(mut ctx): TenantPage,
    Path(p): Params,
    _form: Form,
) -> Response {
    let (Some(id), Some(link_id)) = (param(&p, "id"), param(&p, "link_id")) else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = staff_or_return!(ctx);
    let req = s.caller.request(pb::RevokeSecureLinkRequest { link_id });
    match ctx.state.identity.clone().revoke_secure_link(req).await {
        Ok(_) => back(&mut ctx, &id, "flash-link-revoked"),
        Err(e) => customer_page(&ctx, &id, errors_status(&ctx, &e), error_of(&ctx, &e)).await,
    }
}

/// The contact and its customer's sites, for the scope form.
async fn contact_page(ctx: &Ctx, id: &str, status: StatusCode, extra: Value) -> Response {
    let s = staff_or_return!(ctx);
    let mut identity = ctx.state.identity.clone();
    let req = s.caller.request(pb::GetContactRequest {
        tenant_id: s.caller.claims.tid.to_string(),
        contact_id: id.into(),
    });
    let contact = match identity.get_contact(req).await {
        Ok(c) => c.into_inner(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let req = s.caller.request(pb::GetCustomerRequest {
        customer_id: contact.customer_id.clone(),
    });
    let detail = match identity.get_customer(req).await {
        Ok(d) => d.into_inner(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let mut values = json!({
        "contact": contact_json(ctx.zone(), &contact),
        "customer": detail.customer.as_ref().map(|c| customer_json(ctx.zone(), c)),
        "sites": detail.sites.iter().map(site_json).collect::<Vec<_>>(),
    });
    if let (Some(v), Value::Object(extra)) = (values.as_object_mut(), extra) {
        v.extend(extra);
    }
    ctx.page(status, "staff_contact.html", values)
}

pub async fn contact(TenantPage(ctx): TenantPage, Path(p): Params) -> Response {
    match param(&p, "id") {
        Some(id) => contact_page(&ctx, &id, StatusCode::OK, json!({})).await,
        None => ctx.fail(StatusCode::NOT_FOUND, "error-not-found"),
    }
}

pub async fn update_contact(
    TenantPage(mut ctx): TenantPage,
    Path(p): Params,
    form: Form,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let (Ok(access_from), Ok(access_until)) = (
        parse_date(ctx.zone(), &form.get("access_from")),
        parse_date(ctx.zone(), &form.get("access_until")),
    ) else {
        return contact_page(
            &ctx,
            &id,
            StatusCode::BAD_REQUEST,
            json!({"error": crate::web::i18n::t(ctx.lang, "error-date")}),
        )
        .await;
    };
    let s = staff_or_return!(ctx);
    let req = s.caller.request(pb::UpdateContactRequest {
        contact_id: id.clone(),
        name: form.get("name"),
        language: form.get("language"),
        notifications: form.flag("notifications"),
        site_ids: form.all("site_ids"),
        access_from,
        access_until,
    });
    match ctx.state.identity.clone().update_contact(req).await {
        Ok(c) => {
            let customer_id = c.into_inner().customer_id;
            back(&mut ctx, &customer_id, "flash-saved")
        }
        Err(e) => contact_page(&ctx, &id, errors_status(&ctx, &e), error_of(&ctx, &e)).await,
    }
}

pub async fn audit(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let s = match ctx.admin() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let cursor = query(raw.as_deref(), "cursor");
    match crate::audit_log::merged(&ctx.state, &s.caller, 50, &cursor).await {
        Ok((entries, next_cursor)) => {
            let items: Vec<Value> = entries
                .iter()
                .map(|a| {
                    let target = format!("{} {}", a.target_kind, a.target_id.as_deref().unwrap_or(""));
                    json!({
                        "at": a.at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default(),
                        "actor": a.actor,
                        "actor_kind": audit_names::kind_key(&a.actor_kind)
                            .map_or_else(|| a.actor_kind.clone(), |k| i18n::t(ctx.lang, &k)),
                        "action": a.action,
                        "action_name": audit_names::action_key(&a.action)
                            .map(|k| i18n::t(ctx.lang, &k)),
                        "target": target.trim(),
                        "detail": a.detail, "client_ip": a.client_ip.clone().unwrap_or_default(),
                    })
                })
                .collect();
            let next = (!next_cursor.is_empty()).then(|| {
                serde_urlencoded::to_string([("cursor", next_cursor.as_str())]).unwrap_or_default()
            });
            ctx.page(
                StatusCode::OK,
                "staff_audit.html",
                json!({"entries": items, "next": next}),
            )
        }
        Err(e) => ctx.grpc_fail(&e),
    }
}

pub async fn tenant_settings(TenantPage(ctx): TenantPage) -> Response {
    if let Err(r) = ctx.admin() {
        return *r;
    }
    ctx.page(
        StatusCode::OK,
        "staff_settings.html",
        json!({"zones": zone_names()}),
    )
}

/// The time zones an admin can choose from (IANA names, sorted).
fn zone_names() -> Vec<&'static str> {
    portal_platform::zone::Zone::names().collect()
}

pub async fn save_tenant_settings(TenantPage(mut ctx): TenantPage, form: Form) -> Response {
    let s = match ctx.admin() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(pb::UpdateTenantRequest {
        name: form.get("name"),
        portal_enabled: form.flag("portal_enabled"),
        portal_all_customers: form.get("portal_customers") == "all",
        registration_open: form.flag("registration_open"),
        contact_email: form.get("contact_email"),
        phone: form.get("phone"),
        address: form.get("address"),
        show_work_photos: Some(form.flag("show_work_photos")),
        time_zone: Some(form.get("time_zone")),
        currency: Some(form.get("currency")),
    });
    match ctx.state.identity.clone().update_tenant(req).await {
        Ok(_) => {
            ctx.flash_next("flash-saved");
            let to = format!("{}/staff/settings", ctx.base);
            ctx.redirect(&to)
        }
        Err(e) => with_error(
            &ctx,
            "staff_settings.html",
            Action::Other,
            &e,
            json!({"zones": zone_names()}),
        ),
    }
}
