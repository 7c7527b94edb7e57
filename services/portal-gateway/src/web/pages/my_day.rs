//! The technician's day (and week), phone first: the work planned onto me,
//! in order, with the customer, the site's address and a link that opens it
//! in the phone's map app, and the request's description. Each opens the
//! work order's page, where it is started and completed. The service lists
//! a technician's own work only.
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Duration, NaiveDate};
use portal_proto::work_orders::v1 as pb;
use serde::Serialize;

use crate::views::{WorkOrder, WorkOrderStatus};
use crate::web::ctx::TenantPage;
use crate::web::pages::places::Places;
use crate::web::pages::planning;
use crate::web::pages::query;
use crate::web::pages::work_orders::Work;

#[derive(Debug, Serialize)]
struct DayGroup {
    date: String,
    weekday: u32,
    today: bool,
    items: Vec<Work>,
}

#[derive(Debug, Serialize)]
struct MyDayPage {
    week: bool,
    /// `2026-03-09` or `2026-03-09 – 2026-03-15`.
    range: String,
    prev: String,
    next: String,
    today: String,
    day_link: String,
    week_link: String,
    days: Vec<DayGroup>,
}

fn link(week: bool, day: NaiveDate) -> String {
    let date = day.format("%Y-%m-%d").to_string();
    if week {
        format!("week=1&date={date}")
    } else {
        format!("date={date}")
    }
}

/// `/my-day` (`?week=1`: the week; `date=` another day or week).
pub async fn my_day(TenantPage(ctx): TenantPage, RawQuery(raw): RawQuery) -> Response {
    let s = match ctx.staff() {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let week = query(raw.as_deref(), "week") == "1";
    let zone = ctx.zone();
    let day = planning::parse_day(zone, &query(raw.as_deref(), "date"));
    let (first, days) = if week {
        (planning::monday_of(day), 7)
    } else {
        (day, 1)
    };
    let last = first + Duration::days(days - 1);
    let req = s.caller.request(pb::ListWorkOrdersRequest {
        technician_id: "me".into(),
        from: Some(portal_platform::time::to_proto(planning::midnight(
            zone, first,
        ))),
        to: Some(portal_platform::time::to_proto(planning::midnight(
            zone,
            last + Duration::days(1),
        ))),
        ..Default::default()
    });
    let items: Vec<WorkOrder> = match ctx.state.work_orders.clone().list_work_orders(req).await {
        Ok(l) => l
            .into_inner()
            .items
            .into_iter()
            .map(WorkOrder::from)
            .filter(|w| w.status != WorkOrderStatus::Cancelled)
            .collect(),
        Err(e) => return ctx.grpc_fail(&e),
    };
    let customers = Places::of_orders(&items);
    let places = Places::load(&ctx, s, customers).await;
    let today = planning::today(zone);
    let mut groups: Vec<DayGroup> = Vec::new();
    for w in items {
        // Work begun before the range is listed on its first day.
        let on = w.start.map_or(first, |t| zone.date(t).max(first));
        let date = on.format("%Y-%m-%d").to_string();
        let work = Work::new(zone, w, &places);
        match groups.last_mut() {
            Some(g) if g.date == date => g.items.push(work),
            _ => groups.push(DayGroup {
                date,
                weekday: planning::weekday(on),
                today: on == today,
                items: vec![work],
            }),
        }
    }
    let step = Duration::days(days);
    let range = if week {
        format!("{} – {}", first.format("%Y-%m-%d"), last.format("%Y-%m-%d"))
    } else {
        first.format("%Y-%m-%d").to_string()
    };
    let page = MyDayPage {
        week,
        range,
        prev: link(week, first - step),
        next: link(week, first + step),
        today: link(week, today),
        day_link: link(
            false,
            if week {
                today.max(first).min(last)
            } else {
                day
            },
        ),
        week_link: link(true, day),
        days: groups,
    };
    ctx.render(StatusCode::OK, "my_day.html", &page)
}
