//! The SQL of documents' catalogue.
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

use super::domain::Kind;

#[derive(Debug, Clone, FromRow)]
pub struct DocumentRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kind: Kind,
    pub customer_id: Uuid,
    pub site_id: Option<Uuid>,
    pub work_order_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    pub title: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: Vec<u8>,
    pub blob_key: String,
    pub created_at: DateTime<Utc>,
    pub equipment_id: Option<Uuid>,
    pub file_name: Option<String>,
    /// The current version's number: 1 + the versions it replaced.
    pub version: i32,
    /// When the current version was stored.
    pub content_at: DateTime<Utc>,
    /// When its request was created, as far as documents knows (from
    /// `owner_requests`): for a customer's "since" limit.
    pub request_created_at: Option<DateTime<Utc>>,
}

/// A document before the database has stamped it.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kind: Kind,
    pub customer_id: Uuid,
    pub site_id: Option<Uuid>,
    pub work_order_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    pub title: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: Vec<u8>,
    pub blob_key: String,
    pub equipment_id: Option<Uuid>,
    /// The uploaded file's name; `None` for generated documents.
    pub file_name: Option<String>,
    /// Who published it; `None` for generated documents.
    pub published_by: Option<Uuid>,
}

/// New content for a document, replacing its current version.
#[derive(Debug, Clone)]
pub struct NewContent<'a> {
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a [u8],
    pub blob_key: &'a str,
    pub file_name: Option<&'a str>,
}

/// One version of a document's content.
#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    pub version: i32,
    pub content_type: String,
    pub size: i64,
    pub sha256: Vec<u8>,
    pub blob_key: String,
    pub file_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

// Spliced at compile time so every query stays a literal.
macro_rules! columns {
    () => {
        "d.id, d.tenant_id, d.kind, d.customer_id, d.site_id, d.work_order_id, d.request_id,
         d.title, d.content_type, d.size, d.sha256, d.blob_key, d.created_at,
         d.equipment_id, d.file_name,
         (1 + (SELECT count(*) FROM document_versions v WHERE v.document_id = d.id))::int
             AS version,
         coalesce(d.content_at, d.created_at) AS content_at,
         r.created_at AS request_created_at"
    };
}

macro_rules! from {
    () => {
        " FROM documents d
          LEFT JOIN owner_requests r ON r.tenant_id = d.tenant_id AND r.request_id = d.request_id "
    };
}

/// Inserts the document unless its work order already has one of this kind
/// that must be unique (a service report): `None` then, else its time.
pub async fn insert(
    conn: &mut PgConnection,
    d: &NewDocument,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar(
        "INSERT INTO documents (id, tenant_id, kind, customer_id, site_id, work_order_id,
                                request_id, title, content_type, size, sha256, blob_key,
                                equipment_id, file_name, published_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now())
         ON CONFLICT (tenant_id, work_order_id, kind) WHERE kind = 'service_report' DO NOTHING
         RETURNING created_at",
    )
    .bind(d.id)
    .bind(d.tenant_id)
    .bind(d.kind)
    .bind(d.customer_id)
    .bind(d.site_id)
    .bind(d.work_order_id)
    .bind(d.request_id)
    .bind(&d.title)
    .bind(&d.content_type)
    .bind(d.size)
    .bind(&d.sha256)
    .bind(&d.blob_key)
    .bind(d.equipment_id)
    .bind(&d.file_name)
    .bind(d.published_by)
    .fetch_optional(conn)
    .await
}

/// The document, locked until the transaction ends (a new version).
pub async fn lock(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<DocumentRow>> {
    sqlx::query("SELECT 1 FROM documents WHERE tenant_id = $1 AND id = $2 FOR UPDATE")
        .bind(tenant_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    get(conn, tenant_id, id).await
}

/// Keeps the document's current content as its next version number and
/// points the document at `new` (a signed quote, a newer file).
pub async fn replace_content(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    document_id: Uuid,
    new: &NewContent<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO document_versions (document_id, version, tenant_id, content_type, size,
                                        sha256, blob_key, file_name, created_at)
         SELECT d.id,
                1 + (SELECT count(*) FROM document_versions v WHERE v.document_id = d.id),
                d.tenant_id, d.content_type, d.size, d.sha256, d.blob_key, d.file_name,
                coalesce(d.content_at, d.created_at)
         FROM documents d WHERE d.tenant_id = $1 AND d.id = $2",
    )
    .bind(tenant_id)
    .bind(document_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE documents SET content_type = $3, size = $4, sha256 = $5, blob_key = $6,
                              file_name = coalesce($7, file_name), content_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(document_id)
    .bind(new.content_type)
    .bind(new.size)
    .bind(new.sha256)
    .bind(new.blob_key)
    .bind(new.file_name)
    .execute(conn)
    .await?;
    Ok(())
}

/// The versions a document replaced, newest first (the current one is the
/// document's own).
pub async fn versions<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    document_id: Uuid,
) -> sqlx::Result<Vec<VersionRow>> {
    sqlx::query_as(
        "SELECT version, content_type, size, sha256, blob_key, file_name, created_at
         FROM document_versions WHERE tenant_id = $1 AND document_id = $2
         ORDER BY version DESC",
    )
    .bind(tenant_id)
    .bind(document_id)
    .fetch_all(db)
    .await
}

pub async fn get<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<DocumentRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        from!(),
        "WHERE d.tenant_id = $1 AND d.id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The work order's document of `kind`, if it has one.
pub async fn of_work_order<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    work_order_id: Uuid,
    kind: Kind,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT id FROM documents WHERE tenant_id = $1 AND work_order_id = $2 AND kind = $3
         ORDER BY created_at LIMIT 1",
    )
    .bind(tenant_id)
    .bind(work_order_id)
    .bind(kind)
    .fetch_optional(db)
    .await
}

