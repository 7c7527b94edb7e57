//! Planning and doing the work: one function per action, each taking the
//! caller, a typed command and a transaction, returning the work order as it
//! is after or a typed refusal. gRPC only translates to and from these.
pub mod domain;

use chrono::{DateTime, Utc};
use portal_platform::outbox;
use portal_platform::zone::Zone;
use portal_proto::events::v1 as ev;
use portal_proto::work_orders::v1 as pb;
use sqlx::PgConnection;
use uuid::Uuid;

use self::domain::{Action, Change, Completion, Refusal, Rights, Status, Window};
use crate::availability;
use crate::store::{self, ConflictRow, HistoryRow, TechnicianRow, WorkOrderRow};

pub const SOURCE: &str = "/portal/work-orders";

/// Who acts: a staff member of the tenant, with their name for the history.
#[derive(Debug, Clone)]
pub struct Staff {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub name: String,
    pub rights: Rights,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("no such work order")]
    NotFound,
    /// A technician has other work then, is absent or off work; `force`
    /// plans anyway (ADR 22: one confirmation for every reason).
    #[error("{}", busy_message(overlaps, unfree, *zone))]
    Busy {
        overlaps: Vec<ConflictRow>,
        /// Absences and hours, in words (`availability::unfree`).
        unfree: Vec<String>,
        /// The tenant's, for the other work's times.
        zone: Zone,
    },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

fn busy_message(conflicts: &[ConflictRow], unfree: &[String], zone: Zone) -> String {
    let list = conflicts
        .iter()
        .map(|c| {
            format!(
                "{} has \"{}\" ({})",
                c.technician_name,
                c.title,
                zone.window_text(c.planned_start, c.planned_end)
            )
        })
        .chain(unfree.iter().cloned())
        .collect::<Vec<_>>()
        .join("; ");
    format!("busy then: {list}; plan anyway with force")
}

pub struct Schedule {
    pub id: Uuid,
    /// Checked against the directory: technicians of this tenant, with names.
    pub technicians: Vec<(Uuid, String)>,
    pub window: Window,
    pub force: bool,
    /// The tenant's: working hours and whole-day absences are judged, and
    /// the refusal written, on its clock.
    pub zone: Zone,
}

/// A work order as it is after a change, with its technicians.
pub struct Outcome {
    pub work_order: WorkOrderRow,
    pub technicians: Vec<TechnicianRow>,
}

/// Locks the work order and decides `action` for `by`.
async fn begin(
    tx: &mut PgConnection,
    by: &Staff,
    id: Uuid,
    action: Action,
) -> Result<(WorkOrderRow, Vec<TechnicianRow>, Status), PlanError> {
    let row = store::get_for_update(tx, by.tenant_id, id)
        .await?
        .ok_or(PlanError::NotFound)?;
    let technicians = store::technicians(&mut *tx, &[row.id]).await?;
    let assigned = technicians.iter().any(|t| t.technician_id == by.id);
    let to = domain::decide(row.status, action, by.rights, assigned)?;
    Ok((row, technicians, to))
}

