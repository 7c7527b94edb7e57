//! The rules of planning and doing the work, free of I/O.
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "work_order_status", rename_all = "snake_case")]
pub enum Status {
    ToPlan,
    Scheduled,
    InProgress,
    Completed,
    Cancelled,
}

/// One change in a work order's life, as its history keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "work_order_change", rename_all = "snake_case")]
pub enum Change {
    Created,
    Scheduled,
    Rescheduled,
    Unscheduled,
    Started,
    Completed,
    Cancelled,
}

/// What someone may do with a work order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Schedule,
    Unschedule,
    Start,
    Complete,
    Cancel,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Self::Schedule,
        Self::Unschedule,
        Self::Start,
        Self::Complete,
        Self::Cancel,
    ];

    fn verb(self) -> &'static str {
        match self {
            Self::Schedule => "planned",
            Self::Unschedule => "unplanned",
            Self::Start => "started",
            Self::Complete => "completed",
            Self::Cancel => "cancelled",
        }
    }
}

/// Where a work order starts: created from an accepted request, to be planned.
pub const INITIAL: Status = Status::ToPlan;

/// What a work order made from an accepted quote says to do: who accepted
/// it and its lines (the PDF stays the reference).
pub fn quote_description(signer_name: &str, lines: &str) -> String {
    let who = signer_name.trim();
    let head = if who.is_empty() {
        "Quote accepted in the portal.".to_owned()
    } else {
        format!("Quote accepted in the portal by {who}.")
    };
    if lines.trim().is_empty() {
        head
    } else {
        format!("{head}\n\n{}", lines.trim())
    }
}

/// What the caller's roles allow on work orders (the platform's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rights {
    /// Plan, re-plan, unplan and cancel any work order.
    pub plan: bool,
    /// Start and complete work planned onto oneself.
    pub do_own: bool,
    /// Complete any work order.
    pub complete_any: bool,
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    NotAllowed(String),
    #[error("{0}")]
    WrongState(String),
    #[error("{0}")]
    Invalid(String),
}

/// The state `action` leads to from `status`.
pub fn next(status: Status, action: Action) -> Result<Status, Refusal> {
    use Status::*;
    let to = match (status, action) {
        (ToPlan | Scheduled, Action::Schedule) => Scheduled,
        (Scheduled, Action::Unschedule) => ToPlan,
        (Scheduled, Action::Start) => InProgress,
        (InProgress, Action::Complete) => Completed,
        (ToPlan | Scheduled, Action::Cancel) => Cancelled,
        (status, action) => {
            return Err(Refusal::WrongState(format!(
                "a work order that is {} cannot be {}",
                status_word(status),
                action.verb()
            )));
        }
    };
    Ok(to)
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::ToPlan => "to plan",
        Status::Scheduled => "scheduled",
        Status::InProgress => "in progress",
        Status::Completed => "completed",
        Status::Cancelled => "cancelled",
    }
}

/// Whether the caller may take `action` at all on a work order they are
/// (`assigned`) or are not planned on, whatever its state.
fn permitted(rights: Rights, action: Action, assigned: bool) -> bool {
    match action {
        Action::Schedule | Action::Unschedule | Action::Cancel => rights.plan,
        Action::Start => rights.do_own && assigned,
        Action::Complete => (rights.do_own && assigned) || rights.complete_any,
    }
}

/// The state `action` leads to, if this caller may take it now.
pub fn decide(
    status: Status,
    action: Action,
    rights: Rights,
    assigned: bool,
) -> Result<Status, Refusal> {
    if !permitted(rights, action, assigned) {
        let who = match action {
            Action::Start | Action::Complete => "only a technician planned on it",
            _ => "only a dispatcher or an admin",
        };
        return Err(Refusal::NotAllowed(format!(
            "{who} may mark this work order {}",
            action.verb()
        )));
    }
    next(status, action)
}

/// What the caller may do next, for the buttons of a page.
pub fn allowed_actions(status: Status, rights: Rights, assigned: bool) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| decide(status, *a, rights, assigned).is_ok())
        .collect()
}

/// A planned window, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Planning a moment ago still counts as now (a dispatcher filling a form).
const PAST_GRACE: Duration = Duration::minutes(15);
/// Longer work is several work orders (or a project).
const MAX_LENGTH: Duration = Duration::days(14);

