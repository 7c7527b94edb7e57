//! What requests takes from the event stream: the work order created for an
//! accepted request, so the request shows it.
use portal_platform::consumer::{self, HandleError, Handler};
use portal_platform::events::Envelope;
use portal_proto::events::v1 as ev;
use prost::Message;
use sqlx::PgPool;

use crate::store;

pub const WORK_ORDER_CREATED: &str = "requests-work-order-created";

pub struct LinkWorkOrder {
    pub pool: PgPool,
}

impl Handler for LinkWorkOrder {
    async fn handle(&self, envelope: &Envelope, payload: &[u8]) -> Result<(), HandleError> {
        let event =
            ev::WorkOrderCreated::decode(payload).map_err(|e| HandleError::Poison(e.into()))?;
        let parse = |s: &str| {
            s.parse::<uuid::Uuid>()
                .map_err(|e| HandleError::Poison(e.into()))
        };
        // Work made by an inspection plan answers no request.
        if event.request_id.is_empty() {
            return Ok(());
        }
        let (request_id, work_order_id) = (parse(&event.request_id)?, parse(&event.work_order_id)?);
        let mut tx = self.pool.begin().await?;
        if consumer::claim(&mut tx, WORK_ORDER_CREATED, envelope.id).await?
            && !store::link_work_order(&mut tx, envelope.tenant_id, request_id, work_order_id)
                .await?
        {
            tracing::warn!(%request_id, "work order for an unknown request");
        }
        tx.commit().await?;
        Ok(())
    }
}
