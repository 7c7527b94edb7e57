//! The dispatch board (D2, G3): a week or a day with one row per
//! technician, their planned work placed by time (overlapping work of one
//! technician side by side and marked), and the work to plan beside it.
//! Every item to plan has a form (technicians, day, start, end) that posts
//! here; `static/board.js` adds dragging an item onto a technician's day.
use std::collections::HashMap;

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use portal_platform::permissions::Permission;
use portal_platform::zone::Zone;
use portal_proto::work_orders::v1 as pb;
use serde::Serialize;

use crate::views::{
    AbsenceReason, Technician, TechnicianAvailability, UnavailableKind, WorkOrder, WorkOrderStatus,
};
use crate::web::csrf::Form;
use crate::web::ctx::{Ctx, Session, TenantPage};
use crate::web::errors::{self, Action};
use crate::web::i18n;
use crate::web::pages::places::Places;
use crate::web::pages::planning::{self, PlanFields, PlanForm};
use crate::web::pages::work_orders::{Work, technicians};
use crate::web::pages::{param, query};

/// Work to plan shown at once (the oldest come with "more").
const TO_PLAN_PAGE: i32 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Week,
    Day,
}

impl View {
    fn parse(s: &str) -> Self {
        if s == "day" { Self::Day } else { Self::Week }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Day => "day",
        }
    }

    /// The days shown around `day`.
    fn days(self, day: NaiveDate) -> (NaiveDate, i64) {
        match self {
            Self::Week => (planning::monday_of(day), 7),
            Self::Day => (day, 1),
        }
    }

    fn link(self, day: NaiveDate) -> String {
        format!("view={}&date={}", self.as_str(), day.format("%Y-%m-%d"))
    }
}

#[derive(Debug, Serialize)]
struct DayHead {
    date: String,
    weekday: u32,
    today: bool,
    /// The day view of this day.
    link: String,
}

/// Planned work in a technician's day, placed on the grid.
#[derive(Debug, Serialize)]
struct Block {
    id: String,
    title: String,
    from: String,
    to: String,
    customer: String,
    site: String,
    status: WorkOrderStatus,
    /// Grid lines (see `planning::lines`) and lane.
    s: i64,
    e: i64,
    lane: usize,
    overlap: bool,
}

/// Time in a day cell the technician is not free, shaded behind the work.
#[derive(Debug, Serialize)]
struct Shade {
    s: i64,
    e: i64,
    /// `off` (outside working hours) or `absent`.
    kind: &'static str,
    reason: Option<AbsenceReason>,
}

#[derive(Debug, Serialize)]
struct Cell {
    date: String,
    /// Lanes side by side (work that overlaps nothing spans them all).
    lanes: usize,
    blocks: Vec<Block>,
    shades: Vec<Shade>,
    /// The day's working hours (`08:00–12:00, 13:00–17:00`); empty on a
    /// day off. `None` when no hours are set: every hour counts.
    hours: Option<String>,
    /// Why the technician is away this day, once per reason.
    absent: Vec<AbsenceReason>,
}

#[derive(Debug, Serialize)]
struct Row {
    id: String,
    name: String,
    overlaps: bool,
    /// A current technician: their hours and absences can be edited.
    editable: bool,
    cells: Vec<Cell>,
}

#[derive(Debug, Serialize)]
struct Item {
    work: Work,
    form: PlanForm,
}

#[derive(Debug, Serialize)]
struct Hour {
    label: String,
    s: i64,
    e: i64,
}

#[derive(Debug, Serialize)]
struct BoardPage {
    view: &'static str,
    range: String,
    prev: String,
    next: String,
    today: String,
    week_link: String,
    day_link: String,
    days: Vec<DayHead>,
    rows: Vec<Row>,
    hours: Vec<Hour>,
    first_hour: String,
    last_hour: String,
    slots: i64,
    slot_minutes: i64,
    to_plan: Vec<Item>,
    more: Option<String>,
    technicians: Vec<Technician>,
    error: Option<String>,
}

/// What the board shows of one week or day.
struct Shown {
    view: View,
    day: NaiveDate,
    more: String,
}

impl Shown {
    fn parse(zone: Zone, raw: Option<&str>) -> Self {
        Self {
            view: View::parse(&query(raw, "view")),
            day: planning::parse_day(zone, &query(raw, "date")),
            more: query(raw, "more").chars().take(512).collect(),
        }
    }
}

