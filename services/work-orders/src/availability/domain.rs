//! When a technician works, free of I/O: a week of working hours, absences,
//! whether a planned window fits them, and the spans of a range a technician
//! is not free (for the board).
//!
//! Working hours are wall-clock times in the tenant's zone: Mon 08:00–17:00
//! in Paris is 07:00–16:00Z in winter and 06:00–15:00Z in summer. Windows
//! and absences are instants (UTC); days are the zone's days.
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use portal_platform::zone::Zone;
use uuid::Uuid;

use crate::planning::domain::{Refusal, Window};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type)]
#[sqlx(type_name = "weekday", rename_all = "lowercase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Self::Monday,
        Self::Tuesday,
        Self::Wednesday,
        Self::Thursday,
        Self::Friday,
        Self::Saturday,
        Self::Sunday,
    ];

    pub fn of(day: NaiveDate) -> Self {
        Self::ALL[day.weekday().num_days_from_monday() as usize]
    }

    /// 1 (Monday) to 7.
    pub fn number(self) -> u32 {
        self as u32 + 1
    }

    pub fn from_number(n: u32) -> Option<Self> {
        n.checked_sub(1)
            .and_then(|i| Self::ALL.get(i as usize).copied())
    }

    fn short(self) -> &'static str {
        match self {
            Self::Monday => "Mon",
            Self::Tuesday => "Tue",
            Self::Wednesday => "Wed",
            Self::Thursday => "Thu",
            Self::Friday => "Fri",
            Self::Saturday => "Sat",
            Self::Sunday => "Sun",
        }
    }
}

/// One stretch of working time on a weekday, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Interval {
    /// From minutes after midnight, as the API sends them. An interval stays
    /// within its day: a `time` column cannot hold 24:00, so it ends by 23:59.
    pub fn from_minutes(weekday: Weekday, start: i32, end: i32) -> Result<Self, Refusal> {
        let time = |m: i32| {
            u32::try_from(m)
                .ok()
                .filter(|m| *m < 24 * 60)
                .and_then(|m| NaiveTime::from_hms_opt(m / 60, m % 60, 0))
        };
        let (Some(s), Some(e)) = (time(start), time(end)) else {
            return Err(Refusal::Invalid(
                "working hours are times of one day, from 00:00 to 23:59".into(),
            ));
        };
        if e <= s {
            return Err(Refusal::Invalid(format!(
                "working hours on {}: the end must be after the start",
                weekday.short()
            )));
        }
        Ok(Self {
            weekday,
            start: s,
            end: e,
        })
    }
}

/// A day holds at most this many stretches (a split shift needs two or three).
const MAX_PER_DAY: usize = 6;

/// A checked week: each day's stretches in order and apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Week(Vec<Interval>);

