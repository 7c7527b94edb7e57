//! The linked work order's plan on the request (`crate::work`).
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use crate::domain::{Status, WorkState};
use crate::store::PlannedTechnician;

/// A request after a change of its work order.
pub struct PlanUpdate<'a> {
    pub tenant_id: Uuid,
    pub request_id: Uuid,
    pub work_order_id: Uuid,
    pub status: Status,
    pub state: WorkState,
    pub at: DateTime<Utc>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub technicians: &'a [PlannedTechnician],
}

/// Writes the copy and the status; links the work order if its
/// `work_order.created` has not been seen yet.
pub async fn save(conn: &mut PgConnection, u: &PlanUpdate<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE requests
            SET status = $3, work_order_id = COALESCE(work_order_id, $4),
                work_order_state = $5, work_order_changed_at = $6,
                planned_start = $7, planned_end = $8, technicians = $9, updated_at = now()
          WHERE tenant_id = $1 AND id = $2",
    )
    .bind(u.tenant_id)
    .bind(u.request_id)
    .bind(u.status.as_str())
    .bind(u.work_order_id)
    .bind(u.state)
    .bind(u.at)
    .bind(u.start)
    .bind(u.end)
    .bind(Json(u.technicians))
    .execute(conn)
    .await?;
    Ok(())
}
