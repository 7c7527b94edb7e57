//! Technicians' working hours and absences (issue #10): who may set them,
//! what is refused, and planning into an absence or outside the hours asks
//! for the same confirmation as an overlap, naming why.
use chrono::{Duration, Utc};
use portal_testkit::Stack;
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, s};

/// Midnight UTC `days` from today, RFC 3339.
fn day(days: i64) -> String {
    let d = (Utc::now() + Duration::days(days)).date_naive();
    d.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .to_rfc3339()
}

fn at(days: i64, hour: i64) -> String {
    let d = (Utc::now() + Duration::days(days)).date_naive();
    (d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::hours(hour)).to_rfc3339()
}

/// Every day 08:00–12:00 and 13:00–17:00, so the test holds on any weekday.
fn every_day() -> Value {
    let days = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let hours: Vec<Value> = days
        .iter()
        .flat_map(|d| {
            [
                json!({"weekday": d, "start": "08:00", "end": "12:00"}),
                json!({"weekday": d, "start": "13:00", "end": "17:00"}),
            ]
        })
        .collect();
    json!({ "hours": hours })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hours_and_absences_guard_planning() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let t = fixtures::tenant(&stack, "hours").await?;
    let other = fixtures::tenant(&stack, "hours-other").await?;
    let api = &stack.api;
    let (_, dispatcher) = fixtures::staff(&stack, &t, "Dana Dispatch", "dispatcher").await?;
    let (tom_id, tom) = fixtures::staff(&stack, &t, "Tom Tech", "technician").await?;
    let (tina_id, tina) = fixtures::staff(&stack, &t, "Tina Tech", "technician").await?;
    let (stranger_id, _) = fixtures::staff(&stack, &other, "Olga Other", "technician").await?;
    let hours = |id: &str| format!("/api/v1/technicians/{id}/working-hours");
    let absences = |id: &str| format!("/api/v1/technicians/{id}/absences");

    // Bad weeks are refused, each with why.
    let bad = |start: &str, end: &str| json!({"hours": [{"weekday": "monday", "start": start, "end": end}]});
    for (body, status, why) in [
        (bad("12:00", "08:00"), 400, "after the start"),
        (bad("25:00", "26:00"), 400, "HH:MM"),
        (
            json!({"hours": [{"weekday": "monday", "start": "08:00", "end": "12:00"}, {"weekday": "monday", "start": "11:00", "end": "14:00"}]}),
            400,
            "overlap",
        ),
        (
            json!({"hours": [{"start": "08:00", "end": "12:00"}]}),
            422,
            "",
        ),
    ] {
        let p = api
            .put(&hours(&tom_id), &dispatcher, &body)
            .await?
            .problem(status)?;
        assert!(s(&p["detail"]).contains(why), "{why}: {p}");
    }
    // Only dispatchers and admins set hours; another tenant's technician is unknown.
    api.put(&hours(&tom_id), &tina, &every_day())
        .await?
        .problem(403)?;
    api.put(&hours(&tom_id), &tom, &every_day())
        .await?
        .problem(403)?;
    api.put(&hours(&tom_id), &t.contact, &every_day())
        .await?
        .problem(403)?;
    api.put(&hours(&stranger_id), &dispatcher, &every_day())
        .await?
        .problem(404)?;
    api.put(&hours(&tom_id), &other.admin, &every_day())
        .await?
        .problem(404)?;
    let a = api
        .put(&hours(&tom_id), &dispatcher, &every_day())
        .await?
        .expect(200)?;
    assert_eq!(a["own_hours"], true);
    assert_eq!(a["hours"].as_array().map(Vec::len), Some(14));

    // Absences: ordered, by planners for anyone, by a technician for themself.
    let holiday = json!({"from": day(1), "until": day(2), "reason": "holiday", "note": "Wedding"});
    let p = api
        .post(
            &absences(&tom_id),
            Some(&dispatcher),
            &json!({"from": day(2), "until": day(1), "reason": "sick"}),
        )
        .await?
        .problem(400)?;
    assert!(s(&p["detail"]).contains("end after it starts"), "{p}");
    api.post(&absences(&tom_id), Some(&tina), &holiday)
        .await?
        .problem(403)?;
    api.post(&absences(&tom_id), Some(&t.contact), &holiday)
        .await?
        .problem(403)?;
    api.post(&absences(&stranger_id), Some(&dispatcher), &holiday)
        .await?
        .problem(404)?;
    let own = api
        .post(&absences(&tina_id), Some(&tina), &holiday)
        .await?
        .expect(201)?;
    assert_eq!(own["reason"], "holiday");
    let absence = api
        .post(&absences(&tom_id), Some(&dispatcher), &holiday)
        .await?
        .expect(201)?;
    let a = api
        .get(
            &format!("/api/v1/technicians/{tom_id}/availability"),
            &dispatcher,
        )
        .await?
        .expect(200)?;
    assert_eq!(a["absences"].as_array().map(Vec::len), Some(1));
    assert!(
        a["unavailable"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|u| u["kind"] == "absent" && u["reason"] == "holiday"),
        "{a}"
    );
    // A technician reads their own, not a colleague's.
    api.get(&format!("/api/v1/technicians/{tom_id}/availability"), &tom)
        .await?
        .expect(200)?;
    api.get(&format!("/api/v1/technicians/{tom_id}/availability"), &tina)
        .await?
        .problem(403)?;

    // Planning into the holiday or outside the hours: 409 naming why; force plans.
    let oven = fixtures::submit_request(&stack, &t, "Oven").await?;
    let oven_wo = fixtures::accept(&stack, &t, &s(&oven["id"])).await?;
    let schedule = format!("/api/v1/work-orders/{oven_wo}/schedule");
    let plan = |start: String, end: String, force: bool| json!({"technician_ids": [tom_id], "start": start, "end": end, "force": force});
    let p = api
        .post(
            &schedule,
            Some(&dispatcher),
            &plan(at(1, 9), at(1, 11), false),
        )
        .await?
        .problem(409)?;
    assert!(
        s(&p["detail"]).contains("Tom Tech is absent (holiday"),
        "{p}"
    );
    let p = api
        .post(
            &schedule,
            Some(&dispatcher),
            &plan(at(2, 18), at(2, 19), false),
        )
        .await?
        .problem(409)?;
    assert!(
        s(&p["detail"]).contains("Tom Tech is outside working hours"),
        "{p}"
    );
    let w = api
        .get(&format!("/api/v1/work-orders/{oven_wo}"), &dispatcher)
        .await?
        .expect(200)?;
    assert_eq!(
        w["status"], "to_plan",
        "a refused plan changed the work order"
    );
    // Within the hours and not away: planned at once.
    api.post(
        &schedule,
        Some(&dispatcher),
        &plan(at(2, 9), at(2, 11), false),
    )
    .await?
    .expect(200)?;
    let w = api
        .post(
            &schedule,
            Some(&dispatcher),
            &plan(at(1, 9), at(1, 11), true),
        )
        .await?
        .expect(200)?;
    assert_eq!(w["status"], "scheduled");

    // Taking an absence back: its technician or a planner, once.
    let gone = format!(
        "/api/v1/technicians/{tom_id}/absences/{}",
        s(&absence["id"])
    );
    let answer = api.call(Method::DELETE, &gone, Some(&tina), None).await?;
    answer.problem(403)?;
    let answer = api
        .call(Method::DELETE, &gone, Some(&dispatcher), None)
        .await?;
    assert_eq!(answer.status.as_u16(), 204);
    api.call(Method::DELETE, &gone, Some(&dispatcher), None)
        .await?
        .problem(404)?;

    // Hours are the tenant's wall clock: in Paris (UTC+1 or +2) 07:00Z is
    // 08:00 or 09:00, inside the hours, and 16:00Z–17:00Z (inside them
    // read as UTC) is after 17:00.
    let settings = api
        .put(
            "/api/v1/tenant",
            &t.admin,
            &json!({"name": format!("{} services", t.slug), "portal_enabled": true,
                    "portal_all_customers": true, "registration_open": false,
                    "time_zone": "Europe/Paris"}),
        )
        .await?
        .expect(200)?;
    assert_eq!(settings["time_zone"], "Europe/Paris", "{settings}");
    let p = api
        .post(
            &schedule,
            Some(&dispatcher),
            &plan(at(3, 16), at(3, 17), false),
        )
        .await?
        .problem(409)?;
    assert!(
        s(&p["detail"]).contains("Tom Tech is outside working hours")
            && s(&p["detail"]).contains("Europe/Paris"),
        "{p}"
    );
    api.post(
        &schedule,
        Some(&dispatcher),
        &plan(at(3, 7), at(3, 8), false),
    )
    .await?
    .expect(200)?;
    Ok(())
}
