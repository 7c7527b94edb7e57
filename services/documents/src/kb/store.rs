//! The SQL of the knowledge base.
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

use super::domain::{Audience, Draft};

#[derive(Debug, Clone, FromRow)]
pub struct ArticleRow {
    pub id: Uuid,
    pub category: String,
    pub title: String,
    pub body: String,
    pub language: String,
    pub audience: Audience,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// The words found, marked, when searching.
    pub headline: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct CommentRow {
    pub id: Uuid,
    pub article_id: Uuid,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub hidden: bool,
}

/// What a list asks for.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Drafts too (staff).
    pub drafts: bool,
    /// Public articles only (anonymous readers).
    pub public_only: bool,
    pub category: Option<String>,
    /// The words as typed (for every language but Polish).
    pub q: Option<String>,
    /// The Polish prefix query (`domain::polish_query`).
    pub q_polish: Option<String>,
}

// Spliced at compile time so every query stays a literal.
macro_rules! columns {
    () => {
        "id, category, title, body, language, audience, published_at, updated_at"
    };
}

/// Inserts a new article; `published` sets its publication time now.
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    d: &Draft,
    published: bool,
    by: Uuid,
) -> sqlx::Result<ArticleRow> {
    sqlx::query_as(
        "INSERT INTO kb_articles (id, tenant_id, category, title, body, language, audience,
                                  published_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $8 THEN now() END, $9)
         RETURNING id, category, title, body, language, audience, published_at, updated_at,
                   NULL::text AS headline",
    )
    .bind(id)
    .bind(tenant_id)
    .bind(&d.category)
    .bind(&d.title)
    .bind(&d.body)
    .bind(&d.language)
    .bind(d.audience)
    .bind(published)
    .bind(by)
    .fetch_one(conn)
    .await
}

/// Whether the article was published before this change (locks its row).
pub async fn lock(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Option<DateTime<Utc>>>> {
    sqlx::query_scalar(
        "SELECT published_at FROM kb_articles WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Replaces an article's text; publishing keeps its first publication
/// time, withdrawing clears it.
pub async fn update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    d: &Draft,
    published: bool,
) -> sqlx::Result<ArticleRow> {
    sqlx::query_as(
        "UPDATE kb_articles
         SET category = $3, title = $4, body = $5, language = $6, audience = $7,
             published_at = CASE WHEN $8 THEN coalesce(published_at, now()) END,
             updated_at = now()
         WHERE tenant_id = $1 AND id = $2
         RETURNING id, category, title, body, language, audience, published_at, updated_at,
                   NULL::text AS headline",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&d.category)
    .bind(&d.title)
    .bind(&d.body)
    .bind(&d.language)
    .bind(d.audience)
    .bind(published)
    .fetch_one(conn)
    .await
}

pub async fn get<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<ArticleRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        ", NULL::text AS headline FROM kb_articles WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The articles a filter lets through: best match first when searching
/// (each article searched with its own language's configuration), else
/// by category and title. At most 200.
pub async fn list<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    f: &ListFilter,
) -> sqlx::Result<Vec<ArticleRow>> {
    // The query of each article's language: Polish by prefix, the others
    // stemmed by their own rules.
    sqlx::query_as(concat!(
        "WITH a AS (
             SELECT ",
        columns!(),
        ", search,
                    CASE WHEN language = 'pl' THEN to_tsquery('portal_pl', coalesce($6, ''))
                         ELSE plainto_tsquery(kb_config(language), coalesce($5, '')) END AS query
             FROM kb_articles
             WHERE tenant_id = $1
               AND ($2 OR published_at IS NOT NULL)
               AND (NOT $3 OR audience = 'public')
               AND ($4::text IS NULL OR category = $4)
         )
         SELECT ",
        columns!(),
        ",
                CASE WHEN $5::text IS NULL THEN NULL
                     ELSE ts_headline(kb_config(language), body, query,
                                      'MaxWords=30, MinWords=12, StartSel=«, StopSel=»') END
                    AS headline
         FROM a
         WHERE $5::text IS NULL OR search @@ query
         ORDER BY CASE WHEN $5::text IS NULL THEN 0 ELSE ts_rank(search, query) END DESC,
                  category, title
         LIMIT 200"
    ))
    .bind(tenant_id)
    .bind(f.drafts)
    .bind(f.public_only)
    .bind(f.category.as_deref())
    .bind(f.q.as_deref())
    .bind(f.q_polish.as_deref())
    .fetch_all(db)
    .await
}

/// Every category of the articles a reader may see.
pub async fn categories<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    drafts: bool,
    public_only: bool,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT DISTINCT category FROM kb_articles
         WHERE tenant_id = $1 AND ($2 OR published_at IS NOT NULL)
           AND (NOT $3 OR audience = 'public')
         ORDER BY category",
    )
    .bind(tenant_id)
    .bind(drafts)
    .bind(public_only)
    .fetch_all(db)
    .await
}

