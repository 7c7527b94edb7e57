//! The contact's appointments as CSV or Excel (E5). A contact's list is
//! short (their customer's planned and done work), so it is read whole,
//! page by page, up to `MAX_ROWS`, and written in memory; the request
//! exports, which can hold a million rows, stream instead.
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_proto::work_orders::v1 as pb;

use crate::extract::{ApiQuery, Caller};
use crate::problem::Problem;
use crate::routes::exports::{csv_line, defused};
use crate::state::AppState;
use crate::views::{Appointment, AppointmentFilter, AppointmentsWhen};

pub const COLUMNS: [&str; 8] = [
    "work_order_id",
    "title",
    "status",
    "site_id",
    "start",
    "end",
    "technicians",
    "completed_at",
];
const MAX_ROWS: usize = 5_000;

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn row(a: &Appointment) -> [String; 8] {
    [
        a.work_order_id.clone(),
        a.title.clone(),
        a.status.as_str().to_owned(),
        a.site_id.clone(),
        time(a.start),
        time(a.end),
        a.technicians
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        time(a.completed_at),
    ]
}

/// Every appointment the filter shows, in the list's order.
async fn all(
    state: &AppState,
    caller: &Caller,
    f: AppointmentFilter,
) -> Result<Vec<Appointment>, Problem> {
    let when = AppointmentsWhen::to_pb(f.when);
    let mut items = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = state
            .work_orders
            .clone()
            .list_appointments(caller.request(pb::ListAppointmentsRequest {
                when: when.into(),
                limit: 100,
                cursor: cursor.clone(),
            }))
            .await?
            .into_inner();
        items.extend(page.items.into_iter().map(Appointment::from));
        if items.len() > MAX_ROWS {
            return Err(Problem::invalid(format!(
                "more than {MAX_ROWS} appointments: download upcoming and done separately"
            )));
        }
        if page.next_cursor.is_empty() {
            return Ok(items);
        }
        cursor = page.next_cursor;
    }
}

fn download(content_type: &'static str, file: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static(file)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

#[utoipa::path(get, path = "/api/v1/appointments/export.csv", operation_id = "export_appointments_csv", params(AppointmentFilter),
    responses((status = 200, description = "the appointments the filter shows, as CSV", content_type = "text/csv"),
        (status = 400, body = Problem), (status = 403, description = "staff use /work-orders", body = Problem)),
    security(("bearer" = [])))]
pub async fn csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<AppointmentFilter>,
) -> Result<Response, Problem> {
    let internal =
        |e: csv::Error| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string());
    let items = all(&state, &caller, f).await?;
    let mut body = csv_line(COLUMNS.iter().map(|c| (*c).to_owned()))
        .map_err(internal)?
        .to_vec();
    for a in &items {
        body.extend_from_slice(&csv_line(row(a)).map_err(internal)?);
    }
    Ok(download(
        "text/csv; charset=utf-8",
        "attachment; filename=\"appointments.csv\"",
        body,
    ))
}

#[utoipa::path(get, path = "/api/v1/appointments/export.xlsx", operation_id = "export_appointments_xlsx", params(AppointmentFilter),
    responses((status = 200, description = "the appointments the filter shows, as an Excel workbook",
               content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = Problem), (status = 403, description = "staff use /work-orders", body = Problem)),
    security(("bearer" = [])))]
pub async fn xlsx(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<AppointmentFilter>,
) -> Result<Response, Problem> {
    let items = all(&state, &caller, f).await?;
    let body = tokio::task::spawn_blocking(move || workbook(&items))
        .await
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "attachment; filename=\"appointments.xlsx\"",
        body,
    ))
}

fn workbook(items: &[Appointment]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, name) in (0u16..).zip(COLUMNS) {
        sheet.write_string(0, col, name)?;
    }
    for (r, a) in (1u32..).zip(items) {
        for (col, cell) in (0u16..).zip(row(a)) {
            sheet.write_string(r, col, defused(cell))?;
        }
    }
    book.save_to_buffer()
}
