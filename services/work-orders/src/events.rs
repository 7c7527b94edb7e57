//! work-orders turns each accepted request into exactly one work order.
use chrono::Utc;
use portal_platform::consumer::{self, HandleError, Handler};
use portal_platform::events::Envelope;
use portal_platform::outbox;
use portal_platform::time::{from_proto, to_proto};
use portal_proto::events::v1 as ev;
use prost::Message;
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain;
use crate::store::{self, WorkOrderRow};

pub const REQUEST_ACCEPTED: &str = "work-orders-request-accepted";
pub const SOURCE: &str = "/portal/work-orders";

pub struct CreateFromRequest {
    pub pool: PgPool,
}

impl Handler for CreateFromRequest {
    async fn handle(&self, envelope: &Envelope, payload: &[u8]) -> Result<(), HandleError> {
        let event =
            ev::RequestAccepted::decode(payload).map_err(|e| HandleError::Poison(e.into()))?;
        let parse = |s: &str| s.parse::<Uuid>().map_err(|e| HandleError::Poison(e.into()));
        let row = WorkOrderRow {
            id: Uuid::now_v7(),
            tenant_id: envelope.tenant_id,
            request_id: Some(parse(&event.request_id)?),
            customer_id: parse(&event.customer_id)?,
            site_id: parse(&event.site_id)?,
            request_created_at: event.request_created_at.as_ref().and_then(from_proto),
            title: event.title.clone(),
            status: domain::INITIAL.as_str().into(),
            created_at: Utc::now(),
        };
        let mut tx = self.pool.begin().await?;
        // The inbox makes a redelivered event a no-op; the unique constraint
        // guards even a second, distinct event for the same request.
        if consumer::claim(&mut tx, REQUEST_ACCEPTED, envelope.id).await?
            && let Some(created) =
                store::insert_for_request(&mut tx, &row, &event.description).await?
        {
            let out = ev::WorkOrderCreated {
                tenant_id: created.tenant_id.to_string(),
                work_order_id: created.id.to_string(),
                request_id: event.request_id.clone(),
                customer_id: created.customer_id.to_string(),
                site_id: created.site_id.to_string(),
                title: created.title.clone(),
                status: created.status.clone(),
                created_at: Some(to_proto(created.created_at)),
            };
            outbox::enqueue(&mut tx, created.tenant_id, SOURCE, &out).await?;
            tracing::info!(work_order = %created.id, request = %event.request_id, "work order created");
        }
        tx.commit().await?;
        Ok(())
    }
}
