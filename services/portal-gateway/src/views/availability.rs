//! Technicians' working hours and absences: one view model for the API, the
//! board and the staff page.
use chrono::{DateTime, NaiveTime, Utc};
use portal_proto::work_orders::v1 as wo;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ts;
use crate::problem::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Self::Monday,
        Self::Tuesday,
        Self::Wednesday,
        Self::Thursday,
        Self::Friday,
        Self::Saturday,
        Self::Sunday,
    ];

    /// 1 (Monday) to 7, as `weekday-N` messages and the service number them.
    pub fn number(self) -> u32 {
        self as u32 + 1
    }

    pub fn from_number(n: u32) -> Option<Self> {
        n.checked_sub(1)
            .and_then(|i| Self::ALL.get(i as usize).copied())
    }
}

/// Why a technician is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AbsenceReason {
    Holiday,
    Sick,
    Training,
    Other,
}

impl AbsenceReason {
    pub const ALL: [AbsenceReason; 4] = [Self::Holiday, Self::Sick, Self::Training, Self::Other];

    pub fn from_pb(r: i32) -> Option<Self> {
        match wo::AbsenceReason::try_from(r) {
            Ok(wo::AbsenceReason::Holiday) => Some(Self::Holiday),
            Ok(wo::AbsenceReason::Sick) => Some(Self::Sick),
            Ok(wo::AbsenceReason::Training) => Some(Self::Training),
            Ok(wo::AbsenceReason::Other) => Some(Self::Other),
            _ => None,
        }
    }

    pub fn to_pb(self) -> wo::AbsenceReason {
        match self {
            Self::Holiday => wo::AbsenceReason::Holiday,
            Self::Sick => wo::AbsenceReason::Sick,
            Self::Training => wo::AbsenceReason::Training,
            Self::Other => wo::AbsenceReason::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Sick => "sick",
            Self::Training => "training",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A stretch of working time on a weekday. Times are wall-clock `HH:MM`,
/// read as UTC for now (the portal has no tenant time zone yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingInterval {
    pub weekday: Weekday,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "08:00")]
    pub start: String,
    /// After `start` on the same day (23:59 at the latest).
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "17:00")]
    pub end: String,
}

fn minutes_text(m: i32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// `08:30` as minutes after midnight.
pub fn parse_minutes(s: &str) -> Option<i32> {
    use chrono::Timelike;
    let t = NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()?;
    Some((t.hour() * 60 + t.minute()) as i32)
}

impl WorkingInterval {
    pub fn from_pb(i: &wo::WorkingInterval) -> Option<Self> {
        let weekday = Weekday::from_number(u32::try_from(i.weekday).ok()?)?;
        Some(Self {
            weekday,
            start: minutes_text(i.start_minute),
            end: minutes_text(i.end_minute),
        })
    }

    pub fn to_pb(&self) -> Result<wo::WorkingInterval, Problem> {
        let time = |field: &str, s: &str| {
            parse_minutes(s).ok_or_else(|| {
                Problem::invalid(format!("{field} is a time of day as HH:MM, not '{s}'"))
            })
        };
        Ok(wo::WorkingInterval {
            weekday: self.weekday.number() as i32,
            start_minute: time("start", &self.start)?,
            end_minute: time("end", &self.end)?,
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Absence {
    pub id: String,
    pub technician_id: String,
    pub from: Option<DateTime<Utc>>,
    /// The first moment back (exclusive).
    pub until: Option<DateTime<Utc>>,
    pub reason: Option<AbsenceReason>,
    pub note: String,
}

impl From<wo::Absence> for Absence {
    fn from(a: wo::Absence) -> Self {
        Self {
            from: ts(a.from.as_ref()),
            until: ts(a.until.as_ref()),
            reason: AbsenceReason::from_pb(a.reason),
            id: a.id,
            technician_id: a.technician_id,
            note: a.note,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnavailableKind {
    OutsideHours,
    Absent,
}

/// A time the technician is not free.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnavailableSpan {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub kind: UnavailableKind,
    /// For absences.
    pub reason: Option<AbsenceReason>,
}

/// A technician's hours and absences over a range.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TechnicianAvailability {
    pub technician_id: String,
    /// The hours that apply: the technician's own, else the default.
    pub hours: Vec<WorkingInterval>,
    /// Whether `hours` are the technician's own.
    pub own_hours: bool,
    /// Whether any hours apply; without, every time counts as working time.
    pub has_hours: bool,
    pub absences: Vec<Absence>,
    /// The spans of the range the technician is not free.
    pub unavailable: Vec<UnavailableSpan>,
}

impl From<wo::TechnicianAvailability> for TechnicianAvailability {
    fn from(a: wo::TechnicianAvailability) -> Self {
        Self {
            hours: a
                .hours
                .iter()
                .filter_map(WorkingInterval::from_pb)
                .collect(),
            own_hours: a.own_hours,
            has_hours: a.has_hours,
            absences: a.absences.into_iter().map(Absence::from).collect(),
            unavailable: a
                .unavailable
                .into_iter()
                .map(|s| UnavailableSpan {
                    start: ts(s.start.as_ref()),
                    end: ts(s.end.as_ref()),
                    kind: if s.kind == wo::UnavailableKind::Absent as i32 {
                        UnavailableKind::Absent
                    } else {
                        UnavailableKind::OutsideHours
                    },
                    reason: AbsenceReason::from_pb(s.reason),
                })
                .collect(),
            technician_id: a.technician_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityRange {
    /// Start of the range; today 00:00 UTC when absent.
    pub from: Option<DateTime<Utc>>,
    /// End of the range (at most 62 days after `from`); a week after
    /// `from` when absent.
    pub to: Option<DateTime<Utc>>,
}

/// A technician's weekly hours, replacing those set before.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetWorkingHours {
    /// Stretches within a day, not overlapping; none: never working.
    #[serde(default)]
    #[schema(max_items = 42)]
    pub hours: Vec<WorkingInterval>,
    /// Drop the technician's own hours: the tenant's default applies again
    /// (then `hours` must be empty).
    #[serde(default)]
    pub use_default: bool,
}

/// The tenant's default week, for technicians without their own hours.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultWorkingHours {
    #[schema(max_items = 42)]
    pub hours: Vec<WorkingInterval>,
}

/// A technician away: holiday, sick, training or other.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddAbsence {
    pub from: DateTime<Utc>,
    /// After `from` (the first moment back), at most 366 days later.
    pub until: DateTime<Utc>,
    pub reason: AbsenceReason,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}
