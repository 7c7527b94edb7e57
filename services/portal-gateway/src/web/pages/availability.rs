//! A technician's working hours and absences (linked from their name on the
//! board): dispatchers and admins set the week and record absences; a
//! technician sees their own and records their own absences. Phone first,
//! plain forms. Hours are wall-clock times read as UTC, like the board.
use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use portal_platform::permissions::Permission;
use portal_platform::zone::Zone;
use portal_proto::work_orders::v1 as pb;
use serde::Serialize;

use crate::views::{AbsenceReason, Technician, TechnicianAvailability, parse_minutes};
use crate::web::csrf::Form;
use crate::web::ctx::{Ctx, Session, TenantPage};
use crate::web::errors::{self, Action};
use crate::web::i18n;
use crate::web::pages::param;
use crate::web::pages::planning;
use crate::web::pages::work_orders::technicians;

type Params = Path<HashMap<String, String>>;

/// Stretches a day offers in the form (a split shift needs two).
const SLOTS_PER_DAY: usize = 3;
/// Absences listed ahead (the service reads at most 62 days at once).
const AHEAD_DAYS: i64 = 62;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
struct Slot {
    start: String,
    end: String,
}

#[derive(Debug, Clone, Serialize)]
struct DayHours {
    /// 1 (Monday) to 7.
    weekday: u32,
    slots: Vec<Slot>,
}

#[derive(Debug, Serialize)]
struct AbsenceLine {
    id: String,
    reason: Option<AbsenceReason>,
    when: String,
    note: String,
}

/// The absence form's values (shown again after a refusal).
#[derive(Debug, Clone, Default, Serialize)]
struct AbsenceFields {
    from: String,
    until: String,
    reason: String,
    note: String,
}

#[derive(Debug, Serialize)]
struct AvailabilityPage {
    technician: Technician,
    may_set_hours: bool,
    own_hours: bool,
    has_hours: bool,
    days: Vec<DayHours>,
    absences: Vec<AbsenceLine>,
    reasons: Vec<AbsenceReason>,
    absence: AbsenceFields,
    hours_error: Option<String>,
    absence_error: Option<String>,
}

/// What a refused form brings back to the page.
#[derive(Default)]
struct Again {
    days: Option<Vec<DayHours>>,
    absence: AbsenceFields,
    hours_error: Option<String>,
    absence_error: Option<String>,
}

fn url(ctx: &Ctx, id: &str) -> String {
    format!("{}/technicians/{id}/availability", ctx.base)
}

/// The week as the form shows it: each day's stretches, then empty slots.
fn days_of(a: &TechnicianAvailability) -> Vec<DayHours> {
    (1..=7)
        .map(|weekday| {
            let mut slots: Vec<Slot> = a
                .hours
                .iter()
                .filter(|h| h.weekday.number() == weekday)
                .map(|h| Slot {
                    start: h.start.clone(),
                    end: h.end.clone(),
                })
                .collect();
            slots.resize(slots.len().max(SLOTS_PER_DAY), Slot::default());
            DayHours { weekday, slots }
        })
        .collect()
}

/// The form's week: each filled slot a stretch; a slot half filled or not
/// a time is the message key of what is wrong.
fn hours_of(
    form: &Form,
) -> (
    Vec<DayHours>,
    Result<Vec<pb::WorkingInterval>, &'static str>,
) {
    let mut days = Vec::new();
    let mut hours = Ok(Vec::new());
    for weekday in 1..=7u32 {
        let slots: Vec<Slot> = (0..SLOTS_PER_DAY)
            .map(|i| Slot {
                start: form.get(&format!("d{weekday}-{i}-start")),
                end: form.get(&format!("d{weekday}-{i}-end")),
            })
            .collect();
        for slot in &slots {
            if slot.start.is_empty() && slot.end.is_empty() {
                continue;
            }
            let stretch = match (parse_minutes(&slot.start), parse_minutes(&slot.end)) {
                (Some(s), Some(e)) if e > s => Ok(pb::WorkingInterval {
                    weekday: weekday as i32,
                    start_minute: s,
                    end_minute: e,
                }),
                (Some(_), Some(_)) => Err("error-plan-order"),
                _ => Err("error-plan-time"),
            };
            hours = hours.and_then(|mut list: Vec<_>| {
                list.push(stretch?);
                Ok(list)
            });
        }
        days.push(DayHours { weekday, slots });
    }
    (days, hours)
}

