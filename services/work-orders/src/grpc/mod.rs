//! work-orders' gRPC API: translates calls to the planning use cases and
//! their answers back (equipment's in `equipment`).
mod equipment;

use chrono::Utc;
use portal_platform::auth::{Authenticator, Claims};
use portal_platform::callers::Credential;
use portal_platform::errors::{ServiceError, ServiceResult, lookup_id, parse_id};
use portal_platform::paging::PageRequest;
use portal_platform::permissions::Permission;
use portal_platform::scope::{Narrowing, Scope};
use portal_platform::service_tls::Backend;
use portal_platform::time::{from_proto, to_proto};
use portal_platform::zone::Zone;
use portal_proto::identity::v1 as idpb;
use portal_proto::identity::v1::identity_service_client::IdentityServiceClient;
use portal_proto::work_orders::v1 as pb;
use portal_proto::work_orders::v1::work_orders_service_server::WorkOrdersService;
use sqlx::PgPool;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::availability::domain::{self as avail, Interval, Reason, Span, SpanKind, Week, Weekday};
use crate::availability::{self, Actor, Availability, AvailabilityError};
use crate::planning::domain::{self, Action, Refusal, Rights, Window};
use crate::planning::{self, Outcome, PlanError, Staff, status_pb, technician_pb};
use crate::store::{self, AppointmentFilter, HistoryRow, ListFilter, TechnicianRow, WorkOrderRow};

#[derive(Clone)]
pub struct WorkOrders {
    pub pool: PgPool,
    pub authn: Authenticator,
    pub identity: IdentityServiceClient<Backend>,
    pub credential: Credential,
}

type Rpc<T> = Result<Response<T>, Status>;

/// The limit of a window list (a board week of one tenant).
const WINDOW_LIMIT: i64 = 2000;

fn rights(claims: &Claims) -> Rights {
    Rights {
        plan: claims.may(Permission::PlanWork),
        do_own: claims.may(Permission::DoOwnWork),
        complete_any: claims.may(Permission::CompleteAnyWork),
    }
}

impl From<PlanError> for ServiceError {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::Refused(Refusal::NotAllowed(m)) => Self::Forbidden(m),
            PlanError::Refused(Refusal::WrongState(m)) => Self::WrongState(m),
            PlanError::Refused(Refusal::Invalid(m)) => Self::Invalid(m),
            PlanError::NotFound => Self::not_found("work order"),
            busy @ PlanError::Busy { .. } => Self::Conflict(busy.to_string()),
            PlanError::Db(e) => e.into(),
        }
    }
}

impl From<AvailabilityError> for ServiceError {
    fn from(e: AvailabilityError) -> Self {
        match e {
            AvailabilityError::Refused(r) => PlanError::Refused(r).into(),
            AvailabilityError::NoSuchAbsence => Self::not_found("absence"),
            AvailabilityError::Db(e) => e.into(),
        }
    }
}

/// The longest range availability is read for (two months of a board).
const AVAILABILITY_DAYS: i64 = 62;

impl WorkOrders {
    /// The caller as someone who acts on technicians' availability: staff.
    fn availability_actor(claims: &Claims) -> ServiceResult<Actor> {
        let rights = avail::Rights {
            manage: claims.may(Permission::ManageAvailability),
            own_absences: claims.may(Permission::RecordOwnAbsence),
        };
        if !claims.is_staff() || rights == avail::Rights::default() {
            return Err(ServiceError::Forbidden(
                "working hours and absences are for staff".into(),
            ));
        }
        Ok(Actor {
            tenant_id: claims.tid,
            id: claims.sub,
            rights,
        })
    }

    /// Each id a technician of the caller's tenant; another tenant's, or
    /// someone without the role, is not found.
    async fn known_technicians(&self, tenant_id: Uuid, ids: &[String]) -> ServiceResult<Vec<Uuid>> {
        let known = self.staff(tenant_id, "technician").await?;
        ids.iter()
            .map(|id| {
                let id = lookup_id("technician", id)?;
                known
                    .iter()
                    .any(|m| m.id == id.to_string())
                    .then_some(id)
                    .ok_or_else(|| ServiceError::not_found("technician"))
            })
            .collect()
    }

