//! Recurring inspection plans (D4, B4): staff plan a site's (or an
//! equipment's) inspection every N months; ahead of each due date the
//! runner makes the work order to plan, exactly once per period however
//! many replicas run it, so the portal can say when the next one comes.
pub mod domain;

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use portal_platform::db::SystemPool;
use portal_platform::time::to_proto;
use portal_platform::{CancellationToken, outbox, tenancy};
use portal_proto::events::v1 as ev;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use self::domain::Plan;
use crate::equipment::{EquipmentError, Site};
use crate::planning::{SOURCE, Staff};
use crate::store::plans::{self as store, PlanRow};
use crate::store::{self as work_store, HistoryRow, WorkOrderRow};

/// How often each replica asks whether plans are due (one of them runs).
const TICK: Duration = Duration::from_secs(60);
/// Plans handled per run (the rest follow at the next).
const BATCH: i64 = 500;

pub async fn create(
    tx: &mut PgConnection,
    by: &Staff,
    site: Site,
    plan: Plan,
    equipment_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<PlanRow, EquipmentError> {
    if let Some(e) = equipment_id {
        let found = crate::store::equipment::get(&mut *tx, by.tenant_id, e).await?;
        if found.is_none_or(|e| e.site_id != site.id) {
            return Err(EquipmentError::Refused(
                crate::planning::domain::Refusal::Invalid(
                    "equipment_id: no such equipment at this site".into(),
                ),
            ));
        }
    }
    let row = PlanRow {
        id: Uuid::now_v7(),
        tenant_id: by.tenant_id,
        customer_id: site.customer_id,
        site_id: site.id,
        equipment_id,
        title: plan.title,
        every_months: plan.every_months,
        lead_days: plan.lead_days,
        next_due: plan.next_due,
        active: true,
        created_at: now,
    };
    store::insert(tx, &row).await?;
    Ok(row)
}

pub async fn stop(tx: &mut PgConnection, by: &Staff, id: Uuid) -> Result<PlanRow, EquipmentError> {
    store::stop(tx, by.tenant_id, id)
        .await?
        .ok_or(EquipmentError::NotFound("inspection plan"))
}

/// Makes the work orders of every plan due by `today`; how many it made.
pub async fn run_due(
    pool: &PgPool,
    system: &SystemPool,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<usize> {
    let due = store::due(system.cross_tenant(), today, BATCH).await?;
    let mut made = 0;
    for (plan_id, tenant_id) in due {
        // Each plan in its own tenant's scope (ADR 0018) and transaction.
        if tenancy::scope(tenant_id, make(pool, tenant_id, plan_id, today, now)).await? {
            made += 1;
        }
    }
    Ok(made)
}

/// The plan's next work order, if still due and nobody else is making it;
/// the plan moves on to its next period in the same transaction.
async fn make(
    pool: &PgPool,
    tenant_id: Uuid,
    plan_id: Uuid,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    let Some(plan) = store::lock(&mut tx, tenant_id, plan_id).await? else {
        return Ok(false);
    };
    if !domain::is_due(plan.next_due, plan.lead_days, today) {
        return Ok(false);
    }
    let row = WorkOrderRow {
        id: Uuid::now_v7(),
        tenant_id,
        request_id: None,
        customer_id: plan.customer_id,
        site_id: plan.site_id,
        request_created_at: None,
        title: domain::work_title(&plan.title, plan.next_due),
        description: format!(
            "Recurring inspection, every {} month(s), due {}.",
            plan.every_months,
            plan.next_due.format("%Y-%m-%d")
        ),
        status: crate::planning::domain::INITIAL,
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
        contact_id: None,
        equipment_id: plan.equipment_id,
    };
    let created = store::insert_work(&mut tx, &row, plan.id, plan.next_due).await?;
    store::set_next_due(
        &mut tx,
        plan.id,
        domain::advance(plan.next_due, plan.every_months),
    )
    .await?;
    if let Some(created) = &created {
        work_store::add_history(
            &mut tx,
            &HistoryRow {
                id: Uuid::now_v7(),
                tenant_id,
                work_order_id: created.id,
                change: crate::planning::domain::Change::Created,
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
        let event = ev::WorkOrderCreated {
            tenant_id: tenant_id.to_string(),
            work_order_id: created.id.to_string(),
            request_id: String::new(),
            customer_id: created.customer_id.to_string(),
            site_id: created.site_id.to_string(),
            title: created.title.clone(),
            status: "to_plan".into(),
            created_at: Some(to_proto(created.created_at)),
            quote_id: String::new(),
        };
        outbox::enqueue(&mut tx, tenant_id, SOURCE, &event).await?;
    }
    tx.commit().await?;
    if let Some(created) = &created {
        tracing::info!(work_order = %created.id, plan = %plan.id, due = %plan.next_due, "inspection work order made");
    }
    Ok(created.is_some())
}

/// Asks every minute; one replica per minute runs the plans (`job_runs`).
pub async fn run_forever(pool: PgPool, system: SystemPool, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(TICK);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        match portal_platform::jobs::claim_run(system.cross_tenant(), "inspection-plans", TICK)
            .await
        {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "could not ask whether inspection plans are due");
                continue;
            }
        }
        let now = Utc::now();
        if let Err(e) = run_due(&pool, &system, now.date_naive(), now).await {
            tracing::warn!(error = %e, "running the inspection plans failed");
        }
    }
}
