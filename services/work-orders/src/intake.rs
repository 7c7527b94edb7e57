//! Each accepted request, and each accepted quote (E3), becomes exactly one
//! work order, to be planned.
use chrono::Utc;
use portal_platform::consumer::HandleError;
use portal_platform::event_handler::EventHandler;
use portal_platform::events::Envelope;
use portal_platform::outbox;
use portal_platform::time::{from_proto, to_proto};
use portal_proto::events::v1 as ev;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use crate::planning::{SOURCE, domain};
use crate::store::{self, HistoryRow, WorkOrderRow};

/// The new work order's first history line and `work_order.created`, in
/// the caller's transaction.
async fn announce(
    tx: &mut Transaction<'static, Postgres>,
    created: &WorkOrderRow,
    now: chrono::DateTime<Utc>,
    request_id: String,
    quote_id: String,
) -> Result<(), HandleError> {
    store::add_history(
        tx,
        &HistoryRow {
            id: Uuid::now_v7(),
            tenant_id: created.tenant_id,
            work_order_id: created.id,
            change: domain::Change::Created,
            status: created.status,
            by_id: None,
            by_name: String::new(),
            at: now,
            planned_start: None,
            planned_end: None,
            note: String::new(),
        },
    )
    .await?;
    let out = ev::WorkOrderCreated {
        tenant_id: created.tenant_id.to_string(),
        work_order_id: created.id.to_string(),
        request_id,
        customer_id: created.customer_id.to_string(),
        site_id: created.site_id.to_string(),
        title: created.title.clone(),
        status: "to_plan".into(),
        created_at: Some(to_proto(created.created_at)),
        quote_id,
    };
    outbox::enqueue(tx, created.tenant_id, SOURCE, &out).await?;
    Ok(())
}

pub struct CreateFromRequest;

impl EventHandler for CreateFromRequest {
    type Event = ev::RequestAccepted;
    const DURABLE: &'static str = "work-orders-request-accepted";

    async fn apply(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        envelope: &Envelope,
        event: ev::RequestAccepted,
    ) -> Result<(), HandleError> {
        let parse = |s: &str| s.parse::<Uuid>().map_err(|e| HandleError::Poison(e.into()));
        let now = Utc::now();
        let row = WorkOrderRow {
            id: Uuid::now_v7(),
            tenant_id: envelope.tenant_id,
            request_id: Some(parse(&event.request_id)?),
            customer_id: parse(&event.customer_id)?,
            site_id: parse(&event.site_id)?,
            request_created_at: event.request_created_at.as_ref().and_then(from_proto),
            title: event.title.clone(),
            description: event.description.clone(),
            status: domain::INITIAL,
            created_at: now,
            planned_start: None,
            planned_end: None,
            started_at: None,
            completed_at: None,
            notes: String::new(),
            minutes_spent: 0,
            signer_name: String::new(),
            signed: false,
            cancel_reason: String::new(),
            report_document_id: None,
            contact_id: event.contact_id.parse().ok(),
            equipment_id: event.equipment_id.parse().ok(),
        };
        // The inbox (the runner's claim) makes a redelivered event a no-op;
        // the unique constraint guards even a second, distinct event for the
        // same request.
        let Some(created) = store::insert_for_request(tx, &row).await? else {
            return Ok(());
        };
        announce(tx, &created, now, event.request_id.clone(), String::new()).await?;
        tracing::info!(work_order = %created.id, request = %event.request_id, "work order created");
        Ok(())
    }
}

pub struct CreateFromQuote;

impl EventHandler for CreateFromQuote {
    type Event = ev::QuoteAccepted;
    const DURABLE: &'static str = "work-orders-quote-accepted";

    async fn apply(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        envelope: &Envelope,
        event: ev::QuoteAccepted,
    ) -> Result<(), HandleError> {
        let parse = |s: &str| s.parse::<Uuid>().map_err(|e| HandleError::Poison(e.into()));
        let quote = event.quote.ok_or_else(|| {
            HandleError::Poison(anyhow::anyhow!("quote.accepted without its quote"))
        })?;
        let quote_id = parse(&quote.quote_id)?;
        let now = Utc::now();
        let row = WorkOrderRow {
            id: Uuid::now_v7(),
            tenant_id: envelope.tenant_id,
            request_id: None,
            customer_id: parse(&quote.customer_id)?,
            site_id: parse(&quote.site_id)?,
            request_created_at: None,
            title: quote.title.clone(),
            description: domain::quote_description(&quote.signer_name, &quote.summary),
            status: domain::INITIAL,
            created_at: now,
            planned_start: None,
            planned_end: None,
            started_at: None,
            completed_at: None,
            notes: String::new(),
            minutes_spent: 0,
            signer_name: String::new(),
            signed: false,
            cancel_reason: String::new(),
            report_document_id: None,
            contact_id: quote.contact_id.parse().ok(),
            equipment_id: None,
        };
        // As for requests: the inbox makes a redelivery a no-op, the unique
        // index a second, distinct event for the same quote.
        let Some(created) = store::insert_for_quote(tx, &row, quote_id).await? else {
            return Ok(());
        };
        announce(tx, &created, now, String::new(), quote_id.to_string()).await?;
        tracing::info!(work_order = %created.id, quote = %quote_id, "work order created from a quote");
        Ok(())
    }
}