    async fn availability(
        &self,
        claims: &Claims,
        r: pb::GetAvailabilityRequest,
    ) -> ServiceResult<pb::GetAvailabilityResponse> {
        let by = Self::availability_actor(claims)?;
        let range = match (
            r.from.as_ref().and_then(from_proto),
            r.to.as_ref().and_then(from_proto),
        ) {
            (Some(start), Some(end))
                if end > start && end - start <= chrono::Duration::days(AVAILABILITY_DAYS) =>
            {
                Window { start, end }
            }
            _ => {
                return Err(ServiceError::Invalid(format!(
                    "from and to are required, to after from, at most {AVAILABILITY_DAYS} days apart"
                )));
            }
        };
        let ids = if r.technician_ids.is_empty() {
            if by.rights.manage {
                self.staff(claims.tid, "technician")
                    .await?
                    .iter()
                    .filter_map(|m| m.id.parse().ok())
                    .collect()
            } else {
                vec![claims.sub]
            }
        } else {
            self.known_technicians(claims.tid, &r.technician_ids)
                .await?
        };
        let zone = self.zone(claims.tid).await?;
        let mut conn = self.pool.acquire().await?;
        let (items, default) = availability::read(&mut conn, &by, &ids, range, zone).await?;
        Ok(pb::GetAvailabilityResponse {
            items: items.iter().map(availability_pb).collect(),
            default_hours: default.as_ref().map(hours_pb).unwrap_or_default(),
        })
    }

    async fn set_working_hours(
        &self,
        claims: &Claims,
        r: pb::SetWorkingHoursRequest,
    ) -> ServiceResult<pb::TechnicianAvailability> {
        let by = Self::availability_actor(claims)?;
        if !by.rights.manage {
            return Err(PlanError::Refused(
                avail::may(by.rights, by.id, None, avail::Act::SetHours)
                    .err()
                    .unwrap_or_else(|| Refusal::NotAllowed(String::new())),
            )
            .into());
        }
        let technician = match r.technician_id.trim() {
            "" => None,
            id => Some(self.known_technicians(claims.tid, &[id.to_owned()]).await?[0]),
        };
        let week = if r.use_default {
            if !r.hours.is_empty() {
                return Err(ServiceError::Invalid(
                    "send either hours or use_default, not both".into(),
                ));
            }
            None
        } else {
            let intervals = r
                .hours
                .iter()
                .map(|h| {
                    let weekday = weekday_of(h.weekday)?;
                    Interval::from_minutes(weekday, h.start_minute, h.end_minute)
                        .map_err(|e| ServiceError::from(PlanError::Refused(e)))
                })
                .collect::<ServiceResult<Vec<_>>>()?;
            Some(Week::new(intervals).map_err(PlanError::Refused)?)
        };
        // Read first: the answer's spans need it, and identity away
        // refuses the call before anything is saved.
        let zone = self.zone(claims.tid).await?;
        let now = Utc::now();
        let mut tx = self.pool.begin().await?;
        availability::set_hours(
            &mut tx,
            &by,
            availability::SetHours { technician, week },
            now,
        )
        .await?;
        tx.commit().await?;
        let range = Window {
            start: now,
            end: now + chrono::Duration::days(7),
        };
        let mut conn = self.pool.acquire().await?;
        match technician {
            Some(t) => {
                let (items, _) = availability::read(&mut conn, &by, &[t], range, zone).await?;
                Ok(items.first().map(availability_pb).unwrap_or_default())
            }
            None => {
                let weeks = availability::weeks(&mut conn, claims.tid, &[]).await?;
                Ok(pb::TechnicianAvailability {
                    hours: weeks.default.as_ref().map(hours_pb).unwrap_or_default(),
                    has_hours: weeks.default.is_some(),
                    ..Default::default()
                })
            }
        }
    }

    async fn add_absence(
        &self,
        claims: &Claims,
        r: pb::AddAbsenceRequest,
    ) -> ServiceResult<pb::Absence> {
        let by = Self::availability_actor(claims)?;
        let technician = self
            .known_technicians(claims.tid, std::slice::from_ref(&r.technician_id))
            .await?[0];
        let (Some(from), Some(until)) = (
            r.from.as_ref().and_then(from_proto),
            r.until.as_ref().and_then(from_proto),
        ) else {
            return Err(ServiceError::Invalid("from and until are required".into()));
        };
        let reason = match pb::AbsenceReason::try_from(r.reason) {
            Ok(pb::AbsenceReason::Holiday) => Reason::Holiday,
            Ok(pb::AbsenceReason::Sick) => Reason::Sick,
            Ok(pb::AbsenceReason::Training) => Reason::Training,
            Ok(pb::AbsenceReason::Other) => Reason::Other,
            _ => {
                return Err(ServiceError::Invalid(
                    "the reason is holiday, sick, training or other".into(),
                ));
            }
        };
        let absence =
            avail::Absence::new(from, until, reason, &r.note).map_err(PlanError::Refused)?;
        let mut tx = self.pool.begin().await?;
        let row = availability::add_absence(
            &mut tx,
            &by,
            availability::AddAbsence {
                technician,
                absence,
            },
            Utc::now(),
        )
        .await?;
        tx.commit().await?;
        Ok(absence_pb(&row))
    }

