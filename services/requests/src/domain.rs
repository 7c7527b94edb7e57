//! The life of a request, free of I/O: valid input and allowed transitions.
use std::fmt;

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

pub const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];
const TITLE_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 20_000;

/// A new request as checked and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub title: String,
    pub description: String,
    pub category: String,
    pub priority: String,
}

/// Checks a contact's input. The description is required; without a title,
/// the first line of the description stands in for it.
pub fn validate_new(
    title: &str,
    description: &str,
    category: &str,
    priority: &str,
) -> Result<NewRequest, String> {
    let description = description.trim();
    if description.is_empty() {
        return Err("description is required".into());
    }
    if description.chars().count() > DESCRIPTION_MAX {
        return Err(format!(
            "description is longer than {DESCRIPTION_MAX} characters"
        ));
    }
    let title = match title.trim() {
        "" => description
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(80)
            .collect(),
        t => t.to_owned(),
    };
    if title.chars().count() > TITLE_MAX {
        return Err(format!("title is longer than {TITLE_MAX} characters"));
    }
    let priority = match priority.trim() {
        "" => "normal".to_owned(),
        p if PRIORITIES.contains(&p) => p.to_owned(),
        p => {
            return Err(format!(
                "priority '{p}' is not one of {}",
                PRIORITIES.join(", ")
            ));
        }
    };
    let category = category.trim();
    if category.chars().count() > 100 {
        return Err("category is longer than 100 characters".into());
    }
    Ok(NewRequest {
        title,
        description: description.to_owned(),
        category: category.to_owned(),
        priority,
    })
}

/// Staff roles that may decide on requests.
pub fn may_decide(roles: &[String]) -> bool {
    roles.iter().any(|r| r == "admin" || r == "dispatcher")
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
    fn description_is_required() {
        assert!(validate_new("Oven", "", "", "").is_err());
        assert!(validate_new("Oven", "   \n ", "", "").is_err());
    }

    #[test]
    fn defaults_and_title_from_description() {
        let r = validate_new("", "Oven broken\nIt makes smoke", "repair", "").expect("valid");
        assert_eq!(r.title, "Oven broken");
        assert_eq!(r.priority, "normal");
        assert_eq!(r.category, "repair");
    }

    #[test]
    fn unknown_priority_is_refused() {
        assert!(validate_new("t", "d", "", "whenever").is_err());
        assert!(validate_new("t", "d", "", "urgent").is_ok());
    }

    #[test]
    fn only_admins_and_dispatchers_decide() {
        assert!(may_decide(&["dispatcher".into()]));
        assert!(may_decide(&["admin".into()]));
        assert!(!may_decide(&["technician".into()]));
        assert!(!may_decide(&[]));
    }
}
