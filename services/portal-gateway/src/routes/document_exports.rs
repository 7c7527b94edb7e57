//! Documents as CSV and Excel (E5), within the caller's scope and filter:
//! read page by page from documents and written as they come (CSV row by
//! row, Excel through the constant-memory writer), so a long list is never
//! whole in memory.
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use futures::{Stream, StreamExt};
use portal_platform::time::to_proto;
use portal_proto::documents::v1 as docs;

use crate::extract::{ApiQuery, Caller};
use crate::problem::Problem;
use crate::routes::exports::{XlsxFeed, all_pages, csv_line, download_headers};
use crate::state::AppState;
use crate::views::{Document, DocumentFilter};

const COLUMNS: [&str; 9] = [
    "id",
    "kind",
    "title",
    "customer_id",
    "site_id",
    "work_order_id",
    "content_type",
    "size",
    "created_at",
];

fn row(d: docs::Document) -> Vec<String> {
    let d = Document::from(d);
    vec![
        d.id,
        d.kind
            .and_then(|k| serde_json::to_value(k).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        d.title,
        d.customer_id,
        d.site_id.unwrap_or_default(),
        d.work_order_id.unwrap_or_default(),
        d.content_type,
        d.size.to_string(),
        d.created_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default(),
    ]
}

/// Every page of the list the filter shows.
async fn pages(
    state: &AppState,
    caller: &Caller,
    f: DocumentFilter,
) -> Result<impl Stream<Item = Result<Vec<docs::Document>, tonic::Status>> + use<>, Problem> {
    let base = docs::ListDocumentsRequest {
        kind: f.kind.map_or(0, |k| k.to_pb().into()),
        site_id: f.site_id.map(|s| s.to_string()).unwrap_or_default(),
        work_order_id: f.work_order_id.map(|w| w.to_string()).unwrap_or_default(),
        equipment_id: f.equipment_id.map(|e| e.to_string()).unwrap_or_default(),
        customer_id: f.customer_id.map(|c| c.to_string()).unwrap_or_default(),
        limit: 100,
        cursor: String::new(),
        q: f.q.unwrap_or_default(),
        created_from: f.created_from.map(to_proto),
        created_before: f.created_before.map(to_proto),
    };
    let (client, caller) = (state.documents.clone(), caller.clone());
    all_pages(move |cursor| {
        let (mut client, caller) = (client.clone(), caller.clone());
        let req = docs::ListDocumentsRequest {
            cursor,
            ..base.clone()
        };
        async move {
            let page = client
                .list_documents(caller.request(req))
                .await?
                .into_inner();
            Ok((page.items, page.next_cursor))
        }
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/documents/export.csv", operation_id = "export_documents_csv", params(DocumentFilter),
    responses((status = 200, description = "every document the filter shows in the caller's scope, newest first, as CSV (`limit` and `cursor` are ignored)", content_type = "text/csv"),
        (status = 400, body = Problem)),
    security(("bearer" = [])))]
pub async fn csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<DocumentFilter>,
) -> Result<Response, Problem> {
    let head = csv_line(COLUMNS.iter().map(|c| (*c).to_owned()))
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let lines = pages(&state, &caller, f).await?.flat_map(|page| {
        let lines: Vec<std::io::Result<bytes::Bytes>> = match page {
            Ok(items) => items
                .into_iter()
                .map(|d| csv_line(row(d)).map_err(std::io::Error::other))
                .collect(),
            Err(e) => vec![Err(std::io::Error::other(e))],
        };
        futures::stream::iter(lines)
    });
    let body = futures::stream::once(async move { Ok::<_, std::io::Error>(head) }).chain(lines);
    let mut res = Response::new(Body::from_stream(body));
    download_headers(
        &mut res,
        "text/csv; charset=utf-8",
        "attachment; filename=\"documents.csv\"",
    );
    Ok(res)
}

#[utoipa::path(get, path = "/api/v1/documents/export.xlsx", operation_id = "export_documents_xlsx", params(DocumentFilter),
    responses((status = 200, description = "the same as an Excel workbook",
               content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = Problem)),
    security(("bearer" = [])))]
pub async fn xlsx(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<DocumentFilter>,
) -> Result<Response, Problem> {
    let mut pages = Box::pin(pages(&state, &caller, f).await?);
    let mut feed = XlsxFeed::start(
        "Documents",
        COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
    );
    while let Some(page) = pages.next().await {
        for d in page? {
            if !feed.send(row(d)).await? {
                break;
            }
        }
    }
    feed.finish("attachment; filename=\"documents.xlsx\"").await
}
