//! Rules of the documents a customer sees, without I/O: their kinds, who
//! sees which, and where their bytes are kept.
use chrono::{DateTime, Utc};
use portal_platform::scope::Narrowing;
use uuid::Uuid;

/// E1's kinds, stored as the PostgreSQL enum `document_kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "document_kind", rename_all = "snake_case")]
pub enum Kind {
    Quote,
    Invoice,
    ServiceReport,
    Certificate,
    Contract,
    Checklist,
    IncidentReport,
    Attachment,
}

/// Longest document title kept, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

impl Kind {
    /// Kinds staff publish from a file. Quotes, invoices and service
    /// reports are printed from their own records, and versioned by them.
    pub fn uploaded(self) -> bool {
        matches!(
            self,
            Self::Certificate
                | Self::Contract
                | Self::Checklist
                | Self::IncidentReport
                | Self::Attachment
        )
    }
}

/// A published document's title: the one given, else the file's name
/// without its extension; trimmed, at most [`MAX_TITLE_CHARS`].
pub fn title_of(given: &str, file_name: &str) -> String {
    let given = given.trim();
    let title = if given.is_empty() {
        file_name
            .rsplit_once('.')
            .map(|(stem, _)| stem)
            .filter(|stem| !stem.trim().is_empty())
            .unwrap_or(file_name)
            .trim()
    } else {
        given
    };
    title
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_TITLE_CHARS)
        .collect()
}

/// Where one version of a published document is kept: each version its
/// own object, so replacing a file never overwrites the one it keeps.
pub fn version_blob_key(tenant_id: Uuid, document_id: Uuid, version_id: Uuid) -> String {
    format!("{tenant_id}/document/{document_id}/{version_id}")
}

/// Whether a caller narrowed by `n` sees a document: like its request
/// (requests created before a customer's "since" limit are hidden; a secure
/// link for one work order sees only that work order's documents), judged
/// from the request's creation time as documents knows it (`None` for a
/// request whose event has not arrived: hidden from a caller with a
/// "since" limit). A document of no request (a quote, an invoice, the
/// report of planned work) has no request to hide it: only the work-order
/// narrowing applies. Customer and site are `Scope`'s part.
pub fn shows(
    n: &Narrowing,
    request_id: Option<Uuid>,
    request_created_at: Option<DateTime<Utc>>,
    work_order_id: Option<Uuid>,
) -> bool {
    match request_id {
        Some(_) => n.allows_copy(request_created_at, work_order_id),
        None => n.work_order.is_none_or(|w| work_order_id == Some(w)),
    }
}

/// Where a work order's service report is kept: one per work order, so a
/// retry after a failed commit writes the same object again rather than
/// leaving a second one behind.
pub fn report_blob_key(tenant_id: Uuid, work_order_id: Uuid) -> String {
    format!("{tenant_id}/work_order/{work_order_id}/service_report.pdf")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_follow_their_request_for_narrowed_callers() {
        let now = Utc::now();
        let older = now - chrono::Duration::seconds(1);
        let (wo, other) = (Uuid::now_v7(), Uuid::now_v7());
        let open = Narrowing::default();
        assert!(shows(&open, None, None, None));
        let since = Narrowing {
            since: Some(now),
            work_order: None,
        };
        let r = Some(Uuid::now_v7());
        assert!(shows(&since, r, Some(now), Some(wo)));
        assert!(!shows(&since, r, Some(older), Some(wo)));
        // Unknown request: hidden rather than shown by mistake.
        assert!(!shows(&since, r, None, Some(wo)));
        // No request at all (a quote, an invoice): nothing to hide it.
        assert!(shows(&since, None, None, None));
        let link = Narrowing {
            since: None,
            work_order: Some(wo),
        };
        assert!(shows(&link, r, Some(older), Some(wo)));
        assert!(!shows(&link, r, Some(now), Some(other)));
        assert!(!shows(&link, r, Some(now), None));
        assert!(
            !shows(&link, None, None, None),
            "a link for one work order sees no quote"
        );
    }

    #[test]
    fn only_files_without_a_record_of_their_own_are_uploaded() {
        assert!(Kind::Certificate.uploaded());
        assert!(Kind::Attachment.uploaded());
        assert!(!Kind::Quote.uploaded());
        assert!(!Kind::Invoice.uploaded());
        assert!(!Kind::ServiceReport.uploaded());
    }

    #[test]
    fn a_title_falls_back_to_the_file_name() {
        assert_eq!(title_of("  Gas certificate ", "x.pdf"), "Gas certificate");
        assert_eq!(title_of("", "Contrat 2027.pdf"), "Contrat 2027");
        assert_eq!(title_of(" ", ".profile"), ".profile");
        assert_eq!(title_of("a\u{7}b", "x"), "ab");
        assert_eq!(
            title_of(&"é".repeat(300), "x").chars().count(),
            MAX_TITLE_CHARS
        );
    }

    #[test]
    fn each_version_has_its_own_key() {
        let (t, d) = (Uuid::now_v7(), Uuid::now_v7());
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_ne!(version_blob_key(t, d, a), version_blob_key(t, d, b));
        assert!(version_blob_key(t, d, a).starts_with(&format!("{t}/document/{d}/")));
    }

    #[test]
    fn one_report_key_per_work_order() {
        let (t, w) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(report_blob_key(t, w), report_blob_key(t, w));
        assert!(report_blob_key(t, w).starts_with(&format!("{t}/")));
        assert_ne!(report_blob_key(t, w), report_blob_key(t, Uuid::now_v7()));
    }
}