impl Window {
    pub fn new(
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Self, Refusal> {
        if end <= start {
            return Err(Refusal::Invalid("the end must be after the start".into()));
        }
        if start < now - PAST_GRACE {
            return Err(Refusal::Invalid(
                "work cannot be planned in the past".into(),
            ));
        }
        if end - start > MAX_LENGTH {
            return Err(Refusal::Invalid(
                "a work order lasts at most 14 days".into(),
            ));
        }
        Ok(Self { start, end })
    }

    pub fn overlaps(&self, other: &Window) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The technicians of a plan: one to ten, each once.
pub fn technicians(ids: &[Uuid]) -> Result<Vec<Uuid>, Refusal> {
    let mut unique: Vec<Uuid> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    match unique.len() {
        0 => Err(Refusal::Invalid("plan at least one technician".into())),
        1..=10 => Ok(unique),
        _ => Err(Refusal::Invalid("plan at most 10 technicians".into())),
    }
}

/// What a technician records at completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub notes: String,
    pub minutes_spent: i32,
    pub signer_name: String,
    pub signature_png: Option<Vec<u8>>,
}

const MAX_NOTES: usize = 10_000;
const MAX_SIGNER: usize = 200;
/// A week of work, in minutes.
const MAX_MINUTES: i32 = 7 * 24 * 60;
/// A drawn signature is a few kilobytes; this leaves room for a large screen.
pub const MAX_SIGNATURE_BYTES: usize = 256 * 1024;
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

impl Completion {
    pub fn new(
        notes: &str,
        minutes_spent: i32,
        signer_name: &str,
        signature_png: Vec<u8>,
    ) -> Result<Self, Refusal> {
        let notes = notes.trim();
        let signer_name = signer_name.trim();
        if notes.chars().count() > MAX_NOTES {
            return Err(Refusal::Invalid(format!(
                "notes are at most {MAX_NOTES} characters"
            )));
        }
        if !(0..=MAX_MINUTES).contains(&minutes_spent) {
            return Err(Refusal::Invalid(format!(
                "minutes_spent must be between 0 and {MAX_MINUTES}"
            )));
        }
        if signer_name.chars().count() > MAX_SIGNER {
            return Err(Refusal::Invalid(format!(
                "signer_name is at most {MAX_SIGNER} characters"
            )));
        }
        let signature_png = if signature_png.is_empty() {
            None
        } else {
            if !is_png(&signature_png) {
                return Err(Refusal::Invalid("the signature must be a PNG image".into()));
            }
            if signature_png.len() > MAX_SIGNATURE_BYTES {
                return Err(Refusal::Invalid(format!(
                    "the signature is at most {} KiB",
                    MAX_SIGNATURE_BYTES / 1024
                )));
            }
            if signer_name.is_empty() {
                return Err(Refusal::Invalid(
                    "a signature needs the signer's name".into(),
                ));
            }
            Some(signature_png)
        };
        Ok(Self {
            notes: notes.to_owned(),
            minutes_spent,
            signer_name: signer_name.to_owned(),
            signature_png,
        })
    }
}

/// A PNG: its signature, then the IHDR chunk every PNG begins with.
fn is_png(bytes: &[u8]) -> bool {
    bytes.starts_with(PNG_MAGIC) && bytes.get(12..16) == Some(b"IHDR")
}

/// A cancellation's reason: said, and not a novel.
pub fn cancel_reason(reason: &str) -> Result<String, Refusal> {
    let reason = reason.trim();
    match reason.chars().count() {
        0 => Err(Refusal::Invalid(
            "say why the work order is cancelled".into(),
        )),
        1..=2000 => Ok(reason.to_owned()),
        _ => Err(Refusal::Invalid(
            "the reason is at most 2000 characters".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_quote_work_order_says_who_accepted_and_what() {
        assert_eq!(
            quote_description("Jean Dupont", "1 × Fan motor\n2.5 × Labour"),
            "Quote accepted in the portal by Jean Dupont.\n\n1 × Fan motor\n2.5 × Labour"
        );
        assert_eq!(quote_description(" ", ""), "Quote accepted in the portal.");
    }

    use super::*;

    const PLANNER: Rights = Rights {
        plan: true,
        do_own: false,
        complete_any: true,
    };
    const TECHNICIAN: Rights = Rights {
        plan: false,
        do_own: true,
        complete_any: false,
    };

    fn at(hour: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_900_000_000 + hour * 3600, 0).unwrap_or_default()
    }

    #[test]
    fn the_whole_life() {
        let s = decide(Status::ToPlan, Action::Schedule, PLANNER, false);
        assert_eq!(s, Ok(Status::Scheduled));
        // Re-planning a scheduled order is planning it again.
        assert_eq!(
            decide(Status::Scheduled, Action::Schedule, PLANNER, false),
            Ok(Status::Scheduled)
        );
        assert_eq!(
            decide(Status::Scheduled, Action::Start, TECHNICIAN, true),
            Ok(Status::InProgress)
        );
        assert_eq!(
            decide(Status::InProgress, Action::Complete, TECHNICIAN, true),
            Ok(Status::Completed)
        );
        assert_eq!(
            decide(Status::Scheduled, Action::Unschedule, PLANNER, false),
            Ok(Status::ToPlan)
        );
    }

    #[test]
    fn who_may_do_what() {
        // A technician does only work planned onto them, and plans nothing.
        assert!(matches!(
            decide(Status::Scheduled, Action::Start, TECHNICIAN, false),
            Err(Refusal::NotAllowed(_))
        ));
        assert!(matches!(
            decide(Status::InProgress, Action::Complete, TECHNICIAN, false),
            Err(Refusal::NotAllowed(_))
        ));
        assert!(matches!(
            decide(Status::ToPlan, Action::Schedule, TECHNICIAN, true),
            Err(Refusal::NotAllowed(_))
        ));
        // A dispatcher completes any work, but does not start it.
        assert_eq!(
            decide(Status::InProgress, Action::Complete, PLANNER, false),
            Ok(Status::Completed)
        );
        assert!(decide(Status::Scheduled, Action::Start, PLANNER, false).is_err());
        // A contact: nothing.
        for action in Action::ALL {
            assert!(decide(Status::Scheduled, action, Rights::default(), false).is_err());
        }
    }

    #[test]
    fn finished_work_does_not_move() {
        let everything = Rights {
            plan: true,
            do_own: true,
            complete_any: true,
        };
        for action in Action::ALL {
            for status in [Status::Completed, Status::Cancelled] {
                assert!(matches!(
                    decide(status, action, everything, true),
                    Err(Refusal::WrongState(_))
                ));
            }
        }
        // Work in progress is finished, not cancelled.
        assert!(matches!(
            decide(Status::InProgress, Action::Cancel, PLANNER, false),
            Err(Refusal::WrongState(_))
        ));
        assert!(decide(Status::ToPlan, Action::Start, TECHNICIAN, true).is_err());
    }

    #[test]
    fn buttons_follow_the_rules() {
        assert_eq!(
            allowed_actions(Status::Scheduled, PLANNER, false),
            vec![Action::Schedule, Action::Unschedule, Action::Cancel]
        );
        assert_eq!(
            allowed_actions(Status::Scheduled, TECHNICIAN, true),
            vec![Action::Start]
        );
        assert!(allowed_actions(Status::Completed, PLANNER, true).is_empty());
    }

    #[test]
    fn a_window_is_ahead_and_ordered() {
        let now = at(0);
        assert!(Window::new(at(2), at(3), now).is_ok());
        assert!(Window::new(at(3), at(3), now).is_err());
        assert!(Window::new(at(3), at(2), now).is_err());
        assert!(Window::new(at(-2), at(1), now).is_err());
        assert!(Window::new(now - Duration::minutes(5), at(1), now).is_ok());
        assert!(Window::new(at(1), at(1 + 24 * 15), now).is_err());
    }

    #[test]
    fn windows_overlap_when_they_share_time() {
        let w = |a, b| Window {
            start: at(a),
            end: at(b),
        };
        assert!(w(1, 3).overlaps(&w(2, 4)));
        assert!(w(1, 4).overlaps(&w(2, 3)));
        // Back to back is not an overlap.
        assert!(!w(1, 2).overlaps(&w(2, 3)));
        assert!(!w(3, 4).overlaps(&w(1, 2)));
    }

    #[test]
    fn technicians_are_one_to_ten_each_once() {
        let a = Uuid::now_v7();
        assert_eq!(technicians(&[a, a]), Ok(vec![a]));
        assert!(technicians(&[]).is_err());
        let many: Vec<Uuid> = (0..11).map(|_| Uuid::now_v7()).collect();
        assert!(technicians(&many).is_err());
    }

    #[test]
    fn a_signature_is_a_png_with_a_name() {
        let mut png = PNG_MAGIC.to_vec();
        png.extend([0, 0, 0, 13]);
        png.extend(b"IHDR");
        png.extend([0; 17]);
        let done = Completion::new(" Fixed ", 90, "Claire", png.clone());
        assert_eq!(done.as_ref().map(|c| c.notes.as_str()), Ok("Fixed"));
        assert!(Completion::new("", 0, "", png.clone()).is_err());
        assert!(Completion::new("", 0, "Claire", b"GIF89a....IHDR".to_vec()).is_err());
        assert!(Completion::new("", -1, "", Vec::new()).is_err());
        let mut huge = png;
        huge.resize(MAX_SIGNATURE_BYTES + 1, 0);
        assert!(Completion::new("", 0, "Claire", huge).is_err());
        // No signature: no name needed.
        assert!(Completion::new("Done", 30, "", Vec::new()).is_ok());
    }

    #[test]
    fn a_cancellation_says_why() {
        assert!(cancel_reason("  ").is_err());
        assert_eq!(cancel_reason(" Customer away "), Ok("Customer away".into()));
        assert!(cancel_reason(&"x".repeat(2001)).is_err());
    }
}
