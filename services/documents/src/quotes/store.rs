//! The SQL of quotes.
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

/// A line as stored with its computed amounts.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct StoredLine {
    pub description: String,
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    pub tax_rate_bp: i32,
    pub net_minor: i64,
    pub tax_minor: i64,
}

/// What the sent PDF printed besides the lines.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Printed {
    pub provider: String,
    pub provider_details: String,
    pub customer: String,
    pub site: String,
    /// IANA name of the zone its dates were printed in.
    pub zone: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct QuoteRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub site_id: Uuid,
    pub title: String,
    pub currency: String,
    pub lines: Json<Vec<StoredLine>>,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub valid_until: NaiveDate,
    pub status: String,
    pub document_id: Uuid,
    pub pdf_sha256: Vec<u8>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<Uuid>,
    pub signer_name: String,
    pub decline_reason: String,
    pub decided_from: String,
    pub work_order_id: Option<Uuid>,
    pub printed: Json<Printed>,
}

macro_rules! columns {
    () => {
        "id, tenant_id, customer_id, site_id, title, currency, lines, net_minor, tax_minor,
         total_minor, valid_until, status, document_id, pdf_sha256, created_by, created_at,
         decided_at, decided_by, signer_name, decline_reason, decided_from, work_order_id,
         printed"
    };
}

pub async fn insert(conn: &mut PgConnection, q: &QuoteRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO quotes (id, tenant_id, customer_id, site_id, title, currency, lines,
                             net_minor, tax_minor, total_minor, valid_until, status,
                             document_id, pdf_sha256, created_by, created_at, printed)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'sent', $12, $13, $14, $15, $16)",
    )
    .bind(q.id)
    .bind(q.tenant_id)
    .bind(q.customer_id)
    .bind(q.site_id)
    .bind(&q.title)
    .bind(&q.currency)
    .bind(&q.lines)
    .bind(q.net_minor)
    .bind(q.tax_minor)
    .bind(q.total_minor)
    .bind(q.valid_until)
    .bind(q.document_id)
    .bind(&q.pdf_sha256)
    .bind(q.created_by)
    .bind(q.created_at)
    .bind(&q.printed)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<QuoteRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM quotes WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The quote, locked until the decision is written.
pub async fn get_for_update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<QuoteRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM quotes WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Which quotes a list shows.
pub struct QuoteFilter<'a> {
    pub customer_id: Option<Uuid>,
    pub sites: Option<&'a [Uuid]>,
    pub site_id: Option<Uuid>,
    pub status: Option<&'a str>,
    pub limit: i64,
}

/// Newest first.
pub async fn list(
    pool: &sqlx::PgPool,
    tenant_id: Uuid,
    f: &QuoteFilter<'_>,
) -> sqlx::Result<Vec<QuoteRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM quotes WHERE tenant_id = $1
            AND ($2::uuid IS NULL OR customer_id = $2)
            AND ($3::uuid[] IS NULL OR site_id = ANY ($3))
            AND ($4::uuid IS NULL OR site_id = $4)
            AND ($5::text IS NULL OR status = $5)
          ORDER BY created_at DESC, id DESC LIMIT $6"
    ))
    .bind(tenant_id)
    .bind(f.customer_id)
    .bind(f.sites)
    .bind(f.site_id)
    .bind(f.status)
    .bind(f.limit)
    .fetch_all(pool)
    .await
}

/// The decision, on a quote still sent (the caller holds its lock).
pub struct DecisionRow<'a> {
    pub accepted: bool,
    pub at: DateTime<Utc>,
    pub by: Uuid,
    pub signer_name: &'a str,
    pub signature_png: Option<&'a [u8]>,
    pub reason: &'a str,
    pub from: &'a str,
}

pub async fn decide(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    d: &DecisionRow<'_>,
) -> sqlx::Result<QuoteRow> {
    sqlx::query_as(concat!(
        "UPDATE quotes SET status = CASE WHEN $3 THEN 'accepted' ELSE 'declined' END,
             decided_at = $4, decided_by = $5, signer_name = $6, signature_png = $7,
             decline_reason = $8, decided_from = $9
         WHERE tenant_id = $1 AND id = $2 AND status = 'sent' RETURNING ",
        columns!()
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(d.accepted)
    .bind(d.at)
    .bind(d.by)
    .bind(d.signer_name)
    .bind(d.signature_png)
    .bind(d.reason)
    .bind(d.from)
    .fetch_one(conn)
    .await
}

/// The work order an accepted quote became (from `work_order.created`).
pub async fn set_work_order(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    quote_id: Uuid,
    work_order_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE quotes SET work_order_id = $3
         WHERE tenant_id = $1 AND id = $2 AND work_order_id IS NULL",
    )
    .bind(tenant_id)
    .bind(quote_id)
    .bind(work_order_id)
    .execute(conn)
    .await?;
    Ok(())
}
