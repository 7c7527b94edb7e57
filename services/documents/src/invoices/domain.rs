//! Invoice rules, pure: numbers, due dates, payment status, what may
//! happen to a draft or a final invoice.
use chrono::{Duration, NaiveDate};

/// Days to pay when the invoice does not say.
pub const DEFAULT_PAYMENT_DAYS: i32 = 30;

/// The number of the `n`th invoice finalised in `year`: INV-2027-0001.
pub fn number(year: i32, n: i32) -> String {
    format!("INV-{year}-{n:04}")
}

/// The due date of an invoice finalised on `issued_on`.
pub fn due_on(issued_on: NaiveDate, payment_days: i32) -> NaiveDate {
    let days = if payment_days <= 0 {
        DEFAULT_PAYMENT_DAYS
    } else {
        payment_days
    };
    issued_on + Duration::days(i64::from(days))
}

/// Days to pay as typed: 0 means the default; at most a year.
pub fn check_payment_days(days: i32) -> Result<i32, String> {
    match days {
        0 => Ok(DEFAULT_PAYMENT_DAYS),
        1..=365 => Ok(days),
        _ => Err("payment_days must be between 1 and 365".into()),
    }
}

/// Where a final invoice stands with its payment; a draft has none.
pub fn payment(
    final_: bool,
    paid: bool,
    due_on: Option<NaiveDate>,
    today: NaiveDate,
) -> &'static str {
    match (final_, paid, due_on) {
        (false, _, _) => "",
        (true, true, _) => "paid",
        (true, false, Some(due)) if today > due => "overdue",
        (true, false, _) => "unpaid",
    }
}

/// Why a change is refused.
pub fn may_finalize(final_: bool) -> Result<(), String> {
    if final_ {
        Err("the invoice is already final".into())
    } else {
        Ok(())
    }
}

pub fn may_mark_paid(final_: bool, paid: bool) -> Result<(), String> {
    match (final_, paid) {
        (false, _) => Err("a draft cannot be paid: finalise it first".into()),
        (true, true) => Err("the invoice is already paid".into()),
        (true, false) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn numbers_run_per_year_with_four_digits() {
        assert_eq!(number(2027, 1), "INV-2027-0001");
        assert_eq!(number(2027, 12345), "INV-2027-12345");
    }

    #[test]
    fn due_dates_count_from_the_issue() {
        assert_eq!(due_on(day("2027-01-31"), 0), day("2027-03-02"));
        assert_eq!(due_on(day("2027-01-31"), 14), day("2027-02-14"));
        assert_eq!(check_payment_days(0), Ok(30));
        assert!(check_payment_days(400).is_err());
        assert!(check_payment_days(-1).is_err());
    }

    #[test]
    fn unpaid_after_the_due_day_is_overdue() {
        let due = Some(day("2027-02-14"));
        assert_eq!(payment(false, false, None, day("2027-03-01")), "");
        assert_eq!(payment(true, false, due, day("2027-02-14")), "unpaid");
        assert_eq!(payment(true, false, due, day("2027-02-15")), "overdue");
        assert_eq!(payment(true, true, due, day("2027-03-01")), "paid");
    }

    #[test]
    fn a_draft_is_finalised_once_and_paid_after() {
        assert!(may_finalize(false).is_ok());
        assert!(may_finalize(true).is_err());
        assert!(may_mark_paid(false, false).is_err());
        assert!(may_mark_paid(true, false).is_ok());
        assert!(may_mark_paid(true, true).is_err());
    }
}