    async fn delete_absence(
        &self,
        claims: &Claims,
        r: pb::DeleteAbsenceRequest,
    ) -> ServiceResult<pb::DeleteAbsenceResponse> {
        let by = Self::availability_actor(claims)?;
        let technician = self
            .known_technicians(claims.tid, std::slice::from_ref(&r.technician_id))
            .await?[0];
        let id = lookup_id("absence", &r.absence_id)?;
        let mut tx = self.pool.begin().await?;
        availability::delete_absence(&mut tx, &by, technician, id).await?;
        tx.commit().await?;
        Ok(pb::DeleteAbsenceResponse {})
    }

    /// The tenant's time zone, from identity: working hours are its wall
    /// clock. Read before a transaction opens, so none waits on identity.
    async fn zone(&self, tenant_id: Uuid) -> ServiceResult<Zone> {
        let tenant = self
            .identity
            .clone()
            .get_tenant(self.credential.sign(Request::new(idpb::GetTenantRequest {
                tenant_id: tenant_id.to_string(),
            })))
            .await
            .map_err(|s| {
                ServiceError::Unavailable(format!("directory unavailable: {}", s.message()))
            })?
            .into_inner();
        Ok(Zone::or_utc(&tenant.time_zone))
    }

    /// The tenant's staff, from identity's directory.
    async fn staff(&self, tenant_id: Uuid, role: &str) -> ServiceResult<Vec<idpb::StaffMember>> {
        Ok(self
            .identity
            .clone()
            .list_staff(self.credential.sign(Request::new(idpb::ListStaffRequest {
                tenant_id: tenant_id.to_string(),
                role: role.to_owned(),
            })))
            .await
            .map_err(|s| {
                ServiceError::Unavailable(format!("directory unavailable: {}", s.message()))
            })?
            .into_inner()
            .staff)
    }

    /// The caller as a staff member who may act on work orders.
    async fn actor(&self, claims: &Claims) -> ServiceResult<Staff> {
        let rights = rights(claims);
        if rights == Rights::default() {
            return Err(ServiceError::Forbidden(
                "work orders are changed by staff only".into(),
            ));
        }
        let me = claims.sub.to_string();
        let name = self
            .staff(claims.tid, "")
            .await?
            .into_iter()
            .find(|m| m.id == me)
            .map(|m| m.name)
            .unwrap_or_default();
        Ok(Staff {
            tenant_id: claims.tid,
            id: claims.sub,
            name,
            rights,
        })
    }

    async fn list(
        &self,
        claims: &Claims,
        r: pb::ListWorkOrdersRequest,
    ) -> ServiceResult<pb::ListWorkOrdersResponse> {
        if !claims.is_staff() {
            return Err(ServiceError::Forbidden(
                "the work-order list is for staff".into(),
            ));
        }
        let status = match pb::WorkOrderStatus::try_from(r.status) {
            Ok(pb::WorkOrderStatus::Unspecified) => None,
            Ok(s) => Some(status_of(s)),
            Err(_) => {
                return Err(ServiceError::Invalid(format!(
                    "unknown status {}",
                    r.status
                )));
            }
        };
        let mut technician = match r.technician_id.trim() {
            "" => None,
            "me" => Some(claims.sub),
            id => Some(parse_id("technician_id", id)?),
        };
        // A technician sees only their own work.
        if !claims.may(Permission::PlanWork) {
            if technician.is_some_and(|t| t != claims.sub) {
                return Err(ServiceError::Forbidden(
                    "a technician sees only their own work".into(),
                ));
            }
            technician = Some(claims.sub);
        }
        let window = match (
            r.from.as_ref().and_then(from_proto),
            r.to.as_ref().and_then(from_proto),
        ) {
            (None, None) => None,
            (Some(start), Some(end))
                if end > start && end - start <= chrono::Duration::days(62) =>
            {
                Some(Window { start, end })
            }
            _ => {
                return Err(ServiceError::Invalid(
                    "from and to come together, to after from, at most 62 days apart".into(),
                ));
            }
        };
        let page = PageRequest::parse(r.limit, &r.cursor)?;
        let filter = ListFilter {
            status,
            technician,
            window,
            after: page.after,
            limit: if window.is_some() {
                WINDOW_LIMIT
            } else {
                page.fetch()
            },
        };
        let rows = store::list(&self.pool, claims.tid, &filter).await?;
        let (rows, next_cursor) = if window.is_some() {
            (rows, String::new())
        } else {
            page.split(rows, |w| (w.created_at, w.id))
        };
        let items = self.with_technicians(rows, claims).await?;
        Ok(pb::ListWorkOrdersResponse { items, next_cursor })
    }

