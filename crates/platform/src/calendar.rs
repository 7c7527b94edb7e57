//! An appointment as an iCalendar file (RFC 5545), for the contact's
//! download and the mail that announces it.
use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike};
use uuid::Uuid;

pub struct Appointment<'a> {
    pub work_order_id: Uuid,
    pub title: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Who comes, for the description.
    pub technicians: &'a [String],
    /// The appointment's page in the portal, when known.
    pub url: Option<&'a str>,
    /// A new sequence for each change, so calendars replace the old event.
    pub sequence: u32,
}

/// A planned window as mails and histories write it, in UTC (no time zone
/// is known per person): `2026-12-05 08:00 – 10:00 UTC`, with the end's
/// date when it ends on another day.
pub fn window_text(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let end_format = if start.date_naive() == end.date_naive() {
        "%H:%M"
    } else {
        "%Y-%m-%d %H:%M"
    };
    format!(
        "{} – {} UTC",
        start.format("%Y-%m-%d %H:%M"),
        end.format(end_format)
    )
}

/// A calendar's SEQUENCE for a plan made at `at` (the change's time, as its
/// event and the work order's history carry it): each later change has a
/// higher one, so calendars replace the event they hold, whether it came by
/// mail or by download.
pub fn sequence(at: DateTime<Utc>) -> u32 {
    u32::try_from(at.timestamp()).unwrap_or(0)
}

/// The Content-Type of [`ics_publish`]'s text in a mail; RFC 6047 wants its
/// `method` to repeat the calendar's METHOD.
pub const PUBLISH_CONTENT_TYPE: &str = "text/calendar; charset=utf-8; method=PUBLISH";

/// One VEVENT; its UID is the work order's, so a re-planned appointment
/// replaces the one in the contact's calendar.
pub fn ics(a: &Appointment<'_>) -> String {
    calendar(a).to_string()
}

/// [`ics`] as a mail publishes it (RFC 6047): with `METHOD:PUBLISH`.
pub fn ics_publish(a: &Appointment<'_>) -> String {
    let mut calendar = calendar(a);
    calendar.append_property(("METHOD", "PUBLISH"));
    calendar.to_string()
}

fn calendar(a: &Appointment<'_>) -> Calendar {
    let mut description = a.technicians.join(", ");
    let mut event = Event::new();
    event
        .uid(&format!("{}@portal", a.work_order_id))
        .summary(a.title)
        .starts(a.start)
        .ends(a.end)
        .sequence(a.sequence);
    if let Some(url) = a.url {
        description.push('\n');
        description.push_str(url);
        event.url(url);
    }
    let event = event.description(description.trim()).done();
    Calendar::new().push(event).done()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_event_with_its_times_and_uid() {
        let id = Uuid::now_v7();
        let start = DateTime::from_timestamp(1_900_000_000, 0).unwrap_or_default();
        let text = ics(&Appointment {
            work_order_id: id,
            title: "Oven repair, kitchen; main site",
            start,
            end: start + chrono::Duration::hours(2),
            technicians: &["Tom Tech".into()],
            url: Some("https://portal.example/t/demo/appointments"),
            sequence: 1,
        });
        assert!(text.starts_with("BEGIN:VCALENDAR"), "{text}");
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
        assert!(text.contains(&format!("UID:{id}@portal")), "{text}");
        assert!(text.contains("DTSTART:20300317T174640Z"), "{text}");
        assert!(text.contains("DTEND:20300317T194640Z"), "{text}");
        assert!(!text.contains("METHOD:"), "{text}");
        // Commas and semicolons are escaped in text values.
        assert!(
            text.contains("SUMMARY:Oven repair\\, kitchen\\; main site"),
            "{text}"
        );
    }

    #[test]
    fn windows_read_in_utc_with_the_end_date_only_when_it_differs() {
        let start = DateTime::from_timestamp(1_900_000_000, 0).unwrap_or_default();
        assert_eq!(
            window_text(start, start + chrono::Duration::hours(2)),
            "2030-03-17 17:46 – 19:46 UTC"
        );
        assert_eq!(
            window_text(start, start + chrono::Duration::hours(8)),
            "2030-03-17 17:46 – 2030-03-18 01:46 UTC"
        );
    }

    #[test]
    fn a_mail_publishes_the_event() {
        let start = DateTime::from_timestamp(1_900_000_000, 0).unwrap_or_default();
        let text = ics_publish(&Appointment {
            work_order_id: Uuid::now_v7(),
            title: "Oven",
            start,
            end: start + chrono::Duration::hours(1),
            technicians: &[],
            url: None,
            sequence: 2,
        });
        assert!(text.contains("METHOD:PUBLISH\r\n"), "{text}");
        assert!(text.contains("DTSTART:20300317T174640Z"), "{text}");
        assert!(text.contains("SEQUENCE:2"), "{text}");
        assert!(PUBLISH_CONTENT_TYPE.ends_with("method=PUBLISH"));
    }
}