/// A refused plan, shown again on its item.
struct Refusal {
    id: String,
    fields: PlanFields,
    message: String,
    busy: bool,
}

/// Dispatchers and admins plan; a technician's board is their day.
fn planner(ctx: &Ctx) -> Result<&Session, Box<Response>> {
    let s = ctx.staff()?;
    if s.caller.claims.may(Permission::PlanWork) {
        Ok(s)
    } else {
        Err(Box::new(ctx.redirect(&format!("{}/my-day", ctx.base))))
    }
}

/// `/board` (`?view=day|week&date=YYYY-MM-DD`).
pub async fn board(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let shown = Shown::parse(ctx.zone(), raw.as_deref());
    page(&ctx, &shown, StatusCode::OK, None).await
}

async fn page(ctx: &Ctx, shown: &Shown, status: StatusCode, refusal: Option<Refusal>) -> Response {
    let s = match planner(ctx) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let zone = ctx.zone();
    let (first, count) = shown.view.days(shown.day);
    let end = first + Duration::days(count);
    let mut work_orders = ctx.state.work_orders.clone();
    let mut to_plan_client = ctx.state.work_orders.clone();
    let planned = s.caller.request(pb::ListWorkOrdersRequest {
        from: Some(portal_platform::time::to_proto(planning::midnight(
            zone, first,
        ))),
        to: Some(portal_platform::time::to_proto(planning::midnight(
            zone, end,
        ))),
        ..Default::default()
    });
    let to_plan = s.caller.request(pb::ListWorkOrdersRequest {
        status: pb::WorkOrderStatus::ToPlan.into(),
        limit: TO_PLAN_PAGE,
        cursor: shown.more.clone(),
        ..Default::default()
    });
    let (people, planned, to_plan) = tokio::join!(
        technicians(ctx, s),
        work_orders.list_work_orders(planned),
        to_plan_client.list_work_orders(to_plan),
    );
    let availability = availability(ctx, s, &people, first, end).await;
    let planned: Vec<WorkOrder> = match planned {
        Ok(l) => l
            .into_inner()
            .items
            .into_iter()
            .map(WorkOrder::from)
            .filter(|w| w.status != WorkOrderStatus::Cancelled)
            .collect(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let (to_plan, next_cursor) = match to_plan {
        Ok(l) => {
            let l = l.into_inner();
            let items: Vec<WorkOrder> = l.items.into_iter().map(WorkOrder::from).collect();
            (items, l.next_cursor)
        }
        Err(e) => return ctx.grpc_fail(&e),
    };
    let customers = Places::of_orders(planned.iter().chain(&to_plan));
    let places = Places::load(ctx, s, customers).await;
    let dates: Vec<NaiveDate> = (0..count).map(|i| first + Duration::days(i)).collect();
    let rows = rows(zone, &people, &planned, &dates, &places, &availability);
    let mut error = None;
    let to_plan: Vec<Item> = to_plan
        .into_iter()
        .map(|w| {
            let mut form = PlanForm {
                id: w.id.clone(),
                action: format!("{}/board", ctx.base),
                values: PlanFields::prefilled(zone, vec![], None, None),
                busy: false,
                error: None,
                view: Some(shown.view.as_str()),
                at: Some(shown.day.format("%Y-%m-%d").to_string()),
            };
            if let Some(r) = refusal.as_ref().filter(|r| r.id == w.id) {
                form.values = r.fields.clone();
                form.busy = r.busy;
                form.error = Some(r.message.clone());
            }
            Item {
                work: Work::new(zone, w, &places),
                form,
            }
        })
        .collect();
    // A refusal for work not listed here (planned meanwhile): said on top.
    if let Some(r) = refusal.filter(|r| !to_plan.iter().any(|i| i.form.id == r.id)) {
        error = Some(r.message);
    }
    let today = planning::today(zone);
    let step = Duration::days(count);
    let last = end - Duration::days(1);
    let board = BoardPage {
        view: shown.view.as_str(),
        range: if count == 1 {
            first.format("%Y-%m-%d").to_string()
        } else {
            format!("{} – {}", first.format("%Y-%m-%d"), last.format("%Y-%m-%d"))
        },
        prev: shown.view.link(shown.day - step),
        next: shown.view.link(shown.day + step),
        today: shown.view.link(today),
        week_link: View::Week.link(shown.day),
        day_link: View::Day.link(if shown.view == View::Week {
            today.max(first).min(last)
        } else {
            shown.day
        }),
        days: dates
            .iter()
            .map(|d| DayHead {
                date: d.format("%Y-%m-%d").to_string(),
                weekday: planning::weekday(*d),
                today: *d == today,
                link: View::Day.link(*d),
            })
            .collect(),
        rows,
        hours: (planning::FIRST_HOUR..planning::LAST_HOUR)
            .step_by(2)
            .map(|h| {
                let s = (h - planning::FIRST_HOUR) * 60 / planning::SLOT_MINUTES + 1;
                Hour {
                    label: format!("{h:02}:00"),
                    s,
                    e: s + 120 / planning::SLOT_MINUTES,
                }
            })
            .collect(),
        first_hour: format!("{:02}:00", planning::FIRST_HOUR),
        last_hour: format!("{:02}:00", planning::LAST_HOUR),
        slots: planning::SLOTS,
        slot_minutes: planning::SLOT_MINUTES,
        to_plan,
        more: (!next_cursor.is_empty()).then(|| {
            let more = serde_urlencoded::to_string([("more", next_cursor.as_str())]);
            format!(
                "{}&{}",
                shown.view.link(shown.day),
                more.unwrap_or_default()
            )
        }),
        technicians: people,
        error,
    };
    ctx.render(status, "board.html", &board)
}

/// The technicians' hours and absences over the days shown, by id. The
/// board still shows the work when they cannot be read (logged).
async fn availability(
    ctx: &Ctx,
    s: &Session,
    people: &[Technician],
    first: NaiveDate,
    end: NaiveDate,
) -> HashMap<String, TechnicianAvailability> {
    if people.is_empty() {
        return HashMap::new();
    }
    let req = s.caller.request(pb::GetAvailabilityRequest {
        technician_ids: people.iter().map(|p| p.id.clone()).collect(),
        from: Some(portal_platform::time::to_proto(planning::midnight(
            ctx.zone(),
            first,
        ))),
        to: Some(portal_platform::time::to_proto(planning::midnight(
            ctx.zone(),
            end,
        ))),
    });
    match ctx.state.work_orders.clone().get_availability(req).await {
        Ok(r) => r
            .into_inner()
            .items
            .into_iter()
            .map(|a| (a.technician_id.clone(), TechnicianAvailability::from(a)))
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "availability unavailable");
            HashMap::new()
        }
    }
}

