//! Equipment at customers' sites and its inspections (B3, D4): one function
//! per use case, each in the caller's transaction, writing its event to the
//! outbox. gRPC (`grpc::equipment`) only translates.
pub mod domain;
pub mod import;

use chrono::{DateTime, Utc};
use portal_platform::outbox;
use portal_platform::time::to_proto;
use portal_proto::events::v1 as ev;
use portal_proto::work_orders::v1 as pb;
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use self::domain::{Checked, Entry, Facts, Inspected, InspectionResult, Settings};
use crate::planning::domain::Refusal;
use crate::planning::{SOURCE, Staff};
use crate::store::equipment::{self as store, EquipmentRow, InspectionRow};
use crate::store::{self as work_store};

#[derive(Debug, thiserror::Error)]
pub enum EquipmentError {
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("serial number '{0}' is already used by other equipment")]
    DuplicateSerial(String),
    #[error(transparent)]
    Db(sqlx::Error),
}

impl From<sqlx::Error> for EquipmentError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e)
    }
}

/// A site as identity knows it: the equipment copies its customer.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    pub id: Uuid,
    pub customer_id: Uuid,
}

fn serial_taken(serial: &str) -> impl Fn(sqlx::Error) -> EquipmentError + '_ {
    move |e| {
        if store::is_duplicate_serial(&e) {
            EquipmentError::DuplicateSerial(serial.to_owned())
        } else {
            EquipmentError::Db(e)
        }
    }
}

pub async fn create(
    tx: &mut PgConnection,
    by: &Staff,
    site: Site,
    facts: Facts,
    now: DateTime<Utc>,
) -> Result<EquipmentRow, EquipmentError> {
    let row = EquipmentRow {
        id: Uuid::now_v7(),
        tenant_id: by.tenant_id,
        customer_id: site.customer_id,
        site_id: site.id,
        kind: facts.kind,
        name: facts.name,
        make: facts.make,
        model: facts.model,
        serial_number: facts.serial_number,
        location: facts.location,
        installed_on: facts.installed_on,
        custom_fields: Json(facts.custom_fields),
        last_result: None,
        last_inspected_at: None,
        last_work_order_id: None,
        created_at: now,
    };
    let row = store::insert(tx, &row)
        .await
        .map_err(serial_taken(&row.serial_number))?;
    let event = ev::EquipmentCreated {
        tenant_id: by.tenant_id.to_string(),
        equipment: Some(equipment_pb(&row)),
        by_id: by.id.to_string(),
        at: Some(to_proto(now)),
    };
    outbox::enqueue(tx, by.tenant_id, SOURCE, &event).await?;
    Ok(row)
}

pub async fn update(
    tx: &mut PgConnection,
    by: &Staff,
    id: Uuid,
    facts: Facts,
    now: DateTime<Utc>,
) -> Result<EquipmentRow, EquipmentError> {
    let row = store::update(tx, by.tenant_id, id, &facts, now)
        .await
        .map_err(serial_taken(&facts.serial_number))?
        .ok_or(EquipmentError::NotFound("equipment"))?;
    let event = ev::EquipmentChanged {
        tenant_id: by.tenant_id.to_string(),
        equipment: Some(equipment_pb(&row)),
        by_id: by.id.to_string(),
        at: Some(to_proto(now)),
    };
    outbox::enqueue(tx, by.tenant_id, SOURCE, &event).await?;
    Ok(row)
}

