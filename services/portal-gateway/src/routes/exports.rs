//! Downloads of what a request list's filter shows (E5): CSV streamed row
//! by row as the service streams them; Excel written row by row off the
//! async threads in rust_xlsxwriter's constant-memory mode (rows go to a
//! temporary file), then zipped straight into the response body: no
//! download is ever whole in memory.
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use std::future::Future;
use std::io::Write;

use futures::{Stream, StreamExt};
use portal_platform::time::from_proto;
use portal_proto::requests::v1 as pb;
use tokio::sync::{mpsc, oneshot};

use crate::extract::{ApiQuery, Caller};
use crate::problem::Problem;
use crate::routes::requests::list_request;
use crate::state::AppState;
use crate::views::RequestFilter;

/// Every page of a cursor-paged list, one after the other: `fetch` reads
/// the page at a cursor ("" first) and gives its items and the next cursor
/// ("" at the end). The first page is read before answering, so a refusal
/// is a problem, not a broken file.
pub async fn all_pages<T, F, Fut>(
    fetch: F,
) -> Result<impl Stream<Item = Result<Vec<T>, tonic::Status>>, Problem>
where
    T: Send + 'static,
    F: Fn(String) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(Vec<T>, String), tonic::Status>> + Send,
{
    let (first, next) = fetch(String::new()).await?;
    let rest = futures::stream::unfold((fetch, next), |(fetch, cursor)| async move {
        if cursor.is_empty() {
            return None;
        }
        match fetch(cursor).await {
            Ok((items, next)) => Some((Ok(items), (fetch, next))),
            Err(e) => Some((Err(e), (fetch, String::new()))),
        }
    });
    Ok(futures::stream::once(async move { Ok(first) }).chain(rest))
}

/// A CSV download of every item of `pages`, a line each (`row`), written
/// as the pages come: the header first, never the whole list in memory.
pub(crate) fn csv_of_pages<T, S>(
    columns: &[&str],
    pages: S,
    row: fn(T) -> Vec<String>,
    disposition: &'static str,
) -> Result<Response, Problem>
where
    T: Send + 'static,
    S: Stream<Item = Result<Vec<T>, tonic::Status>> + Send + 'static,
{
    let head = csv_line(columns.iter().map(|c| (*c).to_owned()))
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let lines = pages.flat_map(move |page| {
        let lines: Vec<std::io::Result<bytes::Bytes>> = match page {
            Ok(items) => items
                .into_iter()
                .map(|item| csv_line(row(item)).map_err(std::io::Error::other))
                .collect(),
            Err(e) => vec![Err(std::io::Error::other(e))],
        };
        futures::stream::iter(lines)
    });
    let body = futures::stream::once(async move { Ok::<_, std::io::Error>(head) }).chain(lines);
    let mut res = Response::new(Body::from_stream(body));
    download_headers(&mut res, "text/csv; charset=utf-8", disposition);
    Ok(res)
}

/// The same as an Excel workbook, through the constant-memory writer.
pub(crate) async fn xlsx_of_pages<T, S>(
    sheet: &'static str,
    columns: &[&str],
    pages: S,
    row: fn(T) -> Vec<String>,
    disposition: &'static str,
) -> Result<Response, Problem>
where
    S: Stream<Item = Result<Vec<T>, tonic::Status>>,
{
    let mut pages = Box::pin(pages);
    let mut feed = XlsxFeed::start(sheet, columns.iter().map(|c| (*c).to_owned()).collect());
    'pages: while let Some(page) = pages.next().await {
        for item in page? {
            if !feed.send(row(item)).await? {
                break 'pages;
            }
        }
    }
    feed.finish(disposition).await
}

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
pub(crate) fn defused(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

pub(crate) fn csv_line(
    cells: impl IntoIterator<Item = String>,
) -> Result<bytes::Bytes, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells.into_iter().map(defused))?;
    w.into_inner()
        .map(bytes::Bytes::from)
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// A download's headers: its type and file name, never cached or sniffed.
pub(crate) fn download_headers(
    res: &mut Response,
    content_type: &'static str,
    disposition: &'static str,
) {
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(disposition),
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

#[utoipa::path(get, path = "/api/v1/requests/export.csv", operation_id = "export_requests_csv", params(RequestFilter),
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
    download_headers(
        &mut res,
        "text/csv; charset=utf-8",
        "attachment; filename=\"requests.csv\"",
    );
    Ok(res)
}

#[utoipa::path(get, path = "/api/v1/requests/export.xlsx", operation_id = "export_requests_xlsx", params(RequestFilter),
    responses((status = 200, description = "every request the filter shows, as an Excel workbook",
               content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    security(("bearer" = [])))]
pub async fn xlsx(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<RequestFilter>,
) -> Result<Response, Problem> {
    let mut stream = rows(&state, &caller, f).await?;
    let mut feed = XlsxFeed::start(
        "Requests",
        COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
    );
    while let Some(r) = stream.message().await? {
        if !feed.send(row(&r).to_vec()).await? {
            break;
        }
    }
    feed.finish("attachment; filename=\"requests.xlsx\"").await
}