/// What a technician's day cell shows of their availability: the shaded
/// spans, the day's hours and the reasons they are away.
fn day_availability(
    zone: Zone,
    a: Option<&TechnicianAvailability>,
    day: NaiveDate,
) -> (Vec<Shade>, Option<String>, Vec<AbsenceReason>) {
    let Some(a) = a else {
        return (Vec::new(), None, Vec::new());
    };
    let mut shades = Vec::new();
    let mut absent: Vec<AbsenceReason> = Vec::new();
    for span in &a.unavailable {
        let (Some(start), Some(end)) = (span.start, span.end) else {
            continue;
        };
        if span.kind == UnavailableKind::Absent
            && start < planning::midnight(zone, day + Duration::days(1))
            && end > planning::midnight(zone, day)
            && let Some(r) = span.reason
            && !absent.contains(&r)
        {
            absent.push(r);
        }
        if let Some((s, e)) = planning::span_lines(zone, start, end, day) {
            shades.push(Shade {
                s,
                e,
                kind: match span.kind {
                    UnavailableKind::OutsideHours => "off",
                    UnavailableKind::Absent => "absent",
                },
                reason: span.reason,
            });
        }
    }
    let weekday = planning::weekday(day);
    let hours = a.has_hours.then(|| {
        a.hours
            .iter()
            .filter(|h| h.weekday.number() == weekday)
            .map(|h| format!("{}–{}", h.start, h.end))
            .collect::<Vec<_>>()
            .join(", ")
    });
    (shades, hours, absent)
}

