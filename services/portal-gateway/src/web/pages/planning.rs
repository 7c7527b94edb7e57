//! What the work-order pages share and can decide without a service: the
//! calendar of the board (weeks, days, the half-hour grid, lanes of
//! overlapping work), the plan form's fields, and times as the pages say
//! them. Times travel in UTC; the pages read, draw and take them on the
//! tenant's clock (`Zone`).
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use portal_platform::zone::Zone;
use portal_proto::work_orders::v1 as pb;
use serde::Serialize;

use crate::web::csrf::Form;
use crate::web::i18n::{self, Arg};

/// The board shows 06:00 to 22:00 of each day in half hours; work outside
/// is drawn at the edge (its own times are written on it).
pub const FIRST_HOUR: i64 = 6;
pub const LAST_HOUR: i64 = 22;
pub const SLOT_MINUTES: i64 = 30;
pub const SLOTS: i64 = (LAST_HOUR - FIRST_HOUR) * 60 / SLOT_MINUTES;
/// Lanes side by side for overlapping work (more are drawn in the last).
pub const MAX_LANES: usize = 4;

/// Today on the tenant's clock.
pub fn today(zone: Zone) -> NaiveDate {
    zone.date(Utc::now())
}

/// `YYYY-MM-DD` from a query, else today.
pub fn parse_day(zone: Zone, s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").unwrap_or_else(|_| today(zone))
}

pub fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// The start of day `d` on the tenant's clock.
pub fn midnight(zone: Zone, d: NaiveDate) -> DateTime<Utc> {
    zone.midnight(d)
}

/// `hour`:00 of day `d` on the tenant's clock.
fn at_hour(zone: Zone, d: NaiveDate, hour: i64) -> DateTime<Utc> {
    let h = u32::try_from(hour.clamp(0, 23)).unwrap_or(0);
    zone.instant(
        d,
        NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN),
    )
}

/// 1 (Monday) to 7, for the `weekday-N` messages.
pub fn weekday(d: NaiveDate) -> u32 {
    d.weekday().number_from_monday()
}

/// `08:00` on the tenant's clock.
pub fn hm(zone: Zone, t: DateTime<Utc>) -> String {
    zone.hm(t)
}

