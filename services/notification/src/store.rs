//! Every SQL statement of notification.
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

/// Channel the sender listens on; notified when a mail is queued.
pub const CHANNEL: &str = "portal_mail";

/// A rendered mail to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub tenant_id: Uuid,
    pub idempotency_key: String,
    pub template: String,
    pub recipient: String,
    pub language: String,
    pub subject: String,
    pub body: String,
    /// Reply-To: the signed reply address of a request's mail.
    pub reply_to: Option<String>,
    /// References: the thread of the request the mail is about.
    pub thread_id: Option<String>,
    /// A file sent with the text.
    pub attachment: Option<MailAttachment>,
}

/// A file a mail carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAttachment {
    pub filename: String,
    /// With parameters, e.g. `text/calendar; charset=utf-8; method=PUBLISH`.
    pub content_type: String,
    pub content: Vec<u8>,
}

/// What the sender needs of a due delivery.
#[derive(Debug, Clone, FromRow)]
pub struct DueDelivery {
    pub id: Uuid,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
    pub traceparent: Option<String>,
    pub reply_to: Option<String>,
    pub thread_id: Option<String>,
    pub attachment_name: Option<String>,
    pub attachment_type: Option<String>,
    pub attachment: Option<Vec<u8>>,
}

impl DueDelivery {
    /// The file to send with the text, if any.
    pub fn attachment(&self) -> Option<MailAttachment> {
        Some(MailAttachment {
            filename: self.attachment_name.clone()?,
            content_type: self.attachment_type.clone()?,
            content: self.attachment.clone()?,
        })
    }
}

/// A row of the delivery log, as staff see it.
#[derive(Debug, Clone, FromRow)]
pub struct DeliveryRow {
    pub id: Uuid,
    pub template: String,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Failed for good with its text kept (see `resend`).
    pub resendable: bool,
}

/// Why a delivery cannot be queued again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResendRefused {
    NotFound,
    /// Still pending, or sent.
    NotFailed,
    /// Its text held a sign-in link, which is not kept once it failed.
    TextNotKept,
}

/// Queues a mail once per idempotency key and wakes the sender (at commit,
/// when `conn` is in a transaction). Returns the id of the delivery, the
/// existing one when the key was already used.
pub async fn insert_delivery(conn: &mut PgConnection, d: &NewDelivery) -> sqlx::Result<Uuid> {
    let inserted: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO deliveries
             (id, tenant_id, idempotency_key, template, recipient, language, subject, body, traceparent,
              reply_to, thread_id, attachment_name, attachment_type, attachment)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(d.tenant_id)
    .bind(&d.idempotency_key)
    .bind(&d.template)
    .bind(&d.recipient)
    .bind(&d.language)
    .bind(&d.subject)
    .bind(&d.body)
    .bind(portal_platform::telemetry::current_traceparent())
    .bind(&d.reply_to)
    .bind(&d.thread_id)
    .bind(d.attachment.as_ref().map(|a| &a.filename))
    .bind(d.attachment.as_ref().map(|a| &a.content_type))
    .bind(d.attachment.as_ref().map(|a| &a.content))
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = inserted {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(&mut *conn)
            .await?;
        return Ok(id);
    }
    // A separate statement: it sees a row a concurrent caller has just
    // committed, which the insert's own snapshot would not.
    sqlx::query_scalar("SELECT id FROM deliveries WHERE idempotency_key = $1")
        .bind(&d.idempotency_key)
        .fetch_one(&mut *conn)
        .await
}

/// Claims the next due delivery for `lease` (ADR 0027): it is not due again
/// until the lease runs out or its outcome is recorded. Committed at once,
/// so no transaction stays open while the mail is handed over.
pub async fn claim_due(pool: &PgPool, lease: Duration) -> sqlx::Result<Option<DueDelivery>> {
    sqlx::query_as(
        "UPDATE deliveries SET next_attempt_at = now() + make_interval(secs => $1)
         WHERE id = (SELECT id FROM deliveries
                     WHERE status = 'pending' AND next_attempt_at <= now()
                     ORDER BY next_attempt_at LIMIT 1
                     FOR UPDATE SKIP LOCKED)
         RETURNING id, recipient, subject, body, attempts, traceparent, reply_to, thread_id,
                   attachment_name, attachment_type, attachment",
    )
    .bind(lease.as_secs_f64())
    .fetch_optional(pool)
    .await
}

pub async fn mark_sent(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query(
        // Invitation, password reset and registration bodies hold a live
        // secret link: once handed to the mail server it is not kept
        // (secrets are stored only as hashes).
        "UPDATE deliveries
         SET status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL,
             last_attempt_at = now(),
             body = CASE WHEN template = ANY($2) THEN '' ELSE body END
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(crate::templates::with_secret_links())
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a failed attempt: retried after `retry_in`, or failed for good
/// when `give_up` (then a body holding a live secret link is not kept
/// either: nobody will send it, and a backup must not hold the way in).
pub async fn mark_attempt_failed(
    conn: &mut PgConnection,
    id: Uuid,
    error: &str,
    retry_in: Duration,
    give_up: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE deliveries
         SET attempts = attempts + 1,
             last_error = $2,
             last_attempt_at = now(),
             next_attempt_at = now() + make_interval(secs => $3),
             status = CASE WHEN $4 THEN 'failed' ELSE 'pending' END,
             body = CASE WHEN $4 AND template = ANY($5) THEN '' ELSE body END
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(error)
    .bind(retry_in.as_secs_f64())
    .bind(give_up)
    .bind(crate::templates::with_secret_links())
    .execute(conn)
    .await?;
    Ok(())
}

/// The columns staff see of a delivery. A failed mail whose text was
/// dropped (it held a sign-in link) cannot be sent again.
macro_rules! delivery_columns {
    () => {
        "id, template, recipient, subject, status, attempts, last_error, created_at,
         sent_at, last_attempt_at, (status = 'failed' AND body <> '') AS resendable"
    };
}

/// A tenant's delivery log, newest first; only `status` when given.
pub async fn list_deliveries(
    pool: &PgPool,
    tenant_id: Uuid,
    status: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<DeliveryRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        delivery_columns!(),
        " FROM deliveries
         WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2)
         ORDER BY created_at DESC, id DESC LIMIT $3"
    ))
    .bind(tenant_id)
    .bind(status)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Queues a mail that failed for good once more, with a fresh set of