/// One row per technician (those no longer technicians but still planned
/// keep a row), their work of each day placed on the grid over the times
/// they are not free.
fn rows(
    zone: Zone,
    people: &[Technician],
    planned: &[WorkOrder],
    dates: &[NaiveDate],
    places: &Places,
    availability: &HashMap<String, TechnicianAvailability>,
) -> Vec<Row> {
    let mut who: Vec<Technician> = people.to_vec();
    for t in planned.iter().flat_map(|w| &w.technicians) {
        if !who.iter().any(|p| p.id == t.id) {
            who.push(t.clone());
        }
    }
    who.into_iter()
        .map(|t| {
            let own: Vec<(&WorkOrder, DateTime<Utc>, DateTime<Utc>)> = planned
                .iter()
                .filter(|w| w.technicians.iter().any(|x| x.id == t.id))
                .filter_map(|w| Some((w, w.start?, w.end?)))
                .collect();
            let windows: Vec<_> = own.iter().map(|(_, s, e)| (*s, *e)).collect();
            let overlap: HashMap<&str, bool> = own
                .iter()
                .zip(planning::overlapping(&windows))
                .map(|((w, _, _), o)| (w.id.as_str(), o))
                .collect();
            let cells = dates
                .iter()
                .map(|d| {
                    let on_day: Vec<_> = own
                        .iter()
                        .filter_map(|(w, s, e)| {
                            planning::lines(zone, *s, *e, *d).map(|lines| (*w, *s, *e, lines))
                        })
                        .collect();
                    let day_windows: Vec<_> = on_day.iter().map(|(_, s, e, _)| (*s, *e)).collect();
                    let lanes = planning::lanes(&day_windows);
                    let blocks: Vec<Block> = on_day
                        .iter()
                        .zip(lanes.iter().copied())
                        .map(|((w, s, e, (from, to)), lane)| {
                            let place = places.of(&w.customer_id, &w.site_id);
                            Block {
                                id: w.id.clone(),
                                title: w.title.clone(),
                                from: planning::hm(zone, *s),
                                to: planning::hm(zone, *e),
                                customer: place.customer,
                                site: place.site,
                                status: w.status,
                                s: *from,
                                e: *to,
                                lane,
                                overlap: overlap.get(w.id.as_str()).copied().unwrap_or(false),
                            }
                        })
                        .collect();
                    let (shades, hours, absent) =
                        day_availability(zone, availability.get(&t.id), *d);
                    Cell {
                        date: d.format("%Y-%m-%d").to_string(),
                        lanes: lanes.iter().copied().max().unwrap_or(1),
                        blocks,
                        shades,
                        hours,
                        absent,
                    }
                })
                .collect();
            Row {
                overlaps: overlap.values().any(|o| *o),
                editable: people.iter().any(|p| p.id == t.id),
                id: t.id,
                name: t.name,
                cells,
            }
        })
        .collect()
}

