//! Sites and equipment (B2, B3, C7): the sites of the caller's scope on a
//! map and in a list, a site's page (its equipment, their inspection status
//! as a small chart, its requests), and an equipment's page (status,
//! inspections, work history, a request raised for it in one tap).
use std::collections::HashMap;

use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use portal_proto::identity::v1 as id;
use portal_proto::requests::v1 as rq;
use portal_proto::work_orders::v1 as wo;
use serde::Serialize;
use serde_json::{Value, json};

use crate::views::{
    Equipment, EquipmentDetail, InspectionResult, RequestView, SiteItem, SiteSummary,
};
use crate::web::ctx::{Ctx, Session, TenantPage};
use crate::web::pages::{param, planning, query};

/// Sites a map shows at most (the API pages further).
const MAP_LIMIT: i32 = 1000;
/// Equipment a site's page lists (search narrows further).
const EQUIPMENT_LIMIT: i32 = 100;

macro_rules! session_or_return {
    ($ctx:expr) => {
        match $ctx.session() {
            Ok(s) => s,
            Err(r) => return *r,
        }
    };
}

/// What the maps' script reads from the page.
#[derive(Debug, Serialize)]
struct MapSetting<'a> {
    tiles: &'a str,
    attribution: &'a str,
}

fn map_setting(ctx: &Ctx) -> MapSetting<'_> {
    MapSetting {
        tiles: &ctx.state.map.url,
        attribution: &ctx.state.map.attribution,
    }
}

/// An equipment's status as a page names it: its class and words.
fn status_of(e: &Equipment) -> &'static str {
    match e.last_inspection.as_ref().map(|l| l.result) {
        Some(InspectionResult::Conforming) => "conforming",
        Some(InspectionResult::NonConforming) => "non_conforming",
        None => "none",
    }
}

#[derive(Debug, Serialize)]
struct ShownEquipment {
    #[serde(flatten)]
    equipment: Equipment,
    status: &'static str,
    inspected: String,
}

fn shown(ctx: &Ctx, e: Equipment) -> ShownEquipment {
    ShownEquipment {
        status: status_of(&e),
        inspected: e
            .last_inspection
            .as_ref()
            .map(|l| planning::at_text(ctx.zone(), l.date))
            .unwrap_or_default(),
        equipment: e,
    }
}

