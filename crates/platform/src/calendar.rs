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

/// One VEVENT; its UID is the work order's, so a re-planned appointment
/// replaces the one in the contact's calendar.
pub fn ics(a: &Appointment<'_>) -> String {
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
    Calendar::new().push(event).done().to_string()
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
        // Commas and semicolons are escaped in text values.
        assert!(
            text.contains("SUMMARY:Oven repair\\, kitchen\\; main site"),
            "{text}"
        );
    }
}
