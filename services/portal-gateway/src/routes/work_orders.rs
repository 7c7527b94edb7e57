//! Work orders (staff plan them, technicians do them) and appointments (the
//! contact's view of the same work).
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use portal_proto::work_orders::v1 as pb;

use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{
    Appointment, AppointmentFilter, AppointmentsWhen, CancelWorkOrder, CompleteWorkOrder, Page,
    ScheduleWorkOrder, WorkOrder, WorkOrderChange, WorkOrderFilter,
};

fn ts(at: chrono::DateTime<chrono::Utc>) -> Option<prost_types::Timestamp> {
    Some(portal_platform::time::to_proto(at))
}

#[utoipa::path(get, path = "/api/v1/work-orders", operation_id = "list_work_orders", params(WorkOrderFilter),
    responses((status = 200, body = Page<WorkOrder>), (status = 400, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<WorkOrderFilter>,
) -> Result<Json<Page<WorkOrder>>, Problem> {
    let req = pb::ListWorkOrdersRequest {
        status: f.status.map_or(0, |s| s.to_pb().into()),
        limit: f.limit.unwrap_or(0),
        cursor: f.cursor.unwrap_or_default(),
        technician_id: f.technician_id.unwrap_or_default(),
        from: f.from.and_then(ts),
        to: f.to.and_then(ts),
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

#[utoipa::path(get, path = "/api/v1/work-orders/{id}", operation_id = "get_work_order",
    params(("id" = uuid::Uuid, Path, description = "The work order's id")),
    responses((status = 200, body = WorkOrder), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<WorkOrder>, Problem> {
    let w = state
        .work_orders
        .clone()
        .get_work_order(caller.request(pb::GetWorkOrderRequest { id }))
        .await?
        .into_inner();
    Ok(Json(w.into()))
}

#[utoipa::path(post, path = "/api/v1/work-orders/{id}/schedule", operation_id = "schedule_work_order",
    params(("id" = uuid::Uuid, Path, description = "The work order's id")), request_body = ScheduleWorkOrder,
    responses((status = 200, description = "planned (again on a scheduled one: re-planned)", body = WorkOrder),
        (status = 400, description = "in the past, end before start, not a technician", body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "a technician is busy then (send `force: true` to plan anyway), or the work order is started, done or cancelled", body = Problem)),
    security(("bearer" = [])))]
pub async fn schedule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ScheduleWorkOrder>,
) -> Result<Json<WorkOrder>, Problem> {
    let req = pb::ScheduleWorkOrderRequest {
        id,
        technician_ids: b.technician_ids.iter().map(ToString::to_string).collect(),
        start: ts(b.start),
        end: ts(b.end),
        force: b.force,
    };
    let w = state
        .work_orders
        .clone()
        .schedule_work_order(caller.request(req))
        .await?
        .into_inner();
    Ok(Json(w.into()))
}

#[utoipa::path(post, path = "/api/v1/work-orders/{id}/unschedule", operation_id = "unschedule_work_order",
    params(("id" = uuid::Uuid, Path, description = "The work order's id")),
    responses((status = 200, description = "back to to_plan", body = WorkOrder), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "not scheduled", body = Problem)),
    security(("bearer" = [])))]
pub async fn unschedule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<WorkOrder>, Problem> {
    let w = state
        .work_orders
        .clone()
        .unschedule_work_order(caller.request(pb::UnscheduleWorkOrderRequest { id }))
        .await?
        .into_inner();
    Ok(Json(w.into()))
}

#[utoipa::path(post, path = "/api/v1/work-orders/{id}/start", operation_id = "start_work_order",
    params(("id" = uuid::Uuid, Path, description = "The work order's id")),
    responses((status = 200, body = WorkOrder), (status = 403, description = "not planned on you", body = Problem),
        (status = 404, body = Problem), (status = 409, description = "not scheduled", body = Problem)),
    security(("bearer" = [])))]
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<WorkOrder>, Problem> {
    let w = state
        .work_orders
        .clone()
        .start_work_order(caller.request(pb::StartWorkOrderRequest { id }))
        .await?
        .into_inner();
    Ok(Json(w.into()))
}

#[utoipa::path(post, path = "/api/v1/work-orders/{id}/complete", operation_id = "complete_work_order",
    params(("id" = uuid::Uuid, Path, description = "The work order's id")), request_body = CompleteWorkOrder,
    responses((status = 200, description = "done; the service report follows", body = WorkOrder),
        (status = 400, description = "a signature that is not a PNG, or without the signer's name", body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "not in progress (completing twice)", body = Problem)),
    security(("bearer" = [])))]
