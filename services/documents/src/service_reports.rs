//! D4: each completed work order gets one service report, a PDF the
//! customer sees among their documents, announced as `document.published`.
//!
//! Made once per work order: the runner's inbox claim turns a redelivered
//! event into a no-op, and a second, distinct completion finds the report
//! already there (checked under a per-work-order lock, and guarded by the
//! unique index `documents_one_report`). If documents is down when the work
//! is completed, its durable consumer picks the event up when it is back.
use bytes::Bytes;
use chrono::Utc;
use portal_platform::consumer::HandleError;
use portal_platform::event_handler::EventHandler;
use portal_platform::events::Envelope;
use portal_platform::time::from_proto;
use portal_proto::events::v1 as ev;
use sha2::{Digest, Sha256};
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use crate::blobs::Blobs;
use crate::catalog::{self, Kind, NewDocument, domain, store};
use crate::pdf::{self, ServiceReport};

pub struct MakeServiceReport {
    pub blobs: Blobs,
}

fn poison(what: &str) -> impl Fn(uuid::Error) -> HandleError + '_ {
    move |e| HandleError::Poison(anyhow::Error::new(e).context(what.to_owned()))
}

fn optional_id(s: &str, what: &str) -> Result<Option<Uuid>, HandleError> {
    match s.trim() {
        "" => Ok(None),
        s => s.parse().map(Some).map_err(poison(what)),
    }
}

/// What the report shows, from the event alone (documents may not read
/// the directory, so names of customer and site are not on it: ADR 0019).
pub fn report_of(
    event: &ev::WorkOrderCompleted,
    generated_at: chrono::DateTime<Utc>,
) -> ServiceReport {
    let wo = event.work_order.clone().unwrap_or_default();
    let planned = match (
        wo.start.as_ref().and_then(from_proto),
        wo.end.as_ref().and_then(from_proto),
    ) {
        (Some(start), Some(end)) => Some((start, end)),
        _ => None,
    };
    ServiceReport {
        title: wo.title.clone(),
        description: event.description.clone(),
        notes: event.notes.clone(),
        technicians: wo.technicians.iter().map(|t| t.name.clone()).collect(),
        completed_by: event.by_name.clone(),
        planned,
        started_at: event.started_at.as_ref().and_then(from_proto),
        completed_at: event.at.as_ref().and_then(from_proto),
        minutes_spent: event.minutes_spent,
        signer_name: event.signer_name.clone(),
        signature_png: event.signature_png.clone(),
        generated_at,
    }
}

impl EventHandler for MakeServiceReport {
    type Event = ev::WorkOrderCompleted;
    const DURABLE: &'static str = "documents-work-order-completed";

    async fn apply(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        envelope: &Envelope,
        event: ev::WorkOrderCompleted,
    ) -> Result<(), HandleError> {
        let tenant_id = envelope.tenant_id;
        let wo = event.work_order.as_ref().ok_or_else(|| {
            HandleError::Poison(anyhow::anyhow!(
                "work_order.completed without its work order"
            ))
        })?;
        let work_order_id: Uuid = wo.work_order_id.parse().map_err(poison("work_order_id"))?;
        let customer_id: Uuid = wo.customer_id.parse().map_err(poison("customer_id"))?;
        let site_id = optional_id(&wo.site_id, "site_id")?;
        let request_id = optional_id(&wo.request_id, "request_id")?;

        store::lock_work_order(tx, tenant_id, work_order_id).await?;
        if let Some(existing) =
            store::of_work_order(&mut **tx, tenant_id, work_order_id, Kind::ServiceReport).await?
        {
            tracing::info!(work_order = %work_order_id, document = %existing, "service report already made");
            return Ok(());
        }

        let report = report_of(&event, Utc::now());
        // Layout and font subsetting take a few milliseconds of CPU.
        let pdf = tokio::task::spawn_blocking(move || pdf::service_report(&report))
            .await
            .map_err(|e| HandleError::Retry(e.into()))?
            .map_err(|e| HandleError::Retry(e.into()))?;
        let size = i64::try_from(pdf.len()).map_err(|e| HandleError::Retry(e.into()))?;
        let sha256 = Sha256::digest(&pdf).to_vec();
        let blob_key = domain::report_blob_key(tenant_id, work_order_id);
        // Bytes first, row second: a row never points at a missing blob. The
        // key is the work order's, so a retry overwrites rather than leaks.
        self.blobs
            .put(&blob_key, Bytes::from(pdf))
            .await
            .map_err(|e| {
                HandleError::Unavailable(anyhow::Error::new(e).context("storing the report"))
            })?;
        let doc = NewDocument {
            id: Uuid::now_v7(),
            tenant_id,
            kind: Kind::ServiceReport,
            customer_id,
            site_id,
            work_order_id: Some(work_order_id),
            request_id,
            title: report_title(&wo.title),
            content_type: "application/pdf".into(),
            size,
            sha256,
            blob_key,
        };
        if catalog::publish(tx, &doc).await?.is_some() {
            tracing::info!(work_order = %work_order_id, document = %doc.id, size, "service report made");
        }
        Ok(())
    }
}

/// `Service report – Boiler service`.
pub fn report_title(work_order_title: &str) -> String {
    match work_order_title.trim() {
        "" => "Service report".to_owned(),
        t => format!("Service report – {t}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_platform::time::to_proto;
    use portal_proto::work_orders::v1 as wopb;

    #[test]
    fn the_report_takes_what_the_event_tells() {
        let at = Utc::now();
        let event = ev::WorkOrderCompleted {
            work_order: Some(ev::WorkOrderState {
                title: "Oven".into(),
                technicians: vec![wopb::Technician {
                    id: Uuid::now_v7().to_string(),
                    name: "Tom".into(),
                }],
                start: Some(to_proto(at)),
                end: Some(to_proto(at + chrono::Duration::hours(1))),
                ..Default::default()
            }),
            by_name: "Tom".into(),
            at: Some(to_proto(at)),
            notes: "Replaced the thermostat.".into(),
            minutes_spent: 75,
            signer_name: "Claire".into(),
            ..Default::default()
        };
        let r = report_of(&event, at);
        assert_eq!(r.title, "Oven");
        assert_eq!(r.technicians, vec!["Tom".to_owned()]);
        assert_eq!(r.notes, "Replaced the thermostat.");
        assert_eq!(r.minutes_spent, 75);
        assert!(r.planned.is_some());
        assert_eq!(r.started_at, None);
        assert_eq!(report_title("Oven"), "Service report – Oven");
        assert_eq!(report_title(" "), "Service report");
    }
}