/// A planned window as mails write it: `2026-03-09 09:00 – 11:00 CET`.
pub fn window_text(zone: Zone, start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> String {
    match (start, end) {
        (Some(s), Some(e)) => zone.window_text(s, e),
        (Some(s), None) => zone.at_text(s),
        _ => String::new(),
    }
}

/// `09:00 – 11:00 CET` for work within one day, else as `window_text`.
pub fn hours_text(zone: Zone, start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> String {
    match (start, end) {
        (Some(s), Some(e)) if zone.date(s) == zone.date(e) => {
            format!("{} – {} {}", zone.hm(s), zone.hm(e), zone.abbreviation(s))
        }
        _ => window_text(zone, start, end),
    }
}

/// `2026-03-09 14:05 CET`.
pub fn at_text(zone: Zone, t: Option<DateTime<Utc>>) -> String {
    t.map(|t| zone.at_text(t)).unwrap_or_default()
}

/// The grid lines (1 to `SLOTS + 1`) that a window covers on `day`, clamped
/// to the hours shown, at least one slot; `None` when it misses the day.
pub fn lines(
    zone: Zone,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    day: NaiveDate,
) -> Option<(i64, i64)> {
    let day_start = midnight(zone, day);
    let day_end = midnight(zone, day + Duration::days(1));
    if end <= day_start || start >= day_end || end <= start {
        return None;
    }
    let shown = at_hour(zone, day, FIRST_HOUR);
    let minutes = |t: DateTime<Utc>| (t - shown).num_minutes();
    let from = minutes(start.max(day_start)).div_euclid(SLOT_MINUTES);
    let to = (minutes(end.min(day_end)) + SLOT_MINUTES - 1).div_euclid(SLOT_MINUTES);
    let from = from.clamp(0, SLOTS - 1);
    let to = to.clamp(from + 1, SLOTS);
    Some((from + 1, to + 1))
}

/// The grid lines a span a technician is not free covers on `day`, rounded
/// outwards to half hours (the board warns rather than hides); `None` when it
/// misses the hours shown. Unlike `lines`, nothing is drawn at the edge.
pub fn span_lines(
    zone: Zone,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    day: NaiveDate,
) -> Option<(i64, i64)> {
    let shown = at_hour(zone, day, FIRST_HOUR);
    let (from, to) = (start.max(shown), end.min(at_hour(zone, day, LAST_HOUR)));
    if to <= from {
        return None;
    }
    let minutes = |t: DateTime<Utc>| (t - shown).num_minutes();
    let first = minutes(from).div_euclid(SLOT_MINUTES);
    let last = (minutes(to) + SLOT_MINUTES - 1).div_euclid(SLOT_MINUTES);
    Some((first + 1, last.min(SLOTS) + 1))
}

/// The lane (1-based) of each window, in the order given (by start): a
/// window goes into the first lane free by its start.
pub fn lanes(windows: &[(DateTime<Utc>, DateTime<Utc>)]) -> Vec<usize> {
    let mut ends: Vec<DateTime<Utc>> = Vec::new();
    windows
        .iter()
        .map(|(start, end)| match ends.iter().position(|e| e <= start) {
            Some(i) => {
                ends[i] = *end;
                (i + 1).min(MAX_LANES)
            }
            None => {
                ends.push(*end);
                ends.len().min(MAX_LANES)
            }
        })
        .collect()
}

/// Whether each window overlaps another of the list.
pub fn overlapping(windows: &[(DateTime<Utc>, DateTime<Utc>)]) -> Vec<bool> {
    windows
        .iter()
        .enumerate()
        .map(|(i, (s, e))| {
            windows
                .iter()
                .enumerate()
                .any(|(j, (s2, e2))| i != j && s < e2 && s2 < e)
        })
        .collect()
}

/// What the plan form holds (also shown again after a refusal).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlanFields {
    pub technician_ids: Vec<String>,
    pub date: String,
    pub start: String,
    pub end: String,
    pub force: bool,
}

/// The form's defaults: a morning's two hours, tomorrow.
pub const DEFAULT_START: &str = "08:00";
pub const DEFAULT_END: &str = "10:00";

impl PlanFields {
    pub fn of(form: &Form) -> Self {
        Self {
            technician_ids: form.all("technician_ids"),
            date: form.get("date"),
            start: form.get("start"),
            end: form.get("end"),
            force: form.flag("force"),
        }
    }

    /// The form as it opens for work planned at `start`–`end` (or not yet).
    pub fn prefilled(
        zone: Zone,
        technician_ids: Vec<String>,
        start: Option<DateTime<Utc>>,
        end: Option<DateTime<Utc>>,
    ) -> Self {
        match (start, end) {
            (Some(s), Some(e)) => Self {
                technician_ids,
                date: zone.date(s).format("%Y-%m-%d").to_string(),
                start: zone.hm(s),
                end: zone.hm(e),
                force: false,
            },
            _ => Self {
                technician_ids,
                date: (today(zone) + Duration::days(1))
                    .format("%Y-%m-%d")
                    .to_string(),
                start: DEFAULT_START.into(),
                end: DEFAULT_END.into(),
                force: false,
            },
        }
    }

    /// The planned window, typed on the tenant's clock, or the message key
    /// of what is wrong. The end is on the same day (longer work is planned
    /// through the API).
    pub fn window(&self, zone: Zone) -> Result<(DateTime<Utc>, DateTime<Utc>), &'static str> {
        if self.technician_ids.is_empty() {
            return Err("error-plan-technician");
        }
        let Ok(day) = NaiveDate::parse_from_str(&self.date, "%Y-%m-%d") else {
            return Err("error-date");
        };
        let time = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").ok();
        let (Some(start), Some(end)) = (time(&self.start), time(&self.end)) else {
            return Err("error-plan-time");
        };
        if end <= start {
            return Err("error-plan-order");
        }
        Ok((zone.instant(day, start), zone.instant(day, end)))
    }

    pub fn request(
        &self,
        id: &str,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
    ) -> pb::ScheduleWorkOrderRequest {
        pb::ScheduleWorkOrderRequest {
            id: id.to_owned(),
            technician_ids: self.technician_ids.clone(),
            start: Some(portal_platform::time::to_proto(start)),
            end: Some(portal_platform::time::to_proto(end)),
            force: self.force,
        }
    }
}

/// A plan form on a page (`plan_form.html`): where it posts, what it holds,
/// and what the service said to the last try.
#[derive(Debug, Clone, Serialize)]
pub struct PlanForm {
    /// The work order's id.
    pub id: String,
    pub action: String,
    pub values: PlanFields,
    /// The service found a technician busy: the "plan anyway" box shows.
    pub busy: bool,
    pub error: Option<String>,
    /// The board's view and day, to come back to (board forms only).
    pub view: Option<&'static str>,
    pub at: Option<String>,
}

