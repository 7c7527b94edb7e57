//! The six `work_order.*` events, each on its own durable consumer,
//! translated into a [`WorkOrderChange`] and applied by [`super::follow`].
use std::marker::PhantomData;

use anyhow::anyhow;
use async_nats::jetstream;
use portal_platform::CancellationToken;
use portal_platform::consumer::HandleError;
use portal_platform::event_handler::{self, EventHandler};
use portal_platform::event_types::DomainEvent;
use portal_platform::events::Envelope;
use portal_platform::time::from_proto;
use portal_platform::zone::Zone;
use portal_proto::events::v1 as ev;
use sqlx::{PgPool, Postgres, Transaction};
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::{FollowError, Followed, WorkOrderChange};
use crate::domain::WorkChange;
use crate::store::PlannedTechnician;

/// What every work order event tells the same way.
pub trait WorkOrderEvent: DomainEvent + Send + 'static {
    /// The durable consumer: `requests-work-order-<event>`.
    const DURABLE: &'static str;
    const CHANGE: WorkChange;
    fn state(&self) -> Option<&ev::WorkOrderState>;
    fn by_id(&self) -> &str;
    fn at(&self) -> Option<&prost_types::Timestamp>;
    fn reason(&self) -> &str {
        ""
    }
}

macro_rules! work_order_event {
    ($ty:ty, $durable:literal, $change:ident) => {
        impl WorkOrderEvent for $ty {
            const DURABLE: &'static str = $durable;
            const CHANGE: WorkChange = WorkChange::$change;
            fn state(&self) -> Option<&ev::WorkOrderState> {
                self.work_order.as_ref()
            }
            fn by_id(&self) -> &str {
                &self.by_id
            }
            fn at(&self) -> Option<&prost_types::Timestamp> {
                self.at.as_ref()
            }
        }
    };
}

work_order_event!(
    ev::WorkOrderScheduled,
    "requests-work-order-scheduled",
    Scheduled
);
work_order_event!(
    ev::WorkOrderRescheduled,
    "requests-work-order-rescheduled",
    Rescheduled
);
work_order_event!(
    ev::WorkOrderUnscheduled,
    "requests-work-order-unscheduled",
    Unscheduled
);
work_order_event!(ev::WorkOrderStarted, "requests-work-order-started", Started);
work_order_event!(
    ev::WorkOrderCompleted,
    "requests-work-order-completed",
    Completed
);

impl WorkOrderEvent for ev::WorkOrderCancelled {
    const DURABLE: &'static str = "requests-work-order-cancelled";
    const CHANGE: WorkChange = WorkChange::Cancelled;
    fn state(&self) -> Option<&ev::WorkOrderState> {
        self.work_order.as_ref()
    }
    fn by_id(&self) -> &str {
        &self.by_id
    }
    fn at(&self) -> Option<&prost_types::Timestamp> {
        self.at.as_ref()
    }
    fn reason(&self) -> &str {
        &self.reason
    }
}

/// Keeps requests' copy of the plan from events of type `E`.
pub struct FollowWorkOrder<E>(PhantomData<fn() -> E>);

impl<E> Default for FollowWorkOrder<E> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

fn poison(what: &str, value: &str) -> HandleError {
    HandleError::Poison(anyhow!("{what} {value:?} is not a UUID"))
}

/// The change an event tells, or `None` for a work order that no request
/// asked for (nothing to copy).
pub fn change_of<E: WorkOrderEvent>(
    envelope: &Envelope,
    event: &E,
) -> Result<Option<WorkOrderChange>, HandleError> {
    let state = event
        .state()
        .ok_or_else(|| HandleError::Poison(anyhow!("the event carries no work order")))?;
    let request_id = state.request_id.trim();
    if request_id.is_empty() {
        return Ok(None);
    }
    let parse = |what: &str, v: &str| v.trim().parse::<Uuid>().map_err(|_| poison(what, v));
    let technicians = state
        .technicians
        .iter()
        .map(|t| {
            Ok(PlannedTechnician {
                id: parse("technician id", &t.id)?,
                name: t.name.trim().to_owned(),
            })
        })
        .collect::<Result<Vec<_>, HandleError>>()?;
    let by = match event.by_id().trim() {
        "" => None,
        id => Some(parse("by_id", id)?),
    };
    Ok(Some(WorkOrderChange {
        change: E::CHANGE,
        request_id: parse("request_id", request_id)?,
        work_order_id: parse("work_order_id", &state.work_order_id)?,
        start: state.start.as_ref().and_then(from_proto),
        end: state.end.as_ref().and_then(from_proto),
        technicians,
        by,
        // Made by work-orders at `at`; the envelope's time if it is missing.
        at: event.at().and_then(from_proto).unwrap_or(envelope.time),
        reason: event.reason().trim().to_owned(),
        zone: Zone::or_utc(&state.time_zone),
    }))
}

