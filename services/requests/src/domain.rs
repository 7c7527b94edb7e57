//! The life of a request, free of I/O: valid input and allowed transitions.
use portal_platform::zone::Zone;
use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Submitted,
    Accepted,
    Rejected,
    Planned,
    InProgress,
    Done,
    Closed,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Self::Submitted,
        Self::Accepted,
        Self::Rejected,
        Self::Planned,
        Self::InProgress,
        Self::Done,
        Self::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A staff decision on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Reject,
}

/// Only a submitted request can be accepted or rejected.
pub fn decide(current: Status, decision: Decision) -> Result<Status, String> {
    match (current, decision) {
        (Status::Submitted, Decision::Accept) => Ok(Status::Accepted),
        (Status::Submitted, Decision::Reject) => Ok(Status::Rejected),
        (other, _) => Err(format!(
            "the request is {other}: only a submitted request can be accepted or rejected"
        )),
    }
}

/// Staff roles that may decide on requests.
pub fn may_decide(roles: &[String]) -> bool {
    portal_platform::permissions::may(
        roles,
        portal_platform::permissions::Permission::DecideRequests,
    )
}

/// Optional fields a tenant may make required (title and description always are).
/// Equipment is not among them: much work concerns no equipment (the gateway
/// checks a given one against work-orders, ADR 0029).
pub const REQUIRABLE_FIELDS: [&str; 3] = ["category", "priority", "severity"];
const COMMENT_MAX: usize = 20_000;
const ATTACHMENTS_PER_COMMENT: usize = 10;
const CATEGORIES_MAX: usize = 100;
const NOTE_MAX: usize = 2_000;

/// A request's state as far as the conversation goes: closed and rejected
/// requests are over.
pub fn is_open(s: Status) -> bool {
    !matches!(s, Status::Closed | Status::Rejected)
}

/// Who acts, as the rules need it (from the token's claims).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who<'a> {
    /// A staff member with their roles.
    Staff { id: Uuid, roles: &'a [String] },
    /// A customer's contact, or a secure link acting for the customer.
    Contact { id: Uuid },
}

impl Who<'_> {
    pub fn id(&self) -> Uuid {
        match self {
            Who::Staff { id, .. } | Who::Contact { id } => *id,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Who::Staff { .. } => "staff",
            Who::Contact { .. } => "contact",
        }
    }

    fn has(&self, role: &str) -> bool {
        matches!(self, Who::Staff { roles, .. } if roles.iter().any(|r| r == role))
    }
}

/// What the rules need of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    pub status: Status,
    pub contact_id: Uuid,
    pub assignee_id: Option<Uuid>,
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The caller's role does not allow it (staff: 403).
    Forbidden(String),
    /// Not the caller's request (contacts learn nothing more: 404).
    NotYours,
    /// The request's state does not allow it (409).
    WrongState(String),
    /// Bad input (400).
    Invalid(String),
}

/// Comments (C3). Every staff role and the customer's contacts (who can
/// see the request) may comment while it is open; rejected requests stay
/// open to comments (the contact may answer the reason), closed ones do not
/// (C5: closing ends the conversation). Internal notes are staff-only.
pub fn may_comment(who: Who<'_>, ticket: &Ticket, internal: bool) -> Result<(), Refusal> {
    if internal && !matches!(who, Who::Staff { .. }) {
        return Err(Refusal::Forbidden(
            "only staff can write internal notes".into(),
        ));
    }
    if ticket.status == Status::Closed {
        return Err(Refusal::WrongState(
            "the request is closed: the conversation has ended".into(),
        ));
    }
    Ok(())
}

/// Closing (C5): the contact who created the request; staff who may decide
/// (admin, dispatcher); a technician only when the request is assigned to
/// them. Another contact of the same customer may not. Any state but
/// closed and rejected can be closed.
pub fn may_close(who: Who<'_>, ticket: &Ticket) -> Result<Status, Refusal> {
    let allowed = match who {
        Who::Contact { id } => {
            if id != ticket.contact_id {
                return Err(Refusal::NotYours);
            }
            true
        }
        Who::Staff { id, .. } => {
            who.has("admin") || who.has("dispatcher") || ticket.assignee_id == Some(id)
        }
    };
    if !allowed {
        return Err(Refusal::Forbidden(
            "a technician can close only the requests assigned to them".into(),
        ));
    }
    if !is_open(ticket.status) {
        return Err(Refusal::WrongState(format!(
            "the request is {}: it cannot be closed",
            ticket.status
        )));
    }
    Ok(Status::Closed)
}

