//! Every SQL statement of requests.
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct RequestRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub site_id: Uuid,
    pub contact_id: Uuid,
    pub title: String,
    pub description: String,
    pub category: String,
    pub priority: String,
    pub status: String,
    pub work_order_id: Option<Uuid>,
    pub reject_reason: String,
    pub assignee: String,
    pub planned_start: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! columns {
    () => {
        "id, tenant_id, customer_id, site_id, contact_id, title, description, category, priority, \
         status, work_order_id, reject_reason, assignee, planned_start, created_at, updated_at"
    };
}

pub async fn insert(conn: &mut PgConnection, r: &RequestRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO requests (id, tenant_id, customer_id, site_id, contact_id, title, description,
                               category, priority, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(r.id)
    .bind(r.tenant_id)
    .bind(r.customer_id)
    .bind(r.site_id)
    .bind(r.contact_id)
    .bind(&r.title)
    .bind(&r.description)
    .bind(&r.category)
    .bind(&r.priority)
    .bind(&r.status)
    .bind(r.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn record_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    by: Uuid,
    note: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO request_status_history (request_id, status, changed_by, note) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(status)
        .bind(by)
        .bind(note)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get(pool: &PgPool, tenant_id: Uuid, id: Uuid) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM requests WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn get_for_update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM requests WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn set_decision(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    reject_reason: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE requests SET status = $2, reject_reason = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(reject_reason)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Links the work order; true when the request exists.
pub async fn link_work_order(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    work_order_id: Uuid,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE requests SET work_order_id = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(work_order_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Filters of a list; `None` = no filter on that field.
pub struct ListFilter {
    pub tenant_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub site_ids: Option<Vec<Uuid>>,
    pub status: Option<String>,
    pub site_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub created_since: Option<DateTime<Utc>>,
    pub work_order_id: Option<Uuid>,
    /// Keyset cursor: rows strictly older than this (created_at, id).
    pub before: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

pub async fn list(pool: &PgPool, f: &ListFilter) -> sqlx::Result<Vec<RequestRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM requests
         WHERE tenant_id = $1
           AND ($2::uuid IS NULL OR customer_id = $2)
           AND ($3::uuid[] IS NULL OR site_id = ANY ($3))
           AND ($4::text IS NULL OR status = $4)
           AND ($5::uuid IS NULL OR site_id = $5)
           AND ($6::uuid IS NULL OR contact_id = $6)
           AND ($7::timestamptz IS NULL OR (created_at, id) < ($7, $8))
           AND ($10::timestamptz IS NULL OR created_at >= $10)
           AND ($11::uuid IS NULL OR work_order_id = $11)
         ORDER BY created_at DESC, id DESC
         LIMIT $9"
    ))
    .bind(f.tenant_id)
    .bind(f.customer_id)
    .bind(&f.site_ids)
    .bind(&f.status)
    .bind(f.site_id)
    .bind(f.contact_id)
    .bind(f.before.map(|b| b.0))
    .bind(f.before.map(|b| b.1))
    .bind(f.limit)
    .bind(f.created_since)
    .bind(f.work_order_id)
    .fetch_all(pool)
    .await
}
