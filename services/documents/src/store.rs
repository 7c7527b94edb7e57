//! Every SQL statement of documents.
use chrono::{DateTime, Utc};
use portal_platform::db::SystemPool;
use portal_platform::scope::Scope;
use sqlx::{FromRow, PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use crate::domain::{OwnerRequest, OwnerType};

#[derive(Debug, Clone, FromRow)]
pub struct AttachmentRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub owner_type: OwnerType,
    pub owner_id: Uuid,
    pub customer_id: Uuid,
    pub site_id: Option<Uuid>,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: Vec<u8>,
    pub blob_key: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// An attachment before the database has stamped it.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub owner_type: OwnerType,
    pub owner_id: Uuid,
    pub customer_id: Uuid,
    pub site_id: Option<Uuid>,
    pub name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a [u8],
    pub blob_key: &'a str,
    pub created_by: Uuid,
}

// Spliced at compile time so every query stays a literal.
macro_rules! columns {
    () => {
        "id, tenant_id, owner_type, owner_id, customer_id, site_id, name, content_type, \
         size, sha256, blob_key, created_by, created_at"
    };
}

/// Inserts and returns the row as stored (with the database's timestamp).
pub async fn insert<'e>(
    db: impl PgExecutor<'e>,
    a: &NewAttachment<'_>,
) -> sqlx::Result<AttachmentRow> {
    sqlx::query_as(concat!(
        "INSERT INTO attachments (id, tenant_id, owner_type, owner_id, customer_id, site_id, \
         name, content_type, size, sha256, blob_key, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
         RETURNING ",
        columns!()
    ))
    .bind(a.id)
    .bind(a.tenant_id)
    .bind(a.owner_type)
    .bind(a.owner_id)
    .bind(a.customer_id)
    .bind(a.site_id)
    .bind(a.name)
    .bind(a.content_type)
    .bind(a.size)
    .bind(a.sha256)
    .bind(a.blob_key)
    .bind(a.created_by)
    .fetch_one(db)
    .await
}

/// The owner's attachments in the tenant that `scope` may see, oldest first.
pub async fn list_for_owner(
    pool: &PgPool,
    tenant_id: Uuid,
    owner_type: OwnerType,
    owner_id: Uuid,
    scope: &Scope,
) -> sqlx::Result<Vec<AttachmentRow>> {
    let (customer, sites, visible) = scope.sql_filter();
    if !visible {
        return Ok(vec![]);
    }
    // A NULL site never matches a site list, as in `Scope::allows`.
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM attachments
         WHERE tenant_id = $1 AND owner_type = $2 AND owner_id = $3
           AND ($4::uuid IS NULL OR customer_id = $4)
           AND ($5::uuid[] IS NULL OR site_id = ANY($5))
         ORDER BY created_at, id"
    ))
    .bind(tenant_id)
    .bind(owner_type)
    .bind(owner_id)
    .bind(customer)
    .bind(sites)
    .fetch_all(pool)
    .await
}

/// One attachment of the tenant; the caller checks the scope.
pub async fn get(pool: &PgPool, tenant_id: Uuid, id: Uuid) -> sqlx::Result<Option<AttachmentRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM attachments WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Records when a request was created (from `request.submitted`).
pub async fn note_request_created(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    request_id: Uuid,
    created_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO owner_requests (tenant_id, request_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, request_id) DO UPDATE SET created_at = EXCLUDED.created_at",
    )
    .bind(tenant_id)
    .bind(request_id)
    .bind(created_at)
    .execute(conn)
    .await
    .map(drop)
}

/// Records a request's work order (from `work_order.created`).
pub async fn note_work_order(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    request_id: Uuid,
    work_order_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO owner_requests (tenant_id, request_id, work_order_id) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, request_id) DO UPDATE SET work_order_id = EXCLUDED.work_order_id",
    )
    .bind(tenant_id)
    .bind(request_id)
    .bind(work_order_id)
    .execute(conn)
    .await
    .map(drop)
}

/// What is known of one request; `None` when no event has told yet.
pub async fn owner_request(
    pool: &PgPool,
    tenant_id: Uuid,
    request_id: Uuid,
) -> sqlx::Result<Option<OwnerRequest>> {
    sqlx::query_as(
        "SELECT created_at, work_order_id FROM owner_requests
         WHERE tenant_id = $1 AND request_id = $2",
    )
    .bind(tenant_id)
    .bind(request_id)
    .fetch_optional(pool)
    .await
}

/// What is known of the request a work order came from (its photos follow
/// it); `None` when no event has told yet.
pub async fn owner_of_work_order(
    pool: &PgPool,
    tenant_id: Uuid,
    work_order_id: Uuid,
) -> sqlx::Result<Option<OwnerRequest>> {
    sqlx::query_as(
        "SELECT created_at, work_order_id FROM owner_requests
         WHERE tenant_id = $1 AND work_order_id = $2
         LIMIT 1",
    )
    .bind(tenant_id)
    .bind(work_order_id)
    .fetch_optional(pool)
    .await
}

/// How many attachments an owner has (a work order's photos are capped).
pub async fn count_for_owner<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    owner_type: OwnerType,
    owner_id: Uuid,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM attachments
         WHERE tenant_id = $1 AND owner_type = $2 AND owner_id = $3",
    )
    .bind(tenant_id)
    .bind(owner_type)
    .bind(owner_id)
    .fetch_one(db)
    .await
}

/// Serialises the adding of one owner's files until the transaction ends
/// (a work order's photo cap holds under concurrent uploads).
pub async fn lock_owner(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    owner_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("documents/owner/{tenant_id}/{owner_id}"))
        .execute(conn)
        .await?;
    Ok(())
}

/// The first `limit` photos of a work order, oldest first (the service
/// report's), and how many it has in all.
pub async fn work_order_photos(
    pool: &PgPool,
    tenant_id: Uuid,
    work_order_id: Uuid,
    limit: i64,
) -> sqlx::Result<(Vec<AttachmentRow>, i64)> {
    let rows = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM attachments
         WHERE tenant_id = $1 AND owner_type = 'work_order' AND owner_id = $2
         ORDER BY created_at, id
         LIMIT $3"
    ))
    .bind(tenant_id)
    .bind(work_order_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let total = count_for_owner(pool, tenant_id, OwnerType::WorkOrder, work_order_id).await?;
    Ok((rows, total))
}

/// Every table with a `blob_key` column: a stored file that none of them
/// names belongs to no one (the sweeper's rule; a test compares this list
/// with the schema).
pub const BLOB_KEY_TABLES: [&str; 4] =
    ["attachments", "documents", "document_versions", "kb_files"];

/// Those of `keys` that no row of any tenant names. Cross-tenant, so on the
/// owner's pool: the app pool's policies would hide every row and make every
/// file look orphaned.
pub async fn unreferenced_blob_keys(
    system: &SystemPool,
    keys: &[String],
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT k FROM unnest($1::text[]) AS k
         WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.blob_key = k)
           AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.blob_key = k)
           AND NOT EXISTS (SELECT 1 FROM document_versions v WHERE v.blob_key = k)
           AND NOT EXISTS (SELECT 1 FROM kb_files f WHERE f.blob_key = k)",
    )
    .bind(keys)
    .fetch_all(system.cross_tenant())
    .await
}
