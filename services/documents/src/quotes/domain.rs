//! Quote rules (E3), pure: lines and their exact totals, what a quote must
//! hold, and when a contact may still decide on it.
use chrono::NaiveDate;

/// Lines a quote may hold.
pub const MAX_LINES: usize = 200;
const MAX_DESCRIPTION: usize = 1_000;
const MAX_TITLE: usize = 200;
/// A million units, in thousandths.
const MAX_QUANTITY_MILLI: i64 = 1_000_000_000;
/// A billion in the currency's minor unit (ten million euros).
const MAX_UNIT_PRICE_MINOR: i64 = 1_000_000_000;
/// 100 %.
const MAX_TAX_BP: i32 = 10_000;
/// How far ahead a validity date may be.
const MAX_VALID_DAYS: i64 = 3 * 366;
/// A reason to decline, a typed name.
const MAX_TEXT: usize = 2_000;

/// One line as typed, in exact units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub description: String,
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    pub tax_rate_bp: i32,
}

/// A line with its computed amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    pub line: Line,
    pub net_minor: i64,
    pub tax_minor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub net_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

/// `a × b / d`, rounded half away from zero, in 128 bits (no overflow for
/// the bounds above).
fn mul_div_round(a: i64, b: i64, d: i64) -> i64 {
    let p = i128::from(a) * i128::from(b);
    let d = i128::from(d);
    let q = (p.abs() + d / 2) / d;
    i64::try_from(if p < 0 { -q } else { q }).unwrap_or(i64::MAX)
}

/// Each line's net (quantity × unit price) and tax, both rounded to the
/// minor unit per line, as an invoice prints them; the totals are their sums.
pub fn price(lines: Vec<Line>) -> (Vec<PricedLine>, Totals) {
    let mut totals = Totals::default();
    let priced = lines
        .into_iter()
        .map(|line| {
            let net_minor = mul_div_round(line.quantity_milli, line.unit_price_minor, 1_000);
            let tax_minor = mul_div_round(net_minor, i64::from(line.tax_rate_bp), 10_000);
            totals.net_minor += net_minor;
            totals.tax_minor += tax_minor;
            PricedLine {
                line,
                net_minor,
                tax_minor,
            }
        })
        .collect();
    totals.total_minor = totals.net_minor + totals.tax_minor;
    (priced, totals)
}

/// What is wrong with a new quote, said so the person who typed it can fix
/// it; lines are numbered from 1.
pub fn check_new(
    title: &str,
    lines: &[Line],
    valid_until: NaiveDate,
    today: NaiveDate,
) -> Result<(), String> {
    check_title_and_lines(title, lines)?;
    if valid_until < today {
        return Err("valid_until is in the past".into());
    }
    if (valid_until - today).num_days() > MAX_VALID_DAYS {
        return Err("valid_until is more than three years ahead".into());
    }
    Ok(())
}

/// The title and lines of a quote or an invoice.
pub fn check_title_and_lines(title: &str, lines: &[Line]) -> Result<(), String> {
    if title.trim().is_empty() {
        return Err("title is required".into());
    }
    if title.chars().count() > MAX_TITLE {
        return Err(format!("title is longer than {MAX_TITLE} characters"));
    }
    if lines.is_empty() {
        return Err("a quote needs at least one line".into());
    }
    if lines.len() > MAX_LINES {
        return Err(format!("a quote holds at most {MAX_LINES} lines"));
    }
    for (n, l) in lines.iter().enumerate() {
        let n = n + 1;
        if l.description.trim().is_empty() {
            return Err(format!("line {n}: description is required"));
        }
        if l.description.chars().count() > MAX_DESCRIPTION {
            return Err(format!(
                "line {n}: description is longer than {MAX_DESCRIPTION} characters"
            ));
        }
        if l.quantity_milli <= 0 || l.quantity_milli > MAX_QUANTITY_MILLI {
            return Err(format!(
                "line {n}: quantity must be more than 0 and at most 1 000 000"
            ));
        }
        if l.unit_price_minor < 0 || l.unit_price_minor > MAX_UNIT_PRICE_MINOR {
            return Err(format!(
                "line {n}: unit price must be between 0 and 10 000 000"
            ));
        }
        if !(0..=MAX_TAX_BP).contains(&l.tax_rate_bp) {
            return Err(format!("line {n}: tax rate must be between 0 and 100 %"));
        }
    }
    Ok(())
}

