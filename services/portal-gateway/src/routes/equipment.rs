//! Sites (identity), their equipment and its inspections (work-orders).
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_proto::identity::v1 as id;
use portal_proto::work_orders::v1 as wo;

use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::problem::Problem;
use crate::state::AppState;
use crate::views::{
    CreateInspectionPlan, Equipment, EquipmentDetail, EquipmentFilter, EquipmentInput,
    EquipmentSettings, InspectionPlan, InspectionPlans, InspectionResults, Page, RecordInspection,
    SiteEquipmentFilter, SiteFilter, SiteItem, SiteSummary, UpdateSite,
};

#[utoipa::path(get, path = "/api/v1/sites", operation_id = "list_sites", params(SiteFilter),
    responses((status = 200, description = "the sites in the caller's scope, by name", body = Page<SiteItem>),
        (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, description = "another customer", body = Problem)),
    security(("bearer" = [])))]
pub async fn list_sites(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<SiteFilter>,
) -> Result<Json<Page<SiteItem>>, Problem> {
    let req = id::ListSitesRequest {
        customer_id: f.customer_id.map(|c| c.to_string()).unwrap_or_default(),
        q: f.q.unwrap_or_default(),
        limit: f.limit.unwrap_or(0),
        cursor: f.cursor.unwrap_or_default(),
    };
    let r = state
        .identity
        .clone()
        .list_sites(caller.request(req))
        .await?
        .into_inner();
    Ok(Json(Page::new(
        r.items.into_iter().map(Into::into).collect(),
        r.next_cursor,
    )))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}", operation_id = "get_site",
    params(("id" = uuid::Uuid, Path, description = "The site's id")),
    responses((status = 200, body = SiteItem), (status = 404, description = "unknown or out of scope", body = Problem)),
    security(("bearer" = [])))]
pub async fn site(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(site_id): ApiPath<String>,
) -> Result<Json<SiteItem>, Problem> {
    let req = id::GetSiteRequest {
        tenant_id: caller.claims.tid.to_string(),
        site_id,
    };
    let s = state
        .identity
        .clone()
        .get_site(caller.request(req))
        .await?
        .into_inner();
    Ok(Json(s.into()))
}