    async fn with_technicians(
        &self,
        rows: Vec<WorkOrderRow>,
        claims: &Claims,
    ) -> ServiceResult<Vec<pb::WorkOrder>> {
        let ids: Vec<Uuid> = rows.iter().map(|w| w.id).collect();
        let technicians = store::technicians(&self.pool, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|w| {
                let own: Vec<TechnicianRow> = technicians
                    .iter()
                    .filter(|t| t.work_order_id == w.id)
                    .cloned()
                    .collect();
                work_order_pb(w, &own, &[], claims)
            })
            .collect())
    }

    async fn get(&self, claims: &Claims, id: &str) -> ServiceResult<pb::WorkOrder> {
        let id = lookup_id("work order", id)?;
        let row = store::get(&self.pool, claims.tid, id).await?;
        let technicians = store::technicians(&self.pool, &[id]).await?;
        // Out of scope or narrowed away reads as unknown, so nothing leaks.
        let row = row
            .filter(|w| may_see(claims, w, &technicians))
            .ok_or_else(|| ServiceError::not_found("work order"))?;
        let history = store::history(&self.pool, id).await?;
        Ok(work_order_pb(row, &technicians, &history, claims))
    }

    async fn appointments(
        &self,
        claims: &Claims,
        r: pb::ListAppointmentsRequest,
    ) -> ServiceResult<pb::ListWorkOrdersResponse> {
        let Scope::Customer { customer_id, sites } = Scope::of(claims) else {
            return Err(ServiceError::Forbidden(
                "appointments are a contact's view; staff use the work-order list".into(),
            ));
        };
        let done = match pb::AppointmentsWhen::try_from(r.when) {
            Ok(pb::AppointmentsWhen::Unspecified | pb::AppointmentsWhen::Upcoming) => false,
            Ok(pb::AppointmentsWhen::Done) => true,
            Err(_) => return Err(ServiceError::Invalid("when is upcoming or done".into())),
        };
        let page = PageRequest::parse(r.limit, &r.cursor)?;
        let narrowing = Narrowing::of(claims);
        let filter = AppointmentFilter {
            customer_id,
            sites,
            since: narrowing.since,
            only: narrowing.work_order,
            done,
            after: page.after,
            limit: page.fetch(),
        };
        let rows = store::appointments(&self.pool, claims.tid, &filter).await?;
        // The cursor is the position in this list's own order.
        let (rows, next_cursor) = page.split(rows, |w| {
            let at = if done {
                w.completed_at
            } else {
                w.planned_start
            };
            (at.unwrap_or(w.created_at), w.id)
        });
        let items = self.with_technicians(rows, claims).await?;
        Ok(pb::ListWorkOrdersResponse { items, next_cursor })
    }

    async fn act(&self, claims: &Claims, id: &str, action: Act) -> ServiceResult<pb::WorkOrder> {
        let id = lookup_id("work order", id)?;
        let by = self.actor(claims).await?;
        let now = Utc::now();
        // Input is checked before the directory or the row are.
        let action = match action {
            Act::Schedule {
                technician_ids,
                start,
                end,
                force,
            } => {
                if !by.rights.plan {
                    return Err(ServiceError::Forbidden(
                        "only a dispatcher or an admin may plan work orders".into(),
                    ));
                }
                let ids = technician_ids
                    .iter()
                    .map(|t| parse_id("technician_ids", t))
                    .collect::<ServiceResult<Vec<_>>>()?;
                let ids = domain::technicians(&ids).map_err(PlanError::from)?;
                let (Some(start), Some(end)) = (
                    start.as_ref().and_then(from_proto),
                    end.as_ref().and_then(from_proto),
                ) else {
                    return Err(ServiceError::Invalid("start and end are required".into()));
                };
                let window = Window::new(start, end, now).map_err(PlanError::from)?;
                let known = self.staff(claims.tid, "technician").await?;
                let technicians = ids
                    .iter()
                    .map(|id| {
                        known
                            .iter()
                            .find(|m| m.id == id.to_string())
                            .map(|m| (*id, m.name.clone()))
                            .ok_or_else(|| {
                                ServiceError::Invalid(format!(
                                    "{id} is not a technician of this organisation"
                                ))
                            })
                    })
                    .collect::<ServiceResult<Vec<_>>>()?;
                let zone = self.zone(claims.tid).await?;
                Step::Schedule(planning::Schedule {
                    id,
                    technicians,
                    window,
                    force,
                    zone,
                })
            }
            Act::Unschedule => Step::Unschedule,
            Act::Start => Step::Start,
            Act::Complete {
                notes,
                minutes_spent,
                signer_name,
                signature_png,
            } => Step::Complete(
                domain::Completion::new(&notes, minutes_spent, &signer_name, signature_png)
                    .map_err(PlanError::from)?,
            ),
            Act::Cancel { reason } => {
                Step::Cancel(domain::cancel_reason(&reason).map_err(PlanError::from)?)
            }
        };
        let mut tx = self.pool.begin().await?;
        let outcome: Outcome = match action {
            Step::Schedule(cmd) => planning::schedule(&mut tx, &by, cmd, now).await,
            Step::Unschedule => planning::unschedule(&mut tx, &by, id, now).await,
            Step::Start => planning::start(&mut tx, &by, id, now).await,
            Step::Complete(done) => planning::complete(&mut tx, &by, id, done, now).await,
            Step::Cancel(reason) => planning::cancel(&mut tx, &by, id, reason, now).await,
        }?;
        tx.commit().await?;
        let history = store::history(&self.pool, id).await?;
        Ok(work_order_pb(
            outcome.work_order,
            &outcome.technicians,
            &history,
            claims,
        ))
    }
}