pub async fn add_comment(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    article_id: Uuid,
    author: (Uuid, &str),
    body: &str,
) -> sqlx::Result<CommentRow> {
    sqlx::query_as(
        "INSERT INTO kb_comments (id, tenant_id, article_id, author_id, author_name, body)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, article_id, author_name, body, created_at, false AS hidden",
    )
    .bind(Uuid::now_v7())
    .bind(tenant_id)
    .bind(article_id)
    .bind(author.0)
    .bind(author.1)
    .bind(body)
    .fetch_one(conn)
    .await
}

/// An article's comments, oldest first; hidden ones only when asked.
pub async fn comments<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    article_id: Uuid,
    with_hidden: bool,
) -> sqlx::Result<Vec<CommentRow>> {
    sqlx::query_as(
        "SELECT id, article_id, author_name, body, created_at, hidden_at IS NOT NULL AS hidden
         FROM kb_comments
         WHERE tenant_id = $1 AND article_id = $2 AND ($3 OR hidden_at IS NULL)
         ORDER BY created_at, id",
    )
    .bind(tenant_id)
    .bind(article_id)
    .bind(with_hidden)
    .fetch_all(db)
    .await
}

/// Hides a comment (once: hiding again changes nothing).
pub async fn hide_comment<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    id: Uuid,
    by: Uuid,
) -> sqlx::Result<Option<CommentRow>> {
    sqlx::query_as(
        "UPDATE kb_comments SET hidden_at = coalesce(hidden_at, now()),
                                hidden_by = coalesce(hidden_by, $3)
         WHERE tenant_id = $1 AND id = $2
         RETURNING id, article_id, author_name, body, created_at, true AS hidden",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(by)
    .fetch_optional(db)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct FileRow {
    pub id: Uuid,
    pub article_id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub blob_key: String,
    pub created_at: DateTime<Utc>,
}

/// A file of an article, before the database has stamped it.
pub struct NewFile<'a> {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub article_id: Uuid,
    pub name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a [u8],
    pub blob_key: &'a str,
    pub created_by: Uuid,
}

pub async fn insert_file<'e>(db: impl PgExecutor<'e>, f: &NewFile<'_>) -> sqlx::Result<FileRow> {
    sqlx::query_as(
        "INSERT INTO kb_files (id, tenant_id, article_id, name, content_type, size, sha256,
                               blob_key, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING id, article_id, name, content_type, size, blob_key, created_at",
    )
    .bind(f.id)
    .bind(f.tenant_id)
    .bind(f.article_id)
    .bind(f.name)
    .bind(f.content_type)
    .bind(f.size)
    .bind(f.sha256)
    .bind(f.blob_key)
    .bind(f.created_by)
    .fetch_one(db)
    .await
}

/// An article's files, oldest first.
pub async fn files<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    article_id: Uuid,
) -> sqlx::Result<Vec<FileRow>> {
    sqlx::query_as(
        "SELECT id, article_id, name, content_type, size, blob_key, created_at FROM kb_files
         WHERE tenant_id = $1 AND article_id = $2 ORDER BY created_at, id",
    )
    .bind(tenant_id)
    .bind(article_id)
    .fetch_all(db)
    .await
}

pub async fn get_file<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<FileRow>> {
    sqlx::query_as(
        "SELECT id, article_id, name, content_type, size, blob_key, created_at FROM kb_files
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(db)
    .await
}
