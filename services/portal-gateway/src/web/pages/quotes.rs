//! Quotes in the portal (E3): the list, the new-quote form (staff who
//! manage customers), and the quote's page where its contact reads it and
//! accepts (typed name, drawn signature) or declines (reason).
use std::collections::HashMap;

use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use chrono::Utc;
use portal_proto::documents::v1 as docs;
use portal_proto::identity::v1 as id;
use serde_json::{Value, json};

use crate::views::{self, NewQuoteLine};
use crate::web::csrf::Form;
use crate::web::ctx::{Ctx, Session, TenantPage};
use crate::web::i18n;
use crate::web::pages::{param, planning, query};

type Params = Path<HashMap<String, String>>;

/// Rows the new-quote form offers.
pub const FORM_LINES: usize = 8;

fn amount(v: f64, currency: &str) -> String {
    format!("{v:.2} {currency}")
}

/// A quote as the pages show it: amounts written out, dates in the zone.
fn shown(ctx: &Ctx, q: docs::Quote) -> Value {
    let q = views::Quote::from(q);
    let c = q.currency.clone();
    let lines: Vec<Value> = q
        .lines
        .iter()
        .map(|l| {
            // `{}` writes 2.0 as "2" and 1.5 as "1.5".
            json!({"description": l.description, "quantity": format!("{}", l.quantity),
                "unit_price": amount(l.unit_price, &c), "tax_rate": format!("{}", l.tax_rate),
                "net": amount(l.net, &c)})
        })
        .collect();
    let decision = q.decision.as_ref().map(|d| {
        json!({"accepted": d.accepted, "by": d.by, "reason": d.reason, "address": d.address,
            "at": planning::at_text(ctx.zone(), d.at),
            "pdf_sha256": d.pdf_sha256})
    });
    json!({"id": q.id, "title": q.title, "status": q.status, "site_id": q.site_id,
        "customer_id": q.customer_id, "valid_until": q.valid_until, "lines": lines,
        "net": amount(q.net, &c), "tax": amount(q.tax, &c), "total": amount(q.total, &c),
        "document_id": q.document_id, "pdf_sha256": q.pdf_sha256, "decision": decision,
        "work_order_id": q.work_order_id,
        "created": planning::at_text(ctx.zone(), q.created_at)})
}

