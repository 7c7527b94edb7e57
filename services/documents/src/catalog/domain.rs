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
    fn one_report_key_per_work_order() {
        let (t, w) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(report_blob_key(t, w), report_blob_key(t, w));
        assert!(report_blob_key(t, w).starts_with(&format!("{t}/")));
        assert_ne!(report_blob_key(t, w), report_blob_key(t, Uuid::now_v7()));
    }
}