impl Week {
    pub fn new(mut intervals: Vec<Interval>) -> Result<Self, Refusal> {
        intervals.sort_by_key(|i| (i.weekday, i.start));
        for pair in intervals.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if a.weekday == b.weekday && b.start < a.end {
                return Err(Refusal::Invalid(format!(
                    "working hours on {} overlap ({}–{} and {}–{})",
                    a.weekday.short(),
                    a.start.format("%H:%M"),
                    a.end.format("%H:%M"),
                    b.start.format("%H:%M"),
                    b.end.format("%H:%M")
                )));
            }
        }
        for day in Weekday::ALL {
            if intervals.iter().filter(|i| i.weekday == day).count() > MAX_PER_DAY {
                return Err(Refusal::Invalid(format!(
                    "at most {MAX_PER_DAY} stretches of working hours a day"
                )));
            }
        }
        Ok(Self(intervals))
    }

    /// A week read back from storage, where it was checked when written.
    pub(crate) fn unchecked(mut intervals: Vec<Interval>) -> Self {
        intervals.sort_by_key(|i| (i.weekday, i.start));
        Self(intervals)
    }

    pub fn intervals(&self) -> &[Interval] {
        &self.0
    }

    /// The working time of `day` in `zone`, in order. On the day the clocks
    /// change a stretch is as long as it really is (08:00–17:00 is eight or
    /// ten hours when the night between holds the change; a time the clock
    /// skips reads as the first one after).
    pub fn on(&self, day: NaiveDate, zone: Zone) -> Vec<Window> {
        let weekday = Weekday::of(day);
        self.0
            .iter()
            .filter(|i| i.weekday == weekday)
            .map(|i| Window {
                start: zone.instant(day, i.start),
                end: zone.instant(day, i.end),
            })
            .collect()
    }

    /// The parts of `range` outside working time in `zone`, in order.
    pub fn off(&self, range: Window, zone: Zone) -> Vec<Window> {
        let mut off = Vec::new();
        let mut cursor = range.start;
        let mut day = zone.date(range.start);
        while zone.midnight(day) < range.end {
            for work in self.on(day, zone) {
                if work.end <= cursor || work.start >= range.end {
                    continue;
                }
                if work.start > cursor {
                    off.push(Window {
                        start: cursor,
                        end: work.start,
                    });
                }
                cursor = cursor.max(work.end);
            }
            day += Duration::days(1);
        }
        if cursor < range.end {
            off.push(Window {
                start: cursor,
                end: range.end,
            });
        }
        off
    }

    /// Whether `window` lies wholly in working time in `zone`.
    pub fn covers(&self, window: Window, zone: Zone) -> bool {
        self.off(window, zone).is_empty()
    }

    /// `Mon 08:00–12:00, 13:00–17:00; Tue ...` for messages.
    pub fn text(&self) -> String {
        Weekday::ALL
            .into_iter()
            .filter_map(|d| {
                let hours: Vec<String> = self
                    .0
                    .iter()
                    .filter(|i| i.weekday == d)
                    .map(|i| format!("{}–{}", i.start.format("%H:%M"), i.end.format("%H:%M")))
                    .collect();
                (!hours.is_empty()).then(|| format!("{} {}", d.short(), hours.join(", ")))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The week that applies to a technician: their own, else the tenant's
/// default; `None` when neither is set, and then every hour is working time
/// (a tenant that never set hours plans as before).
pub fn applies<'a>(own: Option<&'a Week>, default: Option<&'a Week>) -> Option<&'a Week> {
    own.or(default)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "absence_reason", rename_all = "lowercase")]
pub enum Reason {
    Holiday,
    Sick,
    Training,
    Other,
}

impl Reason {
    pub fn word(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Sick => "sick",
            Self::Training => "training",
            Self::Other => "other",
        }
    }
}

/// A technician away over `[window.start, window.end)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    pub window: Window,
    pub reason: Reason,
    pub note: String,
}

/// A longer absence is several (and rare enough to enter twice).
const MAX_ABSENCE: Duration = Duration::days(366);
const MAX_NOTE: usize = 500;

impl Absence {
    /// An absence as asked for; past ones are fine (sick leave is often
    /// entered afterwards).
    pub fn new(
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        reason: Reason,
        note: &str,
    ) -> Result<Self, Refusal> {
        if until <= from {
            return Err(Refusal::Invalid(
                "an absence must end after it starts".into(),
            ));
        }
        if until - from > MAX_ABSENCE {
            return Err(Refusal::Invalid("an absence lasts at most 366 days".into()));
        }
        let note = note.trim();
        if note.chars().count() > MAX_NOTE {
            return Err(Refusal::Invalid(format!(
                "the note is at most {MAX_NOTE} characters"
            )));
        }
        Ok(Self {
            window: Window {
                start: from,
                end: until,
            },
            reason,
            note: note.to_owned(),
        })
    }
}

/// When an absence is, as messages write it in `zone`: whole days (from one
/// of the zone's midnights to another) as dates, the last day included;
/// else times with the zone's abbreviation.
pub fn absence_text(w: Window, zone: Zone) -> String {
    let whole = |t: DateTime<Utc>| zone.midnight(zone.date(t)) == t;
    if whole(w.start) && whole(w.end) {
        let first = zone.date(w.start);
        let last = zone.date(w.end) - Duration::days(1);
        if first == last {
            first.format("%Y-%m-%d").to_string()
        } else {
            format!("{} – {}", first.format("%Y-%m-%d"), last.format("%Y-%m-%d"))
        }
    } else {
        zone.window_text(w.start, w.end)
    }
}