/// Assigning and setting a due date (G2): admins and dispatchers, on an
/// open request. Contacts are refused as if the action did not exist.
pub fn may_assign(who: Who<'_>, ticket: &Ticket) -> Result<(), Refusal> {
    match who {
        Who::Contact { .. } => return Err(Refusal::NotYours),
        Who::Staff { .. } if !(who.has("admin") || who.has("dispatcher")) => {
            return Err(Refusal::Forbidden(
                "your role does not allow assigning requests".into(),
            ));
        }
        Who::Staff { .. } => {}
    }
    if !is_open(ticket.status) {
        return Err(Refusal::WrongState(format!(
            "the request is {}: it cannot be assigned",
            ticket.status
        )));
    }
    Ok(())
}

/// Whether this reader sees internal notes.
pub fn sees_internal(who: Who<'_>) -> bool {
    matches!(who, Who::Staff { .. })
}

/// A comment as checked and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommentInput {
    pub body: String,
    pub attachment_ids: Vec<Uuid>,
}

/// Files of a request are listed to its contact: an internal note cannot
/// carry any, or the note's files would reach the contact.
pub fn validate_comment(
    body: &str,
    attachment_ids: &[String],
    internal: bool,
) -> Result<NewCommentInput, Refusal> {
    if internal && !attachment_ids.is_empty() {
        return Err(Refusal::Invalid(
            "internal notes cannot carry files: contacts see every file of a request".into(),
        ));
    }
    let body = body.trim();
    if body.is_empty() {
        return Err(Refusal::Invalid("a comment needs a body".into()));
    }
    if body.chars().count() > COMMENT_MAX {
        return Err(Refusal::Invalid(format!(
            "a comment is longer than {COMMENT_MAX} characters"
        )));
    }
    if attachment_ids.len() > ATTACHMENTS_PER_COMMENT {
        return Err(Refusal::Invalid(format!(
            "at most {ATTACHMENTS_PER_COMMENT} attachments per comment"
        )));
    }
    let attachment_ids = attachment_ids
        .iter()
        .map(|a| {
            a.trim()
                .parse::<Uuid>()
                .map_err(|_| Refusal::Invalid(format!("attachment id '{a}' is not valid")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NewCommentInput {
        body: body.to_owned(),
        attachment_ids,
    })
}

/// An optional closing note.
pub fn validate_note(note: &str) -> Result<String, Refusal> {
    let note = note.trim();
    if note.chars().count() > NOTE_MAX {
        return Err(Refusal::Invalid(format!(
            "the note is longer than {NOTE_MAX} characters"
        )));
    }
    Ok(note.to_owned())
}

/// A tenant's request settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Offered categories; empty = free text.
    pub categories: Vec<String>,
    pub required_fields: Vec<String>,
}

/// Checks and normalises settings written by an admin.
pub fn validate_settings(categories: &[String], required: &[String]) -> Result<Settings, Refusal> {
    let mut cats: Vec<String> = Vec::new();
    for c in categories {
        let c = c.trim();
        if c.is_empty() {
            continue;
        }
        if c.chars().count() > 100 {
            return Err(Refusal::Invalid(format!(
                "category '{c}' is longer than 100 characters"
            )));
        }
        if !cats.iter().any(|x| x == c) {
            cats.push(c.to_owned());
        }
    }
    if cats.len() > CATEGORIES_MAX {
        return Err(Refusal::Invalid(format!(
            "at most {CATEGORIES_MAX} categories"
        )));
    }
    let mut fields: Vec<String> = Vec::new();
    for f in required {
        let f = f.trim();
        if !REQUIRABLE_FIELDS.contains(&f) {
            return Err(Refusal::Invalid(format!(
                "'{f}' is not one of {}",
                REQUIRABLE_FIELDS.join(", ")
            )));
        }
        if !fields.iter().any(|x| x == f) {
            fields.push(f.to_owned());
        }
    }
    Ok(Settings {
        categories: cats,
        required_fields: fields,
    })
}

/// List orders. Each has an index whose order is the list's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    CreatedDesc,
    CreatedAsc,
    UpdatedDesc,
    DueAsc,
}

impl Sort {
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        match s.trim() {
            "" | "created_desc" => Ok(Self::CreatedDesc),
            "created_asc" => Ok(Self::CreatedAsc),
            "updated_desc" => Ok(Self::UpdatedDesc),
            "due_asc" => Ok(Self::DueAsc),
            other => Err(Refusal::Invalid(format!(
                "sort '{other}' is not one of created_desc, created_asc, updated_desc, due_asc"
            ))),
        }
    }
}

