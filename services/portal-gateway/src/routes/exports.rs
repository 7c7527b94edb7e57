//! Downloads of what a request list's filter shows (E5): CSV streamed row
//! by row as the service streams them; Excel built in memory (the xlsx
//! format is a zip written at the end), off the async threads.
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use portal_platform::time::from_proto;
use portal_proto::requests::v1 as pb;

use crate::extract::{ApiQuery, Caller};
use crate::problem::Problem;
use crate::routes::requests::list_request;
use crate::state::AppState;
use crate::views::RequestFilter;

/// Columns of both downloads, in order.
pub const COLUMNS: [&str; 16] = [
    "id",
    "created_at",
    "status",
    "title",
    "description",
    "category",
    "priority",
    "severity",
    "site_id",
    "site_address",
    "contact_name",
    "contact_email",
    "assignee",
    "due_date",
    "work_order_id",
    "closed_at",
];
/// The most rows a worksheet holds, header included.
const XLSX_MAX_ROWS: usize = 1_048_575;

fn time(t: Option<&prost_types::Timestamp>) -> String {
    t.and_then(from_proto)
        .map(|t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn row(r: &pb::Request) -> [String; 16] {
    [
        r.id.clone(),
        time(r.created_at.as_ref()),
        r.status.clone(),
        r.title.clone(),
        r.description.clone(),
        r.category.clone(),
        r.priority.clone(),
        r.severity.clone(),
        r.site_id.clone(),
        r.site_address.clone(),
        r.contact_name.clone(),
        r.contact_email.clone(),
        r.assignee.clone(),
        time(r.due_date.as_ref()),
        r.work_order_id.clone(),
        time(r.closed_at.as_ref()),
    ]
}

/// A spreadsheet would run a cell starting with these as a formula
/// (CSV injection): such text gets a leading apostrophe.
fn defused(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn csv_line(cells: impl IntoIterator<Item = String>) -> Result<bytes::Bytes, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells.into_iter().map(defused))?;
    w.into_inner()
        .map(bytes::Bytes::from)
        .map_err(|e| csv::Error::from(e.into_error()))
}

fn attachment(res: &mut Response, content_type: &'static str, file: &'static str) {
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(match file {
            "csv" => "attachment; filename=\"requests.csv\"",
            _ => "attachment; filename=\"requests.xlsx\"",
        }),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

async fn rows(
    state: &AppState,
    caller: &Caller,
    f: RequestFilter,
) -> Result<tonic::Streaming<pb::Request>, Problem> {
    let mut req = list_request(f);
    req.limit = 0;
    req.cursor = String::new();
    Ok(state
        .requests
        .clone()
        .export_requests(caller.request(req))
        .await?
        .into_inner())
}

#[utoipa::path(get, path = "/api/v1/requests/export.csv", params(RequestFilter),
    responses((status = 200, description = "every request the filter shows, as CSV", content_type = "text/csv")),
    security(("bearer" = [])))]
pub async fn csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<RequestFilter>,
) -> Result<Response, Problem> {
    let stream = rows(&state, &caller, f).await?;
    let header = csv_line(COLUMNS.iter().map(|c| (*c).to_owned()))
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let body = futures::stream::once(async move { Ok::<_, std::io::Error>(header) }).chain(
        stream.map(|r| {
            let r = r.map_err(std::io::Error::other)?;
            csv_line(row(&r)).map_err(std::io::Error::other)
        }),
    );
    let mut res = Response::new(Body::from_stream(body));
    attachment(&mut res, "text/csv; charset=utf-8", "csv");
    Ok(res)
}

#[utoipa::path(get, path = "/api/v1/requests/export.xlsx", params(RequestFilter),
    responses((status = 200, description = "every request the filter shows, as an Excel workbook",
               content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    security(("bearer" = [])))]
pub async fn xlsx(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<RequestFilter>,
) -> Result<Response, Problem> {
    let mut stream = rows(&state, &caller, f).await?;
    let mut all = Vec::new();
    while let Some(r) = stream.message().await? {
        if all.len() >= XLSX_MAX_ROWS {
            return Err(Problem::invalid(
                "more rows than a worksheet holds: narrow the filter or download CSV",
            ));
        }
        all.push(row(&r));
    }
    let built = tokio::task::spawn_blocking(move || workbook(&all))
        .await
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let mut res = Response::new(Body::from(built));
    attachment(
        &mut res,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    );
    Ok(res)
}

fn workbook(rows: &[[String; 16]]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Requests")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, name) in (0u16..).zip(COLUMNS) {
        sheet.write_string_with_format(0, c, name, &bold)?;
    }
    for (r, cells) in (1u32..).zip(rows) {
        for (c, cell) in (0u16..).zip(cells) {
            if !cell.is_empty() {
                // Written as text: never a formula.
                sheet.write_string(r, c, cell)?;
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_lines_quoted() -> anyhow::Result<()> {
        let line = csv_line(["=1+1".to_owned(), "a, \"b\"".to_owned()])?;
        assert_eq!(&line[..], b"'=1+1,\"a, \"\"b\"\"\"\n");
        Ok(())
    }

    #[test]
    fn a_workbook_is_a_zip() -> anyhow::Result<()> {
        let book = workbook(&[row(&pb::Request::default())])?;
        assert_eq!(&book[..4], b"PK\x03\x04");
        Ok(())
    }
}