/// When an absence is: whole days as dates (the last one included), else
/// with times, as the service's messages say it.
fn when(zone: Zone, from: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> String {
    let (Some(from), Some(until)) = (from, until) else {
        return String::new();
    };
    // Whole days on the tenant's clock.
    let whole = |t: DateTime<Utc>| zone.local(t).time() == NaiveTime::MIN;
    if whole(from) && whole(until) {
        let first = zone.date(from);
        let last = zone.date(until) - Duration::days(1);
        if last == first {
            return first.format("%Y-%m-%d").to_string();
        }
        return format!("{} – {}", first.format("%Y-%m-%d"), last.format("%Y-%m-%d"));
    }
    planning::window_text(zone, Some(from), Some(until))
}

/// The absence form as a request: dates from and until, both included.
fn absence_of(
    zone: Zone,
    fields: &AbsenceFields,
    id: &str,
) -> Result<pb::AddAbsenceRequest, &'static str> {
    let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let (Some(from), Some(until)) = (day(&fields.from), day(&fields.until)) else {
        return Err("error-date");
    };
    if until < from {
        return Err("error-absence-order");
    }
    let Some(reason) = AbsenceReason::parse(&fields.reason) else {
        return Err("error-absence-reason");
    };
    let at = |d: NaiveDate| Some(portal_platform::time::to_proto(planning::midnight(zone, d)));
    Ok(pb::AddAbsenceRequest {
        technician_id: id.to_owned(),
        from: at(from),
        until: at(until + Duration::days(1)),
        reason: reason.to_pb().into(),
        note: fields.note.clone(),
    })
}

/// The technician `id` of this tenant, or the page to answer with.
async fn technician(ctx: &Ctx, s: &Session, id: &str) -> Result<Technician, Box<Response>> {
    technicians(ctx, s)
        .await
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| Box::new(ctx.fail(StatusCode::NOT_FOUND, "error-not-found")))
}

async fn page(ctx: &Ctx, id: &str, status: StatusCode, again: Again) -> Response {
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let technician = match technician(ctx, s, id).await {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let zone = ctx.zone();
    let today = planning::today(zone);
    let req = s.caller.request(pb::GetAvailabilityRequest {
        technician_ids: vec![id.to_owned()],
        from: Some(portal_platform::time::to_proto(planning::midnight(
            zone, today,
        ))),
        to: Some(portal_platform::time::to_proto(planning::midnight(
            zone,
            today + Duration::days(AHEAD_DAYS),
        ))),
    });
    let a = match ctx.state.work_orders.clone().get_availability(req).await {
        Ok(r) => match r.into_inner().items.into_iter().next() {
            Some(a) => TechnicianAvailability::from(a),
            None => return ctx.fail(StatusCode::NOT_FOUND, "error-not-found"),
        },
        Err(e) => return ctx.grpc_fail(&e),
    };
    let view = AvailabilityPage {
        technician,
        may_set_hours: s.caller.claims.may(Permission::ManageAvailability),
        own_hours: a.own_hours,
        has_hours: a.has_hours,
        days: again.days.unwrap_or_else(|| days_of(&a)),
        absences: a
            .absences
            .iter()
            .map(|x| AbsenceLine {
                id: x.id.clone(),
                reason: x.reason,
                when: when(zone, x.from, x.until),
                note: x.note.clone(),
            })
            .collect(),
        reasons: AbsenceReason::ALL.to_vec(),
        absence: again.absence,
        hours_error: again.hours_error,
        absence_error: again.absence_error,
    };
    ctx.render(status, "technician_availability.html", &view)
}

/// `/technicians/{id}/availability`.
pub async fn show(TenantPage(ctx): TenantPage, Path(p): Params) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    page(&ctx, &id, StatusCode::OK, Again::default()).await
}