/// Search text: bounded, and blank means no search.
pub fn search_query(q: &str) -> Result<Option<String>, Refusal> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(None);
    }
    if q.chars().count() > 200 {
        return Err(Refusal::Invalid(
            "the search is longer than 200 characters".into(),
        ));
    }
    Ok(Some(q.to_owned()))
}

/// The linked work order's state, as requests keeps a copy of it (from
/// the `work_order.*` events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "work_state", rename_all = "snake_case")]
pub enum WorkState {
    ToPlan,
    Scheduled,
    InProgress,
    Completed,
    Cancelled,
}

/// One change of the linked work order: one `work_order.*` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkChange {
    Scheduled,
    Rescheduled,
    Unscheduled,
    Started,
    Completed,
    Cancelled,
}

impl WorkChange {
    pub const ALL: [WorkChange; 6] = [
        Self::Scheduled,
        Self::Rescheduled,
        Self::Unscheduled,
        Self::Started,
        Self::Completed,
        Self::Cancelled,
    ];

    /// The work order's state after this change.
    pub fn state(self) -> WorkState {
        match self {
            Self::Scheduled | Self::Rescheduled => WorkState::Scheduled,
            Self::Unscheduled => WorkState::ToPlan,
            Self::Started => WorkState::InProgress,
            Self::Completed => WorkState::Completed,
            Self::Cancelled => WorkState::Cancelled,
        }
    }

    /// Whether the request shows a plan after this change: not once the
    /// work is unplanned or will not be done.
    pub fn keeps_plan(self) -> bool {
        !matches!(self, Self::Unscheduled | Self::Cancelled)
    }
}

/// What a request knows of its work order: its state and when that last
/// changed (the work order's own time of the change, not when we heard).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkCopy {
    pub state: WorkState,
    pub at: DateTime<Utc>,
}

/// Whether a change of the work order, made at `at`, moves the copy
/// forward. Events may arrive late or twice: the work order's own machine
/// only goes to_plan <-> scheduled -> in_progress -> completed, and
/// to_plan/scheduled -> cancelled, so a change that leads nowhere from the
/// copy's state is stale. Between to_plan and scheduled (plan, re-plan,
/// unplan, in any order) the later change wins.
pub fn work_moves_forward(copy: Option<WorkCopy>, change: WorkChange, at: DateTime<Utc>) -> bool {
    use WorkState::*;
    let Some(copy) = copy else {
        return true;
    };
    match (copy.state, change.state()) {
        (Completed | Cancelled, _) => false,
        (InProgress, to) => to == Completed,
        (ToPlan | Scheduled, InProgress | Completed | Cancelled) => true,
        (ToPlan | Scheduled, ToPlan | Scheduled) => at > copy.at,
    }
}

/// The request's status while its work order is in `state`. A request that
/// is over (closed, or rejected) or not yet accepted keeps its own. A
/// cancelled work order puts the request back to accepted: the work will
/// not be done, but whether the request is over is for a person to say (the
/// contact or staff close it, C5: a request is closed by its contact or its
/// assignee), as after done; the history says why.
pub fn status_with_work(current: Status, state: WorkState) -> Status {
    if !matches!(
        current,
        Status::Accepted | Status::Planned | Status::InProgress | Status::Done
    ) {
        return current;
    }
    match state {
        WorkState::ToPlan | WorkState::Cancelled => Status::Accepted,
        WorkState::Scheduled => Status::Planned,
        WorkState::InProgress => Status::InProgress,
        WorkState::Completed => Status::Done,
    }
}

