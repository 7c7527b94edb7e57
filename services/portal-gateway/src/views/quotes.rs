//! Quotes (E3) as the REST API shows them: amounts in the currency's units
//! (two decimals), rates in percent; documents keeps them exact in minor
//! units.
use chrono::{DateTime, NaiveDate, Utc};
use portal_proto::documents::v1 as docs;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{non_empty, ts};
use crate::problem::Problem;

/// One line as typed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuoteLine {
    #[schema(min_length = 1, max_length = 1000)]
    pub description: String,
    /// More than 0, up to three decimals.
    #[schema(example = 2.5)]
    pub quantity: f64,
    /// In the tenant's currency, up to two decimals.
    #[schema(example = 60.0, minimum = 0)]
    pub unit_price: f64,
    /// Percent (20 for 20 %).
    #[schema(example = 20.0, minimum = 0, maximum = 100)]
    pub tax_rate: f64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateQuote {
    #[schema(format = Uuid)]
    pub customer_id: String,
    /// The site the work would be done at.
    #[schema(format = Uuid)]
    pub site_id: String,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// The last day it may be accepted.
    pub valid_until: NaiveDate,
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<NewQuoteLine>,
}

fn scaled(value: f64, scale: f64, field: &str, n: usize) -> Result<i64, Problem> {
    let v = (value * scale).round();
    if !v.is_finite() || v.abs() > 1e15 {
        return Err(Problem::invalid(format!(
            "line {n}: {field} is not a usable number"
        )));
    }
    // In range: checked just above.
    Ok(v as i64)
}

impl CreateQuote {
    /// The message for documents, amounts in exact units; range rules are
    /// documents' (one place), only unusable numbers are refused here.
    pub fn to_pb(self) -> Result<docs::CreateQuoteRequest, Problem> {
        let lines = self
            .lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let n = i + 1;
                Ok(docs::QuoteLine {
                    description: l.description,
                    quantity_milli: scaled(l.quantity, 1000.0, "quantity", n)?,
                    unit_price_minor: scaled(l.unit_price, 100.0, "unit_price", n)?,
                    tax_rate_bp: i32::try_from(scaled(l.tax_rate, 100.0, "tax_rate", n)?).map_err(
                        |_| Problem::invalid(format!("line {n}: tax_rate is too large")),
                    )?,
                    ..Default::default()
                })
            })
            .collect::<Result<Vec<_>, Problem>>()?;
        Ok(docs::CreateQuoteRequest {
            customer_id: self.customer_id,
            site_id: self.site_id,
            title: self.title,
            valid_until: self.valid_until.to_string(),
            lines,
        })
    }
}

/// A line with its amounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteLine {
    pub description: String,
    pub quantity: f64,
    pub unit_price: f64,
    /// Percent.
    pub tax_rate: f64,
    /// Quantity × unit price, rounded to the cent.
    pub net: f64,
    pub tax: f64,
}