pub async fn complete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<CompleteWorkOrder>,
) -> Result<Json<WorkOrder>, Problem> {
    let signature_png = match b.signature_png.as_deref().map(str::trim) {
        None | Some("") => Vec::new(),
        Some(text) => {
            // A data URL from a canvas, or the bare base64.
            let text = text.strip_prefix("data:image/png;base64,").unwrap_or(text);
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| Problem::invalid("signature_png is not base64"))?
        }
    };
    let req = pb::CompleteWorkOrderRequest {
        id,
        notes: b.notes,
        minutes_spent: b.minutes_spent,
        signer_name: b.signer_name,
        signature_png,
    };
    let w = state
        .work_orders
        .clone()
        .complete_work_order(caller.request(req))
        .await?
        .into_inner();
    Ok(Json(w.into()))
}

#[utoipa::path(post, path = "/api/v1/work-orders/{id}/cancel", operation_id = "cancel_work_order",
    params(("id" = uuid::Uuid, Path, description = "The work order's id")), request_body = CancelWorkOrder,
    responses((status = 200, body = WorkOrder), (status = 400, description = "no reason", body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "started, done or already cancelled", body = Problem)),
    security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<CancelWorkOrder>,
) -> Result<Json<WorkOrder>, Problem> {
    let w = state
        .work_orders
        .clone()
        .cancel_work_order(caller.request(pb::CancelWorkOrderRequest {
            id,
            reason: b.reason,
        }))
        .await?
        .into_inner();
    Ok(Json(w.into()))
}

#[utoipa::path(get, path = "/api/v1/appointments", operation_id = "list_appointments", params(AppointmentFilter),
    responses((status = 200, body = Page<Appointment>), (status = 403, description = "staff use /work-orders", body = Problem)),
    security(("bearer" = [])))]
pub async fn appointments(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<AppointmentFilter>,
) -> Result<Json<Page<Appointment>>, Problem> {
    let when = AppointmentsWhen::to_pb(f.when);
    let r = state
        .work_orders
        .clone()
        .list_appointments(caller.request(pb::ListAppointmentsRequest {
            when: when.into(),
            limit: f.limit.unwrap_or(0),
            cursor: f.cursor.unwrap_or_default(),
        }))
        .await?
        .into_inner();
    Ok(Json(Page::new(
        r.items.into_iter().map(Into::into).collect(),
        r.next_cursor,
    )))
}

#[utoipa::path(get, path = "/api/v1/appointments/{work_order_id}/calendar.ics", operation_id = "appointment_calendar",
    params(("work_order_id" = uuid::Uuid, Path, description = "The work order's id")),
    responses((status = 200, description = "one VEVENT", content_type = "text/calendar", body = String),
        (status = 404, body = Problem), (status = 409, description = "not planned", body = Problem)),
    security(("bearer" = [])))]
pub async fn calendar(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(work_order_id): ApiPath<String>,
) -> Result<Response, Problem> {
    let w = state
        .work_orders
        .clone()
        .get_work_order(caller.request(pb::GetWorkOrderRequest { id: work_order_id }))
        .await?
        .into_inner();
    let view = WorkOrder::from(w.clone());
    let (Some(start), Some(end)) = (view.start, view.end) else {
        return Err(Problem::new(
            axum::http::StatusCode::CONFLICT,
            "wrong-state",
            "this work is not planned yet",
        ));
    };
    let id =
        w.id.parse()
            .map_err(|_| Problem::invalid("the work order's id is not a UUID"))?;
    let technicians: Vec<String> = view.technicians.iter().map(|t| t.name.clone()).collect();
    let body = portal_platform::calendar::ics(&portal_platform::calendar::Appointment {
        work_order_id: id,
        title: &view.title,
        start,
        end,
        technicians: &technicians,
        url: None,
        // The time of the last plan, as in the mail that announced it.
        sequence: view
            .history
            .iter()
            .rev()
            .find(|h| {
                matches!(
                    h.change,
                    WorkOrderChange::Scheduled | WorkOrderChange::Rescheduled
                )
            })
            .and_then(|h| h.at)
            .map_or(0, portal_platform::calendar::sequence),
    });
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"appointment.ics\""),
            ),
        ],
        body,
    )
        .into_response())
}
