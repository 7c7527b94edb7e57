//! The contact's portal: home with the customer card (B1) and the customer
//! switcher (A8), the organisation's contacts (B5), settings (B6).
use axum::http::StatusCode;
use axum::response::Response;
use portal_platform::zone::Zone;
use portal_proto::identity::v1 as pb;
use serde_json::{Value, json};

use crate::web::csrf::Form;
use crate::web::ctx::{Ctx, TenantPage, date};
use crate::web::errors::Action;
use crate::web::i18n;
use crate::web::pages::with_error;

/// `/`: a tenant's home on its own host name, else the installation's front page.
pub async fn root(ctx: Ctx) -> Response {
    if ctx.tenant.is_some() {
        return home(TenantPage(ctx)).await;
    }
    ctx.page(StatusCode::OK, "landing.html", json!({}))
}

/// Any other page under a tenant: an HTML 404 (the API's are JSON).
pub async fn not_found(ctx: Ctx) -> Response {
    ctx.fail(StatusCode::NOT_FOUND, "error-not-found")
}

/// `/t/<slug>` without the slash.
pub async fn to_home(TenantPage(ctx): TenantPage) -> Response {
    ctx.redirect(&format!("{}/", ctx.base))
}

pub fn site_json(s: &pb::Site) -> Value {
    json!({"id": s.id, "name": s.name, "address": s.address})
}

pub fn contact_json(zone: Zone, c: &pb::Contact) -> Value {
    json!({
        "id": c.id, "name": c.name, "email": c.email, "language": c.language,
        "notifications": c.notifications, "site_ids": c.site_ids, "activated": c.activated,
        "access_from": date(zone, c.access_from.as_ref()), "access_until": date(zone, c.access_until.as_ref()),
    })
}

pub fn customer_json(zone: Zone, c: &pb::Customer) -> Value {
    json!({
        "id": c.id, "number": c.number, "name": c.name, "address": c.address, "info": c.info,
        "portal_enabled": c.portal_enabled, "request_visibility": c.request_visibility,
        "visible_since": date(zone, c.visible_since.as_ref()),
        "portal_enabled_at": date(zone, c.portal_enabled_at.as_ref()),
    })
}

pub async fn home(TenantPage(ctx): TenantPage) -> Response {
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    if s.is_staff() {
        return ctx.redirect(&ctx.landing(true));
    }
    let req = s.caller.request(pb::GetCustomerRequest {
        customer_id: s.me.customer_id.clone(),
    });
    let detail = match ctx.state.identity.clone().get_customer(req).await {
        Ok(d) => d.into_inner(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    // B4: a contact of one site sees that site's state first.
    let dashboard = match detail.sites.as_slice() {
        [only] => {
            let summary = crate::web::pages::sites::summary_of(&ctx, s, &only.id).await;
            let mut d = crate::web::pages::sites::status_values(&ctx, summary);
            d["site"] = site_json(only);
            Some(d)
        }
        _ => None,
    };
    // D3: the next appointment comes first.
    let next = crate::web::pages::appointments::next(&ctx, s).await;
    ctx.page(
        StatusCode::OK,
        "home.html",
        json!({
            "next_appointment": next,
            "dashboard": dashboard,
            "customer": detail.customer.as_ref().map(|c| customer_json(ctx.zone(), c)),
            "main_contact": detail.main_contact.as_ref().map(|c| contact_json(ctx.zone(), c)),
            "sites": detail.sites.iter().map(site_json).collect::<Vec<_>>(),
        }),
    )
}

pub async fn switch(TenantPage(mut ctx): TenantPage, form: Form) -> Response {
    let req = match ctx.session() {
        Ok(s) => s.caller.request(pb::SwitchCustomerRequest {
            customer_id: form.get("customer_id"),
        }),
        Err(r) => return *r,
    };
    match ctx.state.identity.clone().switch_customer(req).await {
        Ok(pair) => {
            ctx.set_tokens(&pair.into_inner());
            ctx.flash_next("flash-switched");
            let to = format!("{}/", ctx.base);
            ctx.redirect(&to)
        }
        Err(e) => ctx.grpc_fail(&e),
    }
}

pub async fn contacts(
    TenantPage(ctx): TenantPage,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let mine = crate::web::pages::query(q.as_deref(), "mine") == "true";
    let req = s.caller.request(pb::ListContactsRequest {
        customer_id: s.me.customer_id.clone(),
        mine,
    });
    match ctx.state.identity.clone().list_contacts(req).await {
        Ok(list) => {
            let items: Vec<Value> = list
                .into_inner()
                .items
                .iter()
                .map(|c| contact_json(ctx.zone(), c))
                .collect();
            ctx.page(
                StatusCode::OK,
                "contacts.html",
                json!({"contacts": items, "mine": mine}),
            )
        }
        Err(e) => ctx.grpc_fail(&e),
    }
}

pub async fn settings(TenantPage(ctx): TenantPage) -> Response {
    if let Err(r) = ctx.session() {
        return *r;
    }
    ctx.page(StatusCode::OK, "settings.html", json!({}))
}

pub async fn save_settings(TenantPage(mut ctx): TenantPage, form: Form) -> Response {
    let language = form.get("language");
    if i18n::supported(&language).is_none() {
        return ctx.fail(StatusCode::BAD_REQUEST, "error-invalid");
    }
    let req = match ctx.session() {
        Ok(s) => s.caller.request(pb::UpdateMeRequest {
            name: form.get("name"),
            language,
            notifications: form.flag("notifications"),
        }),
        Err(r) => return *r,
    };
    match ctx.state.identity.clone().update_me(req).await {
        Ok(_) => {
            ctx.flash_next("flash-saved");
            let to = format!("{}/settings", ctx.base);
            ctx.redirect(&to)
        }
        Err(e) => with_error(&ctx, "settings.html", Action::Other, &e, json!({})),
    }
}

pub async fn change_password(TenantPage(mut ctx): TenantPage, form: Form) -> Response {
    let new_password = form.raw("new_password");
    if new_password != form.raw("new_password_confirm") {
        let e = i18n::t(ctx.lang, "error-password-mismatch");
        return ctx.page(
            StatusCode::BAD_REQUEST,
            "settings.html",
            json!({"password_error": e}),
        );
    }
    let req = match ctx.session() {
        Ok(s) => s.caller.request(pb::ChangePasswordRequest {
            current_password: form.raw("current_password"),
            new_password,
        }),
        Err(r) => return *r,
    };
    match ctx.state.identity.clone().change_password(req).await {
        Ok(pair) => {
            ctx.set_tokens(&pair.into_inner());
            ctx.flash_next("flash-password-changed");
            let to = format!("{}/settings", ctx.base);
            ctx.redirect(&to)
        }
        Err(e) => {
            // identity names a wrong current password and a weak new one.
            let shown = crate::web::errors::shown(ctx.lang, Action::Other, &e);
            ctx.page(
                shown.status,
                "settings.html",
                json!({"password_error": shown.message}),
            )
        }
    }
}

pub async fn logout_everywhere(TenantPage(mut ctx): TenantPage, _form: Form) -> Response {
    let req = match ctx.session() {
        Ok(s) => s.caller.request(pb::LogoutEverywhereRequest {}),
        Err(r) => return *r,
    };
    if let Err(e) = ctx.state.identity.clone().logout_everywhere(req).await {
        return ctx.grpc_fail(&e);
    }
    ctx.clear_tokens();
    ctx.flash_next("flash-logged-out-everywhere");
    let to = format!("{}/login", ctx.base);
    ctx.redirect(&to)
}