/// Records what a technician found on a work order, per equipment of its
/// site; each equipment's status follows its latest result.
pub async fn record_inspection(
    tx: &mut PgConnection,
    by: &Staff,
    work_order_id: Uuid,
    entries: Vec<Entry>,
    now: DateTime<Utc>,
) -> Result<Vec<InspectionRow>, EquipmentError> {
    // The work order locked: its state cannot change under the results.
    let work = work_store::get_for_update(tx, by.tenant_id, work_order_id)
        .await?
        .ok_or(EquipmentError::NotFound("work order"))?;
    let technicians = work_store::technicians(&mut *tx, &[work.id]).await?;
    let assigned = technicians.iter().any(|t| t.technician_id == by.id);
    domain::may_record(work.status, by.rights, assigned)?;
    let ids: Vec<Uuid> = entries.iter().map(|e| e.equipment_id).collect();
    let rows = store::get_many_for_update(tx, by.tenant_id, &ids).await?;
    let settings = store::settings(&mut *tx, by.tenant_id).await?;
    let known: Vec<Inspected<'_>> = rows
        .iter()
        .map(|r| Inspected {
            id: r.id,
            name: &r.name,
            site_id: r.site_id,
            checklist: settings.checklist(&r.kind),
        })
        .collect();
    let checked: Vec<Checked> = domain::entries(work.site_id, entries, &known)?;
    let mut recorded = Vec::with_capacity(checked.len());
    for c in checked {
        let name = rows
            .iter()
            .find(|r| r.id == c.equipment_id)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let row = InspectionRow {
            work_order_id: work.id,
            equipment_id: c.equipment_id,
            equipment_name: name,
            result: c.result,
            remarks: c.remarks,
            checklist: Json(c.checklist),
            by_name: by.name.clone(),
            recorded_at: now,
        };
        store::upsert_result(tx, by.tenant_id, &row, by.id).await?;
        store::set_last_result(tx, by.tenant_id, row.equipment_id, row.result, now, work.id)
            .await?;
        recorded.push(row);
    }
    let event = ev::InspectionRecorded {
        tenant_id: by.tenant_id.to_string(),
        work_order_id: work.id.to_string(),
        customer_id: work.customer_id.to_string(),
        site_id: work.site_id.to_string(),
        results: recorded.iter().map(inspection_pb).collect(),
        by_id: by.id.to_string(),
        at: Some(to_proto(now)),
    };
    outbox::enqueue(tx, by.tenant_id, SOURCE, &event).await?;
    Ok(recorded)
}

pub async fn update_settings(
    tx: &mut PgConnection,
    tenant_id: Uuid,
    settings: Settings,
    now: DateTime<Utc>,
) -> Result<Settings, EquipmentError> {
    let settings = domain::settings(settings)?;
    store::save_settings(tx, tenant_id, &settings, now).await?;
    Ok(settings)
}

pub fn result_pb(r: InspectionResult) -> pb::InspectionResult {
    match r {
        InspectionResult::Conforming => pb::InspectionResult::Conforming,
        InspectionResult::NonConforming => pb::InspectionResult::NonConforming,
    }
}

pub fn equipment_pb(r: &EquipmentRow) -> pb::Equipment {
    pb::Equipment {
        id: r.id.to_string(),
        customer_id: r.customer_id.to_string(),
        site_id: r.site_id.to_string(),
        kind: r.kind.clone(),
        name: r.name.clone(),
        make: r.make.clone(),
        model: r.model.clone(),
        serial_number: r.serial_number.clone(),
        location: r.location.clone(),
        installed_on: r
            .installed_on
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        custom_fields: r.custom_fields.0.clone().into_iter().collect(),
        last_inspection: match (r.last_result, r.last_inspected_at) {
            (Some(result), Some(at)) => Some(pb::LastInspection {
                result: result_pb(result).into(),
                at: Some(to_proto(at)),
                work_order_id: r
                    .last_work_order_id
                    .map(|w| w.to_string())
                    .unwrap_or_default(),
            }),
            _ => None,
        },
        created_at: Some(to_proto(r.created_at)),
    }
}

pub fn inspection_pb(r: &InspectionRow) -> pb::InspectionRecord {
    pb::InspectionRecord {
        work_order_id: r.work_order_id.to_string(),
        equipment_id: r.equipment_id.to_string(),
        result: result_pb(r.result).into(),
        remarks: r.remarks.clone(),
        checklist: r
            .checklist
            .0
            .iter()
            .map(|a| pb::ChecklistAnswer {
                item: a.item.clone(),
                ok: a.ok,
            })
            .collect(),
        by_name: r.by_name.clone(),
        at: Some(to_proto(r.recorded_at)),
        equipment_name: r.equipment_name.clone(),
    }
}
