//! Adding a comment to a request, whoever writes it (the portal, the API,
//! a mail reply): the comment, its counters and search words, and the
//! `request.commented` event, in the caller's transaction.
//!
//! The inbound-mail consumer uses [`comment_from_mail`] inside the
//! transaction where it claims the event in its inbox.
use chrono::{DateTime, Utc};
use portal_platform::errors::{ServiceError, ServiceResult};
use portal_platform::outbox;
use portal_platform::time::to_proto;
use portal_proto::events::v1 as ev;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::{self, Status};
use crate::grpc::SOURCE;
use crate::store::{self, CommentRow, NewComment, RequestRow};

/// Stores `c` on the locked request `row` and enqueues `request.commented`.
/// `None`: the same mail was already stored (nothing written, no event).
pub async fn add(
    conn: &mut PgConnection,
    row: &RequestRow,
    c: &NewComment,
) -> ServiceResult<Option<CommentRow>> {
    let Some(comment) = store::insert_comment(conn, c).await? else {
        return Ok(None);
    };
    let event = ev::RequestCommented {
        tenant_id: row.tenant_id.to_string(),
        request_id: row.id.to_string(),
        comment_id: comment.id.to_string(),
        customer_id: row.customer_id.to_string(),
        site_id: row.site_id.to_string(),
        contact_id: row.contact_id.to_string(),
        author_id: comment.author_id.map(|a| a.to_string()).unwrap_or_default(),
        author_kind: comment.author_kind.clone(),
        author_name: comment.author_name.clone(),
        internal: comment.internal,
        title: row.title.clone(),
        body: comment.body.clone(),
        assignee_id: row.assignee_id.map(|a| a.to_string()).unwrap_or_default(),
        commented_at: Some(to_proto(comment.created_at)),
    };
    outbox::enqueue(conn, row.tenant_id, SOURCE, &event).await?;
    Ok(Some(comment))
}

/// A reply by mail, already matched to a request (signed token or
/// `In-Reply-To`) and stripped of quoted history by notification.
#[derive(Debug, Clone)]
pub struct MailComment {
    pub tenant_id: Uuid,
    pub request_id: Uuid,
    /// The contact or staff account the sender address belongs to, if known.
    pub author_id: Option<Uuid>,
    pub author_name: String,
    pub body: String,
    /// The Message-ID: the same mail twice adds one comment.
    pub mail_id: String,
    pub received_at: DateTime<Utc>,
}

/// Adds a mail reply as a public comment (author kind `email`, source
/// `email`) with its `request.commented` event, in the caller's
/// transaction. Unknown request: `NotFound`; closed request: `WrongState`
/// (the caller decides whether to tell the sender); an empty body:
/// `Invalid`. `Ok(None)` when this Message-ID was already stored.
pub async fn comment_from_mail(
    conn: &mut PgConnection,
    m: &MailComment,
) -> ServiceResult<Option<CommentRow>> {
    let input = domain::validate_comment(&m.body, &[], false).map_err(crate::grpc::refused)?;
    let row = store::get_for_update(conn, m.tenant_id, m.request_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("request"))?;
    if Status::parse(&row.status) == Some(Status::Closed) {
        return Err(ServiceError::WrongState(
            "the request is closed: the conversation has ended".into(),
        ));
    }
    let c = NewComment {
        tenant_id: m.tenant_id,
        request_id: m.request_id,
        author_id: m.author_id,
        author_kind: "email".into(),
        author_name: m.author_name.trim().to_owned(),
        body: input.body,
        internal: false,
        source: "email".into(),
        attachment_ids: Vec::new(),
        mail_id: Some(m.mail_id.clone()),
        created_at: m.received_at,
    };
    add(conn, &row, &c).await
}