#[utoipa::path(put, path = "/api/v1/sites/{id}", operation_id = "update_site", request_body = UpdateSite,
    params(("id" = uuid::Uuid, Path, description = "The site's id")),
    responses((status = 200, body = SiteItem), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn update_site(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(site_id): ApiPath<String>,
    ApiJson(b): ApiJson<UpdateSite>,
) -> Result<Json<SiteItem>, Problem> {
    let req = id::UpdateSiteRequest {
        site_id,
        name: b.name,
        address: b.address,
        latitude: b.latitude,
        longitude: b.longitude,
    };
    let s = state
        .identity
        .clone()
        .update_site(caller.request(req))
        .await?
        .into_inner();
    Ok(Json(s.into()))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/summary", operation_id = "get_site_summary",
    params(("id" = uuid::Uuid, Path, description = "The site's id")),
    responses((status = 200, description = "equipment counts by latest result, and the latest inspection", body = SiteSummary),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(site_id): ApiPath<String>,
) -> Result<Json<SiteSummary>, Problem> {
    let s = state
        .equipment
        .clone()
        .get_site_summary(caller.request(wo::GetSiteSummaryRequest { site_id }))
        .await?
        .into_inner();
    Ok(Json(s.into()))
}

#[utoipa::path(post, path = "/api/v1/sites/{id}/equipment", operation_id = "create_equipment", request_body = EquipmentInput,
    params(("id" = uuid::Uuid, Path, description = "The site's id")),
    responses((status = 201, body = Equipment), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "the serial number is taken", body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(site_id): ApiPath<String>,
    ApiJson(b): ApiJson<EquipmentInput>,
) -> Result<(StatusCode, Json<Equipment>), Problem> {
    let e = state
        .equipment
        .clone()
        .create_equipment(caller.request(b.into_create(site_id)))
        .await?
        .into_inner();
    Ok((StatusCode::CREATED, Json(e.into())))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/equipment", operation_id = "list_site_equipment",
    params(("id" = uuid::Uuid, Path, description = "The site's id"), SiteEquipmentFilter),
    responses((status = 200, description = "by name", body = Page<Equipment>), (status = 400, body = Problem),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn site_equipment(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(site_id): ApiPath<uuid::Uuid>,
    ApiQuery(f): ApiQuery<SiteEquipmentFilter>,
) -> Result<Json<Page<Equipment>>, Problem> {
    list_of(
        &state,
        &caller,
        EquipmentFilter {
            site_id: Some(site_id),
            customer_id: None,
            q: f.q,
            limit: f.limit,
            cursor: f.cursor,
        },
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/equipment", operation_id = "list_equipment", params(EquipmentFilter),
    responses((status = 200, description = "by name, within the caller's scope", body = Page<Equipment>),
        (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(f): ApiQuery<EquipmentFilter>,
) -> Result<Json<Page<Equipment>>, Problem> {
    list_of(&state, &caller, f).await
}

async fn list_of(
    state: &AppState,
    caller: &Caller,
    f: EquipmentFilter,
) -> Result<Json<Page<Equipment>>, Problem> {
    let req = wo::ListEquipmentRequest {
        site_id: f.site_id.map(|s| s.to_string()).unwrap_or_default(),
        customer_id: f.customer_id.map(|c| c.to_string()).unwrap_or_default(),
        q: f.q.unwrap_or_default(),
        limit: f.limit.unwrap_or(0),
        cursor: f.cursor.unwrap_or_default(),
    };
    let r = state
        .equipment
        .clone()
        .list_equipment(caller.request(req))
        .await?
        .into_inner();
    Ok(Json(Page::new(
        r.items.into_iter().map(Into::into).collect(),
        r.next_cursor,
    )))
}

#[utoipa::path(get, path = "/api/v1/equipment/{id}", operation_id = "get_equipment",
    params(("id" = uuid::Uuid, Path, description = "The equipment's id")),
    responses((status = 200, body = EquipmentDetail), (status = 404, description = "unknown or out of scope", body = Problem)),
    security(("bearer" = [])))]
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<EquipmentDetail>, Problem> {
    let d = state
        .equipment
        .clone()
        .get_equipment(caller.request(wo::GetEquipmentRequest { id }))
        .await?
        .into_inner();
    EquipmentDetail::from_pb(d).map(Json).ok_or_else(|| {
        Problem::new(
            StatusCode::BAD_GATEWAY,
            "unavailable",
            "work-orders answered without the equipment",
        )
    })
}

#[utoipa::path(put, path = "/api/v1/equipment/{id}", operation_id = "update_equipment", request_body = EquipmentInput,
    params(("id" = uuid::Uuid, Path, description = "The equipment's id")),
    responses((status = 200, body = Equipment), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "the serial number is taken", body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<EquipmentInput>,
) -> Result<Json<Equipment>, Problem> {
    let e = state
        .equipment
        .clone()
        .update_equipment(caller.request(b.into_update(id)))
        .await?
        .into_inner();
    Ok(Json(e.into()))
}

#[utoipa::path(post, path = "/api/v1/work-orders/{id}/inspection-results", operation_id = "record_inspection",
    request_body = RecordInspection,
    params(("id" = uuid::Uuid, Path, description = "The work order's id")),
    responses((status = 200, description = "recorded (again for an equipment: replaced)", body = InspectionResults),
        (status = 400, description = "equipment of another site, checklist not answered, no remarks on a non-conforming result", body = Problem),
        (status = 403, description = "not a technician planned on it", body = Problem), (status = 404, body = Problem),
        (status = 409, description = "the work order is not in progress", body = Problem)),
    security(("bearer" = [])))]
pub async fn record(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(work_order_id): ApiPath<String>,
    ApiJson(b): ApiJson<RecordInspection>,
) -> Result<Json<InspectionResults>, Problem> {
    let req = wo::RecordInspectionRequest {
        work_order_id,
        results: b
            .results
            .into_iter()
            .map(|e| wo::InspectionEntry {
                equipment_id: e.equipment_id.to_string(),
                result: e.result.to_pb().into(),
                remarks: e.remarks,
                checklist: e
                    .checklist
                    .into_iter()
                    .map(|a| wo::ChecklistAnswer {
                        item: a.item,
                        ok: a.ok,
                    })
                    .collect(),
            })
            .collect(),
    };
    let r = state
        .equipment
        .clone()
        .record_inspection(caller.request(req))
        .await?
        .into_inner();
    Ok(Json(InspectionResults {
        items: r.items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/work-orders/{id}/inspection-results", operation_id = "list_inspection_results",
    params(("id" = uuid::Uuid, Path, description = "The work order's id")),
    responses((status = 200, body = InspectionResults), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn results(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(work_order_id): ApiPath<String>,
) -> Result<Json<InspectionResults>, Problem> {
    let r = state
        .equipment
        .clone()
        .list_inspection_results(caller.request(wo::ListInspectionResultsRequest { work_order_id }))
        .await?
        .into_inner();
    Ok(Json(InspectionResults {
        items: r.items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/equipment-settings", operation_id = "get_equipment_settings",
    responses((status = 200, body = EquipmentSettings), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn settings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<EquipmentSettings>, Problem> {
    let s = state
        .equipment
        .clone()
        .get_equipment_settings(caller.request(wo::GetEquipmentSettingsRequest {}))
        .await?
        .into_inner();
    Ok(Json(s.into()))
}

#[utoipa::path(put, path = "/api/v1/equipment-settings", operation_id = "update_equipment_settings",
    request_body = EquipmentSettings,
    responses((status = 200, body = EquipmentSettings), (status = 400, body = Problem), (status = 403, description = "admins only", body = Problem)),
    security(("bearer" = [])))]
pub async fn update_settings(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<EquipmentSettings>,
) -> Result<Json<EquipmentSettings>, Problem> {
    let s = state
        .equipment
        .clone()
        .update_equipment_settings(caller.request(wo::EquipmentSettings::from(b)))
        .await?
        .into_inner();
    Ok(Json(s.into()))
}

#[utoipa::path(post, path = "/api/v1/sites/{id}/inspection-plans", operation_id = "create_inspection_plan",
    request_body = CreateInspectionPlan,
    params(("id" = uuid::Uuid, Path, description = "The site's id")),
    responses((status = 201, description = "planned: its work order is made lead_days before each due date", body = InspectionPlan),
        (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_plan(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(site_id): ApiPath<String>,
    ApiJson(b): ApiJson<CreateInspectionPlan>,
) -> Result<(StatusCode, Json<InspectionPlan>), Problem> {
    let req = wo::CreateInspectionPlanRequest {
        site_id,
        equipment_id: b.equipment_id.map(|e| e.to_string()).unwrap_or_default(),
        title: b.title,
        every_months: b.every_months,
        lead_days: b.lead_days,
        next_due: b.next_due.to_string(),
    };
    let p = state
        .equipment
        .clone()
        .create_inspection_plan(caller.request(req))
        .await?
        .into_inner();
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/inspection-plans", operation_id = "list_inspection_plans",
    params(("id" = uuid::Uuid, Path, description = "The site's id")),
    responses((status = 200, body = InspectionPlans), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn plans(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(site_id): ApiPath<String>,
) -> Result<Json<InspectionPlans>, Problem> {
    let r = state
        .equipment
        .clone()
        .list_inspection_plans(caller.request(wo::ListInspectionPlansRequest { site_id }))
        .await?
        .into_inner();
    Ok(Json(InspectionPlans {
        items: r.items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/inspection-plans/{id}/stop", operation_id = "stop_inspection_plan",
    params(("id" = uuid::Uuid, Path, description = "The plan's id")),
    responses((status = 200, description = "stopped: no more work orders are made from it", body = InspectionPlan),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn stop_plan(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InspectionPlan>, Problem> {
    let p = state
        .equipment
        .clone()
        .stop_inspection_plan(caller.request(wo::StopInspectionPlanRequest { id }))
        .await?
        .into_inner();
    Ok(Json(p.into()))
}

/// A request raised for an equipment (C7) names one the caller sees, at the
/// request's site. requests keeps the id as given: the gateway vouches for
/// it (ADR 0029), as it does for upload owners (ADR 0005).
pub async fn check_request_equipment(
    state: &AppState,
    caller: &Caller,
    site_id: &str,
    equipment_id: &str,
) -> Result<(), tonic::Status> {
    let equipment_id = equipment_id.trim();
    if equipment_id.is_empty() {
        return Ok(());
    }
    let refused =
        || tonic::Status::invalid_argument("equipment_id: no such equipment at this site");
    if equipment_id.parse::<uuid::Uuid>().is_err() {
        return Err(refused());
    }
    let found = state
        .equipment
        .clone()
        .get_equipment(caller.request(wo::GetEquipmentRequest {
            id: equipment_id.to_owned(),
        }))
        .await;
    match found {
        Ok(d) => match d.into_inner().equipment {
            Some(e) if e.site_id == site_id.trim() => Ok(()),
            _ => Err(refused()),
        },
        Err(s) if s.code() == tonic::Code::NotFound => Err(refused()),
        Err(s) => Err(s),
    }
}
