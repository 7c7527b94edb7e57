//! The SQL of invoices.
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

use crate::quotes::store::StoredLine;

#[derive(Debug, Clone, FromRow)]
pub struct InvoiceRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub site_id: Option<Uuid>,
    pub quote_id: Option<Uuid>,
    pub title: String,
    pub currency: String,
    pub lines: Json<Vec<StoredLine>>,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub payment_days: i32,
    pub status: String,
    pub number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub document_id: Option<Uuid>,
    pub paid_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

impl InvoiceRow {
    pub fn is_final(&self) -> bool {
        self.status == "final"
    }
}

macro_rules! columns {
    () => {
        "id, tenant_id, customer_id, site_id, quote_id, title, currency, lines, net_minor,
         tax_minor, total_minor, payment_days, status, number, issued_on, due_on, document_id,
         paid_at, created_by, created_at"
    };
}

pub async fn insert(conn: &mut PgConnection, i: &InvoiceRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO invoices (id, tenant_id, customer_id, site_id, quote_id, title, currency,
                               lines, net_minor, tax_minor, total_minor, payment_days, status,
                               created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'draft', $13, $14)",
    )
    .bind(i.id)
    .bind(i.tenant_id)
    .bind(i.customer_id)
    .bind(i.site_id)
    .bind(i.quote_id)
    .bind(&i.title)
    .bind(&i.currency)
    .bind(&i.lines)
    .bind(i.net_minor)
    .bind(i.tax_minor)
    .bind(i.total_minor)
    .bind(i.payment_days)
    .bind(i.created_by)
    .bind(i.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<InvoiceRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM invoices WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn get_for_update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<InvoiceRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM invoices WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Which invoices a list shows.
pub struct InvoiceFilter<'a> {
    pub customer_id: Option<Uuid>,
    pub sites: Option<&'a [Uuid]>,
    pub site_id: Option<Uuid>,
    /// Contacts: never a draft.
    pub only_final: bool,
    /// Older than this (created, id): the page after a cursor.
    pub after: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
    pub limit: i64,
}

/// Newest first.
pub async fn list(
    pool: &sqlx::PgPool,
    tenant_id: Uuid,
    f: &InvoiceFilter<'_>,
) -> sqlx::Result<Vec<InvoiceRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM invoices WHERE tenant_id = $1
            AND ($2::uuid IS NULL OR customer_id = $2)
            AND ($3::uuid[] IS NULL OR site_id = ANY ($3))
            AND ($4::uuid IS NULL OR site_id = $4)
            AND (NOT $5 OR status = 'final')
            AND ($7::timestamptz IS NULL OR (created_at, id) < ($7, $8))
          ORDER BY created_at DESC, id DESC LIMIT $6"
    ))
    .bind(tenant_id)
    .bind(f.customer_id)
    .bind(f.sites)
    .bind(f.site_id)
    .bind(f.only_final)
    .bind(f.limit)
    .bind(f.after.map(|a| a.0))
    .bind(f.after.map(|a| a.1))
    .fetch_all(pool)
    .await
}

/// The next number of `year` for the tenant, under the counter row's lock
/// until the caller's transaction ends: no gap, no repeat.
pub async fn next_number(conn: &mut PgConnection, tenant_id: Uuid, year: i32) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "INSERT INTO invoice_numbers (tenant_id, year, last) VALUES ($1, $2, 1)
         ON CONFLICT (tenant_id, year) DO UPDATE SET last = invoice_numbers.last + 1
         RETURNING last",
    )
    .bind(tenant_id)
    .bind(year)
    .fetch_one(conn)
    .await
}

pub struct Finalised<'a> {
    pub number: &'a str,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub document_id: Uuid,
}

pub async fn finalise(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    f: &Finalised<'_>,
) -> sqlx::Result<InvoiceRow> {
    sqlx::query_as(concat!(
        "UPDATE invoices SET status = 'final', number = $3, issued_on = $4, due_on = $5,
             document_id = $6
         WHERE tenant_id = $1 AND id = $2 AND status = 'draft' RETURNING ",
        columns!()
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(f.number)
    .bind(f.issued_on)
    .bind(f.due_on)
    .bind(f.document_id)
    .fetch_one(conn)
    .await
}

pub async fn mark_paid(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    at: DateTime<Utc>,
) -> sqlx::Result<InvoiceRow> {
    sqlx::query_as(concat!(
        "UPDATE invoices SET paid_at = $3
         WHERE tenant_id = $1 AND id = $2 AND status = 'final' AND paid_at IS NULL RETURNING ",
        columns!()
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(at)
    .fetch_one(conn)
    .await
}
