//! Documents a customer sees (E1): service reports now, quotes and invoices
//! later.
use chrono::{DateTime, Utc};
use portal_proto::documents::v1 as docs;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{non_empty, ts};

/// A document's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Quote,
    Invoice,
    ServiceReport,
    Certificate,
    Contract,
    Checklist,
    IncidentReport,
    Attachment,
}

impl DocumentKind {
    pub fn from_pb(kind: i32) -> Option<Self> {
        Some(match docs::DocumentKind::try_from(kind).ok()? {
            docs::DocumentKind::Unspecified => return None,
            docs::DocumentKind::Quote => Self::Quote,
            docs::DocumentKind::Invoice => Self::Invoice,
            docs::DocumentKind::ServiceReport => Self::ServiceReport,
            docs::DocumentKind::Certificate => Self::Certificate,
            docs::DocumentKind::Contract => Self::Contract,
            docs::DocumentKind::Checklist => Self::Checklist,
            docs::DocumentKind::IncidentReport => Self::IncidentReport,
            docs::DocumentKind::Attachment => Self::Attachment,
        })
    }

    pub fn to_pb(self) -> docs::DocumentKind {
        match self {
            Self::Quote => docs::DocumentKind::Quote,
            Self::Invoice => docs::DocumentKind::Invoice,
            Self::ServiceReport => docs::DocumentKind::ServiceReport,
            Self::Certificate => docs::DocumentKind::Certificate,
            Self::Contract => docs::DocumentKind::Contract,
            Self::Checklist => docs::DocumentKind::Checklist,
            Self::IncidentReport => docs::DocumentKind::IncidentReport,
            Self::Attachment => docs::DocumentKind::Attachment,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Document {
    pub id: String,
    /// Absent only for a kind this gateway does not know yet.
    pub kind: Option<DocumentKind>,
    pub title: String,
    pub customer_id: String,
    pub site_id: Option<String>,
    pub work_order_id: Option<String>,
    pub request_id: Option<String>,
    pub content_type: String,
    /// In bytes.
    pub size: i64,
    pub created_at: Option<DateTime<Utc>>,
    pub equipment_id: Option<String>,
    /// The current version: 1 for a document never replaced.
    pub version: i32,
    /// The uploaded file's name; absent for documents the portal wrote.
    pub file_name: Option<String>,
}

/// One version of a document's file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentVersion {
    pub version: i32,
    pub content_type: String,
    /// In bytes.
    pub size: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub file_name: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// A document with every version of its file, the current one first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentDetail {
    #[serde(flatten)]
    pub document: Document,
    pub versions: Vec<DocumentVersion>,
}

impl From<docs::DocumentDetail> for DocumentDetail {
    fn from(d: docs::DocumentDetail) -> Self {
        Self {
            document: d.document.unwrap_or_default().into(),
            versions: d
                .versions
                .into_iter()
                .map(|v| DocumentVersion {
                    created_at: ts(v.created_at.as_ref()),
                    version: v.version,
                    content_type: v.content_type,
                    size: v.size,
                    sha256: v.sha256,
                    file_name: non_empty(v.file_name),
                })
                .collect(),
        }
    }
}

/// A file published as a document (`multipart/form-data`); documented
/// only: the handler streams the parts itself.
#[derive(ToSchema)]
pub struct PublishForm {
    /// `certificate`, `contract`, `checklist`, `incident_report` or `attachment`.
    pub kind: String,
    /// Defaults to the file's name.
    #[schema(required = false, max_length = 200)]
    pub title: String,
    /// At least one of customer, site, work order, request and equipment;
    /// all must belong to one customer (and site).
    #[schema(required = false, format = Uuid)]
    pub customer_id: String,
    #[schema(required = false, format = Uuid)]
    pub site_id: String,
    #[schema(required = false, format = Uuid)]
    pub work_order_id: String,
    #[schema(required = false, format = Uuid)]
    pub request_id: String,
    #[schema(required = false, format = Uuid)]
    pub equipment_id: String,
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

impl From<docs::Document> for Document {
    fn from(d: docs::Document) -> Self {
        Self {
            kind: DocumentKind::from_pb(d.kind),
            created_at: ts(d.created_at.as_ref()),
            id: d.id,
            title: d.title,
            customer_id: d.customer_id,
            site_id: non_empty(d.site_id),
            work_order_id: non_empty(d.work_order_id),
            request_id: non_empty(d.request_id),
            content_type: d.content_type,
            size: d.size,
            equipment_id: non_empty(d.equipment_id),
            version: d.version.max(1),
            file_name: non_empty(d.file_name),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilter {
    pub kind: Option<DocumentKind>,
    pub site_id: Option<uuid::Uuid>,
    pub work_order_id: Option<uuid::Uuid>,
    pub equipment_id: Option<uuid::Uuid>,
    /// Staff: one customer's documents.
    pub customer_id: Option<uuid::Uuid>,
    /// Words found in the title, any case.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Published at or after this instant.
    pub created_from: Option<DateTime<Utc>>,
    /// Published before this instant.
    pub created_before: Option<DateTime<Utc>>,
    /// Page size: 20 when absent, at most 100 (larger is cut to 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// `Content-Disposition` of a download named after the document's title:
/// its letters, digits, spaces and dashes, at most 80 characters, with the
/// extension of its type; `filename` in ASCII (others as `_`) for old
/// clients, `filename*` (RFC 8187) in full.
pub fn content_disposition(title: &str, content_type: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let mut stem: String = cleaned
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(80)
        .collect();
    stem = stem.trim().to_owned();
    if stem.is_empty() {
        stem = "document".to_owned();
    }
    let extension = match content_type {
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/gif" => ".gif",
        "image/webp" => ".webp",
        "image/heic" => ".heic",
        "text/plain" => ".txt",
        "text/csv" => ".csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => ".docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ".xlsx",
        _ => "",
    };
    let name = format!("{stem}{extension}");
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_safe_in_a_header() {
        assert_eq!(
            content_disposition("Service report – Four \"à pain\"; 4/12", "application/pdf"),
            "attachment; filename=\"Service report Four _ pain 4 12.pdf\"; \
             filename*=UTF-8''Service%20report%20Four%20%C3%A0%20pain%204%2012.pdf"
        );
        assert_eq!(
            content_disposition("\r\n ", "application/pdf"),
            "attachment; filename=\"document.pdf\"; filename*=UTF-8''document.pdf"
        );
        // Long titles are cut; the type's extension follows.
        let long = content_disposition(&"a".repeat(200), "text/plain");
        assert!(
            long.contains(&format!("filename=\"{}.txt\"", "a".repeat(80))),
            "{long}"
        );
        let unknown = content_disposition("Plan", "application/octet-stream");
        assert!(unknown.contains("filename=\"Plan\""), "{unknown}");
    }

    #[test]
    fn kinds_round_trip() {
        for kind in [
            DocumentKind::Quote,
            DocumentKind::Invoice,
            DocumentKind::ServiceReport,
            DocumentKind::Certificate,
            DocumentKind::Contract,
            DocumentKind::Checklist,
            DocumentKind::IncidentReport,
            DocumentKind::Attachment,
        ] {
            assert_eq!(DocumentKind::from_pb(kind.to_pb().into()), Some(kind));
        }
        assert_eq!(DocumentKind::from_pb(0), None);
        assert_eq!(DocumentKind::from_pb(99), None);
    }
}
