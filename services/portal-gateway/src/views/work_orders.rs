//! Work orders and appointments: one view model for the API and the pages.
use chrono::{DateTime, Utc};
use portal_proto::work_orders::v1 as wo;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{non_empty, ts};

/// A work order's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkOrderStatus {
    ToPlan,
    Scheduled,
    InProgress,
    Completed,
    Cancelled,
}

impl WorkOrderStatus {
    pub fn from_pb(status: i32) -> Self {
        match wo::WorkOrderStatus::try_from(status) {
            Ok(wo::WorkOrderStatus::Scheduled) => Self::Scheduled,
            Ok(wo::WorkOrderStatus::InProgress) => Self::InProgress,
            Ok(wo::WorkOrderStatus::Completed) => Self::Completed,
            Ok(wo::WorkOrderStatus::Cancelled) => Self::Cancelled,
            _ => Self::ToPlan,
        }
    }

    pub fn to_pb(self) -> wo::WorkOrderStatus {
        match self {
            Self::ToPlan => wo::WorkOrderStatus::ToPlan,
            Self::Scheduled => wo::WorkOrderStatus::Scheduled,
            Self::InProgress => wo::WorkOrderStatus::InProgress,
            Self::Completed => wo::WorkOrderStatus::Completed,
            Self::Cancelled => wo::WorkOrderStatus::Cancelled,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ToPlan => "to_plan",
            Self::Scheduled => "scheduled",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// What the caller may do next with a work order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkOrderAction {
    Schedule,
    Unschedule,
    Start,
    Complete,
    Cancel,
    /// Add photos (D6).
    AddPhotos,
    /// Record inspection results (D4).
    RecordInspection,
}

impl WorkOrderAction {
    fn from_pb(action: i32) -> Option<Self> {
        match wo::WorkOrderAction::try_from(action).ok()? {
            wo::WorkOrderAction::Schedule => Some(Self::Schedule),
            wo::WorkOrderAction::Unschedule => Some(Self::Unschedule),
            wo::WorkOrderAction::Start => Some(Self::Start),
            wo::WorkOrderAction::Complete => Some(Self::Complete),
            wo::WorkOrderAction::Cancel => Some(Self::Cancel),
            wo::WorkOrderAction::AddPhotos => Some(Self::AddPhotos),
            wo::WorkOrderAction::RecordInspection => Some(Self::RecordInspection),
            wo::WorkOrderAction::Unspecified => None,
        }
    }
}

/// One change in a work order's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkOrderChange {
    Created,
    Scheduled,
    Rescheduled,
    Unscheduled,
    Started,
    Completed,
    Cancelled,
}

impl WorkOrderChange {
    fn from_pb(change: i32) -> Self {
        match wo::WorkOrderChange::try_from(change) {
            Ok(wo::WorkOrderChange::Scheduled) => Self::Scheduled,
            Ok(wo::WorkOrderChange::Rescheduled) => Self::Rescheduled,
            Ok(wo::WorkOrderChange::Unscheduled) => Self::Unscheduled,
            Ok(wo::WorkOrderChange::Started) => Self::Started,
            Ok(wo::WorkOrderChange::Completed) => Self::Completed,
            Ok(wo::WorkOrderChange::Cancelled) => Self::Cancelled,
            _ => Self::Created,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Technician {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkOrderHistoryEntry {
    pub change: WorkOrderChange,
    pub status: WorkOrderStatus,
    /// Empty for the system (the work order made from an accepted request).
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkOrder {
    pub id: String,
    pub request_id: Option<String>,
    pub status: WorkOrderStatus,
    pub customer_id: String,
    pub site_id: String,
    pub title: String,
    pub description: String,
    pub technicians: Vec<Technician>,
    /// The planned window; absent while to plan.
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub notes: Option<String>,
    pub minutes_spent: i32,
    pub signer_name: Option<String>,
    pub signed: bool,
    pub cancel_reason: Option<String>,
    /// The service report, once made.
    pub report_document_id: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    /// Every change, oldest first (only on a single work order).
    pub history: Vec<WorkOrderHistoryEntry>,
    /// What the caller may do next.
    pub allowed_actions: Vec<WorkOrderAction>,
    /// The equipment the request was raised for.
    pub equipment_id: Option<String>,
}

impl From<wo::WorkOrder> for WorkOrder {
    fn from(w: wo::WorkOrder) -> Self {
        Self {
            status: WorkOrderStatus::from_pb(w.status),
            start: ts(w.start.as_ref()),
            end: ts(w.end.as_ref()),
            started_at: ts(w.started_at.as_ref()),
            completed_at: ts(w.completed_at.as_ref()),
            created_at: ts(w.created_at.as_ref()),
            technicians: w
                .technicians
                .into_iter()
                .map(|t| Technician {
                    id: t.id,
                    name: t.name,
                })
                .collect(),
            history: w
                .history
                .into_iter()
                .map(|h| WorkOrderHistoryEntry {
                    change: WorkOrderChange::from_pb(h.change),
                    status: WorkOrderStatus::from_pb(h.status),
                    by: non_empty(h.by_name),
                    at: ts(h.at.as_ref()),
                    start: ts(h.start.as_ref()),
                    end: ts(h.end.as_ref()),
                    note: non_empty(h.note),
                })
                .collect(),
            allowed_actions: w
                .allowed_actions
                .into_iter()
                .filter_map(WorkOrderAction::from_pb)
                .collect(),
            id: w.id,
            request_id: non_empty(w.request_id),
            customer_id: w.customer_id,
            site_id: w.site_id,
            title: w.title,
            description: w.description,
            notes: non_empty(w.notes),
            minutes_spent: w.minutes_spent,
            signer_name: non_empty(w.signer_name),
            signed: w.signed,
            cancel_reason: non_empty(w.cancel_reason),
            report_document_id: non_empty(w.report_document_id),
            equipment_id: non_empty(w.equipment_id),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WorkOrderFilter {
    pub status: Option<WorkOrderStatus>,
    /// Only work planned onto this technician (`me`: the caller). A
    /// technician always sees only their own.
    pub technician_id: Option<String>,
    /// With `to`: only work planned to overlap [from, to) (at most 62 days),
    /// ordered by start, unpaged.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Page size: 20 when absent, at most 100 (larger is cut to 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Plan (or re-plan) a work order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleWorkOrder {
    /// One to ten staff members with the technician role.
    #[schema(min_items = 1, max_items = 10)]
    pub technician_ids: Vec<uuid::Uuid>,
    pub start: DateTime<Utc>,
    /// After `start`, at most 14 days later.
    pub end: DateTime<Utc>,
    /// Plan even though a technician has other work then.
    #[serde(default)]
    pub force: bool,
}

/// What a technician records when the work is done.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteWorkOrder {
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub notes: String,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10080)]
    pub minutes_spent: i32,
    /// Required with a signature.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub signer_name: String,
    /// The customer's signature: a PNG, base64 (at most 256 KiB decoded).
    #[serde(default)]
    pub signature_png: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelWorkOrder {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Which appointments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentsWhen {
    /// Scheduled or in progress, soonest first.
    Upcoming,
    /// Completed, latest first.
    Done,
}

impl AppointmentsWhen {
    /// The service's value; absent means upcoming.
    pub fn to_pb(when: Option<Self>) -> wo::AppointmentsWhen {
        match when {
            None | Some(Self::Upcoming) => wo::AppointmentsWhen::Upcoming,
            Some(Self::Done) => wo::AppointmentsWhen::Done,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AppointmentFilter {
    /// `upcoming` when absent.
    pub when: Option<AppointmentsWhen>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i32>,
    pub cursor: Option<String>,
}

/// A technician's name, as a contact sees who comes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Visitor {
    pub name: String,
}

/// Planned or done work, as the customer's contact sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Appointment {
    pub work_order_id: String,
    pub request_id: Option<String>,
    pub title: String,
    pub site_id: String,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub technicians: Vec<Visitor>,
    pub status: WorkOrderStatus,
    pub completed_at: Option<DateTime<Utc>>,
    pub report_document_id: Option<String>,
}

impl From<wo::WorkOrder> for Appointment {
    fn from(w: wo::WorkOrder) -> Self {
        Self {
            status: WorkOrderStatus::from_pb(w.status),
            start: ts(w.start.as_ref()),
            end: ts(w.end.as_ref()),
            completed_at: ts(w.completed_at.as_ref()),
            technicians: w
                .technicians
                .into_iter()
                .map(|t| Visitor { name: t.name })
                .collect(),
            work_order_id: w.id,
            request_id: non_empty(w.request_id),
            title: w.title,
            site_id: w.site_id,
            report_document_id: non_empty(w.report_document_id),
        }
    }
}

/// A photo of a work order (D6); its bytes at
/// `/api/v1/work-orders/{id}/photos/{photo_id}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Photo {
    pub id: String,
    pub name: String,
    /// `image/jpeg`, `image/png` or `image/webp`, from the bytes.
    pub content_type: String,
    /// In bytes.
    pub size: i64,
    pub created_at: Option<DateTime<Utc>>,
}

impl From<portal_proto::documents::v1::Attachment> for Photo {
    fn from(a: portal_proto::documents::v1::Attachment) -> Self {
        Self {
            created_at: ts(a.created_at.as_ref()),
            id: a.id,
            name: a.name,
            content_type: a.content_type,
            size: a.size,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhotoList {
    pub items: Vec<Photo>,
}

/// Photos to add (`multipart/form-data`, the field repeated); documented only.
#[derive(ToSchema)]
pub struct PhotosForm {
    /// One or more JPEG, PNG or WebP images.
    #[schema(value_type = Vec<String>, format = Binary)]
    pub file: Vec<Vec<u8>>,
}