/// Serialises the making of one work order's documents until the
/// transaction ends.
pub async fn lock_work_order(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    work_order_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("documents/work-order/{tenant_id}/{work_order_id}"))
        .execute(conn)
        .await?;
    Ok(())
}

/// What a list asks for: the caller's scope and narrowing, then filters.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// `None`: every customer (staff).
    pub customer_id: Option<Uuid>,
    /// `None`: every site of the customer.
    pub sites: Option<Vec<Uuid>>,
    /// Only documents whose request was created since (a customer's limit).
    pub since: Option<DateTime<Utc>>,
    /// Only this work order's documents (a secure link for one).
    pub only_work_order: Option<Uuid>,
    /// What the caller asks for.
    pub kind: Option<Kind>,
    pub site_id: Option<Uuid>,
    pub work_order_id: Option<Uuid>,
    pub equipment_id: Option<Uuid>,
    /// Staff: one customer's documents.
    pub of_customer: Option<Uuid>,
    /// A `LIKE` pattern over the lower-cased title (`search::contains_pattern`).
    pub q: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// Newest first.
pub async fn list<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    f: &ListFilter,
) -> sqlx::Result<Vec<DocumentRow>> {
    // A NULL site never matches a site list, as in `Scope::allows`; an
    // unknown request never passes a "since" limit, and a document of no
    // request is not held back by one, as in `domain::shows`.
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        from!(),
        "WHERE d.tenant_id = $1
           AND ($2::uuid IS NULL OR d.customer_id = $2)
           AND ($3::uuid[] IS NULL OR d.site_id = ANY($3))
           AND ($4::timestamptz IS NULL OR d.request_id IS NULL OR r.created_at >= $4)
           AND ($5::uuid IS NULL OR d.work_order_id = $5)
           AND ($6::uuid IS NULL OR d.work_order_id = $6)
           AND ($7::document_kind IS NULL OR d.kind = $7)
           AND ($8::uuid IS NULL OR d.site_id = $8)
           AND ($9::timestamptz IS NULL OR (d.created_at, d.id) < ($9, $10))
           AND ($12::text IS NULL OR lower(d.title) LIKE $12)
           AND ($13::timestamptz IS NULL OR d.created_at >= $13)
           AND ($14::timestamptz IS NULL OR d.created_at < $14)
           AND ($15::uuid IS NULL OR d.equipment_id = $15)
           AND ($16::uuid IS NULL OR d.customer_id = $16)
         ORDER BY d.created_at DESC, d.id DESC
         LIMIT $11"
    ))
    .bind(tenant_id)
    .bind(f.customer_id)
    .bind(f.sites.as_deref())
    .bind(f.since)
    .bind(f.only_work_order)
    .bind(f.work_order_id)
    .bind(f.kind)
    .bind(f.site_id)
    .bind(f.after.map(|a| a.0))
    .bind(f.after.map(|a| a.1))
    .bind(f.limit)
    .bind(f.q.as_deref())
    .bind(f.created_from)
    .bind(f.created_before)
    .bind(f.equipment_id)
    .bind(f.of_customer)
    .fetch_all(db)
    .await
}

/// When a request was created, as documents knows it from its events.
pub async fn request_created_at(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    request_id: Uuid,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar(
        "SELECT created_at FROM owner_requests WHERE tenant_id = $1 AND request_id = $2",
    )
    .bind(tenant_id)
    .bind(request_id)
    .fetch_optional(conn)
    .await
    .map(Option::flatten)
}