/// An action as the API asks for it.
enum Act {
    Schedule {
        technician_ids: Vec<String>,
        start: Option<prost_types::Timestamp>,
        end: Option<prost_types::Timestamp>,
        force: bool,
    },
    Unschedule,
    Start,
    Complete {
        notes: String,
        minutes_spent: i32,
        signer_name: String,
        signature_png: Vec<u8>,
    },
    Cancel {
        reason: String,
    },
}

/// An action once its input is checked.
enum Step {
    Schedule(planning::Schedule),
    Unschedule,
    Start,
    Complete(domain::Completion),
    Cancel(String),
}

fn weekday_of(w: i32) -> ServiceResult<Weekday> {
    pb::Weekday::try_from(w)
        .ok()
        .and_then(|w| Weekday::from_number(w as u32))
        .ok_or_else(|| ServiceError::Invalid("each interval needs its weekday".into()))
}

fn weekday_pb(w: Weekday) -> pb::Weekday {
    pb::Weekday::try_from(w.number() as i32).unwrap_or(pb::Weekday::Unspecified)
}

fn minutes(t: chrono::NaiveTime) -> i32 {
    use chrono::Timelike;
    (t.hour() * 60 + t.minute()) as i32
}

fn hours_pb(week: &Week) -> Vec<pb::WorkingInterval> {
    week.intervals()
        .iter()
        .map(|i| pb::WorkingInterval {
            weekday: weekday_pb(i.weekday).into(),
            start_minute: minutes(i.start),
            end_minute: minutes(i.end),
        })
        .collect()
}

fn reason_pb(r: Reason) -> pb::AbsenceReason {
    match r {
        Reason::Holiday => pb::AbsenceReason::Holiday,
        Reason::Sick => pb::AbsenceReason::Sick,
        Reason::Training => pb::AbsenceReason::Training,
        Reason::Other => pb::AbsenceReason::Other,
    }
}

