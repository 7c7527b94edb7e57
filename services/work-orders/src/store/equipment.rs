//! Every SQL statement about equipment, inspections and their settings.
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

use super::WorkOrderRow;
use crate::equipment::domain::{Answer, Facts, InspectionResult, Settings};

#[derive(Debug, Clone, FromRow)]
pub struct EquipmentRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub site_id: Uuid,
    pub kind: String,
    pub name: String,
    pub make: String,
    pub model: String,
    pub serial_number: String,
    pub location: String,
    pub installed_on: Option<NaiveDate>,
    pub custom_fields: Json<std::collections::BTreeMap<String, String>>,
    pub last_result: Option<InspectionResult>,
    pub last_inspected_at: Option<DateTime<Utc>>,
    pub last_work_order_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl EquipmentRow {
    pub fn facts(&self) -> Facts {
        Facts {
            kind: self.kind.clone(),
            name: self.name.clone(),
            make: self.make.clone(),
            model: self.model.clone(),
            serial_number: self.serial_number.clone(),
            location: self.location.clone(),
            installed_on: self.installed_on,
            custom_fields: self.custom_fields.0.clone(),
        }
    }
}

macro_rules! equipment_columns {
    () => {
        "id, tenant_id, customer_id, site_id, kind, name, make, model, serial_number, location,
         installed_on, custom_fields, last_result, last_inspected_at, last_work_order_id, created_at"
    };
}

/// Whether a unique-index violation is the serial number's.
pub fn is_duplicate_serial(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.constraint())
        .is_some_and(|c| c == "equipment_serial")
}

pub async fn insert(conn: &mut PgConnection, row: &EquipmentRow) -> sqlx::Result<EquipmentRow> {
    sqlx::query_as(concat!(
        "INSERT INTO equipment (id, tenant_id, customer_id, site_id, kind, name, make, model,
                                serial_number, location, installed_on, custom_fields, created_at,
                                updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
         RETURNING ",
        equipment_columns!()
    ))
    .bind(row.id)
    .bind(row.tenant_id)
    .bind(row.customer_id)
    .bind(row.site_id)
    .bind(&row.kind)
    .bind(&row.name)
    .bind(&row.make)
    .bind(&row.model)
    .bind(&row.serial_number)
    .bind(&row.location)
    .bind(row.installed_on)
    .bind(&row.custom_fields)
    .bind(row.created_at)
    .fetch_one(conn)
    .await
}

pub async fn update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    f: &Facts,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<EquipmentRow>> {
    sqlx::query_as(concat!(
        "UPDATE equipment SET kind = $3, name = $4, make = $5, model = $6, serial_number = $7,
                location = $8, installed_on = $9, custom_fields = $10, updated_at = $11
         WHERE tenant_id = $1 AND id = $2
         RETURNING ",
        equipment_columns!()
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(&f.kind)
    .bind(&f.name)
    .bind(&f.make)
    .bind(&f.model)
    .bind(&f.serial_number)
    .bind(&f.location)
    .bind(f.installed_on)
    .bind(Json(&f.custom_fields))
    .bind(now)
    .fetch_optional(conn)
    .await
}

pub async fn get<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<EquipmentRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        equipment_columns!(),
        " FROM equipment WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The rows of `ids`, locked: their last result changes with the inspection.
pub async fn get_many_for_update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> sqlx::Result<Vec<EquipmentRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        equipment_columns!(),
        " FROM equipment WHERE tenant_id = $1 AND id = ANY ($2) ORDER BY id FOR UPDATE"
    ))
    .bind(tenant_id)
    .bind(ids)
    .fetch_all(conn)
    .await
}

/// Which equipment a list shows.
#[derive(Debug, Clone, Default)]
pub struct EquipmentFilter {
    pub customer_id: Option<Uuid>,
    /// Only these sites (a contact narrowed to some, or one site asked for).
    pub sites: Option<Vec<Uuid>>,
    /// A `LIKE` pattern (`search::contains_pattern`) over name, serial,
    /// kind, make and model, lower-cased.
    pub q: Option<String>,
    /// After this (lower-cased name, id).
    pub after: Option<(String, Uuid)>,
    pub limit: i64,
}

pub async fn list<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    f: &EquipmentFilter,
) -> sqlx::Result<Vec<EquipmentRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        equipment_columns!(),
        " FROM equipment
         WHERE tenant_id = $1
           AND ($2::uuid IS NULL OR customer_id = $2)
           AND ($3::uuid[] IS NULL OR site_id = ANY ($3))
           AND ($4::text IS NULL OR lower(name || ' ' || serial_number || ' ' || kind
                                   || ' ' || make || ' ' || model) LIKE $4)
           AND ($5::text IS NULL OR (lower(name), id) > ($5, $6))
         ORDER BY lower(name), id
         LIMIT $7"
    ))
    .bind(tenant_id)
    .bind(f.customer_id)
    .bind(f.sites.as_deref())
    .bind(f.q.as_deref())
    .bind(f.after.as_ref().map(|a| a.0.as_str()))
    .bind(f.after.as_ref().map(|a| a.1))
    .bind(f.limit)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct InspectionRow {
    pub work_order_id: Uuid,
    pub equipment_id: Uuid,
    pub equipment_name: String,
    pub result: InspectionResult,
    pub remarks: String,
    pub checklist: Json<Vec<Answer>>,
    pub by_name: String,
    pub recorded_at: DateTime<Utc>,
}

