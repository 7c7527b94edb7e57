//! The contact's appointments (D3): the planned and done work of their
//! scope (the service narrows it to their customer or sites), with what,
//! where, when, who comes and its status, each downloadable for a calendar
//! (`.ics`). The home page shows the next one first.
use std::collections::HashMap;

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_platform::permissions::Permission;
use portal_platform::zone::Zone;
use portal_proto::work_orders::v1 as pb;
use serde::Serialize;

use crate::views::{Appointment, WorkOrder, WorkOrderChange, WorkOrderStatus};
use crate::web::ctx::{Ctx, Session, TenantPage};
use crate::web::pages::places::site_names;
use crate::web::pages::planning;
use crate::web::pages::{param, query, requests};

const PAGE_SIZE: i32 = 20;

/// An appointment with its window, site and visitors in words.
#[derive(Debug, Serialize)]
pub struct Shown {
    #[serde(flatten)]
    pub appointment: Appointment,
    pub when: String,
    pub done_at: String,
    /// Upcoming work can go into a calendar.
    pub calendar: bool,
    pub site: String,
    pub who: String,
}

impl Shown {
    fn new(zone: Zone, a: Appointment, sites: &HashMap<String, String>) -> Self {
        Self {
            when: planning::window_text(zone, a.start, a.end),
            done_at: planning::at_text(zone, a.completed_at),
            calendar: a.start.is_some()
                && matches!(
                    a.status,
                    WorkOrderStatus::Scheduled | WorkOrderStatus::InProgress
                ),
            site: sites.get(&a.site_id).cloned().unwrap_or_default(),
            who: a
                .technicians
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            appointment: a,
        }
    }
}

#[derive(Debug, Serialize)]
struct AppointmentsPage {
    done: bool,
    appointments: Vec<Shown>,
    next: Option<String>,
}

async fn list(
    ctx: &Ctx,
    s: &Session,
    done: bool,
    limit: i32,
    cursor: String,
) -> Result<(Vec<Shown>, String), tonic::Status> {
    let when = if done {
        pb::AppointmentsWhen::Done
    } else {
        pb::AppointmentsWhen::Upcoming
    };
    let req = s.caller.request(pb::ListAppointmentsRequest {
        when: when.into(),
        limit,
        cursor,
    });
    let answer = ctx
        .state
        .work_orders
        .clone()
        .list_appointments(req)
        .await?
        .into_inner();
    let sites = if answer.items.is_empty() {
        HashMap::new()
    } else {
        site_names(ctx, s).await
    };
    let items = answer
        .items
        .into_iter()
        .map(|w| Shown::new(ctx.zone(), Appointment::from(w), &sites))
        .collect();
    Ok((items, answer.next_cursor))
}

/// The soonest upcoming appointment, for the home page (none when the
/// service does not answer: the home page still shows).
pub async fn next(ctx: &Ctx, s: &Session) -> Option<Shown> {
    match list(ctx, s, false, 1, String::new()).await {
        Ok((items, _)) => items.into_iter().next(),
        Err(e) => {
            tracing::debug!(error = %e, "next appointment not shown");
            None
        }
    }
}

/// `/appointments` (`?when=done`: the work done).
pub async fn appointments(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    // Staff plan and do the work: their pages are the board and their day.
    if s.is_staff() {
        let to = if s.caller.claims.may(Permission::PlanWork) {
            "board"
        } else {
            "my-day"
        };
        return ctx.redirect(&format!("{}/{to}", ctx.base));
    }
    let done = query(raw.as_deref(), "when") == "done";
    let cursor: String = query(raw.as_deref(), "cursor").chars().take(512).collect();
    match list(&ctx, s, done, PAGE_SIZE, cursor).await {
        Ok((appointments, next_cursor)) => {
            let next = (!next_cursor.is_empty()).then(|| {
                let when = if done { "done" } else { "upcoming" };
                serde_urlencoded::to_string([("when", when), ("cursor", next_cursor.as_str())])
                    .unwrap_or_default()
            });
            let page = AppointmentsPage {
                done,
                appointments,
                next,
            };
            ctx.render(StatusCode::OK, "appointments.html", &page)
        }
        Err(e) => ctx.grpc_fail(&e),
    }
}

/// The SEQUENCE of the mailed file and of the API's download: the time of
/// the last plan, so a later plan replaces the event however it came.
fn sequence(w: &WorkOrder) -> u32 {
    w.history
        .iter()
        .rev()
        .find(|h| {
            matches!(
                h.change,
                WorkOrderChange::Scheduled | WorkOrderChange::Rescheduled
            )
        })
        .and_then(|h| h.at)
        .map_or(0, portal_platform::calendar::sequence)
}

