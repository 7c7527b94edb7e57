//! Equipment and sites as CSV and Excel (E5), within the caller's scope and
//! filter. Read page by page from their services and written as they come:
//! CSV streams out row by row, Excel through the constant-memory writer, so
//! 50 000 equipment are never whole in memory.
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use futures::{Stream, StreamExt};
use portal_proto::identity::v1 as id;
use portal_proto::work_orders::v1 as wo;

use crate::extract::{ApiQuery, Caller};
use crate::problem::Problem;
use crate::routes::exports::{XlsxFeed, all_pages, csv_line, download_headers};
use crate::state::AppState;
use crate::views::{EquipmentFilter, InspectionResult, SiteFilter};

const EQUIPMENT_COLUMNS: [&str; 13] = [
    "id",
    "customer_id",
    "site_id",
    "kind",
    "name",
    "make",
    "model",
    "serial_number",
    "location",
    "installed_on",
    "last_result",
    "last_inspected_at",
    "created_at",
];
const SITE_COLUMNS: [&str; 7] = [
    "id",
    "customer_id",
    "customer_name",
    "name",
    "address",
    "latitude",
    "longitude",
];

fn time(t: Option<&prost_types::Timestamp>) -> String {
    t.and_then(portal_platform::time::from_proto)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// One equipment's cells: the fixed columns, then the tenant's fields in
/// the settings' order.
fn equipment_row(e: &wo::Equipment, fields: &[String]) -> Vec<String> {
    let last = e.last_inspection.as_ref();
    let mut cells = vec![
        e.id.clone(),
        e.customer_id.clone(),
        e.site_id.clone(),
        e.kind.clone(),
        e.name.clone(),
        e.make.clone(),
        e.model.clone(),
        e.serial_number.clone(),
        e.location.clone(),
        e.installed_on.clone(),
        last.and_then(|l| InspectionResult::from_pb(l.result))
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
        time(last.and_then(|l| l.at.as_ref())),
        time(e.created_at.as_ref()),
    ];
    cells.extend(
        fields
            .iter()
            .map(|k| e.custom_fields.get(k).cloned().unwrap_or_default()),
    );
    cells
}

fn site_row(s: &id::Site) -> Vec<String> {
    vec![
        s.id.clone(),
        s.customer_id.clone(),
        s.customer_name.clone(),
        s.name.clone(),
        s.address.clone(),
        s.latitude.map(|l| l.to_string()).unwrap_or_default(),
        s.longitude.map(|l| l.to_string()).unwrap_or_default(),
    ]
}

/// The keys of the tenant's own fields, as extra columns.
async fn field_keys(state: &AppState, caller: &Caller) -> Result<Vec<String>, Problem> {
    Ok(state
        .equipment
        .clone()
        .get_equipment_settings(caller.request(wo::GetEquipmentSettingsRequest {}))
        .await?
        .into_inner()
        .fields
        .into_iter()
        .map(|f| f.key)
        .collect())
}

/// Every page of the equipment list the filter shows.
async fn equipment_pages(
    state: &AppState,
    caller: &Caller,
    f: EquipmentFilter,
) -> Result<impl Stream<Item = Result<Vec<wo::Equipment>, tonic::Status>> + use<>, Problem> {
    let base = wo::ListEquipmentRequest {
        site_id: f.site_id.map(|s| s.to_string()).unwrap_or_default(),
        customer_id: f.customer_id.map(|c| c.to_string()).unwrap_or_default(),
        q: f.q.unwrap_or_default(),
        limit: 100,
        cursor: String::new(),
    };
    let (client, caller) = (state.equipment.clone(), caller.clone());
    all_pages(move |cursor| {
        let (mut client, caller) = (client.clone(), caller.clone());
        let req = wo::ListEquipmentRequest {
            cursor,
            ..base.clone()
        };
        async move {
            let page = client
                .list_equipment(caller.request(req))
                .await?
                .into_inner();
            Ok((page.items, page.next_cursor))
        }
    })
    .await
}

/// Every page of the site list the filter shows.
async fn site_pages(
    state: &AppState,
    caller: &Caller,
    f: SiteFilter,
) -> Result<impl Stream<Item = Result<Vec<id::Site>, tonic::Status>> + use<>, Problem> {
    let base = id::ListSitesRequest {
        customer_id: f.customer_id.map(|c| c.to_string()).unwrap_or_default(),
        q: f.q.unwrap_or_default(),
        limit: 1000,
        cursor: String::new(),
    };
    let (client, caller) = (state.identity.clone(), caller.clone());
    all_pages(move |cursor| {
        let (mut client, caller) = (client.clone(), caller.clone());
        let req = id::ListSitesRequest {
            cursor,
            ..base.clone()
        };
        async move {
            let page = client.list_sites(caller.request(req)).await?.into_inner();
            Ok((page.items, page.next_cursor))
        }
    })
    .await
}

fn header(columns: &[String]) -> Result<bytes::Bytes, Problem> {
    csv_line(columns.iter().cloned())
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))
}

