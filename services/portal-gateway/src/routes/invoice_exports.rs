//! Invoices as CSV and Excel (E5), with their payment status: the caller's
//! (a contact: final invoices of their scope), read page by page from
//! documents and written as they come.
use axum::extract::State;
use axum::response::Response;
use futures::Stream;
use portal_proto::documents::v1 as docs;

use crate::extract::{ApiQuery, Caller};
use crate::problem::Problem;
use crate::routes::exports::{all_pages, csv_of_pages, xlsx_of_pages};
use crate::state::AppState;
use crate::views::{Invoice, InvoiceFilter};

const COLUMNS: [&str; 14] = [
    "id",
    "number",
    "title",
    "customer_id",
    "site_id",
    "status",
    "payment",
    "issued_on",
    "due_on",
    "net",
    "tax",
    "total",
    "currency",
    "created_at",
];

fn row(i: docs::Invoice) -> Vec<String> {
    let i = Invoice::from(i);
    // Amounts as the currency writes them: two decimals.
    let amount = |v: f64| format!("{v:.2}");
    vec![
        i.id,
        i.number.unwrap_or_default(),
        i.title,
        i.customer_id,
        i.site_id.unwrap_or_default(),
        i.status,
        i.payment.unwrap_or_default(),
        i.issued_on.unwrap_or_default(),
        i.due_on.unwrap_or_default(),
        amount(i.net),
        amount(i.tax),
        amount(i.total),
        i.currency,
        i.created_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default(),
    ]
}

/// Every page of the list the filter shows.
async fn pages(
    state: &AppState,
    caller: &Caller,
    f: InvoiceFilter,
) -> Result<impl Stream<Item = Result<Vec<docs::Invoice>, tonic::Status>> + use<>, Problem> {
    let base = docs::ListInvoicesRequest {
        site_id: f.site_id.map(|s| s.to_string()).unwrap_or_default(),
        limit: 100,
        cursor: String::new(),
    };
    let (client, caller) = (state.documents.clone(), caller.clone());
    all_pages(move |cursor| {
        let (mut client, caller) = (client.clone(), caller.clone());
        let req = docs::ListInvoicesRequest {
            cursor,
            ..base.clone()
        };
        async move {
            let page = client
                .list_invoices(caller.request(req))
                .await?
                .into_inner();
            Ok((page.items, page.next_cursor))
        }
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/invoices/export.csv", operation_id = "export_invoices_csv", params(InvoiceFilter),
    responses((status = 200, description = "every invoice the caller sees (a contact: final ones), newest first, with its payment status, as CSV (`limit` and `cursor` are ignored)", content_type = "text/csv"),
        (status = 400, body = Problem)),
    security(("bearer" = [])))]
pub async fn csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<InvoiceFilter>,
) -> Result<Response, Problem> {
    let pages = pages(&state, &caller, f).await?;
    csv_of_pages(
        &COLUMNS,
        pages,
        row,
        "attachment; filename=\"invoices.csv\"",
    )
}

#[utoipa::path(get, path = "/api/v1/invoices/export.xlsx", operation_id = "export_invoices_xlsx", params(InvoiceFilter),
    responses((status = 200, description = "the same as an Excel workbook",
               content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = Problem)),
    security(("bearer" = [])))]
pub async fn xlsx(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<InvoiceFilter>,
) -> Result<Response, Problem> {
    let pages = pages(&state, &caller, f).await?;
    xlsx_of_pages(
        "Invoices",
        &COLUMNS,
        pages,
        row,
        "attachment; filename=\"invoices.xlsx\"",
    )
    .await
}