/// `POST /board`: plans one work order from its form, then back to the
/// board at the planned day (or the form again with what was wrong).
pub async fn plan(TenantPage(mut ctx): TenantPage, form: Form) -> Response {
    let mut p = HashMap::new();
    p.insert("id".to_owned(), form.get("id"));
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::BAD_REQUEST, "error-invalid");
    };
    let shown = Shown {
        view: View::parse(&form.get("view")),
        day: planning::parse_day(ctx.zone(), &form.get("at")),
        more: String::new(),
    };
    let s = match planner(&ctx) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let fields = PlanFields::of(&form);
    let window = match fields.window(ctx.zone()) {
        Ok(w) => w,
        Err(key) => {
            let refusal = Refusal {
                id,
                message: i18n::t(ctx.lang, key),
                busy: false,
                fields,
            };
            return page(&ctx, &shown, StatusCode::BAD_REQUEST, Some(refusal)).await;
        }
    };
    let call = s.caller.request(fields.request(&id, window));
    match ctx
        .state
        .work_orders
        .clone()
        .schedule_work_order(call)
        .await
    {
        Ok(_) => {
            ctx.flash_next("flash-planned");
            let to = format!(
                "{}/board?{}",
                ctx.base,
                shown.view.link(window.0.date_naive())
            );
            ctx.redirect(&to)
        }
        Err(e) => {
            let shown_error = errors::shown(ctx.lang, Action::Other, &e);
            let busy = planning::busy(&e);
            let refusal = Refusal {
                id,
                message: if busy {
                    planning::busy_text(ctx.lang, &e)
                } else {
                    shown_error.message
                },
                busy,
                fields: PlanFields {
                    force: false,
                    ..fields
                },
            };
            page(&ctx, &shown, shown_error.status, Some(refusal)).await
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn order(id: &str, technician: &str, start: &str, end: &str) -> WorkOrder {
        let ts = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|d| portal_platform::time::to_proto(d.with_timezone(&Utc)))
        };
        WorkOrder::from(pb::WorkOrder {
            id: id.into(),
            title: format!("Work {id}"),
            customer_id: "c1".into(),
            site_id: "s1".into(),
            status: pb::WorkOrderStatus::Scheduled.into(),
            start: ts(start),
            end: ts(end),
            technicians: vec![pb::Technician {
                id: technician.into(),
                name: format!("Tech {technician}"),
            }],
            allowed_actions: vec![pb::WorkOrderAction::Schedule.into()],
            ..Default::default()
        })
    }

    /// A page's values with what `Ctx` adds to every page.
    pub fn render(template: &str, page: &impl Serialize) -> String {
        let mut v = serde_json::to_value(page).unwrap_or_default();
        v["base"] = "/t/acme".into();
        v["csrf"] = "CSRF-TOKEN".into();
        v["tenant"] =
            serde_json::json!({"slug": "acme", "name": "Acme", "time_zone": "Europe/Paris"});
        crate::web::render::html(
            "en",
            template,
            minijinja::Value::from(minijinja::value::Serde(v)),
        )
        .unwrap_or_else(|e| panic!("{template}: {e:#}"))
    }

    #[test]
    fn each_technician_gets_a_row_with_overlaps_marked() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap_or_default();
        let planned = [
            order("a", "t1", "2026-03-09T08:00:00Z", "2026-03-09T10:00:00Z"),
            order("b", "t1", "2026-03-09T09:00:00Z", "2026-03-09T11:00:00Z"),
            order("c", "t2", "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z"),
            // Planned on someone who is no longer a technician: still shown.
            order("d", "t9", "2026-03-09T08:00:00Z", "2026-03-09T09:00:00Z"),
        ];
        let people = [
            Technician {
                id: "t1".into(),
                name: "Ann".into(),
            },
            Technician {
                id: "t2".into(),
                name: "Bob".into(),
            },
        ];
        let dates = [day, day + Duration::days(1)];
        let rows = rows(
            Zone::UTC,
            &people,
            &planned,
            &dates,
            &Places::default(),
            &HashMap::new(),
        );
        assert_eq!(rows.len(), 3);
        assert!(rows[0].overlaps);
        let monday = &rows[0].cells[0].blocks;
        assert_eq!(
            monday
                .iter()
                .map(|b| (b.s, b.e, b.lane, b.overlap))
                .collect::<Vec<_>>(),
            vec![(5, 9, 1, true), (7, 11, 2, true)]
        );
        assert_eq!(rows[0].cells[0].lanes, 2);
        assert!(rows[0].cells[1].blocks.is_empty());
        assert_eq!(rows[0].cells[1].lanes, 1);
        assert!(!rows[1].overlaps);
        let b = &rows[1].cells[1].blocks[0];
        assert_eq!((b.from.as_str(), b.to.as_str()), ("08:00", "09:00"));
        assert_eq!(rows[2].name, "Tech t9");
    }

    /// Ann (t1) works Mon 08:00–17:00 and is at a training on the
    /// afternoon of 2026-03-09.
    fn absent_ann() -> HashMap<String, TechnicianAvailability> {
        let ts = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|d| portal_platform::time::to_proto(d.with_timezone(&Utc)))
        };
        let span = |a: &str, b: &str, kind: pb::UnavailableKind, reason: pb::AbsenceReason| {
            pb::UnavailableSpan {
                start: ts(a),
                end: ts(b),
                kind: kind.into(),
                reason: reason.into(),
            }
        };
        let off = pb::UnavailableKind::OutsideHours;
        let none = pb::AbsenceReason::Unspecified;
        let a = pb::TechnicianAvailability {
            technician_id: "t1".into(),
            hours: vec![pb::WorkingInterval {
                weekday: pb::Weekday::Monday.into(),
                start_minute: 8 * 60,
                end_minute: 17 * 60,
            }],
            own_hours: true,
            has_hours: true,
            absences: vec![],
            unavailable: vec![
                span("2026-03-09T00:00:00Z", "2026-03-09T08:00:00Z", off, none),
                span("2026-03-09T17:00:00Z", "2026-03-10T00:00:00Z", off, none),
                span(
                    "2026-03-09T13:00:00Z",
                    "2026-03-09T17:00:00Z",
                    pb::UnavailableKind::Absent,
                    pb::AbsenceReason::Training,
                ),
                span("2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z", off, none),
            ],
        };
        HashMap::from([("t1".to_owned(), TechnicianAvailability::from(a))])
    }

    #[test]
    fn a_day_cell_shades_the_time_a_technician_is_not_free() {
        let monday = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap_or_default();
        let ann = absent_ann();
        let (shades, hours, absent) = day_availability(Zone::UTC, ann.get("t1"), monday);
        assert_eq!(
            shades
                .iter()
                .map(|s| (s.s, s.e, s.kind))
                .collect::<Vec<_>>(),
            vec![(1, 5, "off"), (23, 33, "off"), (15, 23, "absent")]
        );
        assert_eq!(hours.as_deref(), Some("08:00–17:00"));
        assert_eq!(absent, vec![AbsenceReason::Training]);
        // Tuesday: no hours, off all day; nobody known: nothing shaded.
        let (shades, hours, absent) =
            day_availability(Zone::UTC, ann.get("t1"), monday + Duration::days(1));
        assert_eq!(
            shades.iter().map(|s| (s.s, s.e)).collect::<Vec<_>>(),
            vec![(1, 33)]
        );
        assert_eq!(hours.as_deref(), Some(""));
        assert!(absent.is_empty());
        let (shades, hours, _) = day_availability(Zone::UTC, None, monday);
        assert!(shades.is_empty() && hours.is_none());
    }

    #[test]
    fn the_board_renders_its_rows_and_a_form_per_item() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap_or_default();
        let people = vec![Technician {
            id: "t1".into(),
            name: "Ann".into(),
        }];
        let planned = [order(
            "a",
            "t1",
            "2026-03-09T08:00:00Z",
            "2026-03-09T10:00:00Z",
        )];
        let rows = rows(
            Zone::UTC,
            &people,
            &planned,
            &[day],
            &Places::default(),
            &absent_ann(),
        );
        let item = Item {
            work: Work::new(Zone::UTC, order("n", "t1", "", ""), &Places::default()),
            form: PlanForm {
                id: "n".into(),
                action: "/t/acme/board".into(),
                values: PlanFields {
                    technician_ids: vec!["t1".into()],
                    ..PlanFields::default()
                },
                busy: true,
                error: Some("busy then".into()),
                view: Some("day"),
                at: Some("2026-03-09".into()),
            },
        };
        let page = BoardPage {
            view: "day",
            range: "2026-03-09".into(),
            prev: String::new(),
            next: String::new(),
            today: String::new(),
            week_link: String::new(),
            day_link: String::new(),
            days: vec![],
            rows,
            hours: vec![],
            first_hour: "06:00".into(),
            last_hour: "22:00".into(),
            slots: planning::SLOTS,
            slot_minutes: planning::SLOT_MINUTES,
            to_plan: vec![item],
            more: None,
            technicians: people,
            error: None,
        };
        let html = render("board.html", &page);
        assert!(html.contains("id=\"tech-t1\""), "{html}");
        // The grid's hours are the tenant's.
        assert!(
            html.contains("22:00 (right), Europe&#x2f;Paris time."),
            "{html}"
        );
        assert!(
            html.contains("class=\"block gs5 ge9 gl1 status-scheduled wide\""),
            "{html}"
        );
        // The included form sees the page's values and its item's.
        assert!(html.contains("id=\"plan-n\""), "{html}");
        assert!(html.contains("value=\"CSRF-TOKEN\""), "{html}");
        assert!(
            html.contains(
                "id=\"p-n-t-t1\" type=\"checkbox\" name=\"technician_ids\" value=\"t1\" checked"
            ),
            "{html}"
        );
        assert!(html.contains("name=\"force\""), "{html}");
        assert!(html.contains("<details open>"), "{html}");
        assert!(html.contains("name=\"view\" value=\"day\""), "{html}");
        // Ann's hours and her training afternoon, with a legend and a link
        // to edit them.
        assert!(html.contains("class=\"shade gs1 ge5 shade-off\""), "{html}");
        assert!(
            html.contains("class=\"shade gs15 ge23 shade-absent absent-training\""),
            "{html}"
        );
        assert!(html.contains("Training"), "{html}");
        assert!(html.contains("id=\"board-legend\""), "{html}");
        assert!(
            html.contains("/technicians/t1/availability\" title="),
            "{html}"
        );
    }
}
