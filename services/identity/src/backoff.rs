//! Login back-off: a pure rule for how long a key (an account, an address,
//! a known device) must wait before its next password is checked.
//!
//! The attempt is counted *before* the hash is checked, under a row lock,
//! so a burst of parallel guesses cannot slip past the count. Nothing locks
//! an account for good: the waits grow with each failure up to a ceiling,
//! a known device has its own count, and "forgot password" gets in by mail.
use chrono::{DateTime, Duration, Utc};

/// How a kind of key backs off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Failures allowed without any wait.
    pub free: i32,
    /// The longest wait between two tries, in seconds.
    pub max_wait_secs: i64,
    /// Failures are forgotten after this long without a try.
    pub forget_after_secs: i64,
}

/// Guessing one account (tenant + e-mail), from anywhere: five free tries,
/// then 1 s, 2 s, 4 s … up to a quarter of an hour between tries.
pub const PER_ACCOUNT: Backoff = Backoff {
    free: 5,
    max_wait_secs: 15 * 60,
    forget_after_secs: 24 * 3600,
};
/// One address trying many accounts (an office behind one NAT gets room).
pub const PER_ADDRESS: Backoff = Backoff {
    free: 30,
    max_wait_secs: 15 * 60,
    forget_after_secs: 24 * 3600,
};

/// What a key has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tries {
    /// Tries counted since the last success (or since they were forgotten).
    pub failures: i32,
    pub last_at: DateTime<Utc>,
    pub not_before: DateTime<Utc>,
}

/// Whether this try may be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Check it; store `tries` (this one counted as a failure until it
    /// succeeds, when the key is cleared).
    Go(Tries),
    /// Refused unchecked: wait this many seconds.
    Wait(u64),
}

/// The wait after `failures` failures.
pub fn wait_after(b: Backoff, failures: i32) -> i64 {
    if failures < b.free {
        return 0;
    }
    let doublings = u32::try_from(failures - b.free).unwrap_or(u32::MAX).min(30);
    (1i64 << doublings).min(b.max_wait_secs)
}

/// Decides on a try at `now` given what the key did before.
pub fn gate(b: Backoff, before: Option<Tries>, now: DateTime<Utc>) -> Gate {
    let before = before.filter(|t| now - t.last_at <= Duration::seconds(b.forget_after_secs));
    if let Some(t) = before
        && now < t.not_before
    {
        let secs = ((t.not_before - now).num_milliseconds().max(1) + 999) / 1000;
        return Gate::Wait(u64::try_from(secs).unwrap_or(1));
    }
    let failures = before.map_or(0, |t| t.failures) + 1;
    Gate::Go(Tries {
        failures,
        last_at: now,
        not_before: now + Duration::seconds(wait_after(b, failures)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    /// Runs tries at the given seconds; the outcome of each.
    fn run(b: Backoff, times: &[i64]) -> Vec<Gate> {
        let mut state = None;
        times
            .iter()
            .map(|&s| {
                let g = gate(b, state, at(s));
                if let Gate::Go(t) = g {
                    state = Some(t);
                }
                g
            })
            .collect()
    }

    #[test]
    fn waits_grow_after_the_free_tries_up_to_the_ceiling() {
        let waits: Vec<i64> = (1..=20).map(|n| wait_after(PER_ACCOUNT, n)).collect();
        assert_eq!(&waits[..8], &[0, 0, 0, 0, 1, 2, 4, 8]);
        assert_eq!(waits[19], 900, "never more than a quarter of an hour");
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(wait_after(PER_ACCOUNT, i32::MAX), 900);
    }

    #[test]
    fn a_burst_at_one_instant_gets_only_the_free_tries() {
        let outcomes = run(PER_ACCOUNT, &[0; 60]);
        let checked = outcomes.iter().filter(|g| matches!(g, Gate::Go(_))).count();
        assert_eq!(checked, 5);
        assert_eq!(outcomes[5], Gate::Wait(1));
    }

    #[test]
    fn after_the_wait_one_more_try_is_checked_and_the_wait_doubles() {
        let outcomes = run(PER_ACCOUNT, &[0, 0, 0, 0, 0, 1, 1, 2, 3]);
        assert!(matches!(outcomes[5], Gate::Go(t) if t.failures == 6));
        assert_eq!(outcomes[6], Gate::Wait(2));
        assert_eq!(outcomes[7], Gate::Wait(1));
        assert!(matches!(outcomes[8], Gate::Go(t) if t.failures == 7));
    }

    #[test]
    fn failures_are_forgotten_after_a_quiet_day() {
        let old = Tries {
            failures: 50,
            last_at: at(0),
            not_before: at(900),
        };
        assert_eq!(gate(PER_ACCOUNT, Some(old), at(600)), Gate::Wait(300));
        let later = gate(PER_ACCOUNT, Some(old), at(24 * 3600 + 1));
        assert!(matches!(later, Gate::Go(t) if t.failures == 1));
    }
}
