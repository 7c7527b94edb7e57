//! Every SQL statement of work-orders.
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct WorkOrderRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub request_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub site_id: Uuid,
    /// When the request was created; `None` for rows older than the copy.
    pub request_created_at: Option<DateTime<Utc>>,
    pub title: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

macro_rules! columns {
    () => {
        "id, tenant_id, request_id, customer_id, site_id, request_created_at, title, status, created_at"
    };
}

/// Creates the request's work order unless it already has one; returns the
/// new row, or `None` when it existed.
pub async fn insert_for_request(
    conn: &mut PgConnection,
    row: &WorkOrderRow,
    description: &str,
) -> sqlx::Result<Option<WorkOrderRow>> {
    sqlx::query_as(concat!(
        "INSERT INTO work_orders (id, tenant_id, request_id, customer_id, site_id, title, description, status, created_at, request_created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT ON CONSTRAINT work_orders_one_per_request DO NOTHING
         RETURNING ",
        columns!()
    ))
    .bind(row.id)
    .bind(row.tenant_id)
    .bind(row.request_id)
    .bind(row.customer_id)
    .bind(row.site_id)
    .bind(&row.title)
    .bind(description)
    .bind(&row.status)
    .bind(row.created_at)
    .bind(row.request_created_at)
    .fetch_optional(conn)
    .await
}

pub async fn get(pool: &PgPool, tenant_id: Uuid, id: Uuid) -> sqlx::Result<Option<WorkOrderRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM work_orders WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn list(
    pool: &PgPool,
    tenant_id: Uuid,
    status: Option<&str>,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<WorkOrderRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM work_orders
         WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2)
           AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
         ORDER BY created_at DESC, id DESC LIMIT $5"
    ))
    .bind(tenant_id)
    .bind(status)
    .bind(before.map(|b| b.0))
    .bind(before.map(|b| b.1))
    .bind(limit)
    .fetch_all(pool)
    .await
}
