//! The conversation of a request: comments from both sides and internal notes.
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct CommentRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub request_id: Uuid,
    pub author_id: Option<Uuid>,
    pub author_kind: String,
    pub author_name: String,
    pub body: String,
    pub internal: bool,
    pub source: String,
    pub attachment_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A comment to store, already checked by `domain`.
#[derive(Debug, Clone)]
pub struct NewComment {
    pub tenant_id: Uuid,
    pub request_id: Uuid,
    pub author_id: Option<Uuid>,
    /// staff | contact | email
    pub author_kind: String,
    pub author_name: String,
    pub body: String,
    pub internal: bool,
    /// portal | email | api
    pub source: String,
    pub attachment_ids: Vec<Uuid>,
    /// The Message-ID of the mail it came from: a second insert of the
    /// same mail is a no-op (`Ok(None)`).
    pub mail_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Stores a comment and, in the same statement group, adds it to the
/// request's counters and search vectors (public comments to both, internal
/// notes to the staff one only). The caller holds the transaction and has
/// checked the rules. `None` when this mail was already stored.
pub async fn insert_comment(
    conn: &mut PgConnection,
    c: &NewComment,
) -> sqlx::Result<Option<CommentRow>> {
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "INSERT INTO request_comments (id, tenant_id, request_id, author_id, author_kind,
                                       author_name, body, internal, source, attachment_ids,
                                       mail_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (tenant_id, mail_id) WHERE mail_id IS NOT NULL DO NOTHING",
    )
    .bind(id)
    .bind(c.tenant_id)
    .bind(c.request_id)
    .bind(c.author_id)
    .bind(&c.author_kind)
    .bind(&c.author_name)
    .bind(&c.body)
    .bind(c.internal)
    .bind(&c.source)
    .bind(&c.attachment_ids)
    .bind(&c.mail_id)
    .bind(c.created_at)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(None);
    }
    sqlx::query(
        "UPDATE requests
            SET all_comments = all_comments + 1,
                public_comments = public_comments + CASE WHEN $3 THEN 0 ELSE 1 END,
                search_all = search_all || to_tsvector('simple', $2),
                search_public = CASE WHEN $3 THEN search_public
                                     ELSE search_public || to_tsvector('simple', $2) END,
                updated_at = $4
          WHERE id = $1",
    )
    .bind(c.request_id)
    .bind(&c.body)
    .bind(c.internal)
    .bind(c.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(Some(CommentRow {
        id,
        tenant_id: c.tenant_id,
        request_id: c.request_id,
        author_id: c.author_id,
        author_kind: c.author_kind.clone(),
        author_name: c.author_name.clone(),
        body: c.body.clone(),
        internal: c.internal,
        source: c.source.clone(),
        attachment_ids: c.attachment_ids.clone(),
        created_at: c.created_at,
    }))
}

/// The conversation, oldest first; internal notes only when asked.
pub async fn list_comments(
    pool: &PgPool,
    request_id: Uuid,
    with_internal: bool,
) -> sqlx::Result<Vec<CommentRow>> {
    sqlx::query_as(
        "SELECT id, tenant_id, request_id, author_id, author_kind, author_name, body, internal,
                source, attachment_ids, created_at
         FROM request_comments
         WHERE request_id = $1 AND ($2 OR NOT internal)
         ORDER BY created_at, id",
    )
    .bind(request_id)
    .bind(with_internal)
    .fetch_all(pool)
    .await
}
