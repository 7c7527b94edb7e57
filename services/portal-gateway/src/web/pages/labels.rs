//! A printable label per equipment (B3): its name, kind, serial number and
//! site, and a QR code whose link opens the equipment's page (after login,
//! which then comes back to it), from which a request is one tap away.
use std::collections::HashMap;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_proto::identity::v1 as id;
use portal_proto::work_orders::v1 as wo;
use qrcode::QrCode;
use qrcode::render::svg;
use serde_json::json;

use crate::web::ctx::{Ctx, TenantPage};
use crate::web::pages::param;

/// The equipment's page, as a printed code links it.
pub fn equipment_url(ctx: &Ctx, equipment_id: &str) -> String {
    format!("{}{}/equipment/{equipment_id}", ctx.origin, ctx.base)
}

/// The QR code of `url` as an SVG image, black on white with its quiet zone.
pub fn qr_svg(url: &str) -> Option<String> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(240, 240)
            .dark_color(svg::Color("#000"))
            .light_color(svg::Color("#fff"))
            .build(),
    )
}

/// The equipment, if the session may see it (else the page to answer).
async fn equipment_of(ctx: &Ctx, id: &str) -> Result<wo::Equipment, Response> {
    let s = ctx.session().map_err(|r| *r)?;
    let got = ctx
        .state
        .equipment
        .clone()
        .get_equipment(
            s.caller
                .request(wo::GetEquipmentRequest { id: id.to_owned() }),
        )
        .await;
    match got.map(|d| d.into_inner().equipment) {
        Ok(Some(e)) => Ok(e),
        Ok(None) => Err(ctx.fail(StatusCode::NOT_FOUND, "error-not-found")),
        Err(e) => Err(ctx.grpc_fail(&e)),
    }
}

/// `/equipment/{id}/label`: the printable label.
pub async fn label(
    TenantPage(ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
) -> Response {
    let Some(equipment_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let e = match equipment_of(&ctx, &equipment_id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let site = match ctx.session() {
        Ok(s) => ctx
            .state
            .identity
            .clone()
            .get_site(s.caller.request(id::GetSiteRequest {
                tenant_id: s.caller.claims.tid.to_string(),
                site_id: e.site_id.clone(),
            }))
            .await
            .map(|x| x.into_inner().name)
            .unwrap_or_default(),
        Err(r) => return *r,
    };
    ctx.page(
        StatusCode::OK,
        "equipment_label.html",
        json!({
            "item": {"id": e.id, "name": e.name, "kind": e.kind, "serial_number": e.serial_number,
                     "location": e.location},
            "site": site, "url": equipment_url(&ctx, &equipment_id),
        }),
    )
}

/// `/equipment/{id}/qr.svg`: the label's code, for whoever may see it.
pub async fn qr(TenantPage(ctx): TenantPage, Path(p): Path<HashMap<String, String>>) -> Response {
    let Some(equipment_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    if let Err(r) = equipment_of(&ctx, &equipment_id).await {
        return r;
    }
    let Some(image) = qr_svg(&equipment_url(&ctx, &equipment_id)) else {
        return ctx.fail(StatusCode::INTERNAL_SERVER_ERROR, "error-internal");
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=3600"),
            ),
        ],
        image,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_an_svg_image_of_the_link() {
        let svg =
            qr_svg("https://portal.example/t/acme/equipment/0192f0c4-5e1d-7c3e-9a55-2b1e0a6f3c11")
                .unwrap_or_default();
        assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");
        assert!(
            !svg.contains("style="),
            "no inline style: the content policy forbids it"
        );
    }
}