/// Where a quote stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Sent,
    Accepted,
    Declined,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Sent => "sent",
            Status::Accepted => "accepted",
            Status::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sent" => Some(Status::Sent),
            "accepted" => Some(Status::Accepted),
            "declined" => Some(Status::Declined),
            _ => None,
        }
    }
}

/// The status a reader sees: a sent quote past its last day is expired.
pub fn shown_status(status: Status, valid_until: NaiveDate, today: NaiveDate) -> &'static str {
    match status {
        Status::Sent if today > valid_until => "expired",
        s => s.as_str(),
    }
}

/// What a contact decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Accept { signer_name: String },
    Decline { reason: String },
}

/// Why a decision is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Bad input: the message says which.
    Invalid(String),
    /// The quote is past deciding: decided already, or expired.
    Closed(String),
}

/// A decision as typed: an acceptance names its signer and carries a
/// drawn signature, a refusal its reason.
pub fn check_decision(decision: &Decision, has_signature: bool) -> Result<(), Refusal> {
    match decision {
        Decision::Accept { signer_name } => {
            if signer_name.trim().is_empty() {
                return Err(Refusal::Invalid("signer_name is required to accept".into()));
            }
            if signer_name.chars().count() > 200 {
                return Err(Refusal::Invalid(
                    "signer_name is longer than 200 characters".into(),
                ));
            }
            if !has_signature {
                return Err(Refusal::Invalid(
                    "a drawn signature (signature_png) is required to accept".into(),
                ));
            }
        }
        Decision::Decline { reason } => {
            if reason.trim().is_empty() {
                return Err(Refusal::Invalid("a reason is required to decline".into()));
            }
            if reason.chars().count() > MAX_TEXT {
                return Err(Refusal::Invalid(format!(
                    "reason is longer than {MAX_TEXT} characters"
                )));
            }
        }
    }
    Ok(())
}

/// Whether the quote can still be decided on `today` (its last day counts).
pub fn may_decide(status: Status, valid_until: NaiveDate, today: NaiveDate) -> Result<(), Refusal> {
    match status {
        Status::Accepted => Err(Refusal::Closed("the quote was already accepted".into())),
        Status::Declined => Err(Refusal::Closed("the quote was already declined".into())),
        Status::Sent if today > valid_until => Err(Refusal::Closed(format!(
            "the quote expired after {valid_until}"
        ))),
        Status::Sent => Ok(()),
    }
}

/// A decision is made on the exact PDF: a hash given by the client must be
/// the quote's (hex, any case); none given is fine.
pub fn hash_matches(given: &str, stored_hex: &str) -> bool {
    let given = given.trim();
    given.is_empty() || given.eq_ignore_ascii_case(stored_hex)
}

/// Money as the PDF prints it: "1 234.50 EUR".
pub fn money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02} {currency}", abs % 100)
}

/// A quantity in thousandths, without trailing zeros: 2, 1.5, 0.125.
pub fn quantity(milli: i64) -> String {
    let whole = milli / 1000;
    let frac = (milli % 1000).abs();
    if frac == 0 {
        return whole.to_string();
    }
    let f = format!("{frac:03}");
    format!("{whole}.{}", f.trim_end_matches('0'))
}

