//! What documents takes from the event stream: when each request was created
//! and which work order it became, so files are narrowed like their request
//! (see `portal_platform::scope::Narrowing`) without asking requests.
use portal_platform::consumer::{self, HandleError, Handler};
use portal_platform::events::Envelope;
use portal_platform::time::from_proto;
use portal_proto::events::v1 as ev;
use prost::Message;
use sqlx::PgPool;
use uuid::Uuid;

use crate::store;

pub const REQUEST_SUBMITTED: &str = "documents-request-submitted";
pub const WORK_ORDER_CREATED: &str = "documents-work-order-created";

fn id(s: &str) -> Result<Uuid, HandleError> {
    s.parse()
        .map_err(|e: uuid::Error| HandleError::Poison(e.into()))
}

pub struct NoteRequest {
    pub pool: PgPool,
}

impl Handler for NoteRequest {
    async fn handle(&self, envelope: &Envelope, payload: &[u8]) -> Result<(), HandleError> {
        let event =
            ev::RequestSubmitted::decode(payload).map_err(|e| HandleError::Poison(e.into()))?;
        let request_id = id(&event.request_id)?;
        let Some(created_at) = event.submitted_at.as_ref().and_then(from_proto) else {
            // Left unknown: its files stay hidden from narrowed callers.
            tracing::warn!(%request_id, "request.submitted without a time");
            return Ok(());
        };
        let mut tx = self.pool.begin().await?;
        if consumer::claim(&mut tx, REQUEST_SUBMITTED, envelope.id).await? {
            store::note_request_created(&mut tx, envelope.tenant_id, request_id, created_at)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

pub struct NoteWorkOrder {
    pub pool: PgPool,
}

impl Handler for NoteWorkOrder {
    async fn handle(&self, envelope: &Envelope, payload: &[u8]) -> Result<(), HandleError> {
        let event =
            ev::WorkOrderCreated::decode(payload).map_err(|e| HandleError::Poison(e.into()))?;
        let work_order_id = id(&event.work_order_id)?;
        let mut tx = self.pool.begin().await?;
        if consumer::claim(&mut tx, WORK_ORDER_CREATED, envelope.id).await? {
            // From a request (its files follow it), from an accepted quote
            // (the quote links to it), or from a plan (neither).
            if !event.request_id.is_empty() {
                let request_id = id(&event.request_id)?;
                store::note_work_order(&mut tx, envelope.tenant_id, request_id, work_order_id)
                    .await?;
            }
            if !event.quote_id.is_empty() {
                let quote_id = id(&event.quote_id)?;
                crate::quotes::store::set_work_order(
                    &mut tx,
                    envelope.tenant_id,
                    quote_id,
                    work_order_id,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
