//! Imports (G1): a CSV or Excel file of customers, sites, contacts or
//! equipment, checked whole and written whole or not at all by the service
//! that owns the rows; `?dry_run=true` is the preview.
use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_proto::identity::v1 as id;
use portal_proto::work_orders::v1 as wo;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{ApiMultipart, ApiPath, ApiQuery, Caller};
use crate::import_file::{self, Kind, Row};
use crate::problem::Problem;
use crate::state::AppState;
use crate::web::multipart;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check every row and write nothing (the preview).
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefusedRow {
    /// The row's line in the file (the header is line 1).
    pub line: i32,
    pub reason: String,
}

/// What an import found and did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportResult {
    pub kind: String,
    /// Data rows read.
    pub rows: i32,
    /// Rows refused, and why; any refusal means nothing was written.
    pub refused: Vec<RefusedRow>,
    /// Whether the rows were written (none refused, not a preview).
    pub written: bool,
}

#[utoipa::path(post, path = "/api/v1/imports/{kind}", operation_id = "import_rows",
    params(("kind" = String, Path, description = "customers, sites, contacts or equipment"), ImportQuery),
    request_body(content_type = "multipart/form-data", description = "`file`: CSV (UTF-8, comma or semicolon) or Excel (.xlsx, the first sheet); the first row names the columns"),
    responses((status = 200, description = "the report; rows are written only when none is refused and it is not a preview", body = ImportResult),
        (status = 400, description = "the file is unusable: unknown or missing column, a formula, more than 10 000 rows, not CSV or Excel", body = Problem),
        (status = 403, body = Problem), (status = 404, description = "no such kind", body = Problem),
        (status = 413, description = "the file is over the upload limit", body = Problem)),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    ApiMultipart(body): ApiMultipart,
) -> Result<Json<ImportResult>, Problem> {
    let kind = Kind::parse(&kind).ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "imports are of customers, sites, contacts or equipment",
        )
    })?;
    let form = multipart::read_api(&state, body).await?;
    let file = form
        .files
        .into_iter()
        .find(|f| f.field == "file")
        .ok_or_else(|| Problem::invalid("a multipart field named 'file' is required"))?;
    if file.too_large {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "the file is over the upload limit",
        ));
    }
    let (bytes, _permit) = file
        .bytes(&state.upload_slots)
        .await
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let rows = import_file::read(kind, &bytes).map_err(Problem::invalid)?;
    drop(bytes);
    Ok(Json(run(&state, &caller, kind, rows, q.dry_run).await?))
}

/// Sends the rows to their service and says what came of it.
pub async fn run(
    state: &AppState,
    caller: &Caller,
    kind: Kind,
    rows: Vec<Row>,
    dry_run: bool,
) -> Result<ImportResult, Problem> {
    let refused_of = |refused: Vec<(i32, String)>| {
        refused
            .into_iter()
            .map(|(line, reason)| RefusedRow { line, reason })
            .collect::<Vec<_>>()
    };
    let (rows, refused, written) = match kind {
        Kind::Equipment => equipment(state, caller, rows, dry_run).await?,
        _ => {
            let kind_pb = match kind {
                Kind::Customers => id::ImportKind::Customers,
                Kind::Sites => id::ImportKind::Sites,
                _ => id::ImportKind::Contacts,
            };
            let r = state
                .identity
                .clone()
                .import_directory(
                    caller.request(id::ImportDirectoryRequest {
                        kind: kind_pb.into(),
                        rows: rows
                            .into_iter()
                            .map(|r| id::ImportRow {
                                line: r.line,
                                cells: r.cells,
                            })
                            .collect(),
                        dry_run,
                    }),
                )
                .await?
                .into_inner();
            (
                r.rows,
                r.refused.into_iter().map(|x| (x.line, x.reason)).collect(),
                r.written,
            )
        }
    };
    Ok(ImportResult {
        kind: kind.as_str().to_owned(),
        rows,
        refused: refused_of(refused),
        written,
    })
}

/// Equipment rows name their site by customer number and site name: the
/// gateway finds it among the caller's sites (another customer's site of
/// that name is not it), work-orders checks and writes.
async fn equipment(
    state: &AppState,
    caller: &Caller,
    rows: Vec<Row>,
    dry_run: bool,
) -> Result<(i32, Vec<(i32, String)>, bool), Problem> {
    let mut sites: HashMap<(String, String), String> = HashMap::new();
    let mut cursor = String::new();
    loop {
        let page = state
            .identity
            .clone()
            .list_sites(caller.request(id::ListSitesRequest {
                limit: 1000,
                cursor: cursor.clone(),
                ..Default::default()
            }))
            .await?
            .into_inner();
        for s in page.items {
            sites.insert((s.customer_number, s.name.to_lowercase()), s.id);
        }
        if page.next_cursor.is_empty() {
            break;
        }
        cursor = page.next_cursor;
    }
    let mut refused = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for mut row in rows {
        let customer = row.cells.remove("customer_number").unwrap_or_default();
        let site = row.cells.remove("site_name").unwrap_or_default();
        match sites.get(&(customer.clone(), site.to_lowercase())) {
            Some(site_id) => out.push(wo::EquipmentImportRow {
                line: row.line,
                site_id: site_id.clone(),
                cells: row.cells,
            }),
            None => refused.push((
                row.line,
                format!("customer '{customer}' has no site named '{site}'"),
            )),
        }
    }
    let total = out.len() + refused.len();
    let r = state
        .equipment
        .clone()
        .import_equipment(caller.request(wo::ImportEquipmentRequest {
            rows: out,
            dry_run: dry_run || !refused.is_empty(),
        }))
        .await?
        .into_inner();
    refused.extend(r.refused.into_iter().map(|x| (x.line, x.reason)));
    refused.sort_by_key(|x| x.0);
    Ok((i32::try_from(total).unwrap_or(i32::MAX), refused, r.written))
}
