//! JSON shapes of the ticket life: conversation, history, assignment,
//! closing, counts and settings.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use portal_proto::requests::v1 as req;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{RequestView, non_empty, ts};

#[derive(Debug, Serialize, ToSchema)]
pub struct Comment {
    pub id: String,
    pub body: String,
    /// The author's display name.
    pub author: String,
    pub author_id: Option<String>,
    /// staff, contact or email.
    pub author_kind: String,
    /// Staff-only note (never sent to contacts).
    pub internal: bool,
    /// portal or email.
    pub source: String,
    pub attachment_ids: Vec<String>,
    pub created_at: Option<DateTime<Utc>>,
}

impl From<req::Comment> for Comment {
    fn from(c: req::Comment) -> Self {
        Self {
            created_at: ts(c.created_at.as_ref()),
            id: c.id,
            body: c.body,
            author: c.author_name,
            author_id: non_empty(c.author_id),
            author_kind: c.author_kind,
            internal: c.internal,
            source: c.source,
            attachment_ids: c.attachment_ids,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusChange {
    pub status: String,
    pub at: Option<DateTime<Utc>>,
    /// The account that made the change.
    pub by: String,
    pub note: Option<String>,
}

impl From<req::StatusChange> for StatusChange {
    fn from(h: req::StatusChange) -> Self {
        Self {
            at: ts(h.at.as_ref()),
            status: h.status,
            by: h.by,
            note: non_empty(h.note),
        }
    }
}

impl From<req::RequestDetail> for RequestView {
    fn from(d: req::RequestDetail) -> Self {
        let mut view: RequestView = d.request.unwrap_or_default().into();
        view.comments = d.comments.into_iter().map(Into::into).collect();
        view.history = Some(d.history.into_iter().map(Into::into).collect());
        view
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddComment {
    #[schema(min_length = 1, max_length = 20000, pattern = "[^\\s\\u0085]")]
    pub body: String,
    /// Staff only: a note the contact never sees (and that carries no files).
    #[serde(default)]
    pub internal: bool,
    /// Files uploaded first with `POST /api/v1/requests/{id}/attachments`.
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>, max_items = 10)]
    pub attachment_ids: Vec<String>,
}

/// A file for a request (`multipart/form-data`); documented only: the
/// handler streams the parts itself.
#[derive(ToSchema)]
pub struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// A comment with files (`multipart/form-data`); documented only.
#[derive(ToSchema)]
pub struct CommentForm {
    #[schema(min_length = 1, max_length = 20000, pattern = "[^\\s\\u0085]")]
    pub body: String,
    /// `true`, `on` or `1` for an internal note (staff only, no files).
    #[schema(required = false)]
    pub internal: bool,
    /// Files uploaded earlier.
    #[schema(value_type = Vec<uuid::Uuid>, required = false)]
    pub attachment_ids: Vec<String>,
    /// Each stored as an attachment of the request, then listed on the comment.
    #[schema(value_type = Vec<String>, format = Binary, required = false)]
    pub file: Vec<Vec<u8>>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignRequest {
    /// A staff member of the tenant; absent or null to unassign.
    #[serde(default)]
    #[schema(format = Uuid)]
    pub assignee_id: Option<String>,
    /// When the work is due; the contact sees it.
    pub due_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CloseRequest {
    /// Optional closing words.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCounts {
    /// Every status, with the number of requests the caller sees in it.
    pub counts: BTreeMap<String, u32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RequestSettings {
    /// Categories offered to contacts; empty = free text.
    #[serde(default)]
    #[schema(schema_with = categories)]
    pub categories: Vec<String>,
    /// Fields a contact must fill in.
    #[serde(default)]
    #[schema(value_type = Vec<super::RequirableField>)]
    pub required_fields: Vec<String>,
}

/// At most 100 categories of at most 100 characters each.
fn categories() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(100)),
        )
        .max_items(Some(100))
        .description(Some("Categories offered to contacts; empty = free text."))
        .build()
}

impl From<req::RequestSettings> for RequestSettings {
    fn from(s: req::RequestSettings) -> Self {
        Self {
            categories: s.categories,
            required_fields: s.required_fields,
        }
    }
}
