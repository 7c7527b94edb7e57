//! The rules of recurring inspection plans, free of I/O.
use chrono::{Duration, Months, NaiveDate};

use crate::planning::domain::Refusal;

/// A plan as staff give it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub title: String,
    pub every_months: i32,
    pub lead_days: i32,
    pub next_due: NaiveDate,
}

fn invalid(m: impl Into<String>) -> Refusal {
    Refusal::Invalid(m.into())
}

/// Title required (at most 200 characters); every 1 to 120 months; made 0
/// to 365 days ahead (30 when not given); the first due date not in the
/// past.
pub fn plan(
    title: &str,
    every_months: i32,
    lead_days: Option<i32>,
    next_due: &str,
    today: NaiveDate,
) -> Result<Plan, Refusal> {
    let title = title.trim();
    if title.is_empty() {
        return Err(invalid("title is required"));
    }
    if title.chars().count() > 200 || title.chars().any(char::is_control) {
        return Err(invalid("title is at most 200 characters, on one line"));
    }
    if !(1..=120).contains(&every_months) {
        return Err(invalid("every_months is 1 to 120"));
    }
    let lead_days = lead_days.unwrap_or(30);
    if !(0..=365).contains(&lead_days) {
        return Err(invalid("lead_days is 0 to 365"));
    }
    let next_due = NaiveDate::parse_from_str(next_due.trim(), "%Y-%m-%d")
        .map_err(|_| invalid("next_due is a date (YYYY-MM-DD)"))?;
    if next_due < today {
        return Err(invalid("next_due cannot be in the past"));
    }
    Ok(Plan {
        title: title.to_owned(),
        every_months,
        lead_days,
        next_due,
    })
}

/// Whether the work order for `next_due` is to be made on `today`.
pub fn is_due(next_due: NaiveDate, lead_days: i32, today: NaiveDate) -> bool {
    next_due - Duration::days(i64::from(lead_days)) <= today
}

/// The due date after `due`: `every` months later, on the last day of a
/// shorter month (31 Jan + 1 month = 28 or 29 Feb).
pub fn advance(due: NaiveDate, every_months: i32) -> NaiveDate {
    let months = Months::new(u32::try_from(every_months.max(1)).unwrap_or(1));
    due.checked_add_months(months).unwrap_or(due)
}

/// The work order's title: the plan's, with the period it is for.
pub fn work_title(title: &str, due: NaiveDate) -> String {
    format!("{title} (due {})", due.format("%Y-%m"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn a_plan_is_checked() {
        let today = d("2026-12-05");
        assert_eq!(
            plan(" Fire safety ", 12, None, "2027-01-15", today),
            Ok(Plan {
                title: "Fire safety".into(),
                every_months: 12,
                lead_days: 30,
                next_due: d("2027-01-15")
            })
        );
        for (title, every, lead, due) in [
            ("", 12, None, "2027-01-15"),
            ("x", 0, None, "2027-01-15"),
            ("x", 121, None, "2027-01-15"),
            ("x", 12, Some(-1), "2027-01-15"),
            ("x", 12, Some(366), "2027-01-15"),
            ("x", 12, None, "2026-12-04"),
            ("x", 12, None, "15/01/2027"),
        ] {
            assert!(
                plan(title, every, lead, due, today).is_err(),
                "{title} {every} {lead:?} {due}"
            );
        }
    }

    #[test]
    fn the_work_is_made_lead_days_ahead() {
        assert!(!is_due(d("2027-01-15"), 30, d("2026-12-15")));
        assert!(is_due(d("2027-01-15"), 30, d("2026-12-16")));
        assert!(is_due(d("2027-01-15"), 0, d("2027-01-15")));
        assert!(
            is_due(d("2027-01-15"), 0, d("2027-02-01")),
            "overdue stays due"
        );
    }

    #[test]
    fn periods_follow_the_calendar() {
        assert_eq!(advance(d("2027-01-31"), 1), d("2027-02-28"));
        assert_eq!(advance(d("2027-03-15"), 12), d("2028-03-15"));
        assert_eq!(advance(d("2027-03-15"), 6), d("2027-09-15"));
        assert_eq!(
            work_title("Fire safety", d("2027-09-15")),
            "Fire safety (due 2027-09)"
        );
    }
}