/// `/appointments/{id}/calendar.ics`: one event for the contact's calendar.
pub async fn calendar(
    TenantPage(ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let req = s.caller.request(pb::GetWorkOrderRequest { id: id.clone() });
    let w = match ctx.state.work_orders.clone().get_work_order(req).await {
        Ok(w) => WorkOrder::from(w.into_inner()),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let (Some(start), Some(end), Ok(uid)) = (w.start, w.end, w.id.parse()) else {
        return ctx.fail(StatusCode::CONFLICT, "error-not-planned");
    };
    let technicians: Vec<String> = w.technicians.iter().map(|t| t.name.clone()).collect();
    let body = portal_platform::calendar::ics(&portal_platform::calendar::Appointment {
        work_order_id: uid,
        title: &w.title,
        start,
        end,
        technicians: &technicians,
        url: None,
        sequence: sequence(&w),
    });
    let mut res = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"appointment.ics\""),
            ),
        ],
        body,
    )
        .into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `/documents/{id}`: a document the session may see (the service report
/// of a work order, D4), as the API streams it.
pub async fn document(
    TenantPage(ctx): TenantPage,
    Path(p): Path<HashMap<String, String>>,
) -> Response {
    let Some(id) = param(&p, "id") else {
        return ctx.fail(StatusCode::NOT_FOUND, "error-not-found");
    };
    let s = match ctx.session() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    crate::routes::documents::content(
        axum::extract::State(ctx.state.clone()),
        requests::api_caller(s),
        crate::extract::ApiPath(id),
    )
    .await
    .unwrap_or_else(|p| requests::problem_page(&ctx, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::pages::board::tests::render;

    fn appointment() -> Shown {
        let w = crate::web::pages::board::tests::order(
            "w1",
            "t1",
            "2026-03-09T08:00:00Z",
            "2026-03-09T10:00:00Z",
        );
        let mut sites = HashMap::new();
        sites.insert("s1".to_owned(), "Kitchen".to_owned());
        let mut pb_order = pb::WorkOrder {
            id: w.id.clone(),
            title: w.title.clone(),
            site_id: "s1".into(),
            status: pb::WorkOrderStatus::Scheduled.into(),
            technicians: vec![pb::Technician {
                id: "t1".into(),
                name: "Tom".into(),
            }],
            ..Default::default()
        };
        pb_order.start = Some(portal_platform::time::to_proto(w.start.unwrap_or_default()));
        pb_order.end = Some(portal_platform::time::to_proto(w.end.unwrap_or_default()));
        Shown::new(Zone::UTC, Appointment::from(pb_order), &sites)
    }

    #[test]
    fn the_download_numbers_its_sequence_as_the_mail_does() {
        let at = |secs: i64| {
            Some(prost_types::Timestamp {
                seconds: secs,
                nanos: 0,
            })
        };
        let entry = |change: pb::WorkOrderChange, secs: i64| pb::HistoryEntry {
            change: change.into(),
            at: at(secs),
            ..Default::default()
        };
        let w = WorkOrder::from(pb::WorkOrder {
            history: vec![
                entry(pb::WorkOrderChange::Created, 100),
                entry(pb::WorkOrderChange::Scheduled, 200),
                entry(pb::WorkOrderChange::Rescheduled, 300),
                entry(pb::WorkOrderChange::Started, 400),
            ],
            ..Default::default()
        });
        assert_eq!(sequence(&w), 300);
        assert_eq!(sequence(&WorkOrder::from(pb::WorkOrder::default())), 0);
    }

    #[test]
    fn appointments_say_what_where_when_and_who() {
        let page = AppointmentsPage {
            done: false,
            appointments: vec![appointment()],
            next: None,
        };
        let html = render("appointments.html", &page);
        assert!(html.contains("2026-03-09 08:00 – 10:00 UTC"), "{html}");
        assert!(html.contains("Kitchen"), "{html}");
        assert!(html.contains("Tom"), "{html}");
        assert!(html.contains("<h2 class=\"appointment-title\">"), "{html}");
        assert!(html.contains("/appointments/w1/calendar.ics"), "{html}");
        let home = render(
            "home.html",
            &serde_json::json!({"next_appointment": appointment(), "me": {"customers": []}}),
        );
        assert!(home.contains("<h3 class=\"appointment-title\">"), "{home}");
        assert!(
            home.find("next-appointment") < home.find("customer-card"),
            "{home}"
        );
    }
}