fn back(ctx: &mut Ctx, id: &str, flash: &str) -> Response {
    ctx.flash_next(flash);
    let to = url(ctx, id);
    ctx.redirect(&to)
}

/// A service's refusal in the reader's words, and its status.
fn refusal(ctx: &Ctx, e: &tonic::Status) -> (StatusCode, String) {
    let shown = errors::shown(ctx.lang, Action::Other, e);
    (shown.status, shown.message)
}

/// `POST /technicians/{id}/working-hours`.
pub async fn set_hours(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let use_default = form.flag("use_default");
    let (days, hours) = hours_of(&form);
    let hours = match hours {
        Ok(h) => h,
        Err(key) => {
            let again = Again {
                hours_error: Some(i18n::t(ctx.lang, key)),
                days: Some(days),
                ..Again::default()
            };
            return page(&ctx, &id, StatusCode::BAD_REQUEST, again).await;
        }
    };
    let req = s.caller.request(pb::SetWorkingHoursRequest {
        technician_id: id.clone(),
        hours: if use_default { Vec::new() } else { hours },
        use_default,
    });
    match ctx.state.work_orders.clone().set_working_hours(req).await {
        Ok(_) => back(&mut ctx, &id, "flash-hours-saved"),
        Err(e) => {
            let (status, message) = refusal(&ctx, &e);
            let again = Again {
                hours_error: Some(message),
                days: Some(days),
                ..Again::default()
            };
            page(&ctx, &id, status, again).await
        }
    }
}

/// `POST /technicians/{id}/absences`.
pub async fn add_absence(TenantPage(mut ctx): TenantPage, Path(p): Params, form: Form) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let fields = AbsenceFields {
        from: form.get("from"),
        until: form.get("until"),
        reason: form.get("reason"),
        note: form.get("note"),
    };
    let req = match absence_of(ctx.zone(), &fields, &id) {
        Ok(r) => r,
        Err(key) => {
            let again = Again {
                absence_error: Some(i18n::t(ctx.lang, key)),
                absence: fields,
                ..Again::default()
            };
            return page(&ctx, &id, StatusCode::BAD_REQUEST, again).await;
        }
    };
    match ctx
        .state
        .work_orders
        .clone()
        .add_absence(s.caller.request(req))
        .await
    {
        Ok(_) => back(&mut ctx, &id, "flash-absence-added"),
        Err(e) => {
            let (status, message) = refusal(&ctx, &e);
            let again = Again {
                absence_error: Some(message),
                absence: fields,
                ..Again::default()
            };
            page(&ctx, &id, status, again).await
        }
    }
}

