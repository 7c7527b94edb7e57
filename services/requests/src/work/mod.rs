//! The linked work order's plan, kept on the request (#10; C3: a request
//! shows its planned date and who comes). work-orders tells each change of
//! the work order as an event; each is applied once (the inbox) and only
//! when it moves the copy forward (`domain::follow_work`), so an event that
//! arrives late or twice changes nothing. Each applied change is one entry
//! of the request's status history.
pub mod events;

use chrono::{DateTime, Utc};
use portal_platform::zone::Zone;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::{self, Status, WorkChange};
use crate::store::{self, PlannedTechnician};

/// One change of a work order, as its event tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkOrderChange {
    pub change: WorkChange,
    pub request_id: Uuid,
    pub work_order_id: Uuid,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub technicians: Vec<PlannedTechnician>,
    /// The staff member who made the change; `None` for the system.
    pub by: Option<Uuid>,
    /// When work-orders made the change.
    pub at: DateTime<Utc>,
    /// Why it was cancelled.
    pub reason: String,
    /// The tenant's clock when it was planned, for the history's note.
    pub zone: Zone,
}

/// What became of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    /// The request now has this status (and the plan of the change).
    Applied(Status),
    /// Older than what the request already knows, or a repeat: nothing changed.
    Stale,
    /// No such request in the tenant.
    NoRequest,
}

#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("the request's stored status {0:?} is unknown")]
    UnknownStatus(String),
}

/// Applies `c` to its request in `conn` (a transaction: the request is
/// locked until it commits, so changes of one request apply one at a time).
pub async fn follow(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    c: &WorkOrderChange,
) -> Result<Followed, FollowError> {
    let Some(row) = store::get_for_update(&mut *conn, tenant_id, c.request_id).await? else {
        return Ok(Followed::NoRequest);
    };
    let current =
        Status::parse(&row.status).ok_or_else(|| FollowError::UnknownStatus(row.status.clone()))?;
    let Some(next) = domain::follow_work(current, row.plan.copy(), c.change, c.at) else {
        return Ok(Followed::Stale);
    };
    let keeps = c.change.keeps_plan();
    let technicians: &[PlannedTechnician] = if keeps { &c.technicians } else { &[] };
    store::plan::save(
        &mut *conn,
        &store::plan::PlanUpdate {
            tenant_id,
            request_id: row.id,
            work_order_id: c.work_order_id,
            status: next,
            state: c.change.state(),
            at: c.at,
            start: c.start.filter(|_| keeps),
            end: c.end.filter(|_| keeps),
            technicians,
        },
    )
    .await?;
    // A request that is over keeps the copy up to date, not its history.
    if domain::is_open(current) {
        let names: Vec<String> = c.technicians.iter().map(|t| t.name.clone()).collect();
        let note = domain::work_note(c.change, c.zone, c.start, c.end, &names, &c.reason);
        // Dated when the work order changed, which may be well before we
        // heard of it (NATS away).
        store::record_status_at(
            &mut *conn,
            row.id,
            next.as_str(),
            c.by.unwrap_or_default(),
            &note,
            c.at,
        )
        .await?;
    }
    Ok(Followed::Applied(next))
}
