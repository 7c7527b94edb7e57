//! A tenant's time zone: where its staff, technicians and customers read and
//! type times. Times are stored and sent between services in UTC; they
//! become wall-clock times only at the edges (pages, mails, PDFs, forms), in
//! the tenant's zone, named by its IANA name (`Europe/Paris`).
use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

impl Default for Zone {
    fn default() -> Self {
        Self::UTC
    }
}

impl Zone {
    pub const UTC: Self = Self(Tz::UTC);

    /// The zone of an IANA name; `None` for anything else.
    pub fn parse(name: &str) -> Option<Self> {
        name.trim().parse::<Tz>().ok().map(Self)
    }

    /// The zone a service was told, or UTC when it is blank or unknown (a
    /// tenant from before zones, or a newer name than this build's database).
    pub fn or_utc(name: &str) -> Self {
        Self::parse(name).unwrap_or_default()
    }

    /// Its IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// Every IANA name this build knows, sorted: the choices of a form.
    pub fn names() -> impl Iterator<Item = &'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
    }

    /// `t` on this zone's clock.
    pub fn local(self, t: DateTime<Utc>) -> NaiveDateTime {
        t.with_timezone(&self.0).naive_local()
    }

    /// The day `t` falls on here.
    pub fn date(self, t: DateTime<Utc>) -> NaiveDate {
        self.local(t).date()
    }

    /// The instant a wall-clock time here stands for. Twice a year a time
    /// is ambiguous (the earlier one is taken) or does not exist (the clock
    /// jumps over it: the first time after the gap is taken).
    pub fn instant(self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let naive = date.and_time(time);
        match self.0.from_local_datetime(&naive) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            LocalResult::None => {
                // Gaps are at most a few hours: step forward to the first
                // minute that exists.
                (1..=24 * 60)
                    .map(|m| naive + chrono::Duration::minutes(m))
                    .find_map(|n| self.0.from_local_datetime(&n).earliest())
                    .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc))
            }
        }
    }

    /// The start of `date` here.
    pub fn midnight(self, date: NaiveDate) -> DateTime<Utc> {
        self.instant(date, NaiveTime::MIN)
    }

    /// The zone's abbreviation at `t` (`CET`, `CEST`, `UTC`), for texts
    /// read away from the page (mails, PDFs).
    pub fn abbreviation(self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0).format("%Z").to_string()
    }

    /// `09:30`.
    pub fn hm(self, t: DateTime<Utc>) -> String {
        self.local(t).format("%H:%M").to_string()
    }

    /// `2026-12-05 09:30 CET`.
    pub fn at_text(self, t: DateTime<Utc>) -> String {
        format!(
            "{} {}",
            self.local(t).format("%Y-%m-%d %H:%M"),
            self.abbreviation(t)
        )
    }

    /// A planned window: `2026-12-05 09:00 – 11:00 CET`, with the end's date
    /// when it ends on another day here.
    pub fn window_text(self, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        let (s, e) = (self.local(start), self.local(end));
        let end_format = if s.date() == e.date() {
            "%H:%M"
        } else {
            "%Y-%m-%d %H:%M"
        };
        format!(
            "{} – {} {}",
            s.format("%Y-%m-%d %H:%M"),
            e.format(end_format),
            self.abbreviation(start)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .expect("a time")
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a day")
    }

    fn time(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").expect("a time of day")
    }

    #[test]
    fn names_are_iana_names_and_unknown_ones_fall_back_to_utc() {
        assert_eq!(
            Zone::parse(" Europe/Paris ").map(Zone::name),
            Some("Europe/Paris")
        );
        assert_eq!(Zone::parse("Mars/Olympus"), None);
        assert_eq!(Zone::parse(""), None);
        assert_eq!(Zone::or_utc("nonsense"), Zone::UTC);
        assert_eq!(Zone::or_utc("").name(), "UTC");
        assert!(Zone::names().any(|n| n == "America/Sao_Paulo"));
        assert!(Zone::names().all(|n| Zone::parse(n).is_some()));
    }

    #[test]
    fn times_read_and_typed_on_the_tenants_clock() {
        let paris = Zone::or_utc("Europe/Paris");
        // Winter: UTC+1; summer: UTC+2.
        let winter = utc("2026-12-05T08:00:00Z");
        assert_eq!(paris.hm(winter), "09:00");
        assert_eq!(paris.at_text(winter), "2026-12-05 09:00 CET");
        assert_eq!(paris.instant(day("2026-12-05"), time("09:00")), winter);
        assert_eq!(
            paris.instant(day("2026-07-01"), time("09:00")),
            utc("2026-07-01T07:00:00Z")
        );
        // The day of a late evening in UTC is already the next one in Paris.
        assert_eq!(paris.date(utc("2026-12-05T23:30:00Z")), day("2026-12-06"));
        assert_eq!(
            paris.midnight(day("2026-12-06")),
            utc("2026-12-05T23:00:00Z")
        );
    }

    #[test]
    fn the_clock_changes_have_an_answer() {
        let paris = Zone::or_utc("Europe/Paris");
        // 29 March 2026: 02:00 -> 03:00; 02:30 does not exist.
        assert_eq!(
            paris.instant(day("2026-03-29"), time("02:30")),
            utc("2026-03-29T01:00:00Z")
        );
        // 25 October 2026: 02:30 happens twice; the first is taken.
        assert_eq!(
            paris.instant(day("2026-10-25"), time("02:30")),
            utc("2026-10-25T00:30:00Z")
        );
    }

    #[test]
    fn windows_say_their_zone_and_the_end_day_when_it_differs() {
        let paris = Zone::or_utc("Europe/Paris");
        assert_eq!(
            paris.window_text(utc("2026-12-05T08:00:00Z"), utc("2026-12-05T10:00:00Z")),
            "2026-12-05 09:00 – 11:00 CET"
        );
        assert_eq!(
            paris.window_text(utc("2026-12-05T22:00:00Z"), utc("2026-12-05T23:30:00Z")),
            "2026-12-05 23:00 – 2026-12-06 00:30 CET"
        );
        assert_eq!(
            Zone::UTC.window_text(utc("2026-12-05T08:00:00Z"), utc("2026-12-05T10:00:00Z")),
            "2026-12-05 08:00 – 10:00 UTC"
        );
    }
}