/// Records (or replaces) one equipment's result on a work order.
pub async fn upsert_result(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    r: &InspectionRow,
    by_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO inspection_results (tenant_id, work_order_id, equipment_id, result, remarks,
                                         checklist, by_id, by_name, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (work_order_id, equipment_id) DO UPDATE
         SET result = EXCLUDED.result, remarks = EXCLUDED.remarks, checklist = EXCLUDED.checklist,
             by_id = EXCLUDED.by_id, by_name = EXCLUDED.by_name, recorded_at = EXCLUDED.recorded_at",
    )
    .bind(tenant_id)
    .bind(r.work_order_id)
    .bind(r.equipment_id)
    .bind(r.result)
    .bind(&r.remarks)
    .bind(&r.checklist)
    .bind(by_id)
    .bind(&r.by_name)
    .bind(r.recorded_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The equipment's status follows its latest result.
pub async fn set_last_result(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    equipment_id: Uuid,
    result: InspectionResult,
    at: DateTime<Utc>,
    work_order_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE equipment SET last_result = $3, last_inspected_at = $4, last_work_order_id = $5
         WHERE tenant_id = $1 AND id = $2
           AND (last_inspected_at IS NULL OR last_inspected_at <= $4)",
    )
    .bind(tenant_id)
    .bind(equipment_id)
    .bind(result)
    .bind(at)
    .bind(work_order_id)
    .execute(conn)
    .await?;
    Ok(())
}

macro_rules! inspection_columns {
    () => {
        "r.work_order_id, r.equipment_id, e.name AS equipment_name, r.result, r.remarks,
         r.checklist, r.by_name, r.recorded_at"
    };
}

pub async fn results_of_work_order<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    work_order_id: Uuid,
) -> sqlx::Result<Vec<InspectionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        inspection_columns!(),
        " FROM inspection_results r JOIN equipment e ON e.id = r.equipment_id
         WHERE r.tenant_id = $1 AND r.work_order_id = $2
         ORDER BY lower(e.name), e.id"
    ))
    .bind(tenant_id)
    .bind(work_order_id)
    .fetch_all(db)
    .await
}

/// An equipment's inspections, latest first.
pub async fn results_of_equipment<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    equipment_id: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<InspectionRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        inspection_columns!(),
        " FROM inspection_results r JOIN equipment e ON e.id = r.equipment_id
         WHERE r.tenant_id = $1 AND r.equipment_id = $2
         ORDER BY r.recorded_at DESC
         LIMIT $3"
    ))
    .bind(tenant_id)
    .bind(equipment_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Work orders raised for the equipment or that inspected it, latest first.
pub async fn work_history<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    equipment_id: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<WorkOrderRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM work_orders w
         WHERE tenant_id = $1
           AND (equipment_id = $2 OR id IN (SELECT work_order_id FROM inspection_results
                                            WHERE tenant_id = $1 AND equipment_id = $2))
         ORDER BY created_at DESC, id DESC
         LIMIT $3"
    ))
    .bind(tenant_id)
    .bind(equipment_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, Default, FromRow)]
pub struct SiteCounts {
    pub equipment: i64,
    pub conforming: i64,
    pub non_conforming: i64,
}

pub async fn site_counts<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    site_id: Uuid,
) -> sqlx::Result<SiteCounts> {
    sqlx::query_as(
        "SELECT count(*) AS equipment,
                count(*) FILTER (WHERE last_result = 'conforming') AS conforming,
                count(*) FILTER (WHERE last_result = 'non_conforming') AS non_conforming
         FROM equipment WHERE tenant_id = $1 AND site_id = $2",
    )
    .bind(tenant_id)
    .bind(site_id)
    .fetch_one(db)
    .await
}

#[derive(Debug, Clone, FromRow)]
pub struct LastInspection {
    pub work_order_id: Uuid,
    pub at: DateTime<Utc>,
    pub conforming: i64,
    pub non_conforming: i64,
}

/// The site's latest work order with inspection results, and what it found.
pub async fn last_site_inspection<'e>(
    db: impl PgExecutor<'e>,
    tenant_id: Uuid,
    site_id: Uuid,
) -> sqlx::Result<Option<LastInspection>> {
    sqlx::query_as(
        "WITH last AS (
             SELECT r.work_order_id FROM inspection_results r
             JOIN work_orders w ON w.id = r.work_order_id
             WHERE r.tenant_id = $1 AND w.site_id = $2
             ORDER BY r.recorded_at DESC LIMIT 1)
         SELECT r.work_order_id, max(r.recorded_at) AS at,
                count(*) FILTER (WHERE r.result = 'conforming') AS conforming,
                count(*) FILTER (WHERE r.result = 'non_conforming') AS non_conforming
         FROM inspection_results r JOIN last USING (work_order_id)
         WHERE r.tenant_id = $1
         GROUP BY r.work_order_id",
    )
    .bind(tenant_id)
    .bind(site_id)
    .fetch_optional(db)
    .await
}

pub async fn settings<'e>(db: impl PgExecutor<'e>, tenant_id: Uuid) -> sqlx::Result<Settings> {
    let row: Option<(Json<Settings>,)> = sqlx::query_as(
        "SELECT json_build_object('fields', fields, 'checklists', checklists)
         FROM equipment_settings WHERE tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| r.0.0).unwrap_or_default())
}

pub async fn save_settings(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    s: &Settings,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO equipment_settings (tenant_id, fields, checklists, updated_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id) DO UPDATE
         SET fields = EXCLUDED.fields, checklists = EXCLUDED.checklists,
             updated_at = EXCLUDED.updated_at",
    )
    .bind(tenant_id)
    .bind(Json(&s.fields))
    .bind(Json(&s.checklists))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The tenant's serial numbers, lower-cased (an import's duplicates).
pub async fn serials<'e>(db: impl PgExecutor<'e>, tenant_id: Uuid) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT lower(serial_number) FROM equipment WHERE tenant_id = $1 AND serial_number <> ''",
    )
    .bind(tenant_id)
    .fetch_all(db)
    .await
}