/// Why a technician is not free for a planned window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unfree {
    Absent(Reason, Window),
    OutsideHours,
}

/// What keeps a technician from `window`: their absences that overlap it,
/// and whether it leaves their working hours (in the tenant's `zone`).
pub fn unfree(
    window: Window,
    week: Option<&Week>,
    absences: &[(Reason, Window)],
    zone: Zone,
) -> Vec<Unfree> {
    let mut found: Vec<Unfree> = absences
        .iter()
        .filter(|(_, a)| a.overlaps(&window))
        .map(|(r, a)| Unfree::Absent(*r, *a))
        .collect();
    if week.is_some_and(|w| !w.covers(window, zone)) {
        found.push(Unfree::OutsideHours);
    }
    found
}

/// `Tom is absent (holiday, 2026-12-12 – 2026-12-16)`, `Tom is outside
/// working hours (Mon 08:00–17:00 Europe/Paris)`: hours hold all year, so
/// they name the zone rather than this season's abbreviation.
pub fn unfree_text(name: &str, u: &Unfree, week: Option<&Week>, zone: Zone) -> String {
    match u {
        Unfree::Absent(reason, w) => format!(
            "{name} is absent ({}, {})",
            reason.word(),
            absence_text(*w, zone)
        ),
        Unfree::OutsideHours => match week.map(Week::text).filter(|t| !t.is_empty()) {
            Some(hours) => format!("{name} is outside working hours ({hours} {})", zone.name()),
            None => format!("{name} is outside working hours (none set)"),
        },
    }
}

/// A span of the board a technician is not free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    OutsideHours,
    Absent(Reason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub window: Window,
    pub kind: SpanKind,
}

/// The spans of `range` a technician is not free: outside working hours
/// (in `zone`), then absences, each clipped to the range.
pub fn spans(
    range: Window,
    week: Option<&Week>,
    absences: &[(Reason, Window)],
    zone: Zone,
) -> Vec<Span> {
    let off = week.map(|w| w.off(range, zone)).unwrap_or_default();
    let away = absences
        .iter()
        .filter(|(_, a)| a.overlaps(&range))
        .map(|(r, a)| Span {
            window: Window {
                start: a.start.max(range.start),
                end: a.end.min(range.end),
            },
            kind: SpanKind::Absent(*r),
        });
    off.into_iter()
        .map(|window| Span {
            window,
            kind: SpanKind::OutsideHours,
        })
        .chain(away)
        .collect()
}

/// What the caller's roles allow with working hours and absences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rights {
    /// See and change anyone's hours and absences, and the default.
    pub manage: bool,
    /// Record (and take back) one's own absences.
    pub own_absences: bool,
}

/// What is done with a technician's availability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Read,
    SetHours,
    ChangeAbsences,
}

