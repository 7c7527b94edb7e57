//! Technicians' working hours and absences (the board shows when each is
//! free; planning outside them asks for confirmation).
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use portal_proto::work_orders::v1 as pb;

use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{
    Absence, AddAbsence, AvailabilityRange, DefaultWorkingHours, SetWorkingHours,
    TechnicianAvailability, WorkingInterval,
};

fn ts(at: chrono::DateTime<Utc>) -> Option<prost_types::Timestamp> {
    Some(portal_platform::time::to_proto(at))
}

fn hours_pb(hours: &[WorkingInterval]) -> Result<Vec<pb::WorkingInterval>, Problem> {
    hours.iter().map(WorkingInterval::to_pb).collect()
}

#[utoipa::path(get, path = "/api/v1/technicians/{id}/availability", operation_id = "get_technician_availability",
    params(("id" = uuid::Uuid, Path, description = "The technician's id"), AvailabilityRange),
    responses((status = 200, description = "the hours that apply, the absences and the spans not free in [from, to)", body = TechnicianAvailability),
        (status = 403, description = "not a dispatcher, an admin or the technician themself", body = Problem),
        (status = 404, description = "no technician of this organisation", body = Problem)),
    security(("bearer" = [])))]
pub async fn availability(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(range): ApiQuery<AvailabilityRange>,
) -> Result<Json<TechnicianAvailability>, Problem> {
    let from = range
        .from
        .unwrap_or_else(|| portal_platform::zone::Zone::UTC.midnight(Utc::now().date_naive()));
    let to = range.to.unwrap_or(from + Duration::days(7));
    let req = pb::GetAvailabilityRequest {
        technician_ids: vec![id],
        from: ts(from),
        to: ts(to),
    };
    let r = state
        .work_orders
        .clone()
        .get_availability(caller.request(req))
        .await?
        .into_inner();
    let item =
        r.items.into_iter().next().ok_or_else(|| {
            Problem::new(StatusCode::NOT_FOUND, "not-found", "technician not found")
        })?;
    Ok(Json(item.into()))
}

#[utoipa::path(put, path = "/api/v1/technicians/{id}/working-hours", operation_id = "set_technician_working_hours",
    params(("id" = uuid::Uuid, Path, description = "The technician's id")), request_body = SetWorkingHours,
    responses((status = 200, description = "the hours now, with the coming week", body = TechnicianAvailability),
        (status = 400, description = "an end not after its start, a time outside the day, overlapping hours", body = Problem),
        (status = 403, description = "not a dispatcher or an admin", body = Problem),
        (status = 404, description = "no technician of this organisation", body = Problem)),
    security(("bearer" = [])))]
pub async fn set_working_hours(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<SetWorkingHours>,
) -> Result<Json<TechnicianAvailability>, Problem> {
    let req = pb::SetWorkingHoursRequest {
        technician_id: id,
        hours: hours_pb(&b.hours)?,
        use_default: b.use_default,
    };
    let r = state
        .work_orders
        .clone()
        .set_working_hours(caller.request(req))
        .await?
        .into_inner();
    Ok(Json(r.into()))
}

#[utoipa::path(put, path = "/api/v1/working-hours", operation_id = "set_default_working_hours",
    request_body = DefaultWorkingHours,
    responses((status = 200, description = "the tenant's default hours, for technicians without their own", body = DefaultWorkingHours),
        (status = 400, description = "an end not after its start, a time outside the day, overlapping hours", body = Problem),
        (status = 403, description = "not a dispatcher or an admin", body = Problem)),
    security(("bearer" = [])))]
pub async fn set_default_hours(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<DefaultWorkingHours>,
) -> Result<Json<DefaultWorkingHours>, Problem> {
    let req = pb::SetWorkingHoursRequest {
        technician_id: String::new(),
        hours: hours_pb(&b.hours)?,
        use_default: false,
    };
    let r = state
        .work_orders
        .clone()
        .set_working_hours(caller.request(req))
        .await?
        .into_inner();
    Ok(Json(DefaultWorkingHours {
        hours: r
            .hours
            .iter()
            .filter_map(WorkingInterval::from_pb)
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/technicians/{id}/absences", operation_id = "add_technician_absence",
    params(("id" = uuid::Uuid, Path, description = "The technician's id")), request_body = AddAbsence,
    responses((status = 201, body = Absence),
        (status = 400, description = "until not after from, longer than 366 days, a note too long", body = Problem),
        (status = 403, description = "not a dispatcher, an admin or the technician themself", body = Problem),
        (status = 404, description = "no technician of this organisation", body = Problem)),
    security(("bearer" = [])))]
pub async fn add_absence(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<AddAbsence>,
) -> Result<(StatusCode, Json<Absence>), Problem> {
    let req = pb::AddAbsenceRequest {
        technician_id: id,
        from: ts(b.from),
        until: ts(b.until),
        reason: b.reason.to_pb().into(),
        note: b.note,
    };
    let a = state
        .work_orders
        .clone()
        .add_absence(caller.request(req))
        .await?
        .into_inner();
    Ok((StatusCode::CREATED, Json(a.into())))
}

#[utoipa::path(delete, path = "/api/v1/technicians/{id}/absences/{absence_id}", operation_id = "delete_technician_absence",
    params(("id" = uuid::Uuid, Path, description = "The technician's id"),
        ("absence_id" = uuid::Uuid, Path, description = "The absence's id")),
    responses((status = 204, description = "the absence is gone"),
        (status = 403, description = "not a dispatcher, an admin or the technician themself", body = Problem),
        (status = 404, description = "no such technician or absence", body = Problem)),
    security(("bearer" = [])))]
pub async fn delete_absence(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, absence_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, Problem> {
    let req = pb::DeleteAbsenceRequest {
        technician_id: id,
        absence_id,
    };
    state
        .work_orders
        .clone()
        .delete_absence(caller.request(req))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
