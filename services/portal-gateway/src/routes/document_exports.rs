//! Documents as CSV and Excel (E5), within the caller's scope and filter:
//! read page by page from documents and written as they come (CSV row by
//! row, Excel through the constant-memory writer), so a long list is never
//! whole in memory.
use axum::extract::State;
use axum::response::Response;
use futures::Stream;
use portal_platform::time::to_proto;
use portal_proto::documents::v1 as docs;

use crate::extract::{ApiQuery, Caller};
use crate::problem::Problem;
use crate::routes::exports::{all_pages, csv_of_pages, xlsx_of_pages};
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
    let pages = pages(&state, &caller, f).await?;
    csv_of_pages(
        &COLUMNS,
        pages,
        row,
        "attachment; filename=\"documents.csv\"",
    )
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
    let pages = pages(&state, &caller, f).await?;
    xlsx_of_pages(
        "Documents",
        &COLUMNS,
        pages,
        row,
        "attachment; filename=\"documents.xlsx\"",
    )
    .await
}