fn absence_pb(a: &store::AbsenceRow) -> pb::Absence {
    pb::Absence {
        id: a.id.to_string(),
        technician_id: a.technician_id.to_string(),
        from: Some(to_proto(a.starts_at)),
        until: Some(to_proto(a.ends_at)),
        reason: reason_pb(a.reason).into(),
        note: a.note.clone(),
    }
}

fn span_pb(s: &Span) -> pb::UnavailableSpan {
    let (kind, reason) = match s.kind {
        SpanKind::OutsideHours => (
            pb::UnavailableKind::OutsideHours,
            pb::AbsenceReason::Unspecified,
        ),
        SpanKind::Absent(r) => (pb::UnavailableKind::Absent, reason_pb(r)),
    };
    pb::UnavailableSpan {
        start: Some(to_proto(s.window.start)),
        end: Some(to_proto(s.window.end)),
        kind: kind.into(),
        reason: reason.into(),
    }
}

fn availability_pb(a: &Availability) -> pb::TechnicianAvailability {
    pb::TechnicianAvailability {
        technician_id: a.technician_id.to_string(),
        hours: a.week.as_ref().map(hours_pb).unwrap_or_default(),
        own_hours: a.own_hours,
        has_hours: a.week.is_some(),
        absences: a.absences.iter().map(absence_pb).collect(),
        unavailable: a.unavailable.iter().map(span_pb).collect(),
    }
}

fn status_of(s: pb::WorkOrderStatus) -> domain::Status {
    match s {
        pb::WorkOrderStatus::Unspecified | pb::WorkOrderStatus::ToPlan => domain::Status::ToPlan,
        pb::WorkOrderStatus::Scheduled => domain::Status::Scheduled,
        pb::WorkOrderStatus::InProgress => domain::Status::InProgress,
        pb::WorkOrderStatus::Completed => domain::Status::Completed,
        pb::WorkOrderStatus::Cancelled => domain::Status::Cancelled,
    }
}

/// Whether the caller may see this work order: planners every one of the
/// tenant, a technician the work planned onto them, a contact the customer
/// and site of its request with the same narrowing as the request itself
/// (requests created before a customer's "since" limit are hidden; a secure
/// link for one work order sees only that one).
pub fn may_see(claims: &Claims, w: &WorkOrderRow, technicians: &[TechnicianRow]) -> bool {
    if claims.is_staff() {
        return claims.may(Permission::PlanWork)
            || technicians.iter().any(|t| t.technician_id == claims.sub);
    }
    Scope::of(claims).allows(w.customer_id, Some(w.site_id))
        && Narrowing::of(claims).allows_copy(w.request_created_at, Some(w.id))
}

fn action_pb(a: Action) -> pb::WorkOrderAction {
    match a {
        Action::Schedule => pb::WorkOrderAction::Schedule,
        Action::Unschedule => pb::WorkOrderAction::Unschedule,
        Action::Start => pb::WorkOrderAction::Start,
        Action::Complete => pb::WorkOrderAction::Complete,
        Action::Cancel => pb::WorkOrderAction::Cancel,
    }
}

fn change_pb(c: domain::Change) -> pb::WorkOrderChange {
    use domain::Change;
    match c {
        Change::Created => pb::WorkOrderChange::Created,
        Change::Scheduled => pb::WorkOrderChange::Scheduled,
        Change::Rescheduled => pb::WorkOrderChange::Rescheduled,
        Change::Unscheduled => pb::WorkOrderChange::Unscheduled,
        Change::Started => pb::WorkOrderChange::Started,
        Change::Completed => pb::WorkOrderChange::Completed,
        Change::Cancelled => pb::WorkOrderChange::Cancelled,
    }
}

fn history_pb(h: &HistoryRow) -> pb::HistoryEntry {
    pb::HistoryEntry {
        change: change_pb(h.change).into(),
        status: status_pb(h.status).into(),
        by_id: h.by_id.map(|b| b.to_string()).unwrap_or_default(),
        by_name: h.by_name.clone(),
        at: Some(to_proto(h.at)),
        start: h.planned_start.map(to_proto),
        end: h.planned_end.map(to_proto),
        note: h.note.clone(),
    }
}

