//! Photos of a work order (D6): who may add them and when. The photos
//! themselves live in documents; the gateway reads this rule from the work
//! order's `allowed_actions` (`ADD_PHOTOS`) before it vouches for an upload
//! (ADR 0005).
use crate::planning::domain::{Refusal, Rights, Status};

/// Whether the caller may add photos now: a technician planned on the work
/// or a planner (dispatcher, admin), while it is scheduled or in progress.
/// Not after completion: the service report is made then, with the photos
/// it had.
pub fn may_add(status: Status, rights: Rights, assigned: bool) -> Result<(), Refusal> {
    if !(rights.plan || (rights.do_own && assigned)) {
        return Err(Refusal::NotAllowed(
            "only a technician planned on this work order, a dispatcher or an admin may add photos"
                .into(),
        ));
    }
    match status {
        Status::Scheduled | Status::InProgress => Ok(()),
        Status::ToPlan => Err(Refusal::WrongState(
            "photos are added once the work order is planned".into(),
        )),
        Status::Completed => Err(Refusal::WrongState(
            "the work order is completed and its report made: no more photos can be added".into(),
        )),
        Status::Cancelled => Err(Refusal::WrongState(
            "the work order is cancelled: no photos can be added".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
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
    const NOBODY: Rights = Rights {
        plan: false,
        do_own: false,
        complete_any: false,
    };

    #[test]
    fn who_may_add_photos_and_when() {
        use Status::*;
        // (status, rights, assigned, allowed)
        let cases = [
            (Scheduled, TECHNICIAN, true, Ok(())),
            (InProgress, TECHNICIAN, true, Ok(())),
            (InProgress, TECHNICIAN, false, Err("not")),
            (Scheduled, PLANNER, false, Ok(())),
            (InProgress, PLANNER, false, Ok(())),
            (InProgress, NOBODY, true, Err("not")),
            (ToPlan, PLANNER, false, Err("state")),
            (Completed, TECHNICIAN, true, Err("state")),
            (Completed, PLANNER, false, Err("state")),
            (Cancelled, PLANNER, false, Err("state")),
            // Who comes first: someone who may never add photos is told so.
            (Completed, TECHNICIAN, false, Err("not")),
        ];
        for (status, rights, assigned, want) in cases {
            let got = may_add(status, rights, assigned);
            let kind = match &got {
                Ok(()) => Ok(()),
                Err(Refusal::NotAllowed(_)) => Err("not"),
                Err(Refusal::WrongState(_)) => Err("state"),
                Err(Refusal::Invalid(_)) => Err("invalid"),
            };
            assert_eq!(kind, want, "{status:?} {rights:?} {assigned}: {got:?}");
        }
    }
}
