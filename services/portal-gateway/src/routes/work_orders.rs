//! Work orders (staff).
use axum::Json;
use axum::extract::State;
use portal_proto::work_orders::v1 as pb;

use crate::extract::{ApiQuery, Caller};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{Page, WorkOrder, WorkOrderFilter};

#[utoipa::path(get, path = "/api/v1/work-orders", operation_id = "list_work_orders", params(WorkOrderFilter),
    responses((status = 200, body = Page<WorkOrder>), (status = 403, body = Problem)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<WorkOrderFilter>,
) -> Result<Json<Page<WorkOrder>>, Problem> {
    let req = pb::ListWorkOrdersRequest {
        status: f.status.unwrap_or_default(),
        limit: f.limit.unwrap_or(0),
        cursor: f.cursor.unwrap_or_default(),
    };
    let r = state
        .work_orders
        .clone()
        .list_work_orders(caller.request(req))
        .await?
        .into_inner();
    Ok(Json(Page::new(
        r.items.into_iter().map(Into::into).collect(),
        r.next_cursor,
    )))
}
