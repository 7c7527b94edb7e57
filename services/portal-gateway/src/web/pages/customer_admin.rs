//! The back office's directory forms (G1): a new or changed customer, a new
//! site (its position typed or set on the map), a new contact, an existing
//! contact added to one more customer. Refusals come back on the page with
//! what was typed.
use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use portal_proto::identity::v1 as pb;
use serde_json::json;

use crate::web::csrf::Form;
use crate::web::ctx::TenantPage;
use crate::web::i18n;
use crate::web::pages::param;
use crate::web::pages::staff::{back, customer_page, error_of, errors_status};

type Params = Path<HashMap<String, String>>;

/// A typed coordinate that is not a number.
#[derive(Debug, PartialEq, Eq)]
pub struct NotANumber;

/// A coordinate typed in a form: empty is none; a comma works as a point.
pub fn coordinate(value: &str) -> Result<Option<f64>, NotANumber> {
    let v = value.trim().replace(',', ".");
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Some)
        .ok_or(NotANumber)
}

/// `POST /staff/customers`: a new customer, then its page.
pub async fn create_customer(TenantPage(mut ctx): TenantPage, form: Form) -> Response {
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(pb::CreateCustomerRequest {
        number: form.get("number"),
        name: form.get("name"),
        address: form.get("address"),
        info: form.get("info"),
    });
    match ctx.state.identity.clone().create_customer(req).await {
        Ok(c) => back(&mut ctx, &c.into_inner().id, "flash-saved"),
        Err(e) => {
            let mut extra = json!({"customer_form": {"number": form.get("number"), "name": form.get("name"),
                "address": form.get("address"), "info": form.get("info")}});
            extra["error"] = error_of(&ctx, &e)["error"].clone();
            crate::web::pages::staff::customers_page(
                &ctx,
                String::new(),
                String::new(),
                errors_status(&ctx, &e),
                extra,
            )
            .await
        }
    }
}

/// `POST /staff/customers/{id}`: number, name, address and notes.
pub async fn update_customer(
    TenantPage(mut ctx): TenantPage,
    Path(p): Params,
    form: Form,
) -> Response {
    let Some(customer_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(pb::UpdateCustomerRequest {
        customer_id: customer_id.clone(),
        number: form.get("number"),
        name: form.get("name"),
        address: form.get("address"),
        info: form.get("info"),
    });
    match ctx.state.identity.clone().update_customer(req).await {
        Ok(_) => back(&mut ctx, &customer_id, "flash-saved"),
        Err(e) => {
            let mut extra = json!({"edit_form": {"number": form.get("number"), "name": form.get("name"),
                "address": form.get("address"), "info": form.get("info")}});
            extra["error"] = error_of(&ctx, &e)["error"].clone();
            customer_page(&ctx, &customer_id, errors_status(&ctx, &e), extra).await
        }
    }
}

/// `POST /staff/customers/{id}/sites`.
pub async fn create_site(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(customer_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let typed = json!({"site_form": {"name": form.get("name"), "address": form.get("address"),
        "latitude": form.get("latitude"), "longitude": form.get("longitude")}});
    let (Ok(latitude), Ok(longitude)) = (
        coordinate(&form.get("latitude")),
        coordinate(&form.get("longitude")),
    ) else {
        let mut extra = typed;
        extra["error"] = json!(i18n::t(ctx.lang, "error-coordinates"));
        return customer_page(&ctx, &customer_id, StatusCode::BAD_REQUEST, extra).await;
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(pb::CreateSiteRequest {
        customer_id: customer_id.clone(),
        name: form.get("name"),
        address: form.get("address"),
        latitude,
        longitude,
    });
    match ctx.state.identity.clone().create_site(req).await {
        Ok(_) => back(&mut ctx, &customer_id, "flash-saved"),
        Err(e) => {
            let mut extra = typed;
            extra["error"] = error_of(&ctx, &e)["error"].clone();
            customer_page(&ctx, &customer_id, errors_status(&ctx, &e), extra).await
        }
    }
}

/// `POST /staff/customers/{id}/contacts`.
pub async fn create_contact(
    TenantPage(mut ctx): TenantPage,
    Path(p): Params,
    form: Form,
) -> Response {
    let Some(customer_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(pb::CreateContactRequest {
        customer_id: customer_id.clone(),
        name: form.get("name"),
        email: form.get("email"),
        language: form.get("language"),
        notifications: true,
        site_ids: form.all("site_ids"),
        ..Default::default()
    });
    match ctx.state.identity.clone().create_contact(req).await {
        Ok(_) => back(&mut ctx, &customer_id, "flash-saved"),
        Err(e) => {
            let mut extra = json!({"contact_form": {"name": form.get("name"), "email": form.get("email"),
                "language": form.get("language")}});
            extra["error"] = error_of(&ctx, &e)["error"].clone();
            customer_page(&ctx, &customer_id, errors_status(&ctx, &e), extra).await
        }
    }
}

/// `POST /staff/customers/{id}/members`: a contact of another customer,
/// found by e-mail, becomes a contact of this one too (A8).
pub async fn add_member(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(customer_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(pb::AddContactToCustomerRequest {
        contact_id: String::new(),
        email: form.get("email"),
        customer_id: customer_id.clone(),
        site_ids: form.all("site_ids"),
    });
    match ctx
        .state
        .identity
        .clone()
        .add_contact_to_customer(req)
        .await
    {
        Ok(_) => back(&mut ctx, &customer_id, "flash-saved"),
        Err(e) => {
            let mut extra = json!({"member_form": {"email": form.get("email")}});
            // Not found here is the e-mail (the page itself checks the customer).
            let status = if e.code() == tonic::Code::NotFound {
                extra["error"] = json!(i18n::t(ctx.lang, "error-member-unknown"));
                StatusCode::BAD_REQUEST
            } else {
                extra["error"] = error_of(&ctx, &e)["error"].clone();
                errors_status(&ctx, &e)
            };
            customer_page(&ctx, &customer_id, status, extra).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_typed_with_a_point_or_a_comma() {
        assert_eq!(coordinate(" 45,7625 "), Ok(Some(45.7625)));
        assert_eq!(coordinate("-4.83"), Ok(Some(-4.83)));
        assert_eq!(coordinate(""), Ok(None));
        assert_eq!(coordinate("north"), Err(NotANumber));
        assert_eq!(coordinate("NaN"), Err(NotANumber));
    }
}