/// A tax rate in hundredths of a percent: "20 %", "5.5 %".
pub fn rate(bp: i32) -> String {
    format!("{} %", quantity(i64::from(bp) * 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(q: i64, p: i64, t: i32) -> Line {
        Line {
            description: "Filter".into(),
            quantity_milli: q,
            unit_price_minor: p,
            tax_rate_bp: t,
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn totals_are_exact_and_rounded_per_line() {
        // 2 × 19.99 at 20 % = 39.98 + 8.00 (7.996 rounded).
        // 1.5 h × 45.00 at 5.5 % = 67.50 + 3.71 (3.7125 rounded).
        let (priced, totals) = price(vec![line(2_000, 1_999, 2_000), line(1_500, 4_500, 550)]);
        assert_eq!((priced[0].net_minor, priced[0].tax_minor), (3_998, 800));
        assert_eq!((priced[1].net_minor, priced[1].tax_minor), (6_750, 371));
        assert_eq!(
            totals,
            Totals {
                net_minor: 10_748,
                tax_minor: 1_171,
                total_minor: 11_919
            }
        );
        // The largest allowed line does not overflow.
        let (_, big) = price(vec![line(
            MAX_QUANTITY_MILLI,
            MAX_UNIT_PRICE_MINOR,
            MAX_TAX_BP,
        )]);
        assert_eq!(big.net_minor, 1_000_000_000_000_000);
        assert_eq!(big.total_minor, 2_000_000_000_000_000);
    }

    #[test]
    fn a_new_quote_names_what_is_wrong() {
        let today = day("2027-03-01");
        let ok = [line(1_000, 100, 2_000)];
        assert_eq!(check_new("Repair", &ok, day("2027-03-31"), today), Ok(()));
        assert_eq!(check_new("Repair", &ok, today, today), Ok(()));
        assert!(check_new(" ", &ok, today, today).is_err());
        assert!(check_new("Repair", &[], today, today).is_err());
        let past = check_new("Repair", &ok, day("2027-02-28"), today);
        assert!(past.is_err_and(|e| e.contains("past")));
        assert!(check_new("Repair", &ok, day("2031-01-01"), today).is_err());
        let bad = [line(1_000, 100, 2_000), line(0, 100, 2_000)];
        let e = check_new("Repair", &bad, today, today);
        assert!(e.is_err_and(|e| e.starts_with("line 2: quantity")));
        assert!(check_new("Repair", &[line(1_000, -1, 0)], today, today).is_err());
        assert!(check_new("Repair", &[line(1_000, 1, 10_001)], today, today).is_err());
        let many = vec![line(1_000, 1, 0); MAX_LINES + 1];
        assert!(check_new("Repair", &many, today, today).is_err());
    }

    #[test]
    fn a_quote_is_decided_once_and_not_after_its_last_day() {
        let last = day("2027-03-31");
        assert_eq!(may_decide(Status::Sent, last, last), Ok(()));
        assert!(matches!(
            may_decide(Status::Sent, last, day("2027-04-01")),
            Err(Refusal::Closed(_))
        ));
        assert!(matches!(
            may_decide(Status::Accepted, last, last),
            Err(Refusal::Closed(_))
        ));
        assert!(matches!(
            may_decide(Status::Declined, last, last),
            Err(Refusal::Closed(_))
        ));
        assert_eq!(
            shown_status(Status::Sent, last, day("2027-04-01")),
            "expired"
        );
        assert_eq!(
            shown_status(Status::Accepted, last, day("2027-04-01")),
            "accepted"
        );
        assert_eq!(shown_status(Status::Sent, last, last), "sent");
    }

    #[test]
    fn an_acceptance_is_signed_and_a_refusal_says_why() {
        let accept = |n: &str| Decision::Accept {
            signer_name: n.into(),
        };
        assert_eq!(check_decision(&accept("Jean Dupont"), true), Ok(()));
        assert!(check_decision(&accept("Jean Dupont"), false).is_err());
        assert!(check_decision(&accept("  "), true).is_err());
        let decline = |r: &str| Decision::Decline { reason: r.into() };
        assert_eq!(check_decision(&decline("Too expensive"), false), Ok(()));
        assert!(check_decision(&decline(""), false).is_err());
    }

    #[test]
    fn a_given_hash_must_be_the_quotes() {
        assert!(hash_matches("", "ab12"));
        assert!(hash_matches("AB12", "ab12"));
        assert!(!hash_matches("ab13", "ab12"));
    }

    #[test]
    fn amounts_print_with_grouped_thousands() {
        assert_eq!(money(11_919, "EUR"), "119.19 EUR");
        assert_eq!(money(123_456_789, "PLN"), "1\u{202f}234\u{202f}567.89 PLN");
        assert_eq!(money(5, "CHF"), "0.05 CHF");
        assert_eq!(quantity(1_500), "1.5");
        assert_eq!(quantity(2_000), "2");
        assert_eq!(quantity(125), "0.125");
        assert_eq!(rate(550), "5.5 %");
        assert_eq!(rate(2_000), "20 %");
    }
}