/// attempts, and wakes the sender at commit. Only the tenant's own rows.
pub async fn resend(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Result<DeliveryRow, ResendRefused>> {
    let updated: Option<DeliveryRow> = sqlx::query_as(concat!(
        "UPDATE deliveries
         SET status = 'pending', attempts = 0, next_attempt_at = now(), resent = resent + 1
         WHERE id = $1 AND tenant_id = $2 AND status = 'failed' AND body <> ''
         RETURNING ",
        delivery_columns!()
    ))
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = updated {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(&mut *conn)
            .await?;
        return Ok(Ok(row));
    }
    let state: Option<(String, bool)> = sqlx::query_as(
        "SELECT status, body <> '' FROM deliveries WHERE id = $1 AND tenant_id = $2",
    )
    .bind(id)
    .bind(tenant_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(Err(match state {
        None => ResendRefused::NotFound,
        Some((status, _)) if status != "failed" => ResendRefused::NotFailed,
        Some(_) => ResendRefused::TextNotKept,
    }))
}

/// Remembers the tenant of a request whose contact was given a reply address.
pub async fn remember_thread(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    request_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reply_threads (request_id, tenant_id) VALUES ($1, $2)
         ON CONFLICT (request_id) DO NOTHING",
    )
    .bind(request_id)
    .bind(tenant_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The tenant of a request that was given a reply address.
pub async fn thread_tenant(pool: &PgPool, request_id: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("SELECT tenant_id FROM reply_threads WHERE request_id = $1")
        .bind(request_id)
        .fetch_optional(pool)
        .await
}

/// An inbound mail to record once.
#[derive(Debug, Clone)]
pub struct InboundMail<'a> {
    pub tenant_id: Uuid,
    pub message_id: &'a str,
    pub sender: &'a str,
    pub request_id: Option<Uuid>,
}

/// Records an inbound mail; false when this Message-ID was already taken
/// for the tenant (the caller then publishes nothing).
pub async fn record_inbound(conn: &mut PgConnection, m: &InboundMail<'_>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO inbound_mails (tenant_id, message_id, sender, request_id)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(m.tenant_id)
    .bind(m.message_id)
    .bind(m.sender)
    .bind(m.request_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A published document waiting to be told to one contact (F1 digest).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DigestItem {
    pub recipient: String,
    pub language: String,
    pub name: String,
    pub kind: String,
    pub title: String,
    pub link: Option<String>,
}

/// Queues a document for a contact's next digest; a new version of one
/// already waiting replaces it and restarts the quiet time.
pub async fn queue_digest(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    contact_id: Uuid,
    document_id: Uuid,
    item: &DigestItem,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO digest_items (tenant_id, contact_id, recipient, language, name, document_id,
                                   kind, title, link)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (tenant_id, contact_id, document_id)
         DO UPDATE SET title = EXCLUDED.title, link = EXCLUDED.link, queued_at = now()",
    )
    .bind(tenant_id)
    .bind(contact_id)
    .bind(&item.recipient)
    .bind(&item.language)
    .bind(&item.name)
    .bind(document_id)
    .bind(&item.kind)
    .bind(&item.title)
    .bind(&item.link)
    .execute(conn)
    .await?;
    Ok(())
}

/// Recipients whose newest waiting document is older than `quiet`, or
/// whose oldest one has waited `longest` (a burst that never stops is still
/// told).
pub async fn quiet_digests(
    pool: &sqlx::PgPool,
    quiet: std::time::Duration,
    longest: std::time::Duration,
    limit: i64,
) -> sqlx::Result<Vec<(Uuid, Uuid)>> {
    sqlx::query_as(
        "SELECT tenant_id, contact_id FROM digest_items
         GROUP BY tenant_id, contact_id
         HAVING max(queued_at) <= now() - make_interval(secs => $1)
             OR min(queued_at) <= now() - make_interval(secs => $3)
         ORDER BY min(queued_at)
         LIMIT $2",
    )
    .bind(quiet.as_secs_f64())
    .bind(limit)
    .bind(longest.as_secs_f64())
    .fetch_all(pool)
    .await
}

/// Takes (deletes and returns) everything waiting for a contact, oldest
/// first; a runner that comes second gets nothing.
pub async fn take_digest(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    contact_id: Uuid,
) -> sqlx::Result<Vec<DigestItem>> {
    sqlx::query_as(
        "WITH taken AS (
             DELETE FROM digest_items WHERE tenant_id = $1 AND contact_id = $2
             RETURNING recipient, language, name, kind, title, link, queued_at, document_id
         )
         SELECT recipient, language, name, kind, title, link FROM taken
         ORDER BY queued_at, document_id",
    )
    .bind(tenant_id)
    .bind(contact_id)
    .fetch_all(conn)
    .await
}
