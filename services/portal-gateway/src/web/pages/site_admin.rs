//! The back office's forms on a site's and an equipment's pages (G1, D4):
//! the site's name, address and position; new equipment and its edits
//! (with the tenant's own fields); recurring inspection plans. Refusals come
//! back on the page with what was typed.
use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use portal_proto::identity::v1 as id;
use portal_proto::work_orders::v1 as wo;
use serde_json::{Value, json};

use crate::web::csrf::Form;
use crate::web::ctx::{Ctx, TenantPage};
use crate::web::i18n;
use crate::web::pages::customer_admin::coordinate;
use crate::web::pages::param;
use crate::web::pages::sites::{equipment_page, site_page};

type Params = Path<HashMap<String, String>>;

fn refused(ctx: &Ctx, e: &tonic::Status) -> (StatusCode, String) {
    let shown = crate::web::errors::shown(ctx.lang, crate::web::errors::Action::Other, e);
    (shown.status, shown.message)
}

/// The tenant's own fields as a form holds them (`field-<key>`).
fn custom_fields(form: &Form) -> HashMap<String, String> {
    form.0
        .iter()
        .filter_map(|(name, value)| {
            name.strip_prefix("field-")
                .map(|key| (key.to_owned(), value.trim().to_owned()))
        })
        .collect()
}

fn equipment_typed(form: &Form) -> Value {
    json!({"kind": form.get("kind"), "name": form.get("name"), "make": form.get("make"),
        "model": form.get("model"), "serial_number": form.get("serial_number"),
        "location": form.get("location"), "installed_on": form.get("installed_on")})
}

/// `POST /sites/{id}`: name, address and position.
pub async fn update_site(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(site_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let typed = json!({"site_form": {"name": form.get("name"), "address": form.get("address"),
        "latitude": form.get("latitude"), "longitude": form.get("longitude")}, "site_form_open": true});
    let again = |status: StatusCode, error: String| {
        let mut extra = typed.clone();
        extra["error"] = json!(error);
        (status, extra)
    };
    let (Ok(latitude), Ok(longitude)) = (
        coordinate(&form.get("latitude")),
        coordinate(&form.get("longitude")),
    ) else {
        let (status, extra) = again(
            StatusCode::BAD_REQUEST,
            i18n::t(ctx.lang, "error-coordinates"),
        );
        return site_page(&ctx, &site_id, String::new(), status, extra).await;
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(id::UpdateSiteRequest {
        site_id: site_id.clone(),
        name: form.get("name"),
        address: form.get("address"),
        latitude,
        longitude,
    });
    match ctx.state.identity.clone().update_site(req).await {
        Ok(_) => back_to_site(&mut ctx, &site_id),
        Err(e) => {
            let (status, message) = refused(&ctx, &e);
            let (status, extra) = again(status, message);
            site_page(&ctx, &site_id, String::new(), status, extra).await
        }
    }
}

fn back_to_site(ctx: &mut Ctx, site_id: &str) -> Response {
    ctx.flash_next("flash-saved");
    let to = format!("{}/sites/{site_id}", ctx.base);
    ctx.redirect(&to)
}

/// `POST /sites/{id}/equipment`: new equipment, then its page.
pub async fn create_equipment(
    TenantPage(mut ctx): TenantPage,
    Path(p): Params,
    form: Form,
) -> Response {
    let Some(site_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(wo::CreateEquipmentRequest {
        site_id: site_id.clone(),
        kind: form.get("kind"),
        name: form.get("name"),
        make: form.get("make"),
        model: form.get("model"),
        serial_number: form.get("serial_number"),
        location: form.get("location"),
        installed_on: form.get("installed_on"),
        custom_fields: custom_fields(&form),
    });
    match ctx.state.equipment.clone().create_equipment(req).await {
        Ok(e) => {
            ctx.flash_next("flash-saved");
            let to = format!("{}/equipment/{}", ctx.base, e.into_inner().id);
            ctx.redirect(&to)
        }
        Err(e) => {
            let (status, message) = refused(&ctx, &e);
            let extra = json!({"error": message, "equipment_form": equipment_typed(&form)});
            site_page(&ctx, &site_id, String::new(), status, extra).await
        }
    }
}

/// `POST /equipment/{id}`: every fact again (the site does not change).
pub async fn update_equipment(
    TenantPage(mut ctx): TenantPage,
    Path(p): Params,
    form: Form,
) -> Response {
    let Some(equipment_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(wo::UpdateEquipmentRequest {
        id: equipment_id.clone(),
        kind: form.get("kind"),
        name: form.get("name"),
        make: form.get("make"),
        model: form.get("model"),
        serial_number: form.get("serial_number"),
        location: form.get("location"),
        installed_on: form.get("installed_on"),
        custom_fields: custom_fields(&form),
    });
    match ctx.state.equipment.clone().update_equipment(req).await {
        Ok(_) => {
            ctx.flash_next("flash-saved");
            let to = format!("{}/equipment/{equipment_id}", ctx.base);
            ctx.redirect(&to)
        }
        Err(e) => {
            let (status, message) = refused(&ctx, &e);
            let extra = json!({"error": message, "equipment_form": equipment_typed(&form)});
            equipment_page(&ctx, &equipment_id, status, extra).await
        }
    }
}

/// `POST /sites/{id}/inspection-plans`.
pub async fn create_plan(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(site_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(wo::CreateInspectionPlanRequest {
        site_id: site_id.clone(),
        equipment_id: form.get("equipment_id"),
        title: form.get("title"),
        every_months: form.get("every_months").trim().parse().unwrap_or(0),
        lead_days: form.get("lead_days").trim().parse().ok(),
        next_due: form.get("next_due"),
    });
    match ctx
        .state
        .equipment
        .clone()
        .create_inspection_plan(req)
        .await
    {
        Ok(_) => back_to_site(&mut ctx, &site_id),
        Err(e) => {
            let (status, message) = refused(&ctx, &e);
            let extra = json!({"error": message, "plan_form": {"title": form.get("title"),
                "every_months": form.get("every_months"), "next_due": form.get("next_due")}});
            site_page(&ctx, &site_id, String::new(), status, extra).await
        }
    }
}

/// `POST /inspection-plans/{id}/stop` (the form names its site).
pub async fn stop_plan(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let (Some(plan_id), Some(site_id)) = (param(&p, "id"), {
        let mut q = HashMap::new();
        q.insert("id".to_owned(), form.get("site_id"));
        param(&q, "id")
    }) else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s
        .caller
        .request(wo::StopInspectionPlanRequest { id: plan_id });
    match ctx.state.equipment.clone().stop_inspection_plan(req).await {
        Ok(_) => back_to_site(&mut ctx, &site_id),
        Err(e) => {
            let (status, message) = refused(&ctx, &e);
            site_page(
                &ctx,
                &site_id,
                String::new(),
                status,
                json!({"error": message}),
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_fields_come_from_their_prefixed_inputs() {
        let form = Form(vec![
            ("csrf".into(), "x".into()),
            ("name".into(), "Boiler".into()),
            ("field-refrigerant".into(), " R32 ".into()),
            ("field-contract".into(), String::new()),
        ]);
        let f = custom_fields(&form);
        assert_eq!(f.get("refrigerant").map(String::as_str), Some("R32"));
        assert_eq!(f.get("contract").map(String::as_str), Some(""));
        assert_eq!(f.len(), 2);
    }
}
