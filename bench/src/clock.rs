//! Wall-clock time in microseconds since the Unix epoch: the one clock that
//! the SMTP sink (in the helper process) and the load generator share, so a
//! mail's receipt can be compared with the 200 of the accept that caused it.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
        })
}
