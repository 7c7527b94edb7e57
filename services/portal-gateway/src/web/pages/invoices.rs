//! Invoices in the portal (E4): the list (contacts: final ones; staff: with
//! drafts), an invoice's page with its PDF, and for admins a draft from an
//! accepted quote, finalising and recording the payment.
use std::collections::HashMap;

use axum::extract::Path;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use portal_proto::documents::v1 as docs;
use portal_proto::identity::v1 as id;
use serde_json::{Value, json};

use crate::views;
use crate::web::csrf::Form;
use crate::web::ctx::{Ctx, TenantPage};
use crate::web::pages::quotes::{Typed, again, new_page, read_form};
use crate::web::pages::{param, query};

type Params = Path<HashMap<String, String>>;

fn amount(v: f64, currency: &str) -> String {
    format!("{v:.2} {currency}")
}

/// An invoice as the pages show it.
pub(crate) fn shown(i: docs::Invoice) -> Value {
    let i = views::Invoice::from(i);
    let c = i.currency.clone();
    let lines: Vec<Value> = i
        .lines
        .iter()
        .map(|l| {
            json!({"description": l.description, "quantity": format!("{}", l.quantity),
                "unit_price": amount(l.unit_price, &c), "tax_rate": format!("{}", l.tax_rate),
                "net": amount(l.net, &c)})
        })
        .collect();
    json!({"id": i.id, "number": i.number, "title": i.title, "status": i.status,
        "payment": i.payment, "due_on": i.due_on, "issued_on": i.issued_on, "lines": lines,
        "net": amount(i.net, &c), "tax": amount(i.tax, &c), "total": amount(i.total, &c),
        "document_id": i.document_id, "quote_id": i.quote_id, "site_id": i.site_id})
}

/// `GET /invoices?cursor=`: 50 at a time, newest first.
pub async fn list(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let got = ctx
        .state
        .documents
        .clone()
        .list_invoices(s.caller.request(docs::ListInvoicesRequest {
            limit: 50,
            cursor: query(raw.as_deref(), "cursor"),
            ..Default::default()
        }))
        .await;
    match got {
        Ok(r) => {
            let r = r.into_inner();
            let next = (!r.next_cursor.is_empty()).then(|| {
                serde_urlencoded::to_string([("cursor", r.next_cursor.as_str())])
                    .unwrap_or_default()
            });
            let invoices: Vec<Value> = r.items.into_iter().map(shown).collect();
            ctx.page(
                StatusCode::OK,
                "invoices.html",
                json!({"invoices": invoices, "next": next}),
            )
        }
        Err(e) => ctx.grpc_fail(&e),
    }
}

async fn export(ctx: crate::web::ctx::Ctx, xlsx: bool) -> Response {
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let state = axum::extract::State(ctx.state.clone());
    let caller = crate::web::pages::requests::api_caller(s);
    let every = crate::extract::ApiQuery(crate::views::InvoiceFilter {
        site_id: None,
        limit: None,
        cursor: None,
    });
    let res = if xlsx {
        crate::routes::invoice_exports::xlsx(state, caller, every).await
    } else {
        crate::routes::invoice_exports::csv(state, caller, every).await
    };
    res.unwrap_or_else(|p| crate::web::pages::requests::problem_page(&ctx, p))
}

/// `GET /invoices/export.csv`: every invoice the reader sees.
pub async fn export_csv(TenantPage(ctx): TenantPage) -> Response {
    export(ctx, false).await
}

/// `GET /invoices/export.xlsx`.
pub async fn export_xlsx(TenantPage(ctx): TenantPage) -> Response {
    export(ctx, true).await
}