fn csv_response<S>(head: bytes::Bytes, lines: S, disposition: &'static str) -> Response
where
    S: Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static,
{
    let body = futures::stream::once(async move { Ok::<_, std::io::Error>(head) }).chain(lines);
    let mut res = Response::new(Body::from_stream(body));
    download_headers(&mut res, "text/csv; charset=utf-8", disposition);
    res
}

fn equipment_columns(fields: &[String]) -> Vec<String> {
    EQUIPMENT_COLUMNS
        .iter()
        .map(|c| (*c).to_owned())
        .chain(fields.iter().map(|k| format!("field:{k}")))
        .collect()
}

#[utoipa::path(get, path = "/api/v1/equipment/export.csv", operation_id = "export_equipment_csv", params(EquipmentFilter),
    responses((status = 200, description = "every equipment the filter shows in the caller's scope, as CSV; the tenant's fields as `field:<key>` columns", content_type = "text/csv"),
        (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn equipment_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<EquipmentFilter>,
) -> Result<Response, Problem> {
    let fields = field_keys(&state, &caller).await?;
    let head = header(&equipment_columns(&fields))?;
    let pages = equipment_pages(&state, &caller, f).await?;
    let lines = pages.flat_map(move |page| {
        let lines: Vec<std::io::Result<bytes::Bytes>> = match page {
            Ok(items) => items
                .iter()
                .map(|e| csv_line(equipment_row(e, &fields)).map_err(std::io::Error::other))
                .collect(),
            Err(e) => vec![Err(std::io::Error::other(e))],
        };
        futures::stream::iter(lines)
    });
    Ok(csv_response(
        head,
        lines,
        "attachment; filename=\"equipment.csv\"",
    ))
}

#[utoipa::path(get, path = "/api/v1/equipment/export.xlsx", operation_id = "export_equipment_xlsx", params(EquipmentFilter),
    responses((status = 200, description = "the same as an Excel workbook",
               content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn equipment_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<EquipmentFilter>,
) -> Result<Response, Problem> {
    let fields = field_keys(&state, &caller).await?;
    let mut pages = Box::pin(equipment_pages(&state, &caller, f).await?);
    let mut feed = XlsxFeed::start("Equipment", equipment_columns(&fields));
    while let Some(page) = pages.next().await {
        for e in page? {
            if !feed.send(equipment_row(&e, &fields)).await? {
                break;
            }
        }
    }
    feed.finish("attachment; filename=\"equipment.xlsx\"").await
}

#[utoipa::path(get, path = "/api/v1/sites/export.csv", operation_id = "export_sites_csv", params(SiteFilter),
    responses((status = 200, description = "every site the filter shows in the caller's scope, as CSV", content_type = "text/csv"),
        (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn sites_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<SiteFilter>,
) -> Result<Response, Problem> {
    let columns: Vec<String> = SITE_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    let head = header(&columns)?;
    let pages = site_pages(&state, &caller, f).await?;
    let lines = pages.flat_map(|page| {
        let lines: Vec<std::io::Result<bytes::Bytes>> = match page {
            Ok(items) => items
                .iter()
                .map(|s| csv_line(site_row(s)).map_err(std::io::Error::other))
                .collect(),
            Err(e) => vec![Err(std::io::Error::other(e))],
        };
        futures::stream::iter(lines)
    });
    Ok(csv_response(
        head,
        lines,
        "attachment; filename=\"sites.csv\"",
    ))
}

#[utoipa::path(get, path = "/api/v1/sites/export.xlsx", operation_id = "export_sites_xlsx", params(SiteFilter),
    responses((status = 200, description = "the same as an Excel workbook",
               content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn sites_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<SiteFilter>,
) -> Result<Response, Problem> {
    let mut pages = Box::pin(site_pages(&state, &caller, f).await?);
    let mut feed = XlsxFeed::start(
        "Sites",
        SITE_COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
    );
    while let Some(page) = pages.next().await {
        for s in page? {
            if !feed.send(site_row(&s)).await? {
                break;
            }
        }
    }
    feed.finish("attachment; filename=\"sites.xlsx\"").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_equipment_row_has_its_status_and_the_tenants_fields_in_order() {
        let mut e = wo::Equipment {
            id: "e1".into(),
            name: "=HYPERLINK(\"x\")".into(),
            last_inspection: Some(wo::LastInspection {
                result: wo::InspectionResult::NonConforming.into(),
                at: None,
                work_order_id: String::new(),
            }),
            ..Default::default()
        };
        e.custom_fields.insert("b".into(), "2".into());
        let fields = vec!["a".to_owned(), "b".to_owned()];
        let row = equipment_row(&e, &fields);
        assert_eq!(row.len(), equipment_columns(&fields).len());
        assert_eq!(row[10], "non_conforming");
        assert_eq!(&row[13..], ["", "2"]);
        let line = csv_line(row).unwrap_or_default();
        assert!(
            String::from_utf8_lossy(&line).contains("'=HYPERLINK"),
            "defused"
        );
    }
}