/// Whether `actor` may `act` on `technician`'s availability (`None`: the
/// tenant's default hours).
pub fn may(rights: Rights, actor: Uuid, technician: Option<Uuid>, act: Act) -> Result<(), Refusal> {
    let own = technician == Some(actor);
    let allowed = rights.manage
        || match act {
            Act::Read => own && rights.own_absences,
            Act::SetHours => false,
            Act::ChangeAbsences => own && rights.own_absences,
        };
    if allowed {
        return Ok(());
    }
    Err(Refusal::NotAllowed(
        match act {
            Act::Read => "only a dispatcher, an admin or the technician themself sees their hours and absences",
            Act::SetHours => "only a dispatcher or an admin sets working hours",
            Act::ChangeAbsences => "only a dispatcher, an admin or the technician themself records their absences",
        }
        .into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: Zone = Zone::UTC;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn w(a: &str, b: &str) -> Window {
        Window {
            start: t(a),
            end: t(b),
        }
    }

    fn hours(day: Weekday, from: &str, to: &str) -> Interval {
        let m = |s: &str| {
            let (h, m) = s.split_once(':').unwrap_or_default();
            h.parse::<i32>().unwrap_or(0) * 60 + m.parse::<i32>().unwrap_or(0)
        };
        Interval::from_minutes(day, m(from), m(to)).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Mon–Fri 08:00–12:00 and 13:00–17:00.
    fn office() -> Week {
        let days = &Weekday::ALL[..5];
        Week::new(
            days.iter()
                .flat_map(|d| [hours(*d, "08:00", "12:00"), hours(*d, "13:00", "17:00")])
                .collect(),
        )
        .unwrap_or_default()
    }

    #[test]
    fn intervals_stay_in_their_day_and_in_order() {
        assert!(Interval::from_minutes(Weekday::Monday, 480, 1020).is_ok());
        assert!(Interval::from_minutes(Weekday::Monday, 600, 600).is_err());
        assert!(Interval::from_minutes(Weekday::Monday, 700, 600).is_err());
        assert!(Interval::from_minutes(Weekday::Monday, -1, 600).is_err());
        assert!(Interval::from_minutes(Weekday::Monday, 600, 1440).is_err());
        assert!(Interval::from_minutes(Weekday::Monday, 0, 1439).is_ok());
    }

    #[test]
    fn a_week_refuses_overlaps_and_sorts() {
        let m = Weekday::Monday;
        let overlap = Week::new(vec![hours(m, "08:00", "12:00"), hours(m, "11:00", "14:00")]);
        assert!(matches!(overlap, Err(Refusal::Invalid(ref s)) if s.contains("overlap")));
        // Back to back is fine; the same hours on two days too.
        let week = Week::new(vec![
            hours(m, "13:00", "17:00"),
            hours(m, "08:00", "13:00"),
            hours(Weekday::Tuesday, "08:00", "13:00"),
        ]);
        assert_eq!(
            week.map(|w| w.intervals()[0].start.format("%H:%M").to_string()),
            Ok("08:00".into())
        );
        let crowded = (0..7)
            .map(|i| hours(m, &format!("{:02}:00", i * 2), &format!("{:02}:30", i * 2)))
            .collect();
        assert!(Week::new(crowded).is_err());
        assert!(Week::new(vec![]).is_ok());
    }

    #[test]
    fn a_window_fits_the_hours_or_not() {
        let week = office();
        // 2026-03-09 is a Monday.
        type Case<'a> = (&'a str, &'a str, bool);
        let cases: &[Case] = &[
            ("2026-03-09T08:00:00Z", "2026-03-09T12:00:00Z", true),
            ("2026-03-09T09:00:00Z", "2026-03-09T10:00:00Z", true),
            // Over lunch.
            ("2026-03-09T11:00:00Z", "2026-03-09T14:00:00Z", false),
            ("2026-03-09T07:30:00Z", "2026-03-09T09:00:00Z", false),
            ("2026-03-09T16:00:00Z", "2026-03-09T18:00:00Z", false),
            // Saturday.
            ("2026-03-14T09:00:00Z", "2026-03-14T10:00:00Z", false),
            // Over night.
            ("2026-03-09T16:00:00Z", "2026-03-10T09:00:00Z", false),
        ];
        for (a, b, fits) in cases {
            assert_eq!(week.covers(w(a, b), U), *fits, "{a} – {b}");
        }
        // A day's hours end by 23:59, so work across midnight leaves them.
        let night = Week::new(vec![
            hours(Weekday::Monday, "20:00", "23:59"),
            hours(Weekday::Tuesday, "00:00", "06:00"),
        ])
        .unwrap_or_default();
        assert!(night.covers(w("2026-03-09T21:00:00Z", "2026-03-09T23:00:00Z"), U));
        assert!(!night.covers(w("2026-03-09T21:00:00Z", "2026-03-10T02:00:00Z"), U));
    }

    #[test]
    fn a_day_splits_into_working_and_off_spans() {
        let day = w("2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z");
        let off = office().off(day, U);
        assert_eq!(
            off,
            vec![
                w("2026-03-09T00:00:00Z", "2026-03-09T08:00:00Z"),
                w("2026-03-09T12:00:00Z", "2026-03-09T13:00:00Z"),
                w("2026-03-09T17:00:00Z", "2026-03-10T00:00:00Z"),
            ]
        );
        // A Sunday is off whole.
        let sunday = w("2026-03-15T00:00:00Z", "2026-03-16T00:00:00Z");
        assert_eq!(office().off(sunday, U), vec![sunday]);
        // An empty week is never working time.
        assert_eq!(Week::default().off(day, U), vec![day]);
    }

    fn paris() -> Zone {
        Zone::or_utc("Europe/Paris")
    }

    #[test]
    fn hours_are_the_tenants_wall_clock_in_winter_and_summer() {
        let paris = paris();
        let week = Week::new(vec![hours(Weekday::Monday, "08:00", "17:00")]).unwrap_or_default();
        // 2026-12-07 and 2026-07-06 are Mondays: UTC+1, then UTC+2.
        let december = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default();
        let july = NaiveDate::from_ymd_opt(2026, 7, 6).unwrap_or_default();
        assert_eq!(
            week.on(december, paris),
            vec![w("2026-12-07T07:00:00Z", "2026-12-07T16:00:00Z")]
        );
        assert_eq!(
            week.on(july, paris),
            vec![w("2026-07-06T06:00:00Z", "2026-07-06T15:00:00Z")]
        );
        // 08:00Z–09:00Z is 09:00–10:00 in Paris; 07:00Z–08:00Z in July is
        // 09:00–10:00 too; 16:00Z in December is 17:00, the end of the day.
        assert!(week.covers(w("2026-12-07T07:00:00Z", "2026-12-07T16:00:00Z"), paris));
        assert!(!week.covers(w("2026-12-07T06:30:00Z", "2026-12-07T08:00:00Z"), paris));
        assert!(!week.covers(w("2026-12-07T15:30:00Z", "2026-12-07T16:30:00Z"), paris));
        assert!(week.covers(w("2026-07-06T06:00:00Z", "2026-07-06T07:00:00Z"), paris));
        assert!(!week.covers(w("2026-07-06T14:30:00Z", "2026-07-06T15:30:00Z"), paris));
        // Read as UTC the same week would refuse what Paris allows.
        assert!(!week.covers(w("2026-07-06T06:00:00Z", "2026-07-06T07:00:00Z"), U));
        // A late Sunday evening in UTC is already Monday in Paris.
        let night = Week::new(vec![hours(Weekday::Monday, "00:00", "02:00")]).unwrap_or_default();
        assert!(night.covers(w("2026-12-06T23:00:00Z", "2026-12-07T01:00:00Z"), paris));
    }

    #[test]
    fn on_the_days_the_clocks_change_a_stretch_is_as_long_as_it_really_is() {
        let paris = paris();
        // 29 March 2026 (a Sunday): 02:00 CET -> 03:00 CEST.
        let week = Week::new(vec![
            hours(Weekday::Sunday, "01:00", "05:00"),
            hours(Weekday::Monday, "08:00", "17:00"),
        ])
        .unwrap_or_default();
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap_or_default();
        assert_eq!(
            week.on(spring, paris),
            vec![w("2026-03-29T00:00:00Z", "2026-03-29T03:00:00Z")]
        );
        // 25 October 2026 (a Sunday): 03:00 CEST -> 02:00 CET.
        let autumn = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap_or_default();
        assert_eq!(
            week.on(autumn, paris),
            vec![w("2026-10-24T23:00:00Z", "2026-10-25T04:00:00Z")]
        );
        // The Paris day of the spring change has 23 hours; all off but the
        // stretch, and the Monday after is in summer time.
        let day = w("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z");
        assert_eq!(
            week.off(day, paris),
            vec![
                w("2026-03-28T23:00:00Z", "2026-03-29T00:00:00Z"),
                w("2026-03-29T03:00:00Z", "2026-03-29T22:00:00Z"),
            ]
        );
        assert!(week.covers(w("2026-03-30T06:00:00Z", "2026-03-30T15:00:00Z"), paris));
        // From Friday in winter time to Monday's hours in summer time.
        let weekend = w("2026-03-27T16:00:00Z", "2026-03-30T06:00:00Z");
        let off = week.off(weekend, paris);
        assert_eq!(
            off,
            vec![
                w("2026-03-27T16:00:00Z", "2026-03-29T00:00:00Z"),
                w("2026-03-29T03:00:00Z", "2026-03-30T06:00:00Z"),
            ]
        );
    }

    #[test]
    fn absences_of_whole_days_in_the_tenants_zone() {
        let paris = paris();
        // 14 to 18 December in Paris: from its midnight, 23:00Z the day before.
        let holiday = w("2026-12-13T23:00:00Z", "2026-12-18T23:00:00Z");
        assert_eq!(absence_text(holiday, paris), "2026-12-14 – 2026-12-18");
        // Over the spring change: 28 and 29 March, 47 hours.
        let spring = w("2026-03-27T23:00:00Z", "2026-03-29T22:00:00Z");
        assert_eq!(absence_text(spring, paris), "2026-03-28 – 2026-03-29");
        // UTC's midnights are not Paris's: times, with the abbreviation.
        assert_eq!(
            absence_text(w("2026-12-14T00:00:00Z", "2026-12-15T00:00:00Z"), paris),
            "2026-12-14 01:00 – 2026-12-15 01:00 CET"
        );
        let text = unfree_text(
            "Tom",
            &Unfree::Absent(Reason::Holiday, holiday),
            None,
            paris,
        );
        assert_eq!(text, "Tom is absent (holiday, 2026-12-14 – 2026-12-18)");
        // A Monday 09:00 in Paris falls inside it; the Monday after is free.
        let week = office();
        let monday = w("2026-12-14T08:00:00Z", "2026-12-14T09:00:00Z");
        assert_eq!(
            unfree(monday, Some(&week), &[(Reason::Holiday, holiday)], paris),
            vec![Unfree::Absent(Reason::Holiday, holiday)]
        );
        let after = w("2026-12-21T07:00:00Z", "2026-12-21T08:00:00Z");
        assert!(unfree(after, Some(&week), &[(Reason::Holiday, holiday)], paris).is_empty());
        assert_eq!(
            unfree(after, Some(&week), &[], U),
            vec![Unfree::OutsideHours]
        );
        assert!(
            unfree_text("Tom", &Unfree::OutsideHours, Some(&week), paris)
                .ends_with("Fri 08:00–12:00, 13:00–17:00 Europe/Paris)")
        );
    }

    #[test]
    fn the_board_of_a_paris_day() {
        let paris = paris();
        let day = w("2026-12-06T23:00:00Z", "2026-12-07T23:00:00Z");
        let got = spans(day, Some(&office()), &[], paris);
        let off: Vec<Window> = got.iter().map(|s| s.window).collect();
        assert_eq!(
            off,
            vec![
                w("2026-12-06T23:00:00Z", "2026-12-07T07:00:00Z"),
                w("2026-12-07T11:00:00Z", "2026-12-07T12:00:00Z"),
                w("2026-12-07T16:00:00Z", "2026-12-07T23:00:00Z"),
            ]
        );
    }

    #[test]
    fn the_default_applies_to_those_without_their_own() {
        let own = office();
        let default = Week::default();
        assert_eq!(applies(Some(&own), Some(&default)), Some(&own));
        assert_eq!(applies(None, Some(&default)), Some(&default));
        assert_eq!(applies(None, None), None);
    }

    #[test]
    fn an_absence_ends_after_it_starts() {
        let a = "2026-12-12T00:00:00Z";
        let b = "2026-12-17T00:00:00Z";
        assert!(
            Absence::new(t(a), t(b), Reason::Holiday, " Skiing ").is_ok_and(|x| x.note == "Skiing")
        );
        assert!(Absence::new(t(b), t(a), Reason::Holiday, "").is_err());
        assert!(Absence::new(t(a), t(a), Reason::Sick, "").is_err());
        assert!(Absence::new(t(a), t(a) + Duration::days(400), Reason::Other, "").is_err());
        assert!(Absence::new(t(a), t(b), Reason::Other, &"x".repeat(501)).is_err());
    }

    #[test]
    fn planning_into_an_absence_or_off_hours_names_why() {
        let week = office();
        let holiday = (
            Reason::Holiday,
            w("2026-12-14T00:00:00Z", "2026-12-19T00:00:00Z"),
        );
        let inside = w("2026-12-15T09:00:00Z", "2026-12-15T10:00:00Z");
        assert_eq!(
            unfree(inside, Some(&week), &[holiday], U),
            vec![Unfree::Absent(holiday.0, holiday.1)]
        );
        let text = unfree_text("Tom", &Unfree::Absent(holiday.0, holiday.1), Some(&week), U);
        assert_eq!(text, "Tom is absent (holiday, 2026-12-14 – 2026-12-18)");
        let evening = w("2026-12-21T18:00:00Z", "2026-12-21T19:00:00Z");
        assert_eq!(
            unfree(evening, Some(&week), &[holiday], U),
            vec![Unfree::OutsideHours]
        );
        assert!(
            unfree_text("Tom", &Unfree::OutsideHours, Some(&week), U)
                .starts_with("Tom is outside working hours (Mon 08:00–12:00, 13:00–17:00; Tue")
        );
        // No hours set anywhere: only absences count.
        assert!(unfree(evening, None, &[holiday], U).is_empty());
        let fits = w("2026-12-21T08:00:00Z", "2026-12-21T09:00:00Z");
        assert!(unfree(fits, Some(&week), &[holiday], U).is_empty());
        // Part of a day, and one whole day.
        assert_eq!(
            absence_text(w("2026-12-14T08:00:00Z", "2026-12-14T12:00:00Z"), U),
            "2026-12-14 08:00 – 12:00 UTC"
        );
        assert_eq!(
            absence_text(w("2026-12-14T00:00:00Z", "2026-12-15T00:00:00Z"), U),
            "2026-12-14"
        );
    }

    #[test]
    fn the_board_gets_off_hours_and_absences_of_its_range() {
        let day = w("2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z");
        let sick = (
            Reason::Sick,
            w("2026-03-08T00:00:00Z", "2026-03-09T10:00:00Z"),
        );
        let later = (
            Reason::Training,
            w("2026-03-11T00:00:00Z", "2026-03-12T00:00:00Z"),
        );
        let got = spans(day, Some(&office()), &[sick, later], U);
        assert_eq!(got.len(), 4);
        assert_eq!(
            got[3],
            Span {
                window: w("2026-03-09T00:00:00Z", "2026-03-09T10:00:00Z"),
                kind: SpanKind::Absent(Reason::Sick),
            }
        );
        assert!(got[..3].iter().all(|s| s.kind == SpanKind::OutsideHours));
        assert!(spans(day, None, &[], U).is_empty());
    }

    #[test]
    fn who_may_see_and_change_availability() {
        let me = Uuid::now_v7();
        let other = Uuid::now_v7();
        let planner = Rights {
            manage: true,
            own_absences: false,
        };
        let tech = Rights {
            manage: false,
            own_absences: true,
        };
        let cases = [
            (planner, Some(other), Act::SetHours, true),
            (planner, None, Act::SetHours, true),
            (planner, Some(other), Act::ChangeAbsences, true),
            (tech, Some(me), Act::ChangeAbsences, true),
            (tech, Some(me), Act::Read, true),
            (tech, Some(me), Act::SetHours, false),
            (tech, Some(other), Act::ChangeAbsences, false),
            (tech, Some(other), Act::Read, false),
            (tech, None, Act::SetHours, false),
            (Rights::default(), Some(me), Act::Read, false),
        ];
        for (rights, technician, act, allowed) in cases {
            assert_eq!(
                may(rights, me, technician, act).is_ok(),
                allowed,
                "{rights:?} {act:?}"
            );
        }
    }

    #[test]
    fn weekdays_number_from_monday() {
        let monday = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap_or_default();
        assert_eq!(Weekday::of(monday), Weekday::Monday);
        assert_eq!(Weekday::of(monday + Duration::days(6)), Weekday::Sunday);
        for d in Weekday::ALL {
            assert_eq!(Weekday::from_number(d.number()), Some(d));
        }
        assert_eq!(Weekday::from_number(0), None);
        assert_eq!(Weekday::from_number(8), None);
    }
}