/// `GET /invoices/{id}`.
pub async fn show(TenantPage(ctx): TenantPage, Path(p): Params) -> Response {
    let Some(invoice_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    invoice_page(&ctx, &invoice_id, StatusCode::OK, json!({})).await
}

async fn invoice_page(ctx: &Ctx, invoice_id: &str, status: StatusCode, extra: Value) -> Response {
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let i = match ctx
        .state
        .documents
        .clone()
        .get_invoice(s.caller.request(docs::InvoiceRequest {
            invoice_id: invoice_id.to_owned(),
        }))
        .await
    {
        Ok(i) => i.into_inner(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let site_name = ctx
        .state
        .identity
        .clone()
        .get_site(s.caller.request(id::GetSiteRequest {
            tenant_id: s.caller.claims.tid.to_string(),
            site_id: i.site_id.clone(),
        }))
        .await
        .map(|x| x.into_inner().name)
        .unwrap_or_default();
    let mut values = json!({"invoice": shown(i), "site_name": site_name});
    if let (Some(v), Some(e)) = (values.as_object_mut(), extra.as_object()) {
        v.extend(e.clone());
    }
    ctx.page(status, "invoice.html", values)
}

/// After a change: the invoice's page with a message, or with the refusal.
async fn after(
    ctx: &mut Ctx,
    invoice_id: &str,
    got: Result<tonic::Response<docs::Invoice>, tonic::Status>,
    flash: &str,
) -> Response {
    match got {
        Ok(i) => {
            ctx.flash_next(flash);
            let to = format!("{}/invoices/{}", ctx.base, i.into_inner().id);
            ctx.redirect(&to)
        }
        Err(e) => {
            let shown = crate::web::errors::shown(ctx.lang, crate::web::errors::Action::Other, &e);
            invoice_page(
                ctx,
                invoice_id,
                shown.status,
                json!({"error": shown.message}),
            )
            .await
        }
    }
}

/// What an admin does to an invoice from its page.
#[derive(Clone, Copy)]
enum Change {
    Finalize,
    Paid,
}

async fn change(mut ctx: Ctx, p: &HashMap<String, String>, what: Change) -> Response {
    let Some(invoice_id) = param(p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.admin() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(docs::InvoiceRequest {
        invoice_id: invoice_id.clone(),
    });
    let mut client = ctx.state.documents.clone();
    let (got, flash) = match what {
        Change::Finalize => (client.finalize_invoice(req).await, "flash-invoice-issued"),
        Change::Paid => (client.mark_invoice_paid(req).await, "flash-invoice-paid"),
    };
    after(&mut ctx, &invoice_id, got, flash).await
}

/// `POST /invoices/{id}/finalize`.
pub async fn finalize(TenantPage(ctx): TenantPage, Path(p): Params, _form: Form) -> Response {
    change(ctx, &p, Change::Finalize).await
}

/// `POST /invoices/{id}/paid`.
pub async fn paid(TenantPage(ctx): TenantPage, Path(p): Params, _form: Form) -> Response {
    change(ctx, &p, Change::Paid).await
}

/// `POST /quotes/{id}/invoice`: a draft invoice of an accepted quote.
pub async fn from_quote(TenantPage(mut ctx): TenantPage, Path(p): Params, _form: Form) -> Response {
    let Some(quote_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.admin() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let got = ctx
        .state
        .documents
        .clone()
        .create_invoice(s.caller.request(docs::CreateInvoiceRequest {
            quote_id: quote_id.clone(),
            ..Default::default()
        }))
        .await;
    match got {
        Ok(i) => {
            ctx.flash_next("flash-invoice-drafted");
            let to = format!("{}/invoices/{}", ctx.base, i.into_inner().id);
            ctx.redirect(&to)
        }
        Err(e) => ctx.grpc_fail(&e),
    }
}

/// `GET /invoices/new?site_id=` (admins).
pub async fn new_form(
    TenantPage(ctx): TenantPage,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    if let Err(r) = ctx.admin() {
        return *r;
    }
    let site_id = query(raw.as_deref(), "site_id");
    new_page(
        &ctx,
        StatusCode::OK,
        json!({"invoice": true, "form": {"site_id": site_id}}),
    )
    .await
}

/// `POST /invoices`: a draft from typed lines, then its page.
pub async fn create(TenantPage(mut ctx): TenantPage, form: Form) -> Response {
    let s = match ctx.admin() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Typed {
        values: typed,
        lines,
        site_id,
        customer_id,
    } = match read_form(&ctx, s, &form, true).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let body = views::CreateInvoice {
        quote_id: None,
        customer_id,
        site_id,
        title: form.get("title"),
        payment_days: form.get("payment_days").trim().parse().unwrap_or(0),
        lines,
    };
    let req = match body.to_pb() {
        Ok(r) => r,
        Err(p) => return again(&ctx, &typed, StatusCode::BAD_REQUEST, p.detail).await,
    };
    match ctx
        .state
        .documents
        .clone()
        .create_invoice(s.caller.request(req))
        .await
    {
        Ok(i) => {
            ctx.flash_next("flash-invoice-drafted");
            let to = format!("{}/invoices/{}", ctx.base, i.into_inner().id);
            ctx.redirect(&to)
        }
        Err(e) => {
            let shown = crate::web::errors::shown(ctx.lang, crate::web::errors::Action::Other, &e);
            again(&ctx, &typed, shown.status, shown.message).await
        }
    }
}