pub async fn schedule(
    tx: &mut PgConnection,
    by: &Staff,
    cmd: Schedule,
    now: DateTime<Utc>,
) -> Result<Outcome, PlanError> {
    let (mut row, _, to) = begin(tx, by, cmd.id, Action::Schedule).await?;
    let ids: Vec<Uuid> = cmd.technicians.iter().map(|t| t.0).collect();
    store::lock_technicians(tx, by.tenant_id, &ids).await?;
    if !cmd.force {
        let overlaps = store::conflicts(tx, by.tenant_id, &ids, cmd.window, row.id).await?;
        let unfree =
            availability::unfree(tx, by.tenant_id, &cmd.technicians, cmd.window, cmd.zone).await?;
        if !overlaps.is_empty() || !unfree.is_empty() {
            return Err(PlanError::Busy {
                overlaps,
                unfree,
                zone: cmd.zone,
            });
        }
    }
    let previous = row.window();
    let change = if row.status == Status::Scheduled {
        Change::Rescheduled
    } else {
        Change::Scheduled
    };
    row.status = to;
    row.planned_start = Some(cmd.window.start);
    row.planned_end = Some(cmd.window.end);
    store::save(tx, &row, None).await?;
    store::replace_technicians(tx, by.tenant_id, row.id, &cmd.technicians).await?;
    let technicians = store::technicians(&mut *tx, &[row.id]).await?;
    record(tx, by, &row, change, "", now).await?;
    let state = ev::WorkOrderState {
        time_zone: cmd.zone.name().to_owned(),
        ..state(&row, &technicians)
    };
    match previous.filter(|_| change == Change::Rescheduled) {
        Some(before) => {
            let event = ev::WorkOrderRescheduled {
                tenant_id: by.tenant_id.to_string(),
                work_order: Some(state),
                by_id: by.id.to_string(),
                at: Some(ts(now)),
                previous_start: Some(ts(before.start)),
                previous_end: Some(ts(before.end)),
            };
            outbox::enqueue(tx, by.tenant_id, SOURCE, &event).await?;
        }
        None => {
            let event = ev::WorkOrderScheduled {
                tenant_id: by.tenant_id.to_string(),
                work_order: Some(state),
                by_id: by.id.to_string(),
                at: Some(ts(now)),
            };
            outbox::enqueue(tx, by.tenant_id, SOURCE, &event).await?;
        }
    }
    Ok(Outcome {
        work_order: row,
        technicians,
    })
}