fn work_order_pb(
    w: WorkOrderRow,
    technicians: &[TechnicianRow],
    history: &[HistoryRow],
    claims: &Claims,
) -> pb::WorkOrder {
    let assigned = technicians.iter().any(|t| t.technician_id == claims.sub);
    let mut allowed: Vec<pb::WorkOrderAction> = if claims.is_staff() {
        domain::allowed_actions(w.status, rights(claims), assigned)
            .into_iter()
            .map(action_pb)
            .collect()
    } else {
        Vec::new()
    };
    // Photos are not a step of the work order's life, so not a planning Action.
    if claims.is_staff() && crate::photos::may_add(w.status, rights(claims), assigned).is_ok() {
        allowed.push(pb::WorkOrderAction::AddPhotos);
    }
    if claims.is_staff()
        && crate::equipment::domain::may_record(w.status, rights(claims), assigned).is_ok()
    {
        allowed.push(pb::WorkOrderAction::RecordInspection);
    }
    pb::WorkOrder {
        id: w.id.to_string(),
        tenant_id: w.tenant_id.to_string(),
        request_id: w.request_id.map(|r| r.to_string()).unwrap_or_default(),
        customer_id: w.customer_id.to_string(),
        site_id: w.site_id.to_string(),
        title: w.title,
        status: status_pb(w.status).into(),
        created_at: Some(to_proto(w.created_at)),
        description: w.description,
        technicians: technicians.iter().map(technician_pb).collect(),
        start: w.planned_start.map(to_proto),
        end: w.planned_end.map(to_proto),
        started_at: w.started_at.map(to_proto),
        completed_at: w.completed_at.map(to_proto),
        notes: w.notes,
        minutes_spent: w.minutes_spent,
        signer_name: w.signer_name,
        signed: w.signed,
        cancel_reason: w.cancel_reason,
        report_document_id: w
            .report_document_id
            .map(|d| d.to_string())
            .unwrap_or_default(),
        history: history.iter().map(history_pb).collect(),
        allowed_actions: allowed.into_iter().map(Into::into).collect(),
        equipment_id: w.equipment_id.map(|e| e.to_string()).unwrap_or_default(),
    }
}

