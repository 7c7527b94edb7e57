//! Every SQL statement of requests: the requests themselves here, the
//! conversation, lists, settings and the work order's plan in their own
//! modules.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{WorkCopy, WorkState};

pub mod comments;
pub mod list;
pub mod plan;
pub mod settings;

pub use comments::{CommentRow, NewComment, insert_comment};
pub use list::{ListFilter, list};

#[derive(Debug, Clone, FromRow)]
pub struct RequestRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub site_id: Uuid,
    pub contact_id: Uuid,
    pub title: String,
    pub description: String,
    pub category: String,
    pub priority: String,
    pub status: String,
    pub work_order_id: Option<Uuid>,
    pub reject_reason: String,
    pub assignee: String,
    pub planned_start: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub severity: String,
    pub equipment_id: Option<Uuid>,
    pub contract_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub due_date: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<Uuid>,
    pub site_address: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub source: String,
    /// Comments a contact sees.
    pub public_comments: i32,
    /// Every comment, internal notes included (staff).
    pub all_comments: i32,
    #[sqlx(flatten)]
    pub plan: PlanCopy,
}

/// Who comes, as the plan named them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedTechnician {
    pub id: Uuid,
    pub name: String,
}

/// The linked work order's plan, as its events told it (`crate::work`);
/// `planned_start` stays a column of its own on the request.
#[derive(Debug, Clone, Default, FromRow)]
pub struct PlanCopy {
    pub work_order_state: Option<WorkState>,
    pub work_order_changed_at: Option<DateTime<Utc>>,
    pub planned_end: Option<DateTime<Utc>>,
    pub technicians: Json<Vec<PlannedTechnician>>,
}

impl PlanCopy {
    /// What the rules need of the copy; none before the first change.
    pub fn copy(&self) -> Option<WorkCopy> {
        Some(WorkCopy {
            state: self.work_order_state?,
            at: self.work_order_changed_at?,
        })
    }
}

macro_rules! columns {
    () => {
        "id, tenant_id, customer_id, site_id, contact_id, title, description, category, priority, \
         status, work_order_id, reject_reason, assignee, planned_start, created_at, updated_at, \
         severity, equipment_id, contract_id, assignee_id, due_date, closed_at, closed_by, \
         site_address, contact_name, contact_email, contact_phone, source, public_comments, \
         all_comments, work_order_state, work_order_changed_at, planned_end, technicians"
    };
}
pub(crate) use columns;

pub async fn insert(conn: &mut PgConnection, r: &RequestRow) -> sqlx::Result<()> {
    // The search vectors start with title and description; comments add to them.
    sqlx::query(
        "INSERT INTO requests (id, tenant_id, customer_id, site_id, contact_id, title, description,
                               category, priority, status, created_at, updated_at, severity,
                               equipment_id, contract_id, site_address, contact_name,
                               contact_email, contact_phone, source, search_public, search_all)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, to_tsvector('simple', $6 || ' ' || $7),
                 to_tsvector('simple', $6 || ' ' || $7))",
    )
    .bind(r.id)
    .bind(r.tenant_id)
    .bind(r.customer_id)
    .bind(r.site_id)
    .bind(r.contact_id)
    .bind(&r.title)
    .bind(&r.description)
    .bind(&r.category)
    .bind(&r.priority)
    .bind(&r.status)
    .bind(r.created_at)
    .bind(&r.severity)
    .bind(r.equipment_id)
    .bind(r.contract_id)
    .bind(&r.site_address)
    .bind(&r.contact_name)
    .bind(&r.contact_email)
    .bind(&r.contact_phone)
    .bind(&r.source)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn record_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    by: Uuid,
    note: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO request_status_history (request_id, status, changed_by, note) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(status)
        .bind(by)
        .bind(note)
        .execute(conn)
        .await?;
    Ok(())
}

/// A status change at the time it happened elsewhere (the work order's).
pub async fn record_status_at(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    by: Uuid,
    note: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO request_status_history (request_id, status, changed_by, note, changed_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(status)
    .bind(by)
    .bind(note)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(pool: &PgPool, tenant_id: Uuid, id: Uuid) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM requests WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn get_for_update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM requests WHERE tenant_id = $1 AND id = $2 FOR UPDATE"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn set_decision(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    reject_reason: &str,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE requests SET status = $2, reject_reason = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(reject_reason)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Links the work order; true when the request exists.
pub async fn link_work_order(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    work_order_id: Uuid,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE requests SET work_order_id = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(work_order_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The status history of a request, oldest first.
#[derive(Debug, Clone, FromRow)]
pub struct StatusRow {
    pub status: String,
    pub changed_by: Uuid,
    pub changed_at: DateTime<Utc>,
    pub note: String,
}

pub async fn history(pool: &PgPool, request_id: Uuid) -> sqlx::Result<Vec<StatusRow>> {
    sqlx::query_as(
        "SELECT status, changed_by, changed_at, note FROM request_status_history
         WHERE request_id = $1 ORDER BY changed_at, id",
    )
    .bind(request_id)
    .fetch_all(pool)
    .await
}

/// Sets who handles the request and by when.
pub async fn set_assignment(
    conn: &mut PgConnection,
    id: Uuid,
    assignee_id: Option<Uuid>,
    assignee_name: &str,
    due_date: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE requests SET assignee_id = $2, assignee = $3, due_date = $4, updated_at = $5
         WHERE id = $1",
    )
    .bind(id)
    .bind(assignee_id)
    .bind(assignee_name)
    .bind(due_date)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_closed(
    conn: &mut PgConnection,
    id: Uuid,
    by: Uuid,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE requests SET status = 'closed', closed_at = $3, closed_by = $2, updated_at = $3
         WHERE id = $1",
    )
    .bind(id)
    .bind(by)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Requests per status among those the scope shows; with `at_most`, each
/// status is counted only up to it (one short index range per status,
/// whatever the tenant's size).
pub async fn count_by_status(
    pool: &PgPool,
    scope: &list::ScopeFilter,
    at_most: Option<i64>,
) -> sqlx::Result<Vec<(String, i64)>> {
    let Some(cap) = at_most else {
        let mut qb = sqlx::QueryBuilder::new("SELECT status, count(*) FROM requests WHERE ");
        list::push_scope(&mut qb, scope);
        qb.push(" GROUP BY status");
        return qb.build_query_as().fetch_all(pool).await;
    };
    // One short index range per status. The statuses are the domain's own
    // names, written into the text so that the planner knows each one (a
    // bound parameter made it scan the table for every status).
    let mut qb = sqlx::QueryBuilder::new("");
    for (i, status) in crate::domain::Status::ALL.iter().enumerate() {
        if i > 0 {
            qb.push(" UNION ALL ");
        }
        qb.push("SELECT '")
            .push(status.as_str())
            .push("'::text, (SELECT count(*) FROM (SELECT 1 FROM requests WHERE ");
        list::push_scope(&mut qb, scope);
        qb.push(" AND status = '")
            .push(status.as_str())
            .push("' LIMIT ")
            .push_bind(cap)
            .push(") AS capped)");
    }
    qb.build_query_as().fetch_all(pool).await
}
