//! Sites, equipment and inspections: one view model for the API and pages.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use portal_proto::identity::v1 as id;
use portal_proto::work_orders::v1 as wo;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{WorkOrder, non_empty, ts};

/// What an inspection found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionResult {
    Conforming,
    NonConforming,
}

impl InspectionResult {
    pub fn from_pb(r: i32) -> Option<Self> {
        match wo::InspectionResult::try_from(r).ok()? {
            wo::InspectionResult::Conforming => Some(Self::Conforming),
            wo::InspectionResult::NonConforming => Some(Self::NonConforming),
            wo::InspectionResult::Unspecified => None,
        }
    }

    pub fn to_pb(self) -> wo::InspectionResult {
        match self {
            Self::Conforming => wo::InspectionResult::Conforming,
            Self::NonConforming => wo::InspectionResult::NonConforming,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Conforming => "conforming",
            Self::NonConforming => "non_conforming",
        }
    }
}

/// A site in a list or on a map.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteItem {
    pub id: String,
    pub customer_id: String,
    /// The customer's name (lists only).
    pub customer_name: Option<String>,
    pub name: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl From<id::Site> for SiteItem {
    fn from(s: id::Site) -> Self {
        Self {
            id: s.id,
            customer_id: s.customer_id,
            customer_name: non_empty(s.customer_name),
            name: s.name,
            address: s.address,
            latitude: s.latitude,
            longitude: s.longitude,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SiteFilter {
    /// Staff: only this customer's sites.
    pub customer_id: Option<uuid::Uuid>,
    /// Words in the name or address.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Page size: 100 when absent, at most 1000 (a map shows them all).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Name, address and position of a site (its customer does not change).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSite {
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub address: String,
    /// With `longitude`, or neither.
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub latitude: Option<f64>,
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub longitude: Option<f64>,
}

/// A site's equipment by its latest inspection, and that inspection (B4).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteSummary {
    pub site_id: String,
    pub equipment: i32,
    pub conforming: i32,
    pub non_conforming: i32,
    pub never_inspected: i32,
    /// The latest inspection at the site; absent when none yet.
    pub last_inspection: Option<SiteInspection>,
    /// The next inspection a plan makes; absent when none is planned.
    pub next_inspection: Option<NextInspection>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NextInspection {
    /// YYYY-MM-DD: when the period is due.
    pub due: String,
    /// Its planned start, once planned.
    pub start: Option<DateTime<Utc>>,
    /// Its work order, once made (ahead of the due date).
    pub work_order_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteInspection {
    pub work_order_id: String,
    pub date: Option<DateTime<Utc>>,
    pub conforming: i32,
    pub non_conforming: i32,
}

impl From<wo::SiteSummary> for SiteSummary {
    fn from(s: wo::SiteSummary) -> Self {
        Self {
            last_inspection: (!s.last_work_order_id.is_empty()).then(|| SiteInspection {
                work_order_id: s.last_work_order_id,
                date: ts(s.last_inspected_at.as_ref()),
                conforming: s.last_conforming,
                non_conforming: s.last_non_conforming,
            }),
            next_inspection: (!s.next_due.is_empty()).then(|| NextInspection {
                start: ts(s.next_start.as_ref()),
                work_order_id: non_empty(s.next_work_order_id),
                due: s.next_due,
            }),
            site_id: s.site_id,
            equipment: s.equipment,
            conforming: s.conforming,
            non_conforming: s.non_conforming,
            never_inspected: s.never_inspected,
        }
    }
}

/// The latest inspection of an equipment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LastInspection {
    pub result: InspectionResult,
    pub date: Option<DateTime<Utc>>,
    pub work_order_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Equipment {
    pub id: String,
    pub customer_id: String,
    pub site_id: String,
    pub kind: String,
    pub name: String,
    pub make: String,
    pub model: String,
    pub serial_number: String,
    /// Where it is on the site.
    pub location: String,
    /// YYYY-MM-DD.
    pub installed_on: Option<String>,
    /// The tenant's own fields, by key.
    pub custom_fields: BTreeMap<String, String>,
    /// `null`: never inspected.
    pub last_inspection: Option<LastInspection>,
    pub created_at: Option<DateTime<Utc>>,
}

impl From<wo::Equipment> for Equipment {
    fn from(e: wo::Equipment) -> Self {
        Self {
            last_inspection: e.last_inspection.and_then(|l| {
                Some(LastInspection {
                    result: InspectionResult::from_pb(l.result)?,
                    date: ts(l.at.as_ref()),
                    work_order_id: non_empty(l.work_order_id),
                })
            }),
            created_at: ts(e.created_at.as_ref()),
            installed_on: non_empty(e.installed_on),
            custom_fields: e.custom_fields.into_iter().collect(),
            id: e.id,
            customer_id: e.customer_id,
            site_id: e.site_id,
            kind: e.kind,
            name: e.name,
            make: e.make,
            model: e.model,
            serial_number: e.serial_number,
            location: e.location,
        }
    }
}

/// New equipment at a site, or the whole of an equipment's facts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EquipmentInput {
    /// "Boiler", "Fire extinguisher", ...; its checklist follows it.
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]")]
    pub kind: String,
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub make: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub model: String,
    /// Unique in the organisation when given.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub serial_number: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub location: String,
    /// YYYY-MM-DD, not in the future.
    pub installed_on: Option<chrono::NaiveDate>,
    /// Values of the tenant's own fields (see the equipment settings).
    #[serde(default)]
    pub custom_fields: BTreeMap<String, String>,
}

impl EquipmentInput {
    pub fn into_create(self, site_id: String) -> wo::CreateEquipmentRequest {
        wo::CreateEquipmentRequest {
            site_id,
            kind: self.kind,
            name: self.name,
            make: self.make,
            model: self.model,
            serial_number: self.serial_number,
            location: self.location,
            installed_on: self.installed_on.map(|d| d.to_string()).unwrap_or_default(),
            custom_fields: self.custom_fields.into_iter().collect(),
        }
    }

    pub fn into_update(self, id: String) -> wo::UpdateEquipmentRequest {
        wo::UpdateEquipmentRequest {
            id,
            kind: self.kind,
            name: self.name,
            make: self.make,
            model: self.model,
            serial_number: self.serial_number,
            location: self.location,
            installed_on: self.installed_on.map(|d| d.to_string()).unwrap_or_default(),
            custom_fields: self.custom_fields.into_iter().collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EquipmentFilter {
    pub site_id: Option<uuid::Uuid>,
    pub customer_id: Option<uuid::Uuid>,
    /// Words in the name, serial number, kind, make or model.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Page size: 20 when absent, at most 100.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SiteEquipmentFilter {
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChecklistAnswer {
    #[schema(max_length = 200)]
    pub item: String,
    pub ok: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Inspection {
    pub work_order_id: String,
    pub equipment_id: String,
    pub equipment_name: String,
    pub result: Option<InspectionResult>,
    pub remarks: String,
    pub checklist: Vec<ChecklistAnswer>,
    /// The technician who recorded it.
    pub by: String,
    pub date: Option<DateTime<Utc>>,
}

impl From<wo::InspectionRecord> for Inspection {
    fn from(r: wo::InspectionRecord) -> Self {
        Self {
            result: InspectionResult::from_pb(r.result),
            date: ts(r.at.as_ref()),
            checklist: r
                .checklist
                .into_iter()
                .map(|a| ChecklistAnswer {
                    item: a.item,
                    ok: a.ok,
                })
                .collect(),
            work_order_id: r.work_order_id,
            equipment_id: r.equipment_id,
            equipment_name: r.equipment_name,
            remarks: r.remarks,
            by: r.by_name,
        }
    }
}

/// An equipment with its inspections and work history (B3).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EquipmentDetail {
    #[serde(flatten)]
    pub equipment: Equipment,
    /// Latest first.
    pub inspections: Vec<Inspection>,
    /// Work orders raised for it or that inspected it, latest first.
    pub work_orders: Vec<WorkOrder>,
    /// The items its kind's inspection checks.
    pub checklist: Vec<String>,
}

impl EquipmentDetail {
    pub fn from_pb(d: wo::EquipmentDetail) -> Option<Self> {
        Some(Self {
            equipment: d.equipment?.into(),
            inspections: d.inspections.into_iter().map(Into::into).collect(),
            work_orders: d.work_orders.into_iter().map(Into::into).collect(),
            checklist: d.checklist,
        })
    }
}

/// One equipment's result.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionEntry {
    pub equipment_id: uuid::Uuid,
    pub result: InspectionResult,
    /// Required when not conforming.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub remarks: String,
    /// The kind's checklist, every item in its order.
    #[serde(default)]
    pub checklist: Vec<ChecklistAnswer>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordInspection {
    #[schema(min_items = 1, max_items = 500)]
    pub results: Vec<InspectionEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionResults {
    pub items: Vec<Inspection>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EquipmentField {
    /// Letters, digits, `_` and `-`.
    #[schema(min_length = 1, max_length = 40, pattern = "^[A-Za-z0-9_-]+$")]
    pub key: String,
    #[schema(min_length = 1, max_length = 200)]
    pub label: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KindChecklist {
    #[schema(min_length = 1, max_length = 200)]
    pub kind: String,
    #[schema(min_items = 1, max_items = 50)]
    pub items: Vec<String>,
}

/// The tenant's equipment fields and its inspection checklists per kind.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EquipmentSettings {
    #[serde(default)]
    #[schema(max_items = 30)]
    pub fields: Vec<EquipmentField>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub checklists: Vec<KindChecklist>,
}

impl From<wo::EquipmentSettings> for EquipmentSettings {
    fn from(s: wo::EquipmentSettings) -> Self {
        Self {
            fields: s
                .fields
                .into_iter()
                .map(|f| EquipmentField {
                    key: f.key,
                    label: f.label,
                })
                .collect(),
            checklists: s
                .checklists
                .into_iter()
                .map(|c| KindChecklist {
                    kind: c.kind,
                    items: c.items,
                })
                .collect(),
        }
    }
}

impl From<EquipmentSettings> for wo::EquipmentSettings {
    fn from(s: EquipmentSettings) -> Self {
        Self {
            fields: s
                .fields
                .into_iter()
                .map(|f| wo::EquipmentField {
                    key: f.key,
                    label: f.label,
                })
                .collect(),
            checklists: s
                .checklists
                .into_iter()
                .map(|c| wo::KindChecklist {
                    kind: c.kind,
                    items: c.items,
                })
                .collect(),
        }
    }
}

/// A recurring inspection of a site, or of one equipment of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionPlan {
    pub id: String,
    pub site_id: String,
    pub equipment_id: Option<String>,
    pub title: String,
    pub every_months: i32,
    /// Days before the due date its work order is made.
    pub lead_days: i32,
    /// YYYY-MM-DD.
    pub next_due: String,
    pub active: bool,
}

impl From<wo::InspectionPlan> for InspectionPlan {
    fn from(p: wo::InspectionPlan) -> Self {
        Self {
            id: p.id,
            site_id: p.site_id,
            equipment_id: non_empty(p.equipment_id),
            title: p.title,
            every_months: p.every_months,
            lead_days: p.lead_days,
            next_due: p.next_due,
            active: p.active,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInspectionPlan {
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]")]
    pub title: String,
    #[schema(minimum = 1, maximum = 120)]
    pub every_months: i32,
    /// The first due date, not in the past.
    pub next_due: chrono::NaiveDate,
    /// Days ahead the work order is made: 30 when absent.
    #[schema(minimum = 0, maximum = 365)]
    pub lead_days: Option<i32>,
    /// Only this equipment of the site; absent: the whole site.
    pub equipment_id: Option<uuid::Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionPlans {
    pub items: Vec<InspectionPlan>,
}