#[tonic::async_trait]
impl WorkOrdersService for WorkOrders {
    async fn list_work_orders(
        &self,
        req: Request<pb::ListWorkOrdersRequest>,
    ) -> Rpc<pb::ListWorkOrdersResponse> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(self.list(&claims, req.into_inner()).await?))
    }

    async fn get_work_order(&self, req: Request<pb::GetWorkOrderRequest>) -> Rpc<pb::WorkOrder> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(self.get(&claims, &req.get_ref().id).await?))
    }

    async fn schedule_work_order(
        &self,
        req: Request<pb::ScheduleWorkOrderRequest>,
    ) -> Rpc<pb::WorkOrder> {
        let claims = self.authn.claims(&req).await?;
        let r = req.into_inner();
        let act = Act::Schedule {
            technician_ids: r.technician_ids,
            start: r.start,
            end: r.end,
            force: r.force,
        };
        Ok(Response::new(self.act(&claims, &r.id, act).await?))
    }

    async fn unschedule_work_order(
        &self,
        req: Request<pb::UnscheduleWorkOrderRequest>,
    ) -> Rpc<pb::WorkOrder> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.act(&claims, &req.get_ref().id, Act::Unschedule)
                .await?,
        ))
    }

    async fn start_work_order(
        &self,
        req: Request<pb::StartWorkOrderRequest>,
    ) -> Rpc<pb::WorkOrder> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.act(&claims, &req.get_ref().id, Act::Start).await?,
        ))
    }

    async fn complete_work_order(
        &self,
        req: Request<pb::CompleteWorkOrderRequest>,
    ) -> Rpc<pb::WorkOrder> {
        let claims = self.authn.claims(&req).await?;
        let r = req.into_inner();
        let act = Act::Complete {
            notes: r.notes,
            minutes_spent: r.minutes_spent,
            signer_name: r.signer_name,
            signature_png: r.signature_png,
        };
        Ok(Response::new(self.act(&claims, &r.id, act).await?))
    }

    async fn cancel_work_order(
        &self,
        req: Request<pb::CancelWorkOrderRequest>,
    ) -> Rpc<pb::WorkOrder> {
        let claims = self.authn.claims(&req).await?;
        let r = req.into_inner();
        Ok(Response::new(
            self.act(&claims, &r.id, Act::Cancel { reason: r.reason })
                .await?,
        ))
    }

    async fn list_appointments(
        &self,
        req: Request<pb::ListAppointmentsRequest>,
    ) -> Rpc<pb::ListWorkOrdersResponse> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.appointments(&claims, req.into_inner()).await?,
        ))
    }

    async fn get_availability(
        &self,
        req: Request<pb::GetAvailabilityRequest>,
    ) -> Rpc<pb::GetAvailabilityResponse> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            self.availability(&claims, req.into_inner()).await?,
        ))
    }

    async fn set_working_hours(
        &self,
        req: Request<pb::SetWorkingHoursRequest>,
    ) -> Rpc<pb::TechnicianAvailability> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            WorkOrders::set_working_hours(self, &claims, req.into_inner()).await?,
        ))
    }

    async fn add_absence(&self, req: Request<pb::AddAbsenceRequest>) -> Rpc<pb::Absence> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            WorkOrders::add_absence(self, &claims, req.into_inner()).await?,
        ))
    }

    async fn delete_absence(
        &self,
        req: Request<pb::DeleteAbsenceRequest>,
    ) -> Rpc<pb::DeleteAbsenceResponse> {
        let claims = self.authn.claims(&req).await?;
        Ok(Response::new(
            WorkOrders::delete_absence(self, &claims, req.into_inner()).await?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use portal_platform::auth::AccountKind;

    fn claims(kind: AccountKind, roles: &[&str], customer: Option<Uuid>) -> Claims {
        Claims {
            sub: Uuid::now_v7(),
            tid: Uuid::now_v7(),
            kind,
            roles: roles.iter().map(|r| r.to_string()).collect(),
            cust: customer,
            sites: vec![],
            wo: None,
            rvis: None,
            jti: Uuid::now_v7(),
            iat: 0,
            exp: 0,
            iss: String::new(),
            aud: String::new(),
        }
    }

    fn work_order(customer: Uuid, request_created_at: Option<DateTime<Utc>>) -> WorkOrderRow {
        WorkOrderRow {
            id: Uuid::now_v7(),
            tenant_id: Uuid::now_v7(),
            request_id: Some(Uuid::now_v7()),
            customer_id: customer,
            site_id: Uuid::now_v7(),
            request_created_at,
            title: "Oven".into(),
            description: String::new(),
            status: domain::Status::Scheduled,
            created_at: Utc::now(),
            planned_start: None,
            planned_end: None,
            started_at: None,
            completed_at: None,
            notes: String::new(),
            minutes_spent: 0,
            signer_name: String::new(),
            signed: false,
            cancel_reason: String::new(),
            report_document_id: None,
            contact_id: None,
            equipment_id: None,
        }
    }

    fn on(w: &WorkOrderRow, technician: Uuid) -> Vec<TechnicianRow> {
        vec![TechnicianRow {
            work_order_id: w.id,
            technician_id: technician,
            technician_name: "Tom".into(),
        }]
    }

    #[test]
    fn planners_see_all_work_technicians_their_own() {
        let w = work_order(Uuid::now_v7(), None);
        let dispatcher = claims(AccountKind::Staff, &["dispatcher"], None);
        let tom = claims(AccountKind::Staff, &["technician"], None);
        let tina = claims(AccountKind::Staff, &["technician"], None);
        let planned = on(&w, tom.sub);
        assert!(may_see(&dispatcher, &w, &[]));
        assert!(may_see(&tom, &w, &planned));
        assert!(!may_see(&tina, &w, &planned));
    }

    #[test]
    fn a_work_order_is_narrowed_like_its_request() {
        let c = Uuid::now_v7();
        let cut = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let old = work_order(c, Some(cut - chrono::Duration::seconds(1)));
        let new = work_order(c, Some(cut));
        let undated = work_order(c, None);
        let mut since = claims(AccountKind::Link, &[], Some(c));
        since.rvis = Some(cut.timestamp());
        assert!(may_see(&since, &new, &[]));
        assert!(!may_see(&since, &old, &[]));
        assert!(!may_see(&since, &undated, &[]));
        let mut one = claims(AccountKind::Link, &[], Some(c));
        one.wo = Some(new.id);
        assert!(may_see(&one, &new, &[]));
        assert!(!may_see(&one, &old, &[]));
        // No narrowing: every work order of the customer, dated or not; not
        // another customer's.
        let all = claims(AccountKind::Contact, &[], Some(c));
        assert!(may_see(&all, &undated, &[]));
        let stranger = claims(AccountKind::Contact, &[], Some(Uuid::now_v7()));
        assert!(!may_see(&stranger, &new, &[]));
    }
}