/// `GET /quotes`: newest first, in the caller's scope.
pub async fn list(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let status = query(raw.as_deref(), "status");
    let got = ctx
        .state
        .documents
        .clone()
        .list_quotes(s.caller.request(docs::ListQuotesRequest {
            status: status.clone(),
            limit: 100,
            ..Default::default()
        }))
        .await;
    let quotes: Vec<Value> = match got {
        Ok(r) => r
            .into_inner()
            .items
            .into_iter()
            .map(|q| shown(&ctx, q))
            .collect(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    ctx.page(
        StatusCode::OK,
        "quotes.html",
        json!({"quotes": quotes, "status": status}),
    )
}

/// The sites a new quote can be for, by name with their customer's.
async fn site_choices(ctx: &Ctx) -> Vec<Value> {
    let Ok(s) = ctx.session() else {
        return Vec::new();
    };
    ctx.state
        .identity
        .clone()
        .list_sites(s.caller.request(id::ListSitesRequest {
            limit: 200,
            ..Default::default()
        }))
        .await
        .map(|r| r.into_inner().items)
        .unwrap_or_default()
        .into_iter()
        .map(|o| json!({"id": o.id, "name": format!("{} – {}", o.customer_name, o.name)}))
        .collect()
}

/// The new-quote form; with `invoice`, the new-invoice one (same lines).
pub(crate) async fn new_page(ctx: &Ctx, status: StatusCode, typed: Value) -> Response {
    let sites = site_choices(ctx).await;
    let due = (Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .to_string();
    let mut values = json!({"sites": sites, "lines": (1..=FORM_LINES).collect::<Vec<_>>(),
        "form": {"valid_until": due}, "invoice": false});
    if let (Some(v), Some(t)) = (values.as_object_mut(), typed.as_object()) {
        v.extend(t.clone());
    }
    ctx.page(status, "quote_new.html", values)
}

/// `GET /quotes/new?site_id=`.
pub async fn new_form(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    if let Err(r) = ctx.staff() {
        return *r;
    }
    let site_id = query(raw.as_deref(), "site_id");
    new_page(
        &ctx,
        StatusCode::OK,
        json!({"form": {"site_id": site_id,
        "valid_until": (Utc::now() + chrono::Duration::days(30)).date_naive().to_string()}}),
    )
    .await
}

/// A number typed in a form: a comma works as a point.
fn number(value: &str) -> Option<f64> {
    value
        .trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
}

/// The filled rows of the form (a row without a description is unused);
/// `Err(n)` names the first row whose numbers cannot be read.
pub fn typed_lines(form: &Form) -> Result<Vec<NewQuoteLine>, usize> {
    let mut lines = Vec::new();
    for n in 1..=FORM_LINES {
        let description = form.get(&format!("line-{n}-description"));
        if description.trim().is_empty() {
            continue;
        }
        let field = |name: &str| number(&form.get(&format!("line-{n}-{name}")));
        let (Some(quantity), Some(unit_price)) = (field("quantity"), field("unit_price")) else {
            return Err(n);
        };
        let tax_rate = match form.get(&format!("line-{n}-tax_rate")).trim() {
            "" => 0.0,
            t => number(t).ok_or(n)?,
        };
        lines.push(NewQuoteLine {
            description,
            quantity,
            unit_price,
            tax_rate,
        });
    }
    Ok(lines)
}

/// What the quote and invoice forms hold once read: the typed values (to
/// show again), the lines and the site with its customer.
pub(crate) struct Typed {
    pub values: Value,
    pub lines: Vec<NewQuoteLine>,
    pub site_id: String,
    pub customer_id: String,
}

/// Reads a quote or invoice form; `Err` is the form again, saying why.
pub(crate) async fn read_form(
    ctx: &Ctx,
    s: &Session,
    form: &Form,
    invoice: bool,
) -> Result<Typed, Response> {
    let typed: serde_json::Map<String, Value> = form
        .0
        .iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    let values = json!({"form": typed, "invoice": invoice});
    let lines = match typed_lines(form) {
        Ok(l) => l,
        Err(n) => {
            let msg = i18n::text(
                ctx.lang,
                "error-quote-line",
                &[("n", i18n::Arg::Num(n as f64))],
            );
            return Err(again(ctx, &values, StatusCode::BAD_REQUEST, msg).await);
        }
    };
    let site_id = form.get("site_id");
    // The customer is the site's.
    let site = ctx
        .state
        .identity
        .clone()
        .get_site(s.caller.request(id::GetSiteRequest {
            tenant_id: s.caller.claims.tid.to_string(),
            site_id: site_id.clone(),
        }))
        .await;
    match site {
        Ok(site) => Ok(Typed {
            values,
            lines,
            site_id,
            customer_id: site.into_inner().customer_id,
        }),
        Err(e) => {
            let msg = crate::web::errors::shown(ctx.lang, crate::web::errors::Action::Other, &e);
            Err(again(ctx, &values, StatusCode::BAD_REQUEST, msg.message).await)
        }
    }
}

/// `POST /quotes`: writes and sends the quote, then shows it.
pub async fn create(TenantPage(mut ctx): TenantPage, form: Form) -> Response {
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Typed {
        values: typed,
        lines,
        site_id,
        customer_id,
    } = match read_form(&ctx, s, &form, false).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let body = views::CreateQuote {
        customer_id,
        site_id,
        title: form.get("title"),
        valid_until: form.get("valid_until").parse().unwrap_or_default(),
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
        .create_quote(s.caller.request(req))
        .await
    {
        Ok(q) => {
            ctx.flash_next("flash-quote-sent");
            let to = format!("{}/quotes/{}", ctx.base, q.into_inner().id);
            ctx.redirect(&to)
        }
        Err(e) => {
            let shown = crate::web::errors::shown(ctx.lang, crate::web::errors::Action::Other, &e);
            again(&ctx, &typed, shown.status, shown.message).await
        }
    }
}

/// The form again, with what was typed and why it was refused.
pub(crate) async fn again(ctx: &Ctx, typed: &Value, status: StatusCode, error: String) -> Response {
    let mut t = typed.clone();
    t["error"] = json!(error);
    new_page(ctx, status, t).await
}

/// `GET /quotes/{id}`.
pub async fn show(TenantPage(ctx): TenantPage, Path(p): Params) -> Response {
    let Some(quote_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    quote_page(&ctx, &quote_id, StatusCode::OK, json!({})).await
}

async fn quote_page(ctx: &Ctx, quote_id: &str, status: StatusCode, extra: Value) -> Response {
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let q = match ctx
        .state
        .documents
        .clone()
        .get_quote(s.caller.request(docs::GetQuoteRequest {
            quote_id: quote_id.to_owned(),
        }))
        .await
    {
        Ok(q) => q.into_inner(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let site = ctx
        .state
        .identity
        .clone()
        .get_site(s.caller.request(id::GetSiteRequest {
            tenant_id: s.caller.claims.tid.to_string(),
            site_id: q.site_id.clone(),
        }))
        .await
        .map(|x| x.into_inner().name)
        .unwrap_or_default();
    // Only a contact decides (not staff, not a shared link), while it is open.
    let may_decide =
        s.caller.claims.kind == portal_platform::auth::AccountKind::Contact && q.status == "sent";
    let mut values = json!({"quote": shown(ctx, q), "site_name": site, "may_decide": may_decide});
    if let (Some(v), Some(e)) = (values.as_object_mut(), extra.as_object()) {
        v.extend(e.clone());
    }
    ctx.page(status, "quote.html", values)
}

/// A canvas's PNG data URL; empty when nothing was drawn or it is not one.
fn drawn(field: &str) -> Vec<u8> {
    field
        .trim()
        .strip_prefix("data:image/png;base64,")
        .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok())
        .unwrap_or_default()
}

async fn decide(ctx: &mut Ctx, quote_id: &str, accept: bool, form: &Form) -> Response {
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = docs::DecideQuoteRequest {
        quote_id: quote_id.to_owned(),
        accept,
        signer_name: form.get("signer_name"),
        signature_png: if accept {
            drawn(&form.raw("signature"))
        } else {
            Vec::new()
        },
        reason: form.get("reason"),
        pdf_sha256: form.get("pdf_sha256"),
    };
    match ctx
        .state
        .documents
        .clone()
        .decide_quote(s.caller.request(req))
        .await
    {
        Ok(_) => {
            ctx.flash_next(if accept {
                "flash-quote-accepted"
            } else {
                "flash-quote-declined"
            });
            let to = format!("{}/quotes/{quote_id}", ctx.base);
            ctx.redirect(&to)
        }
        Err(e) => {
            let shown = crate::web::errors::shown(ctx.lang, crate::web::errors::Action::Other, &e);
            let extra = json!({"error": shown.message, "signer_name": form.get("signer_name"),
                "reason": form.get("reason"), "declining": !accept});
            quote_page(ctx, quote_id, shown.status, extra).await
        }
    }
}

/// `POST /quotes/{id}/accept`.
pub async fn accept(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(quote_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    decide(&mut ctx, &quote_id, true, &form).await
}

/// `POST /quotes/{id}/decline`.
pub async fn decline(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(quote_id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    decide(&mut ctx, &quote_id, false, &form).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_typed_with_a_point_or_a_comma() {
        assert_eq!(number(" 19,99 "), Some(19.99));
        assert_eq!(number("2"), Some(2.0));
        assert_eq!(number("two"), None);
        assert_eq!(number("inf"), None);
    }

    #[test]
    fn a_drawing_is_a_png_data_url() {
        assert_eq!(
            drawn("data:image/png;base64,iVBORw0KGgo="),
            b"\x89PNG\r\n\x1a\n"
        );
        assert!(drawn("").is_empty());
        assert!(drawn("data:image/jpeg;base64,AAAA").is_empty());
    }
}
