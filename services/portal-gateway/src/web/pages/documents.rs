//! Every paper of the relationship in one place (E1, E2): the documents of
//! the caller's scope, grouped by kind, filtered by kind, site and dates,
//! searched by title, each opened or downloaded.
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use portal_platform::time::to_proto;
use portal_proto::documents::v1 as docs;
use portal_proto::identity::v1 as id;
use serde_json::{Value, json};

use crate::views::{self, DocumentKind};
use crate::web::ctx::TenantPage;
use crate::web::pages::{planning, query};

/// The kinds in the order the page shows them.
const KINDS: [&str; 8] = [
    "quote",
    "invoice",
    "service_report",
    "certificate",
    "contract",
    "checklist",
    "incident_report",
    "attachment",
];

fn kind_of(s: &str) -> Option<DocumentKind> {
    serde_json::from_value(json!(s)).ok()
}

/// `GET /documents?kind=&site_id=&from=&to=&q=&cursor=`.
pub async fn list(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let raw = raw.as_deref();
    let kind = query(raw, "kind");
    let site_id = query(raw, "site_id");
    let q: String = query(raw, "q").chars().take(200).collect();
    let from = query(raw, "from");
    let to = query(raw, "to");
    let date = |v: &str| v.parse::<NaiveDate>().ok();
    let zone = ctx.zone();
    let req = docs::ListDocumentsRequest {
        kind: kind_of(&kind).map_or(0, |k| k.to_pb().into()),
        site_id: site_id.clone(),
        limit: 50,
        cursor: query(raw, "cursor"),
        q: q.clone(),
        created_from: date(&from).map(|d| to_proto(zone.midnight(d))),
        // The last day counts whole.
        created_before: date(&to).map(|d| to_proto(zone.midnight(d + chrono::Duration::days(1)))),
        ..Default::default()
    };
    let mut documents = ctx.state.documents.clone();
    let mut identity = ctx.state.identity.clone();
    let (found, sites) = tokio::join!(
        documents.list_documents(s.caller.request(req)),
        identity.list_sites(s.caller.request(id::ListSitesRequest {
            limit: 200,
            ..Default::default()
        })),
    );
    let found = match found {
        Ok(f) => f.into_inner(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let sites: Vec<(String, String)> = sites
        .map(|x| x.into_inner().items)
        .unwrap_or_default()
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let site_name = |id: &str| {
        sites
            .iter()
            .find(|(s, _)| s == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let items: Vec<views::Document> = found.items.into_iter().map(Into::into).collect();
    let groups: Vec<Value> = KINDS
        .iter()
        .filter_map(|k| {
            let docs: Vec<Value> = items
                .iter()
                .filter(|d| d.kind.map(|x| json!(x)) == Some(json!(k)))
                .map(|d| {
                    json!({"id": d.id, "title": d.title,
                        "site": d.site_id.as_deref().map(site_name).unwrap_or_default(),
                        "created": planning::at_text(zone, d.created_at)})
                })
                .collect();
            (!docs.is_empty()).then(|| json!({"kind": k, "documents": docs}))
        })
        .collect();
    let next = (!found.next_cursor.is_empty()).then(|| {
        serde_urlencoded::to_string([
            ("kind", kind.as_str()),
            ("site_id", site_id.as_str()),
            ("from", from.as_str()),
            ("to", to.as_str()),
            ("q", q.as_str()),
            ("cursor", found.next_cursor.as_str()),
        ])
        .unwrap_or_default()
    });
    let site_choices: Vec<Value> = sites
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect();
    // The downloads take the same filter.
    let filter_query = serde_urlencoded::to_string([
        ("kind", kind.as_str()),
        ("site_id", site_id.as_str()),
        ("from", from.as_str()),
        ("to", to.as_str()),
        ("q", q.as_str()),
    ])
    .unwrap_or_default();
    ctx.page(
        StatusCode::OK,
        "documents.html",
        json!({"groups": groups, "kinds": KINDS, "sites": site_choices, "next": next,
            "filter_query": filter_query,
            "filter": {"kind": kind, "site_id": site_id, "from": from, "to": to, "q": q}}),
    )
}

/// The page's filter as the API's (dates in the tenant's zone, the last
/// day whole).
fn api_filter(ctx: &crate::web::ctx::Ctx, raw: Option<&str>) -> views::DocumentFilter {
    let date = |v: String| v.parse::<NaiveDate>().ok();
    let zone = ctx.zone();
    let text = |v: String| Some(v).filter(|v| !v.is_empty());
    views::DocumentFilter {
        kind: kind_of(&query(raw, "kind")),
        site_id: query(raw, "site_id").parse().ok(),
        work_order_id: None,
        equipment_id: None,
        customer_id: None,
        q: text(query(raw, "q").chars().take(200).collect()),
        created_from: date(query(raw, "from")).map(|d| zone.midnight(d)),
        created_before: date(query(raw, "to"))
            .map(|d| zone.midnight(d + chrono::Duration::days(1))),
        limit: None,
        cursor: None,
    }
}

async fn export(ctx: crate::web::ctx::Ctx, raw: Option<String>, xlsx: bool) -> Response {
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let state = axum::extract::State(ctx.state.clone());
    let caller = crate::web::pages::requests::api_caller(s);
    let query = crate::extract::ApiQuery(api_filter(&ctx, raw.as_deref()));
    let res = if xlsx {
        crate::routes::document_exports::xlsx(state, caller, query).await
    } else {
        crate::routes::document_exports::csv(state, caller, query).await
    };
    res.unwrap_or_else(|p| crate::web::pages::requests::problem_page(&ctx, p))
}

/// `GET /documents/export.csv?<the page's filter>`.
pub async fn export_csv(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    export(ctx, raw, false).await
}

/// `GET /documents/export.xlsx?<the page's filter>`.
pub async fn export_xlsx(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    export(ctx, raw, true).await
}
