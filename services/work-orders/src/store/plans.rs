//! Every SQL statement about recurring inspection plans.
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, PgConnection, PgExecutor, PgPool};
use uuid::Uuid;

use super::WorkOrderRow;

#[derive(Debug, Clone, FromRow)]
pub struct PlanRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub site_id: Uuid,
    pub equipment_id: Option<Uuid>,
    pub title: String,
    pub every_months: i32,
    pub lead_days: i32,
    pub next_due: NaiveDate,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

const PLAN_COLUMNS: &str = "id, tenant_id, customer_id, site_id, equipment_id, title, every_months, lead_days, next_due, active, created_at";

pub async fn insert(conn: &mut PgConnection, p: &PlanRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO inspection_plans (id, tenant_id, customer_id, site_id, equipment_id, title,
                                       every_months, lead_days, next_due, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(p.id)
    .bind(p.tenant_id)
    .bind(p.customer_id)
    .bind(p.site_id)
    .bind(p.equipment_id)
    .bind(&p.title)
    .bind(p.every_months)
    .bind(p.lead_days)
    .bind(p.next_due)
    .bind(p.active)
    .bind(p.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn of_site<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    site_id: Uuid,
) -> sqlx::Result<Vec<PlanRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PLAN_COLUMNS} FROM inspection_plans
         WHERE tenant_id = $1 AND site_id = $2 ORDER BY active DESC, next_due, id"
    )))
    .bind(tenant_id)
    .bind(site_id)
    .fetch_all(db)
    .await
}

/// Stops a plan: no more work orders are made from it.
pub async fn stop(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<PlanRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE inspection_plans SET active = false WHERE tenant_id = $1 AND id = $2
         RETURNING {PLAN_COLUMNS}"
    )))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Plans whose next work order is to be made by `today`, every tenant's
/// (the owner's pool: the runner then works in each plan's tenant).
pub async fn due(system: &PgPool, today: NaiveDate, limit: i64) -> sqlx::Result<Vec<(Uuid, Uuid)>> {
    sqlx::query_as(
        "SELECT id, tenant_id FROM inspection_plans
         WHERE active AND next_due - lead_days <= $1
         ORDER BY next_due, id LIMIT $2",
    )
    .bind(today)
    .bind(limit)
    .fetch_all(system)
    .await
}

/// The plan, locked for this runner; `None` when another runner holds it
/// (it is making the same work order) or it is gone.
pub async fn lock(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<PlanRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PLAN_COLUMNS} FROM inspection_plans
         WHERE tenant_id = $1 AND id = $2 AND active FOR UPDATE SKIP LOCKED"
    )))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn set_next_due(
    conn: &mut PgConnection,
    id: Uuid,
    next_due: NaiveDate,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE inspection_plans SET next_due = $2 WHERE id = $1")
        .bind(id)
        .bind(next_due)
        .execute(conn)
        .await?;
    Ok(())
}

/// The period's work order, unless it exists (the unique index holds even
/// against a runner that did not see the lock).
pub async fn insert_work(
    conn: &mut PgConnection,
    row: &WorkOrderRow,
    plan_id: Uuid,
    due_on: NaiveDate,
) -> sqlx::Result<Option<WorkOrderRow>> {
    sqlx::query_as(concat!(
        "INSERT INTO work_orders (id, tenant_id, customer_id, site_id, title, description, status,
                                  created_at, equipment_id, plan_id, due_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (plan_id, due_on) WHERE plan_id IS NOT NULL DO NOTHING
         RETURNING ",
        columns!()
    ))
    .bind(row.id)
    .bind(row.tenant_id)
    .bind(row.customer_id)
    .bind(row.site_id)
    .bind(&row.title)
    .bind(&row.description)
    .bind(row.status)
    .bind(row.created_at)
    .bind(row.equipment_id)
    .bind(plan_id)
    .bind(due_on)
    .fetch_optional(conn)
    .await
}

/// The site's next inspection: the earliest open work order made by a plan
/// (with its planned start once planned), else the earliest due date of an
/// active plan.
#[derive(Debug, Clone, FromRow)]
pub struct NextInspection {
    pub work_order_id: Option<Uuid>,
    pub due_on: NaiveDate,
    pub planned_start: Option<DateTime<Utc>>,
}

pub async fn next_at_site(
    pool: &PgPool,
    tenant_id: Uuid,
    site_id: Uuid,
) -> sqlx::Result<Option<NextInspection>> {
    let open: Option<NextInspection> = sqlx::query_as(
        "SELECT id AS work_order_id, due_on, planned_start FROM work_orders
         WHERE tenant_id = $1 AND site_id = $2 AND plan_id IS NOT NULL
           AND status IN ('to_plan', 'scheduled', 'in_progress')
         ORDER BY due_on, id LIMIT 1",
    )
    .bind(tenant_id)
    .bind(site_id)
    .fetch_optional(pool)
    .await?;
    if open.is_some() {
        return Ok(open);
    }
    sqlx::query_as(
        "SELECT NULL::uuid AS work_order_id, next_due AS due_on, NULL::timestamptz AS planned_start
         FROM inspection_plans WHERE tenant_id = $1 AND site_id = $2 AND active
         ORDER BY next_due LIMIT 1",
    )
    .bind(tenant_id)
    .bind(site_id)
    .fetch_optional(pool)
    .await
}
