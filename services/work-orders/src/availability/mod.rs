//! Technicians' working hours and absences: reading them for the board and
//! the API, setting them, and what planning asks of them. Each use case
//! takes the caller, a typed command and a connection inside the caller's
//! transaction; gRPC only translates. Hours are the tenant's wall clock, so
//! the use cases that read them against instants take the tenant's `Zone`
//! (gRPC asks identity for it before the transaction).
pub mod domain;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use portal_platform::zone::Zone;
use sqlx::PgConnection;
use uuid::Uuid;

use self::domain::{Absence, Act, Interval, Reason, Rights, Span, Unfree, Week};
use crate::planning::domain::{Refusal, Window};
use crate::store::{self, AbsenceRow, HoursRow};

#[derive(Debug, thiserror::Error)]
pub enum AvailabilityError {
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("no such absence")]
    NoSuchAbsence,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Who acts on availability.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub rights: Rights,
}

/// The weeks of a set of technicians and the tenant's default.
#[derive(Debug, Clone, Default)]
pub struct Weeks {
    pub default: Option<Week>,
    pub own: HashMap<Uuid, Week>,
}

impl Weeks {
    /// The week that applies to `technician`, and whether it is their own.
    pub fn of(&self, technician: Uuid) -> (Option<&Week>, bool) {
        let own = self.own.get(&technician);
        (domain::applies(own, self.default.as_ref()), own.is_some())
    }

    /// Rows as stored were checked when written; one that no longer passes
    /// (a rule tightened since) is read as it is rather than dropped.
    fn from_rows(rows: Vec<HoursRow>) -> Self {
        let mut grouped: HashMap<Option<Uuid>, Vec<Interval>> = HashMap::new();
        for r in rows {
            let list = grouped.entry(r.technician_id).or_default();
            if let (Some(weekday), Some(start), Some(end)) = (r.weekday, r.starts_at, r.ends_at) {
                list.push(Interval {
                    weekday,
                    start,
                    end,
                });
            }
        }
        let mut weeks = Self::default();
        for (technician, intervals) in grouped {
            let week = Week::new(intervals.clone()).unwrap_or_else(|_| Week::unchecked(intervals));
            match technician {
                Some(t) => {
                    weeks.own.insert(t, week);
                }
                None => weeks.default = Some(week),
            }
        }
        weeks
    }
}

pub async fn weeks(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    technicians: &[Uuid],
) -> sqlx::Result<Weeks> {
    Ok(Weeks::from_rows(
        store::working_hours(&mut *conn, tenant_id, technicians).await?,
    ))
}

/// One technician's availability over a range.
#[derive(Debug, Clone)]
pub struct Availability {
    pub technician_id: Uuid,
    pub week: Option<Week>,
    pub own_hours: bool,
    pub absences: Vec<AbsenceRow>,
    pub unavailable: Vec<Span>,
}

/// Availability of `technicians` (checked to be the tenant's) over `range`,
/// their hours read in the tenant's `zone`.
pub async fn read(
    conn: &mut PgConnection,
    by: &Actor,
    technicians: &[Uuid],
    range: Window,
    zone: Zone,
) -> Result<(Vec<Availability>, Option<Week>), AvailabilityError> {
    for t in technicians {
        domain::may(by.rights, by.id, Some(*t), Act::Read)?;
    }
    let weeks = weeks(conn, by.tenant_id, technicians).await?;
    let absences = store::absences(&mut *conn, by.tenant_id, technicians, range).await?;
    let items = technicians
        .iter()
        .map(|t| {
            let own: Vec<AbsenceRow> = absences
                .iter()
                .filter(|a| a.technician_id == *t)
                .cloned()
                .collect();
            let (week, own_hours) = weeks.of(*t);
            let away: Vec<(Reason, Window)> = own.iter().map(|a| (a.reason, a.window())).collect();
            Availability {
                technician_id: *t,
                unavailable: domain::spans(range, week, &away, zone),
                week: week.cloned(),
                own_hours,
                absences: own,
            }
        })
        .collect();
    Ok((items, weeks.default))
}

/// Set a week of hours: a technician's own (or drop it for the default with
/// `None`), or the tenant's default.
pub struct SetHours {
    /// `None`: the tenant's default.
    pub technician: Option<Uuid>,
    /// `None`: the technician follows the default again.
    pub week: Option<Week>,
}

pub async fn set_hours(
    tx: &mut PgConnection,
    by: &Actor,
    cmd: SetHours,
    now: DateTime<Utc>,
) -> Result<(), AvailabilityError> {
    domain::may(by.rights, by.id, cmd.technician, Act::SetHours)?;
    match (cmd.technician, cmd.week) {
        (technician, Some(week)) => {
            store::set_working_hours(tx, by.tenant_id, technician, &week, by.id, now).await?
        }
        (Some(technician), None) => store::drop_working_hours(tx, by.tenant_id, technician).await?,
        (None, None) => {
            return Err(Refusal::Invalid(
                "the default hours have no default to fall back on; send the hours".into(),
            )
            .into());
        }
    }
    Ok(())
}

pub struct AddAbsence {
    pub technician: Uuid,
    pub absence: Absence,
}

pub async fn add_absence(
    tx: &mut PgConnection,
    by: &Actor,
    cmd: AddAbsence,
    now: DateTime<Utc>,
) -> Result<AbsenceRow, AvailabilityError> {
    domain::may(by.rights, by.id, Some(cmd.technician), Act::ChangeAbsences)?;
    let row = AbsenceRow {
        id: Uuid::now_v7(),
        tenant_id: by.tenant_id,
        technician_id: cmd.technician,
        starts_at: cmd.absence.window.start,
        ends_at: cmd.absence.window.end,
        reason: cmd.absence.reason,
        note: cmd.absence.note,
        created_by: by.id,
        created_at: now,
    };
    store::insert_absence(tx, &row).await?;
    Ok(row)
}

pub async fn delete_absence(
    tx: &mut PgConnection,
    by: &Actor,
    technician: Uuid,
    id: Uuid,
) -> Result<(), AvailabilityError> {
    domain::may(by.rights, by.id, Some(technician), Act::ChangeAbsences)?;
    if store::delete_absence(tx, by.tenant_id, technician, id).await? {
        Ok(())
    } else {
        Err(AvailabilityError::NoSuchAbsence)
    }
}

/// What keeps these technicians from `window`, in words (`Tom is absent
/// (holiday, ...)`), hours and days in the tenant's `zone`; empty when all
/// are free. Planning asks it inside its transaction, after it has locked
/// the technicians.
pub async fn unfree(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    technicians: &[(Uuid, String)],
    window: Window,
    zone: Zone,
) -> sqlx::Result<Vec<String>> {
    let ids: Vec<Uuid> = technicians.iter().map(|t| t.0).collect();
    let weeks = weeks(conn, tenant_id, &ids).await?;
    let absences = store::absences(&mut *conn, tenant_id, &ids, window).await?;
    let mut lines = Vec::new();
    for (id, name) in technicians {
        let (week, _) = weeks.of(*id);
        let away: Vec<(Reason, Window)> = absences
            .iter()
            .filter(|a| a.technician_id == *id)
            .map(|a| (a.reason, a.window()))
            .collect();
        let found: Vec<Unfree> = domain::unfree(window, week, &away, zone);
        lines.extend(
            found
                .iter()
                .map(|u| domain::unfree_text(name, u, week, zone)),
        );
    }
    Ok(lines)
}
