//! Conversions between chrono and protobuf timestamps.
use chrono::{DateTime, TimeZone, Utc};
use prost_types::Timestamp;

pub fn to_proto(t: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: t.timestamp(),
        nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

pub fn opt_to_proto(t: Option<DateTime<Utc>>) -> Option<Timestamp> {
    t.map(to_proto)
}

pub fn from_proto(t: &Timestamp) -> Option<DateTime<Utc>> {
    let nanos = u32::try_from(t.nanos).ok()?;
    Utc.timestamp_opt(t.seconds, nanos).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_to_the_nanosecond() {
        let t = Utc
            .timestamp_opt(1_764_000_000, 123_456_789)
            .single()
            .expect("valid");
        assert_eq!(from_proto(&to_proto(t)), Some(t));
    }

    #[test]
    fn refuses_negative_nanos() {
        let ts = Timestamp {
            seconds: 1,
            nanos: -1,
        };
        assert_eq!(from_proto(&ts), None);
    }
}