impl<E: WorkOrderEvent> EventHandler for FollowWorkOrder<E> {
    type Event = E;
    const DURABLE: &'static str = E::DURABLE;

    async fn apply(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        envelope: &Envelope,
        event: E,
    ) -> Result<(), HandleError> {
        let Some(change) = change_of(envelope, &event)? else {
            return Ok(());
        };
        let followed = super::follow(tx, envelope.tenant_id, &change)
            .await
            .map_err(|e| match e {
                FollowError::Db(e) => HandleError::from(e),
                other => HandleError::Retry(other.into()),
            })?;
        match followed {
            Followed::Applied(status) => {
                tracing::info!(request = %change.request_id, change = ?change.change, %status, "request follows its work order");
            }
            Followed::Stale => {
                tracing::info!(request = %change.request_id, change = ?change.change, "stale work order change ignored");
            }
            Followed::NoRequest => {
                tracing::warn!(request = %change.request_id, "work order of an unknown request");
            }
        }
        Ok(())
    }
}

/// Starts one consumer per work order event; they stop on `shutdown`.
pub fn spawn_all(
    js: &jetstream::Context,
    pool: &PgPool,
    shutdown: &CancellationToken,
) -> Vec<JoinHandle<()>> {
    fn one<E: WorkOrderEvent>(
        js: &jetstream::Context,
        pool: &PgPool,
        shutdown: &CancellationToken,
    ) -> JoinHandle<()> {
        tokio::spawn(event_handler::run(
            js.clone(),
            pool.clone(),
            FollowWorkOrder::<E>::default(),
            shutdown.clone(),
        ))
    }
    vec![
        one::<ev::WorkOrderScheduled>(js, pool, shutdown),
        one::<ev::WorkOrderRescheduled>(js, pool, shutdown),
        one::<ev::WorkOrderUnscheduled>(js, pool, shutdown),
        one::<ev::WorkOrderStarted>(js, pool, shutdown),
        one::<ev::WorkOrderCompleted>(js, pool, shutdown),
        one::<ev::WorkOrderCancelled>(js, pool, shutdown),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope() -> Envelope {
        Envelope {
            id: Uuid::now_v7(),
            tenant_id: Uuid::now_v7(),
            ce_type: "portal.work_order.cancelled.v1".into(),
            source: "/portal/work-orders".into(),
            time: chrono::DateTime::from_timestamp(1_900_000_000, 0).unwrap_or_default(),
            traceparent: None,
        }
    }

    fn state(request_id: &str) -> ev::WorkOrderState {
        ev::WorkOrderState {
            work_order_id: Uuid::from_u128(7).to_string(),
            request_id: request_id.into(),
            technicians: vec![portal_proto::work_orders::v1::Technician {
                id: Uuid::from_u128(3).to_string(),
                name: " Tom Tech ".into(),
            }],
            start: Some(prost_types::Timestamp {
                seconds: 1_900_000_000,
                nanos: 0,
            }),
            ..Default::default()
        }
    }

    #[test]
    fn an_event_becomes_a_change() {
        let request = Uuid::from_u128(1);
        let event = ev::WorkOrderCancelled {
            work_order: Some(state(&request.to_string())),
            by_id: Uuid::from_u128(2).to_string(),
            at: None,
            reason: " no access ".into(),
            ..Default::default()
        };
        let e = envelope();
        let c = change_of(&e, &event).expect("valid").expect("a request's");
        assert_eq!(c.change, WorkChange::Cancelled);
        assert_eq!(c.request_id, request);
        assert_eq!(c.work_order_id, Uuid::from_u128(7));
        assert_eq!(c.by, Some(Uuid::from_u128(2)));
        assert_eq!(c.reason, "no access");
        assert_eq!(c.technicians[0].name, "Tom Tech");
        assert_eq!(
            c.at, e.time,
            "the envelope's time stands in for a missing `at`"
        );
        assert!(c.end.is_none());
    }

    #[test]
    fn work_without_a_request_is_none_and_bad_ids_are_poison() {
        let e = envelope();
        let none = ev::WorkOrderStarted {
            work_order: Some(state("")),
            ..Default::default()
        };
        assert!(matches!(change_of(&e, &none), Ok(None)));
        let bad = ev::WorkOrderStarted {
            work_order: Some(state("not-a-uuid")),
            ..Default::default()
        };
        assert!(matches!(change_of(&e, &bad), Err(HandleError::Poison(_))));
        let empty = ev::WorkOrderStarted::default();
        assert!(matches!(change_of(&e, &empty), Err(HandleError::Poison(_))));
    }
}
