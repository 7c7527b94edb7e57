//! D4: a completed work order links its service report, which documents
//! makes from `work_order.completed` and announces as `document.published`.
use portal_platform::consumer::HandleError;
use portal_platform::event_handler::EventHandler;
use portal_platform::events::Envelope;
use portal_proto::documents::v1::DocumentKind;
use portal_proto::events::v1 as ev;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use crate::store;

pub struct LinkServiceReport;

impl EventHandler for LinkServiceReport {
    type Event = ev::DocumentPublished;
    const DURABLE: &'static str = "work-orders-document-published";

    async fn apply(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        envelope: &Envelope,
        event: ev::DocumentPublished,
    ) -> Result<(), HandleError> {
        // Other kinds (quotes, invoices) are not the work order's report.
        if event.kind != i32::from(DocumentKind::ServiceReport) || event.work_order_id.is_empty() {
            return Ok(());
        }
        let parse = |s: &str| s.parse::<Uuid>().map_err(|e| HandleError::Poison(e.into()));
        let (work_order_id, document_id) =
            (parse(&event.work_order_id)?, parse(&event.document_id)?);
        if store::set_report_document(tx, envelope.tenant_id, work_order_id, document_id).await? {
            tracing::info!(work_order = %work_order_id, document = %document_id, "service report linked");
        } else {
            tracing::warn!(work_order = %work_order_id, "a service report for an unknown work order");
        }
        Ok(())
    }
}