/// `/sites` (`?q=` searches, staff `?customer_id=` narrows to one customer).
pub async fn sites(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let s = session_or_return!(ctx);
    let q = query(raw.as_deref(), "q");
    let customer_id = if s.is_staff() {
        query(raw.as_deref(), "customer_id")
    } else {
        String::new()
    };
    let req = s.caller.request(id::ListSitesRequest {
        customer_id,
        q: q.chars().take(200).collect(),
        limit: MAP_LIMIT,
        cursor: String::new(),
    });
    let answer = match ctx.state.identity.clone().list_sites(req).await {
        Ok(a) => a.into_inner(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let sites: Vec<SiteItem> = answer.items.into_iter().map(Into::into).collect();
    let placed = sites.iter().filter(|s| s.latitude.is_some()).count();
    ctx.render(
        StatusCode::OK,
        "sites.html",
        &json!({
            "sites": sites, "q": q, "placed": placed,
            "more": !answer.next_cursor.is_empty(), "map": map_setting(&ctx),
        }),
    )
}

/// A bar of the site's equipment by status, as SVG widths (no inline style
/// may be used: the content policy forbids it).
#[derive(Debug, Serialize)]
struct Bar {
    status: &'static str,
    count: i32,
    x: f64,
    width: f64,
}

fn bars(s: &SiteSummary) -> Vec<Bar> {
    let total = f64::from(s.equipment.max(1));
    let mut x = 0.0;
    [
        ("conforming", s.conforming),
        ("non_conforming", s.non_conforming),
        ("none", s.never_inspected),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(status, count)| {
        let width = f64::from(count) * 100.0 / total;
        let bar = Bar {
            status,
            count,
            x,
            width,
        };
        x += width;
        bar
    })
    .collect()
}

/// What a site's status block shows (the site page, the home dashboard):
/// the summary, its bar, and the last and next inspection in words.
pub(crate) fn status_values(ctx: &Ctx, summary: Option<SiteSummary>) -> serde_json::Value {
    let next_inspection = summary
        .as_ref()
        .and_then(|x| x.next_inspection.as_ref())
        .map(|n| match n.start {
            Some(_) => planning::at_text(ctx.zone(), n.start),
            None => n.due.chars().take(7).collect(),
        })
        .unwrap_or_default();
    let last_inspected = summary
        .as_ref()
        .and_then(|x| x.last_inspection.as_ref())
        .map(|l| planning::at_text(ctx.zone(), l.date))
        .unwrap_or_default();
    json!({
        "bars": summary.as_ref().map(bars), "summary": summary,
        "last_inspected": last_inspected, "next_inspection": next_inspection,
    })
}

/// A site's summary from work-orders; `None` when it does not answer.
pub(crate) async fn summary_of(ctx: &Ctx, s: &Session, site_id: &str) -> Option<SiteSummary> {
    ctx.state
        .equipment
        .clone()
        .get_site_summary(s.caller.request(wo::GetSiteSummaryRequest {
            site_id: site_id.to_owned(),
        }))
        .await
        .ok()
        .map(|x| x.into_inner().into())
}

/// `/sites/go?site_id=`: the site selector's target.
pub async fn go(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let mut p = HashMap::new();
    p.insert("id".to_owned(), query(raw.as_deref(), "site_id"));
    match param(&p, "id") {
        Some(id) => ctx.redirect(&format!("{}/sites/{id}", ctx.base)),
        None => ctx.fail(StatusCode::NOT_FOUND, "error-not-found"),
    }
}

/// `/sites/{id}`: the site, its inspection status, equipment and requests.
pub async fn site(
    TenantPage(ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(site_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let q: String = query(raw.as_deref(), "q").chars().take(200).collect();
    site_page(&ctx, &site_id, q, StatusCode::OK, json!({})).await
}

/// The site's page; `extra` adds a form's error and what was typed.
pub(crate) async fn site_page(
    ctx: &Ctx,
    site_id: &str,
    q: String,
    status: StatusCode,
    extra: serde_json::Value,
) -> Response {
    let s = session_or_return!(ctx);
    let site_id = site_id.to_owned();
    let got = ctx
        .state
        .identity
        .clone()
        .get_site(s.caller.request(id::GetSiteRequest {
            tenant_id: s.caller.claims.tid.to_string(),
            site_id: site_id.clone(),
        }))
        .await;
    let site: SiteItem = match got {
        Ok(x) => x.into_inner().into(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let mut equipment_client = ctx.state.equipment.clone();
    let mut documents_client = ctx.state.documents.clone();
    let mut sites_client = ctx.state.identity.clone();
    let mut contacts_client = ctx.state.identity.clone();
    let mut quotes_client = ctx.state.documents.clone();
    let mut invoices_client = ctx.state.documents.clone();
    let (summary, equipment, requests, documents, others, contacts, quotes, invoices) = tokio::join!(
        summary_of(ctx, s, &site_id),
        equipment_client.list_equipment(s.caller.request(wo::ListEquipmentRequest {
            site_id: site_id.clone(),
            customer_id: String::new(),
            q: q.clone(),
            limit: EQUIPMENT_LIMIT,
            cursor: String::new(),
        })),
        site_requests(ctx, s, &site_id),
        documents_client.list_documents(s.caller.request(
            portal_proto::documents::v1::ListDocumentsRequest {
                site_id: site_id.clone(),
                limit: 10,
                ..Default::default()
            }
        )),
        sites_client.list_sites(s.caller.request(id::ListSitesRequest {
            customer_id: if s.is_staff() {
                site.customer_id.clone()
            } else {
                String::new()
            },
            limit: 200,
            ..Default::default()
        })),
        contacts_client.list_contacts(s.caller.request(id::ListContactsRequest {
            customer_id: site.customer_id.clone(),
            mine: false,
        })),
        quotes_client.list_quotes(s.caller.request(
            portal_proto::documents::v1::ListQuotesRequest {
                site_id: site_id.clone(),
                limit: 10,
                ..Default::default()
            }
        )),
        invoices_client.list_invoices(s.caller.request(
            portal_proto::documents::v1::ListInvoicesRequest {
                site_id: site_id.clone(),
                limit: 10,
                ..Default::default()
            }
        )),
    );
    let invoices: Vec<serde_json::Value> = invoices
        .map(|i| i.into_inner().items)
        .unwrap_or_default()
        .into_iter()
        .map(crate::web::pages::invoices::shown)
        .collect();
    // Quotes come from documents: without it the page still shows the site.
    let quotes: Vec<serde_json::Value> = quotes
        .map(|q| q.into_inner().items)
        .unwrap_or_default()
        .into_iter()
        .map(|q| {
            let total = format!("{:.2} {}", q.total_minor as f64 / 100.0, q.currency);
            json!({"id": q.id, "title": q.title, "status": q.status, "total": total,
                   "valid_until": q.valid_until})
        })
        .collect();
    // The people of this site: those narrowed to it and those who see the
    // whole customer.
    let contacts: Vec<serde_json::Value> = contacts
        .map(|c| c.into_inner().items)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.site_ids.is_empty() || c.site_ids.contains(&site_id))
        .map(|c| json!({"id": c.id, "name": c.name, "email": c.email, "whole_customer": c.site_ids.is_empty()}))
        .collect();
    let documents: Vec<serde_json::Value> = documents
        .map(|d| d.into_inner().items)
        .unwrap_or_default()
        .into_iter()
        .map(|d| {
            let d = crate::views::Document::from(d);
            json!({"id": d.id, "title": d.title, "kind": d.kind,
                   "created": planning::at_text(ctx.zone(), d.created_at)})
        })
        .collect();
    let other_sites: Vec<serde_json::Value> = others
        .map(|o| o.into_inner().items)
        .unwrap_or_default()
        .into_iter()
        .map(|o| json!({"id": o.id, "name": o.name}))
        .collect();
    // Equipment and its status come from work-orders: without it the page
    // still shows the site.
    let equipment: Vec<ShownEquipment> = equipment
        .map(|x| {
            x.into_inner()
                .items
                .into_iter()
                .map(|e| shown(ctx, e.into()))
                .collect()
        })
        .unwrap_or_default();
    // Staff who manage see the plans (with their forms); contacts the date.
    let plans = if s.is_manager() {
        ctx.state
            .equipment
            .clone()
            .list_inspection_plans(s.caller.request(wo::ListInspectionPlansRequest {
                site_id: site_id.clone(),
            }))
            .await
            .map(|x| x.into_inner().items)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let fields: Vec<serde_json::Value> = if s.is_manager() {
        ctx.state
            .equipment
            .clone()
            .get_equipment_settings(s.caller.request(wo::GetEquipmentSettingsRequest {}))
            .await
            .map(|x| {
                x.into_inner()
                    .fields
                    .into_iter()
                    .map(|f| json!({"key": f.key, "label": f.label}))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let site_form = json!({"name": site.name, "address": site.address,
        "latitude": site.latitude, "longitude": site.longitude});
    let mut values = json!({
        "site": site, "documents": documents, "other_sites": other_sites, "contacts": contacts, "quotes": quotes, "invoices": invoices,
        "equipment": equipment, "q": q, "site_form": site_form, "fields": fields,
        "plans": plans.iter().map(|p| json!({"id": p.id, "title": p.title, "every_months": p.every_months,
            "next_due": p.next_due, "active": p.active})).collect::<Vec<_>>(),
        "requests": requests, "map": map_setting(ctx),
    });
    if let (Some(v), Some(Value::Object(st))) =
        (values.as_object_mut(), Some(status_values(ctx, summary)))
    {
        v.extend(st);
    }
    if let (Some(v), Some(e)) = (values.as_object_mut(), extra.as_object()) {
        v.extend(e.clone());
    }
    ctx.page(status, "site.html", values)
}

/// The site's latest requests (contacts: theirs in scope; staff: all).
async fn site_requests(ctx: &Ctx, s: &Session, site_id: &str) -> Vec<serde_json::Value> {
    let req = s.caller.request(rq::ListRequestsRequest {
        site_id: site_id.to_owned(),
        limit: 10,
        ..Default::default()
    });
    match ctx.state.requests.clone().list_requests(req).await {
        Ok(r) => r
            .into_inner()
            .items
            .into_iter()
            .map(|r| {
                let v = RequestView::from(r);
                json!({"id": v.id, "title": v.title, "status": v.status,
                       "created": planning::at_text(ctx.zone(), v.created_at)})
            })
            .collect(),
        Err(e) => {
            tracing::debug!(error = %e, "site requests not shown");
            Vec::new()
        }
    }
}

/// `/equipment/{id}`: its status, facts, inspections and work history.
pub async fn equipment(
    TenantPage(ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
) -> Response {
    let Some(equipment_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    equipment_page(&ctx, &equipment_id, StatusCode::OK, json!({})).await
}

/// The equipment's page; `extra` adds the edit form's error.
pub(crate) async fn equipment_page(
    ctx: &Ctx,
    equipment_id: &str,
    status: StatusCode,
    extra: serde_json::Value,
) -> Response {
    let equipment_id = equipment_id.to_owned();
    // A scanned label lands here: after login, back to this equipment.
    let s = match ctx.session_or_login(&format!("{}/equipment/{equipment_id}", ctx.base)) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let got = ctx
        .state
        .equipment
        .clone()
        .get_equipment(
            s.caller
                .request(wo::GetEquipmentRequest { id: equipment_id }),
        )
        .await;
    let detail = match got.map(|d| EquipmentDetail::from_pb(d.into_inner())) {
        Ok(Some(d)) => d,
        Ok(None) => return ctx.fail(StatusCode::NOT_FOUND, "error-not-found"),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let site = ctx
        .state
        .identity
        .clone()
        .get_site(s.caller.request(id::GetSiteRequest {
            tenant_id: s.caller.claims.tid.to_string(),
            site_id: detail.equipment.site_id.clone(),
        }))
        .await
        .map(|x| SiteItem::from(x.into_inner()))
        .ok();
    let defined: Vec<(String, String)> = ctx
        .state
        .equipment
        .clone()
        .get_equipment_settings(s.caller.request(wo::GetEquipmentSettingsRequest {}))
        .await
        .map(|x| {
            x.into_inner()
                .fields
                .into_iter()
                .map(|f| (f.key, f.label))
                .collect()
        })
        .unwrap_or_default();
    let labels: HashMap<String, String> = defined.iter().cloned().collect();
    let fields: Vec<(String, String)> = detail
        .equipment
        .custom_fields
        .iter()
        .map(|(k, v)| {
            (
                labels.get(k).cloned().unwrap_or_else(|| k.clone()),
                v.clone(),
            )
        })
        .collect();
    let zone = ctx.zone();
    let inspections: Vec<serde_json::Value> = detail
        .inspections
        .iter()
        .map(|i| {
            json!({"result": i.result.map(InspectionResult::as_str), "remarks": i.remarks,
                   "checklist": i.checklist, "by": i.by, "date": planning::at_text(zone, i.date),
                   "work_order_id": i.work_order_id})
        })
        .collect();
    let work: Vec<serde_json::Value> = detail
        .work_orders
        .iter()
        .map(|w| {
            json!({"id": w.id, "request_id": w.request_id, "title": w.title, "status": w.status,
                   "when": planning::window_text(zone, w.start, w.end),
                   "done": planning::at_text(zone, w.completed_at)})
        })
        .collect();
    let checklist = detail.checklist.clone();
    // Its certificates, photos and files (E1, B3).
    let documents: Vec<serde_json::Value> = ctx
        .state
        .documents
        .clone()
        .list_documents(
            s.caller
                .request(portal_proto::documents::v1::ListDocumentsRequest {
                    equipment_id: detail.equipment.id.clone(),
                    limit: 50,
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
                   "created": planning::at_text(zone, d.created_at)})
        })
        .collect();
    // The edit form: every field the tenant defines, with this one's value.
    let editable: Vec<serde_json::Value> = defined
        .iter()
        .map(|(key, label)| {
            json!({"key": key, "label": label,
                   "value": detail.equipment.custom_fields.get(key).cloned().unwrap_or_default()})
        })
        .collect();
    let item = shown(ctx, detail.equipment);
    let mut values = json!({
        "item": item, "site": site, "fields": fields, "inspections": inspections,
        "work": work, "checklist": checklist, "editable": editable, "documents": documents,
    });
    if let (Some(v), Some(e)) = (values.as_object_mut(), extra.as_object()) {
        v.extend(e.clone());
    }
    ctx.page(status, "equipment.html", values)
}

/// `GET /sites/export.(csv|xlsx)` and `/sites/{id}/equipment.(csv|xlsx)`
/// (E5): the API's downloads with the session.
async fn export(ctx: Ctx, site_id: Option<String>, xlsx: bool) -> Response {
    let s = session_or_return!(ctx);
    let state = axum::extract::State(ctx.state.clone());
    let caller = crate::web::pages::requests::api_caller(s);
    let res = match site_id {
        None => {
            let f = crate::views::SiteFilter {
                customer_id: None,
                q: None,
                limit: None,
                cursor: None,
            };
            let query = crate::extract::ApiQuery(f);
            if xlsx {
                crate::routes::equipment_exports::sites_xlsx(state, caller, query).await
            } else {
                crate::routes::equipment_exports::sites_csv(state, caller, query).await
            }
        }
        Some(site) => {
            let Ok(site) = site.parse() else {
                return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
            };
            let f = crate::views::EquipmentFilter {
                site_id: Some(site),
                customer_id: None,
                q: None,
                limit: None,
                cursor: None,
            };
            let query = crate::extract::ApiQuery(f);
            if xlsx {
                crate::routes::equipment_exports::equipment_xlsx(state, caller, query).await
            } else {
                crate::routes::equipment_exports::equipment_csv(state, caller, query).await
            }
        }
    };
    res.unwrap_or_else(|p| crate::web::pages::requests::problem_page(&ctx, p))
}

pub async fn sites_csv(TenantPage(ctx): TenantPage) -> Response {
    export(ctx, None, false).await
}

pub async fn sites_xlsx(TenantPage(ctx): TenantPage) -> Response {
    export(ctx, None, true).await
}

pub async fn equipment_csv(
    TenantPage(ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
) -> Response {
    let site = param(&p, "id");
    export(ctx, Some(site.unwrap_or_default()), false).await
}

pub async fn equipment_xlsx(
    TenantPage(ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
) -> Response {
    let site = param(&p, "id");
    export(ctx, Some(site.unwrap_or_default()), true).await
}

/// The equipment a request form offers, grouped by site (C7): the caller's
/// scope, at most one page; none when work-orders does not answer.
pub async fn equipment_by_site(
    ctx: &Ctx,
    s: &Session,
    sites: &[id::Site],
) -> Vec<serde_json::Value> {
    if sites.is_empty() {
        return Vec::new();
    }
    let req = s.caller.request(wo::ListEquipmentRequest {
        limit: EQUIPMENT_LIMIT,
        ..Default::default()
    });
    let items = match ctx.state.equipment.clone().list_equipment(req).await {
        Ok(r) => r.into_inner().items,
        Err(e) => {
            tracing::debug!(error = %e, "equipment not offered");
            return Vec::new();
        }
    };
    sites
        .iter()
        .filter_map(|site| {
            let of_site: Vec<_> = items
                .iter()
                .filter(|e| e.site_id == site.id)
                .map(|e| json!({"id": e.id, "name": e.name, "serial_number": e.serial_number, "site_id": e.site_id}))
                .collect();
            (!of_site.is_empty()).then(|| json!({"site": site.name, "items": of_site}))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_share_the_width_by_status() {
        let s = SiteSummary {
            site_id: String::new(),
            equipment: 4,
            conforming: 2,
            non_conforming: 1,
            never_inspected: 1,
            last_inspection: None,
            next_inspection: None,
        };
        let b = bars(&s);
        assert_eq!(b.len(), 3);
        assert_eq!((b[0].x, b[0].width), (0.0, 50.0));
        assert_eq!((b[1].x, b[1].width), (50.0, 25.0));
        assert_eq!((b[2].x, b[2].width), (75.0, 25.0));
        let empty = SiteSummary {
            equipment: 0,
            conforming: 0,
            non_conforming: 0,
            never_inspected: 0,
            ..s
        };
        assert!(bars(&empty).is_empty());
    }
}