pub async fn unschedule(
    tx: &mut PgConnection,
    by: &Staff,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Outcome, PlanError> {
    let (mut row, _, to) = begin(tx, by, id, Action::Unschedule).await?;
    row.status = to;
    row.planned_start = None;
    row.planned_end = None;
    store::save(tx, &row, None).await?;
    store::replace_technicians(tx, by.tenant_id, row.id, &[]).await?;
    record(tx, by, &row, Change::Unscheduled, "", now).await?;
    let event = ev::WorkOrderUnscheduled {
        tenant_id: by.tenant_id.to_string(),
        work_order: Some(state(&row, &[])),
        by_id: by.id.to_string(),
        at: Some(ts(now)),
    };
    outbox::enqueue(tx, by.tenant_id, SOURCE, &event).await?;
    Ok(Outcome {
        work_order: row,
        technicians: Vec::new(),
    })
}

pub async fn start(
    tx: &mut PgConnection,
    by: &Staff,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Outcome, PlanError> {
    let (mut row, technicians, to) = begin(tx, by, id, Action::Start).await?;
    row.status = to;
    row.started_at = Some(now);
    store::save(tx, &row, None).await?;
    record(tx, by, &row, Change::Started, "", now).await?;
    let event = ev::WorkOrderStarted {
        tenant_id: by.tenant_id.to_string(),
        work_order: Some(state(&row, &technicians)),
        by_id: by.id.to_string(),
        at: Some(ts(now)),
    };
    outbox::enqueue(tx, by.tenant_id, SOURCE, &event).await?;
    Ok(Outcome {
        work_order: row,
        technicians,
    })
}

pub async fn complete(
    tx: &mut PgConnection,
    by: &Staff,
    id: Uuid,
    done: Completion,
    now: DateTime<Utc>,
) -> Result<Outcome, PlanError> {
    let (mut row, technicians, to) = begin(tx, by, id, Action::Complete).await?;
    row.status = to;
    row.completed_at = Some(now);
    row.notes.clone_from(&done.notes);
    row.minutes_spent = done.minutes_spent;
    row.signer_name.clone_from(&done.signer_name);
    row.signed = done.signature_png.is_some();
    store::save(tx, &row, done.signature_png.as_deref()).await?;
    let planned_by = store::history(&mut *tx, row.id)
        .await?
        .into_iter()
        .rev()
        .find(|h| matches!(h.change, Change::Scheduled | Change::Rescheduled))
        .and_then(|h| h.by_id);
    record(tx, by, &row, Change::Completed, "", now).await?;
    let inspections =
        crate::store::equipment::results_of_work_order(&mut *tx, by.tenant_id, row.id).await?;
    let event = ev::WorkOrderCompleted {
        tenant_id: by.tenant_id.to_string(),
        work_order: Some(state(&row, &technicians)),
        by_id: by.id.to_string(),
        by_name: by.name.clone(),
        at: Some(ts(now)),
        started_at: row.started_at.map(ts),
        description: row.description.clone(),
        notes: done.notes,
        minutes_spent: done.minutes_spent,
        signer_name: done.signer_name,
        signature_png: done.signature_png.unwrap_or_default(),
        planned_by_id: planned_by.map(|p| p.to_string()).unwrap_or_default(),
        inspections: inspections
            .iter()
            .map(crate::equipment::inspection_pb)
            .collect(),
    };
    outbox::enqueue(tx, by.tenant_id, SOURCE, &event).await?;
    Ok(Outcome {
        work_order: row,
        technicians,
    })
}

pub async fn cancel(
    tx: &mut PgConnection,
    by: &Staff,
    id: Uuid,
    reason: String,
    now: DateTime<Utc>,
) -> Result<Outcome, PlanError> {
    let (mut row, technicians, to) = begin(tx, by, id, Action::Cancel).await?;
    row.status = to;
    row.cancel_reason.clone_from(&reason);
    store::save(tx, &row, None).await?;
    record(tx, by, &row, Change::Cancelled, &reason, now).await?;
    let event = ev::WorkOrderCancelled {
        tenant_id: by.tenant_id.to_string(),
        work_order: Some(state(&row, &technicians)),
        by_id: by.id.to_string(),
        at: Some(ts(now)),
        reason,
    };
    outbox::enqueue(tx, by.tenant_id, SOURCE, &event).await?;
    Ok(Outcome {
        work_order: row,
        technicians,
    })
}

async fn record(
    tx: &mut PgConnection,
    by: &Staff,
    row: &WorkOrderRow,
    change: Change,
    note: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    store::add_history(
        tx,
        &HistoryRow {
            id: Uuid::now_v7(),
            tenant_id: row.tenant_id,
            work_order_id: row.id,
            change,
            status: row.status,
            by_id: Some(by.id),
            by_name: by.name.clone(),
            at: now,
            planned_start: row.planned_start,
            planned_end: row.planned_end,
            note: note.to_owned(),
        },
    )
    .await
}

fn ts(at: DateTime<Utc>) -> prost_types::Timestamp {
    portal_platform::time::to_proto(at)
}

pub fn status_pb(status: Status) -> pb::WorkOrderStatus {
    match status {
        Status::ToPlan => pb::WorkOrderStatus::ToPlan,
        Status::Scheduled => pb::WorkOrderStatus::Scheduled,
        Status::InProgress => pb::WorkOrderStatus::InProgress,
        Status::Completed => pb::WorkOrderStatus::Completed,
        Status::Cancelled => pb::WorkOrderStatus::Cancelled,
    }
}

pub fn technician_pb(t: &TechnicianRow) -> pb::Technician {
    pb::Technician {
        id: t.technician_id.to_string(),
        name: t.technician_name.clone(),
    }
}

/// What consumers copy of a work order after a change.
pub fn state(row: &WorkOrderRow, technicians: &[TechnicianRow]) -> ev::WorkOrderState {
    ev::WorkOrderState {
        work_order_id: row.id.to_string(),
        request_id: row.request_id.map(|r| r.to_string()).unwrap_or_default(),
        customer_id: row.customer_id.to_string(),
        site_id: row.site_id.to_string(),
        title: row.title.clone(),
        status: status_pb(row.status).into(),
        technicians: technicians.iter().map(technician_pb).collect(),
        start: row.planned_start.map(ts),
        end: row.planned_end.map(ts),
        contact_id: row.contact_id.map(|c| c.to_string()).unwrap_or_default(),
        time_zone: String::new(),
    }
}