/// `POST /technicians/{id}/absences/{absence_id}/delete`.
pub async fn delete_absence(
    TenantPage(mut ctx): TenantPage,
    Path(p): Params,
    _csrf_checked: Form,
) -> Response {
    let (Some(id), Some(absence_id)) = (param(&p, "id"), param(&p, "absence_id")) else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(pb::DeleteAbsenceRequest {
        technician_id: id.clone(),
        absence_id,
    });
    match ctx.state.work_orders.clone().delete_absence(req).await {
        Ok(_) => back(&mut ctx, &id, "flash-absence-deleted"),
        Err(e) => ctx.grpc_fail(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::pages::board::tests::render;

    fn t(s: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }

    #[test]
    fn the_form_reads_a_week_and_says_what_is_wrong() {
        let form = Form(vec![
            ("d1-0-start".into(), "08:00".into()),
            ("d1-0-end".into(), "12:00".into()),
            ("d1-1-start".into(), "13:00".into()),
            ("d1-1-end".into(), "17:00".into()),
            ("d5-0-start".into(), "08:00".into()),
            ("d5-0-end".into(), "12:00".into()),
        ]);
        let (days, hours) = hours_of(&form);
        assert_eq!(days.len(), 7);
        assert_eq!(days[0].slots[1].start, "13:00");
        let hours = hours.unwrap_or_default();
        assert_eq!(
            hours
                .iter()
                .map(|h| (h.weekday, h.start_minute, h.end_minute))
                .collect::<Vec<_>>(),
            vec![(1, 480, 720), (1, 780, 1020), (5, 480, 720)]
        );
        let half = Form(vec![("d2-0-start".into(), "08:00".into())]);
        assert_eq!(hours_of(&half).1, Err("error-plan-time"));
        let backwards = Form(vec![
            ("d2-0-start".into(), "12:00".into()),
            ("d2-0-end".into(), "08:00".into()),
        ]);
        assert_eq!(hours_of(&backwards).1, Err("error-plan-order"));
        assert_eq!(hours_of(&Form(vec![])).1, Ok(vec![]));
    }

    #[test]
    fn an_absence_is_whole_days_both_included() {
        let fields = AbsenceFields {
            from: "2026-12-14".into(),
            until: "2026-12-18".into(),
            reason: "holiday".into(),
            note: String::new(),
        };
        let r = absence_of(Zone::UTC, &fields, "t1");
        let r = r.unwrap_or_default();
        assert_eq!(
            r.until.as_ref().and_then(portal_platform::time::from_proto),
            t("2026-12-19T00:00:00Z")
        );
        assert_eq!(r.reason, pb::AbsenceReason::Holiday as i32);
        let mut wrong = fields.clone();
        wrong.until = "2026-12-13".into();
        assert_eq!(
            absence_of(Zone::UTC, &wrong, "t1"),
            Err("error-absence-order")
        );
        wrong = fields.clone();
        wrong.reason = "bored".into();
        assert_eq!(
            absence_of(Zone::UTC, &wrong, "t1"),
            Err("error-absence-reason")
        );
        assert_eq!(
            when(
                Zone::UTC,
                t("2026-12-14T00:00:00Z"),
                t("2026-12-19T00:00:00Z")
            ),
            "2026-12-14 – 2026-12-18"
        );
        assert_eq!(
            when(
                Zone::UTC,
                t("2026-12-14T00:00:00Z"),
                t("2026-12-15T00:00:00Z")
            ),
            "2026-12-14"
        );
    }

    #[test]
    fn the_page_renders_the_week_and_the_absences() {
        let page = AvailabilityPage {
            technician: Technician {
                id: "t1".into(),
                name: "Ann".into(),
            },
            may_set_hours: true,
            own_hours: true,
            has_hours: true,
            days: (1..=7)
                .map(|weekday| DayHours {
                    weekday,
                    slots: vec![Slot::default(); SLOTS_PER_DAY],
                })
                .collect(),
            absences: vec![AbsenceLine {
                id: "a1".into(),
                reason: Some(AbsenceReason::Holiday),
                when: "2026-12-14 – 2026-12-18".into(),
                note: "Skiing".into(),
            }],
            reasons: AbsenceReason::ALL.to_vec(),
            absence: AbsenceFields::default(),
            hours_error: None,
            absence_error: Some("The end must be after the start.".into()),
        };
        let html = render("technician_availability.html", &page);
        assert!(html.contains("id=\"hours-form\""), "{html}");
        assert!(html.contains("name=\"d7-2-end\""), "{html}");
        assert!(html.contains("id=\"absence-a1\""), "{html}");
        assert!(html.contains("Holiday"), "{html}");
        assert!(
            html.contains("/technicians/t1/absences/a1/delete\""),
            "{html}"
        );
        assert!(html.contains("id=\"absence-error\""), "{html}");
    }
}