/// Who decided, when and from where.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteDecision {
    pub accepted: bool,
    /// The name the contact typed to accept (empty when declined).
    pub by: String,
    pub contact_id: String,
    pub at: Option<DateTime<Utc>>,
    /// The client address the decision came from.
    pub address: String,
    /// Why it was declined.
    pub reason: String,
    /// SHA-256 (hex) of the exact PDF decided on.
    pub pdf_sha256: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Quote {
    pub id: String,
    pub customer_id: String,
    pub site_id: String,
    pub title: String,
    /// ISO 4217.
    pub currency: String,
    pub lines: Vec<QuoteLine>,
    pub net: f64,
    pub tax: f64,
    pub total: f64,
    pub valid_until: String,
    /// sent, accepted, declined or expired (sent, past its last day).
    pub status: String,
    /// The PDF: `GET /api/v1/documents/{document_id}/content`; once
    /// accepted, the signed copy with its certificate page.
    pub document_id: String,
    /// SHA-256 (hex) of the PDF as sent.
    pub pdf_sha256: String,
    pub decision: Option<QuoteDecision>,
    /// The work order it became once accepted (set by event, shortly after).
    pub work_order_id: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

fn units(minor: i64) -> f64 {
    minor as f64 / 100.0
}

impl From<docs::Quote> for Quote {
    fn from(q: docs::Quote) -> Self {
        Self {
            lines: q
                .lines
                .into_iter()
                .map(|l| QuoteLine {
                    description: l.description,
                    quantity: l.quantity_milli as f64 / 1000.0,
                    unit_price: units(l.unit_price_minor),
                    tax_rate: f64::from(l.tax_rate_bp) / 100.0,
                    net: units(l.net_minor),
                    tax: units(l.tax_minor),
                })
                .collect(),
            net: units(q.net_minor),
            tax: units(q.tax_minor),
            total: units(q.total_minor),
            decision: q.decision.map(|d| QuoteDecision {
                accepted: d.accepted,
                by: d.signer_name,
                contact_id: d.contact_id,
                at: ts(d.at.as_ref()),
                address: d.address,
                reason: d.reason,
                pdf_sha256: d.pdf_sha256,
            }),
            work_order_id: non_empty(q.work_order_id),
            created_at: ts(q.created_at.as_ref()),
            id: q.id,
            customer_id: q.customer_id,
            site_id: q.site_id,
            title: q.title,
            currency: q.currency,
            valid_until: q.valid_until,
            status: q.status,
            document_id: q.document_id,
            pdf_sha256: q.pdf_sha256,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptQuote {
    #[schema(min_length = 1, max_length = 200)]
    pub signer_name: String,
    /// The drawn signature: a PNG, base64 or a `data:image/png;base64,` URL.
    pub signature_png: String,
    /// Optional: SHA-256 (hex) of the PDF the contact read; refused unless
    /// it is the quote's.
    #[serde(default)]
    pub pdf_sha256: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineQuote {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuoteFilter {
    pub site_id: Option<uuid::Uuid>,
    /// sent, accepted or declined.
    pub status: Option<String>,
    /// At most 200 (the newest).
    pub limit: Option<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_amounts_become_exact_units() -> Result<(), Problem> {
        let q = CreateQuote {
            customer_id: "c".into(),
            site_id: "s".into(),
            title: "Repair".into(),
            valid_until: NaiveDate::default(),
            lines: vec![NewQuoteLine {
                description: "Labour".into(),
                quantity: 2.5,
                unit_price: 19.99,
                tax_rate: 5.5,
            }],
        }
        .to_pb()?;
        let l = &q.lines[0];
        assert_eq!(
            (l.quantity_milli, l.unit_price_minor, l.tax_rate_bp),
            (2_500, 1_999, 550)
        );
        let huge = CreateQuote {
            customer_id: "c".into(),
            site_id: "s".into(),
            title: "Repair".into(),
            valid_until: NaiveDate::default(),
            lines: vec![NewQuoteLine {
                description: "Labour".into(),
                quantity: 1e300,
                unit_price: 1.0,
                tax_rate: 0.0,
            }],
        };
        assert!(huge.to_pb().is_err());
        Ok(())
    }
}

/// A draft invoice: from lines like a quote, or from an accepted quote.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvoice {
    /// Bill this accepted quote (its customer, site, title and lines).
    #[serde(default)]
    #[schema(format = Uuid)]
    pub quote_id: Option<String>,
    #[serde(default)]
    #[schema(format = Uuid)]
    pub customer_id: String,
    #[serde(default)]
    #[schema(format = Uuid)]
    pub site_id: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub title: String,
    /// Days from finalising to the due date; 30 when absent.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 365)]
    pub payment_days: i32,
    #[serde(default)]
    #[schema(max_items = 200)]
    pub lines: Vec<NewQuoteLine>,
}

impl CreateInvoice {
    pub fn to_pb(self) -> Result<docs::CreateInvoiceRequest, Problem> {
        let lines = CreateQuote {
            customer_id: String::new(),
            site_id: String::new(),
            title: String::new(),
            valid_until: NaiveDate::default(),
            lines: self.lines,
        }
        .to_pb()?
        .lines;
        Ok(docs::CreateInvoiceRequest {
            customer_id: self.customer_id,
            site_id: self.site_id,
            title: self.title,
            payment_days: self.payment_days,
            lines,
            quote_id: self.quote_id.unwrap_or_default(),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Invoice {
    pub id: String,
    /// Given when finalised, without gaps per year: INV-2027-0001.
    pub number: Option<String>,
    pub customer_id: String,
    pub site_id: Option<String>,
    pub title: String,
    pub currency: String,
    pub lines: Vec<QuoteLine>,
    pub net: f64,
    pub tax: f64,
    pub total: f64,
    /// draft (staff only) or final.
    pub status: String,
    /// unpaid, paid or overdue (final invoices).
    pub payment: Option<String>,
    pub issued_on: Option<String>,
    pub due_on: Option<String>,
    /// The PDF, once final: `GET /api/v1/documents/{document_id}/content`.
    pub document_id: Option<String>,
    pub quote_id: Option<String>,
    pub paid_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
}

impl From<docs::Invoice> for Invoice {
    fn from(i: docs::Invoice) -> Self {
        Self {
            lines: i
                .lines
                .into_iter()
                .map(|l| QuoteLine {
                    description: l.description,
                    quantity: l.quantity_milli as f64 / 1000.0,
                    unit_price: units(l.unit_price_minor),
                    tax_rate: f64::from(l.tax_rate_bp) / 100.0,
                    net: units(l.net_minor),
                    tax: units(l.tax_minor),
                })
                .collect(),
            net: units(i.net_minor),
            tax: units(i.tax_minor),
            total: units(i.total_minor),
            number: non_empty(i.number),
            site_id: non_empty(i.site_id),
            payment: non_empty(i.payment),
            issued_on: non_empty(i.issued_on),
            due_on: non_empty(i.due_on),
            document_id: non_empty(i.document_id),
            quote_id: non_empty(i.quote_id),
            paid_at: ts(i.paid_at.as_ref()),
            created_at: ts(i.created_at.as_ref()),
            id: i.id,
            customer_id: i.customer_id,
            title: i.title,
            currency: i.currency,
            status: i.status,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceFilter {
    pub site_id: Option<uuid::Uuid>,
    /// Page size: 20 when absent, at most 100 (larger is cut to 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