/// A change of the linked work order applied to a request: its new status,
/// or `None` when the change is stale or repeated (nothing changes).
pub fn follow_work(
    current: Status,
    copy: Option<WorkCopy>,
    change: WorkChange,
    at: DateTime<Utc>,
) -> Option<Status> {
    work_moves_forward(copy, change, at).then(|| status_with_work(current, change.state()))
}

/// The note of a work order change in the request's history: the plan
/// (when, on the tenant's clock, and who) or the reason of a cancellation.
pub fn work_note(
    change: WorkChange,
    zone: Zone,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    technicians: &[String],
    reason: &str,
) -> String {
    match change {
        WorkChange::Scheduled | WorkChange::Rescheduled => {
            let when = match (start, end) {
                (Some(s), Some(e)) => zone.window_text(s, e),
                (Some(s), None) => zone.at_text(s),
                (None, _) => String::new(),
            };
            [when, technicians.join(", ")]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" · ")
        }
        WorkChange::Cancelled => reason.trim().to_owned(),
        WorkChange::Unscheduled | WorkChange::Started | WorkChange::Completed => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_submitted_requests_are_decided() {
        assert_eq!(
            decide(Status::Submitted, Decision::Accept),
            Ok(Status::Accepted)
        );
        assert_eq!(
            decide(Status::Submitted, Decision::Reject),
            Ok(Status::Rejected)
        );
        for s in Status::ALL.into_iter().filter(|s| *s != Status::Submitted) {
            assert!(decide(s, Decision::Accept).is_err(), "{s}");
            assert!(decide(s, Decision::Reject).is_err(), "{s}");
        }
    }

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("nope"), None);
    }

    #[test]
    fn only_admins_and_dispatchers_decide() {
        assert!(may_decide(&["dispatcher".into()]));
        assert!(may_decide(&["admin".into()]));
        assert!(!may_decide(&["technician".into()]));
        assert!(!may_decide(&[]));
    }

    fn staff(roles: &[String]) -> Who<'_> {
        Who::Staff {
            id: Uuid::from_u128(1),
            roles,
        }
    }

    fn ticket(status: Status) -> Ticket {
        Ticket {
            status,
            contact_id: Uuid::from_u128(10),
            assignee_id: Some(Uuid::from_u128(2)),
        }
    }

    #[test]
    fn permission_table() {
        // (who, comment, internal note, assign, close) on an open request
        // created by contact 10 and assigned to staff 2.
        let admin = vec!["admin".to_owned()];
        let dispatcher = vec!["dispatcher".to_owned()];
        let technician = vec!["technician".to_owned()];
        let creator = Who::Contact {
            id: Uuid::from_u128(10),
        };
        let other_contact = Who::Contact {
            id: Uuid::from_u128(11),
        };
        let assigned_tech = Who::Staff {
            id: Uuid::from_u128(2),
            roles: &technician,
        };
        let t = ticket(Status::Accepted);
        let table: [(Who<'_>, bool, bool, bool, bool); 6] = [
            (staff(&admin), true, true, true, true),
            (staff(&dispatcher), true, true, true, true),
            (staff(&technician), true, true, false, false),
            (assigned_tech, true, true, false, true),
            (creator, true, false, false, true),
            (other_contact, true, false, false, false),
        ];
        for (who, comment, note, assign, close) in table {
            assert_eq!(
                may_comment(who, &t, false).is_ok(),
                comment,
                "{who:?} comment"
            );
            assert_eq!(may_comment(who, &t, true).is_ok(), note, "{who:?} note");
            assert_eq!(may_assign(who, &t).is_ok(), assign, "{who:?} assign");
            assert_eq!(may_close(who, &t).is_ok(), close, "{who:?} close");
        }
        assert_eq!(may_close(other_contact, &t), Err(Refusal::NotYours));
        assert_eq!(may_assign(creator, &t), Err(Refusal::NotYours));
    }

    #[test]
    fn closed_from_any_open_state_and_no_comment_after() {
        let admin = vec!["admin".to_owned()];
        for s in Status::ALL {
            let closed = may_close(staff(&admin), &ticket(s));
            match s {
                Status::Closed | Status::Rejected => {
                    assert!(matches!(closed, Err(Refusal::WrongState(_))), "{s}")
                }
                _ => assert_eq!(closed, Ok(Status::Closed), "{s}"),
            }
        }
        let creator = Who::Contact {
            id: Uuid::from_u128(10),
        };
        assert!(matches!(
            may_comment(creator, &ticket(Status::Closed), false),
            Err(Refusal::WrongState(_))
        ));
        assert!(may_comment(creator, &ticket(Status::Rejected), false).is_ok());
        assert!(may_assign(staff(&admin), &ticket(Status::Closed)).is_err());
        assert!(sees_internal(staff(&admin)));
        assert!(!sees_internal(creator));
    }

    #[test]
    fn comments_are_checked() {
        assert!(validate_comment("  ", &[], false).is_err());
        assert!(validate_comment(&"x".repeat(20_001), &[], false).is_err());
        assert!(validate_comment("ok", &["nope".into()], false).is_err());
        let id = Uuid::now_v7();
        let c = validate_comment(" hello ", &[id.to_string()], false).expect("valid");
        assert!(validate_comment("note", &[id.to_string()], true).is_err());
        assert!(validate_comment("note", &[], true).is_ok());
        assert_eq!(c.body, "hello");
        assert_eq!(c.attachment_ids, vec![id]);
        assert!(validate_note(&"n".repeat(2_001)).is_err());
    }

    #[test]
    fn settings_and_required_fields() {
        assert!(validate_settings(&[], &["colour".into()]).is_err());
        let s = validate_settings(
            &[
                " repair ".into(),
                "repair".into(),
                "".into(),
                "install".into(),
            ],
            &["category".into(), "severity".into()],
        )
        .expect("valid");
        assert_eq!(s.categories, vec!["repair", "install"]);
    }

    #[test]
    fn sorts_and_search() {
        assert_eq!(Sort::parse(""), Ok(Sort::CreatedDesc));
        assert_eq!(Sort::parse("due_asc"), Ok(Sort::DueAsc));
        assert!(Sort::parse("random").is_err());
        assert_eq!(search_query("  "), Ok(None));
        assert_eq!(search_query(" oven "), Ok(Some("oven".into())));
        assert!(search_query(&"q".repeat(201)).is_err());
    }

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_900_000_000 + minute * 60, 0).unwrap_or_default()
    }

    fn copy(state: WorkState, minute: i64) -> Option<WorkCopy> {
        Some(WorkCopy {
            state,
            at: at(minute),
        })
    }

    #[test]
    fn work_changes_lead_to_request_statuses() {
        use WorkChange::*;
        let table = [
            (Scheduled, Status::Planned),
            (Rescheduled, Status::Planned),
            (Unscheduled, Status::Accepted),
            (Started, Status::InProgress),
            (Completed, Status::Done),
            (Cancelled, Status::Accepted),
        ];
        for (change, want) in table {
            assert_eq!(
                follow_work(Status::Accepted, None, change, at(1)),
                Some(want),
                "{change:?}"
            );
        }
    }

    #[test]
    fn only_forward_moves_of_the_work_order_apply() {
        use WorkChange::*;
        use WorkState as W;
        // (copy, change, applies), every change one minute after the copy.
        let table = [
            (W::ToPlan, Scheduled, true),
            (W::ToPlan, Rescheduled, true),
            (W::ToPlan, Unscheduled, true),
            (W::ToPlan, Started, true),
            (W::ToPlan, Completed, true),
            (W::ToPlan, Cancelled, true),
            (W::Scheduled, Scheduled, true),
            (W::Scheduled, Rescheduled, true),
            (W::Scheduled, Unscheduled, true),
            (W::Scheduled, Started, true),
            (W::Scheduled, Completed, true),
            (W::Scheduled, Cancelled, true),
            (W::InProgress, Scheduled, false),
            (W::InProgress, Rescheduled, false),
            (W::InProgress, Unscheduled, false),
            (W::InProgress, Started, false),
            (W::InProgress, Completed, true),
            (W::InProgress, Cancelled, false),
        ];
        for (state, change, applies) in table {
            assert_eq!(
                work_moves_forward(copy(state, 0), change, at(1)),
                applies,
                "{state:?} then {change:?}"
            );
        }
        for state in [W::Completed, W::Cancelled] {
            for change in WorkChange::ALL {
                assert!(!work_moves_forward(copy(state, 0), change, at(1)));
            }
        }
    }

    #[test]
    fn between_plans_the_later_change_wins_and_a_repeat_is_ignored() {
        use WorkChange::*;
        // Planned at minute 5; an unplan made at minute 3 arrives late.
        assert_eq!(
            follow_work(
                Status::Planned,
                copy(WorkState::Scheduled, 5),
                Unscheduled,
                at(3)
            ),
            None
        );
        // A re-plan made earlier than the plan we hold changes nothing.
        assert_eq!(
            follow_work(
                Status::Planned,
                copy(WorkState::Scheduled, 5),
                Rescheduled,
                at(4)
            ),
            None
        );
        // The same change again (same time) is no move.
        assert_eq!(
            follow_work(
                Status::Planned,
                copy(WorkState::Scheduled, 5),
                Scheduled,
                at(5)
            ),
            None
        );
        assert_eq!(
            follow_work(
                Status::Planned,
                copy(WorkState::Scheduled, 5),
                Rescheduled,
                at(6)
            ),
            Some(Status::Planned)
        );
        // A scheduled after completed (late) is ignored.
        assert_eq!(
            follow_work(
                Status::Done,
                copy(WorkState::Completed, 5),
                Scheduled,
                at(9)
            ),
            None
        );
        // A completion that overtook the start still completes; the start
        // arriving after it is ignored.
        assert_eq!(
            follow_work(
                Status::Planned,
                copy(WorkState::Scheduled, 5),
                Completed,
                at(7)
            ),
            Some(Status::Done)
        );
        assert_eq!(
            follow_work(Status::Done, copy(WorkState::Completed, 7), Started, at(6)),
            None
        );
    }

    #[test]
    fn a_request_that_is_over_keeps_its_status() {
        for current in [Status::Closed, Status::Rejected, Status::Submitted] {
            for change in WorkChange::ALL {
                assert_eq!(
                    follow_work(current, None, change, at(1)),
                    Some(current),
                    "{current} {change:?}"
                );
            }
        }
    }

    #[test]
    fn history_notes_say_when_and_who_or_why() {
        let names = vec!["Tom Tech".to_owned(), "Tina Tech".to_owned()];
        assert_eq!(
            work_note(
                WorkChange::Scheduled,
                Zone::UTC,
                Some(at(0)),
                Some(at(120)),
                &names,
                ""
            ),
            "2030-03-17 17:46 – 19:46 UTC · Tom Tech, Tina Tech"
        );
        // On a Paris tenant's clock.
        assert_eq!(
            work_note(
                WorkChange::Scheduled,
                Zone::or_utc("Europe/Paris"),
                Some(at(0)),
                Some(at(120)),
                &[],
                ""
            ),
            "2030-03-17 18:46 – 20:46 CET"
        );
        assert_eq!(
            work_note(
                WorkChange::Rescheduled,
                Zone::UTC,
                Some(at(0)),
                Some(at(24 * 60)),
                &[],
                ""
            ),
            "2030-03-17 17:46 – 2030-03-18 17:46 UTC"
        );
        assert_eq!(
            work_note(
                WorkChange::Cancelled,
                Zone::UTC,
                None,
                None,
                &names,
                " no access "
            ),
            "no access"
        );
        assert_eq!(
            work_note(
                WorkChange::Completed,
                Zone::UTC,
                Some(at(0)),
                Some(at(1)),
                &names,
                ""
            ),
            ""
        );
        assert!(WorkChange::Scheduled.keeps_plan());
        assert!(!WorkChange::Unscheduled.keeps_plan());
        assert!(!WorkChange::Cancelled.keeps_plan());
    }
}