/// An Excel download fed row by row: rows go to a writer off the async
/// threads (constant-memory worksheet: finished rows go to a temporary
/// file), and once all are in, the workbook streams out in pieces.
pub(crate) struct XlsxFeed {
    rows: mpsc::Sender<Vec<String>>,
    filled: oneshot::Receiver<Result<(), String>>,
    out: mpsc::Receiver<std::io::Result<bytes::Bytes>>,
    count: usize,
}

impl XlsxFeed {
    pub(crate) fn start(sheet: &'static str, columns: Vec<String>) -> Self {
        let (row_tx, row_rx) = mpsc::channel::<Vec<String>>(256);
        let (filled_tx, filled_rx) = oneshot::channel::<Result<(), String>>();
        let (out_tx, out_rx) = mpsc::channel::<std::io::Result<bytes::Bytes>>(16);
        tokio::task::spawn_blocking(move || {
            let mut book = rust_xlsxwriter::Workbook::new();
            let filled = fill(&mut book, sheet, &columns, row_rx).map_err(|e| e.to_string());
            let ok = filled.is_ok();
            // The handler answers (a problem, or the body) once every row is in.
            if filled_tx.send(filled).is_err() || !ok {
                return;
            }
            let mut out = ChannelWriter::new(out_tx.clone());
            if let Err(e) = book
                .save_to_writer(&mut out)
                .map_err(std::io::Error::other)
                .and_then(|()| out.flush())
            {
                let _ = out_tx.blocking_send(Err(e));
            }
        });
        Self {
            rows: row_tx,
            filled: filled_rx,
            out: out_rx,
            count: 0,
        }
    }

    /// Adds a row; `false` when the writer stopped (its error comes at
    /// `finish`); a problem when the sheet is full.
    pub(crate) async fn send(&mut self, cells: Vec<String>) -> Result<bool, Problem> {
        self.count += 1;
        if self.count >= XLSX_MAX_ROWS {
            return Err(Problem::invalid(
                "more rows than a worksheet holds: narrow the filter or download CSV",
            ));
        }
        Ok(self.rows.send(cells).await.is_ok())
    }

    /// The response: the workbook's pieces as they are zipped.
    pub(crate) async fn finish(self, disposition: &'static str) -> Result<Response, Problem> {
        let internal = |e: String| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e);
        drop(self.rows);
        self.filled
            .await
            .map_err(|e| internal(e.to_string()))?
            .map_err(internal)?;
        let pieces = futures::stream::unfold(self.out, |mut rx| async move {
            rx.recv().await.map(|piece| (piece, rx))
        });
        let mut res = Response::new(Body::from_stream(pieces));
        download_headers(
            &mut res,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            disposition,
        );
        Ok(res)
    }
}

/// Writes the header and every row that arrives, in order, as text: never
/// a formula.
fn fill(
    book: &mut rust_xlsxwriter::Workbook,
    name: &str,
    columns: &[String],
    mut rows: mpsc::Receiver<Vec<String>>,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let sheet = book.add_worksheet_with_constant_memory();
    sheet.set_name(name)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, column) in (0u16..).zip(columns) {
        sheet.write_string_with_format(0, c, column, &bold)?;
    }
    let mut r = 1u32;
    while let Some(cells) = rows.blocking_recv() {
        for (c, cell) in (0u16..).zip(&cells) {
            if !cell.is_empty() {
                sheet.write_string(r, c, cell)?;
            }
        }
        r += 1;
    }
    Ok(())
}

/// A `Write` that hands 64 KiB pieces to the response body.
struct ChannelWriter {
    tx: mpsc::Sender<std::io::Result<bytes::Bytes>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    const PIECE: usize = 64 * 1024;

    fn new(tx: mpsc::Sender<std::io::Result<bytes::Bytes>>) -> Self {
        Self {
            tx,
            buf: Vec::with_capacity(Self::PIECE),
        }
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= Self::PIECE {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = bytes::Bytes::from(std::mem::take(&mut self.buf));
        self.buf.reserve(Self::PIECE);
        // The browser went away: stop writing.
        self.tx
            .blocking_send(Ok(piece))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
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
    fn a_workbook_is_written_row_by_row_into_pieces() -> anyhow::Result<()> {
        let (row_tx, row_rx) = mpsc::channel(4);
        let (out_tx, mut out_rx) = mpsc::channel(1024);
        let writer = std::thread::spawn(move || -> anyhow::Result<()> {
            let mut book = rust_xlsxwriter::Workbook::new();
            let columns: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
            fill(&mut book, "Requests", &columns, row_rx)?;
            let mut out = ChannelWriter::new(out_tx);
            book.save_to_writer(&mut out)?;
            out.flush()?;
            Ok(())
        });
        for i in 0..20_000 {
            let mut r = row(&pb::Request::default());
            r[0] = uuid::Uuid::new_v4().to_string();
            r[3] = format!("=request {i} with a title long enough to matter");
            row_tx.blocking_send(r.to_vec())?;
        }
        drop(row_tx);
        writer
            .join()
            .map_err(|_| anyhow::anyhow!("writer panicked"))??;
        let mut book = Vec::new();
        let mut pieces = 0;
        while let Ok(piece) = out_rx.try_recv() {
            book.extend_from_slice(&piece?);
            pieces += 1;
        }
        assert_eq!(&book[..4], b"PK\x03\x04", "a zip");
        assert!(pieces > 1, "sent in pieces, not as one buffer");
        Ok(())
    }
}