/// A technician is busy then: work-orders answers a conflict (409), which
/// `force` overrides; other refusals (wrong state) are not offered it.
pub fn busy(s: &tonic::Status) -> bool {
    s.code() == tonic::Code::AlreadyExists
        && s.metadata()
            .get(portal_platform::errors::PROBLEM_HEADER)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|p| p == "conflict")
}

/// A busy refusal in the reader's words, with the service's list of the
/// other work (names, titles and times need no translation).
pub fn busy_text(lang: &str, s: &tonic::Status) -> String {
    let detail = s.message().trim();
    let detail = detail.strip_prefix("busy then:").unwrap_or(detail);
    let detail = detail
        .strip_suffix("; plan anyway with force")
        .unwrap_or(detail);
    i18n::text(
        lang,
        "error-plan-busy",
        &[("detail", Arg::Str(detail.trim().to_owned()))],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(monday_of(day("2026-03-12")), day("2026-03-09"));
        assert_eq!(monday_of(day("2026-03-09")), day("2026-03-09"));
        assert_eq!(monday_of(day("2026-03-15")), day("2026-03-09"));
        assert_eq!(weekday(day("2026-03-15")), 7);
        assert_eq!(parse_day(Zone::UTC, "garbage"), today(Zone::UTC));
    }

    #[test]
    fn windows_become_grid_lines_clamped_to_the_day_shown() {
        let d = day("2026-03-09");
        type Case<'a> = (&'a str, &'a str, Option<(i64, i64)>);
        let cases: &[Case] = &[
            // 08:00–10:00: slots 4..8 (06:00 is line 1).
            ("2026-03-09T08:00:00Z", "2026-03-09T10:00:00Z", Some((5, 9))),
            // Quarter hours round outwards.
            ("2026-03-09T08:15:00Z", "2026-03-09T08:45:00Z", Some((5, 7))),
            // Before 06:00 sits at the top, at least one slot.
            ("2026-03-09T04:00:00Z", "2026-03-09T05:00:00Z", Some((1, 2))),
            (
                "2026-03-09T21:00:00Z",
                "2026-03-10T02:00:00Z",
                Some((31, 33)),
            ),
            // The next day's part of work spanning midnight.
            ("2026-03-08T20:00:00Z", "2026-03-09T07:00:00Z", Some((1, 3))),
            ("2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z", None),
            ("2026-03-08T08:00:00Z", "2026-03-09T00:00:00Z", None),
        ];
        for (s, e, want) in cases {
            assert_eq!(lines(Zone::UTC, t(s), t(e), d), *want, "{s} – {e}");
        }
        // On a Paris tenant's board, 08:00Z is 09:00 there: two slots lower.
        let paris = Zone::or_utc("Europe/Paris");
        assert_eq!(
            lines(
                paris,
                t("2026-03-09T08:00:00Z"),
                t("2026-03-09T10:00:00Z"),
                d
            ),
            Some((7, 11))
        );
        // 23:30Z on the 8th is already the 9th there.
        assert_eq!(
            lines(
                paris,
                t("2026-03-08T23:30:00Z"),
                t("2026-03-09T00:30:00Z"),
                d
            ),
            Some((1, 2))
        );
    }

    #[test]
    fn spans_not_free_cover_only_the_hours_shown() {
        let d = day("2026-03-09");
        let span = |s: &str, e: &str| span_lines(Zone::UTC, t(s), t(e), d);
        // Off until 08:00: 06:00–08:00 is shaded, nothing at the edge.
        assert_eq!(
            span("2026-03-09T00:00:00Z", "2026-03-09T08:00:00Z"),
            Some((1, 5))
        );
        assert_eq!(
            span("2026-03-09T17:00:00Z", "2026-03-10T00:00:00Z"),
            Some((23, 33))
        );
        assert_eq!(
            span("2026-03-09T12:00:00Z", "2026-03-09T13:00:00Z"),
            Some((13, 15))
        );
        assert_eq!(span("2026-03-09T00:00:00Z", "2026-03-09T05:00:00Z"), None);
        assert_eq!(span("2026-03-09T22:30:00Z", "2026-03-10T00:00:00Z"), None);
        // A whole absent day.
        assert_eq!(
            span("2026-03-08T00:00:00Z", "2026-03-11T00:00:00Z"),
            Some((1, 33))
        );
    }

    #[test]
    fn overlapping_work_gets_lanes_and_a_mark() {
        let w = [
            (t("2026-03-09T08:00:00Z"), t("2026-03-09T10:00:00Z")),
            (t("2026-03-09T09:00:00Z"), t("2026-03-09T11:00:00Z")),
            (t("2026-03-09T10:00:00Z"), t("2026-03-09T12:00:00Z")),
            (t("2026-03-09T13:00:00Z"), t("2026-03-09T14:00:00Z")),
        ];
        assert_eq!(lanes(&w), vec![1, 2, 1, 1]);
        assert_eq!(overlapping(&w), vec![true, true, true, false]);
        let crowded = vec![w[0]; 6];
        assert_eq!(lanes(&crowded), vec![1, 2, 3, 4, 4, 4]);
    }

    #[test]
    fn times_read_as_the_other_pages_write_them() {
        let s = t("2026-03-09T08:00:00Z");
        let utc = Zone::UTC;
        assert_eq!(
            window_text(utc, Some(s), Some(t("2026-03-09T10:30:00Z"))),
            "2026-03-09 08:00 – 10:30 UTC"
        );
        assert_eq!(
            window_text(utc, Some(s), Some(t("2026-03-10T10:30:00Z"))),
            "2026-03-09 08:00 – 2026-03-10 10:30 UTC"
        );
        assert_eq!(window_text(utc, None, None), "");
        assert_eq!(
            hours_text(utc, Some(s), Some(t("2026-03-09T10:30:00Z"))),
            "08:00 – 10:30 UTC"
        );
        assert_eq!(at_text(utc, Some(s)), "2026-03-09 08:00 UTC");
        let paris = Zone::or_utc("Europe/Paris");
        assert_eq!(
            hours_text(paris, Some(s), Some(t("2026-03-09T10:30:00Z"))),
            "09:00 – 11:30 CET"
        );
        assert_eq!(at_text(paris, Some(s)), "2026-03-09 09:00 CET");
    }

    #[test]
    fn the_plan_form_says_what_is_wrong() {
        let ok = PlanFields {
            technician_ids: vec!["0192f0aa-1b2c-7000-8000-000000000001".into()],
            date: "2026-03-09".into(),
            start: "08:00".into(),
            end: "10:30".into(),
            force: false,
        };
        assert_eq!(
            ok.window(Zone::UTC),
            Ok((t("2026-03-09T08:00:00Z"), t("2026-03-09T10:30:00Z")))
        );
        // Typed on a Paris tenant's clock.
        assert_eq!(
            ok.window(Zone::or_utc("Europe/Paris")),
            Ok((t("2026-03-09T07:00:00Z"), t("2026-03-09T09:30:00Z")))
        );
        let with = |f: &dyn Fn(&mut PlanFields)| {
            let mut p = ok.clone();
            f(&mut p);
            p.window(Zone::UTC)
        };
        assert_eq!(
            with(&|p| p.technician_ids.clear()),
            Err("error-plan-technician")
        );
        assert_eq!(with(&|p| p.date = "09/03/2026".into()), Err("error-date"));
        assert_eq!(with(&|p| p.start = "8h".into()), Err("error-plan-time"));
        assert_eq!(with(&|p| p.end = "08:00".into()), Err("error-plan-order"));
        let form = Form(vec![
            ("technician_ids".into(), "a".into()),
            ("technician_ids".into(), "b".into()),
            ("date".into(), " 2026-03-09 ".into()),
            ("force".into(), "true".into()),
        ]);
        let p = PlanFields::of(&form);
        assert_eq!(p.technician_ids, vec!["a", "b"]);
        assert_eq!(p.date, "2026-03-09");
        assert!(p.force);
        let r = ok.request("wo", ok.window(Zone::UTC).unwrap_or_default());
        assert_eq!(r.technician_ids.len(), 1);
        assert!(!r.force);
    }

    #[test]
    fn a_busy_conflict_is_told_apart_and_said_plainly() {
        let busy_status = tonic::Status::from(portal_platform::errors::ServiceError::Conflict(
            "busy then: Tom has \"Oven\" (2026-03-09 08:00 – 2026-03-09 10:00 UTC); plan anyway with force".into(),
        ));
        assert!(busy(&busy_status));
        let text = busy_text("en", &busy_status);
        assert!(text.contains("Tom has \"Oven\""), "{text}");
        assert!(!text.contains("with force"), "{text}");
        let wrong_state = tonic::Status::from(portal_platform::errors::ServiceError::WrongState(
            "the work order is completed".into(),
        ));
        assert!(!busy(&wrong_state));
    }
}
