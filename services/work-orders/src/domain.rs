//! The life of a work order, free of I/O.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    ToPlan,
    Scheduled,
    InProgress,
    Completed,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Schedule,
    Start,
    Complete,
    Cancel,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Self::ToPlan,
        Self::Scheduled,
        Self::InProgress,
        Self::Completed,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ToPlan => "to_plan",
            Self::Scheduled => "scheduled",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// Where a step leads from a state; rescheduling a scheduled order is allowed.
pub fn next(current: Status, step: Step) -> Result<Status, String> {
    use Status::*;
    match (current, step) {
        (ToPlan | Scheduled, Step::Schedule) => Ok(Scheduled),
        (Scheduled, Step::Start) => Ok(InProgress),
        (InProgress, Step::Complete) => Ok(Completed),
        (ToPlan | Scheduled, Step::Cancel) => Ok(Cancelled),
        (s, step) => {
            let verb = match step {
                Step::Schedule => "scheduled",
                Step::Start => "started",
                Step::Complete => "completed",
                Step::Cancel => "cancelled",
            };
            Err(format!(
                "a work order that is {} cannot be {verb}",
                s.as_str()
            ))
        }
    }
}

/// Where a work order starts: created from an accepted request, to be planned.
pub const INITIAL: Status = Status::ToPlan;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_work_orders_are_to_plan() {
        assert_eq!(INITIAL, Status::ToPlan);
        assert_eq!(INITIAL.as_str(), "to_plan");
    }

    #[test]
    fn the_happy_path() {
        let s = next(Status::ToPlan, Step::Schedule).expect("schedule");
        let s = next(s, Step::Start).expect("start");
        assert_eq!(next(s, Step::Complete), Ok(Status::Completed));
    }

    #[test]
    fn finished_orders_do_not_move() {
        for step in [Step::Schedule, Step::Start, Step::Complete, Step::Cancel] {
            assert!(next(Status::Completed, step).is_err());
            assert!(next(Status::Cancelled, step).is_err());
        }
        assert!(next(Status::ToPlan, Step::Start).is_err());
        assert!(next(Status::InProgress, Step::Cancel).is_err());
    }

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }
}
