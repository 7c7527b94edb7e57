//! Keyset pagination of lists sorted newest first: `?limit=&cursor=` in,
//! `{items, next_cursor}` out. Pure functions.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::errors::{ServiceError, ServiceResult};

pub const DEFAULT_LIMIT: i32 = 20;
pub const MAX_LIMIT: i32 = 100;

/// The position after which a page starts: the (created_at, id) of the last
/// row of the previous page.
pub type Key = (DateTime<Utc>, Uuid);

/// What a list call asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<Key>,
    pub limit: i64,
}

impl PageRequest {
    pub fn parse(limit: i32, cursor: &str) -> ServiceResult<Self> {
        let after = match cursor.trim() {
            "" => None,
            c => Some(
                decode_cursor(c).ok_or_else(|| ServiceError::Invalid("invalid cursor".into()))?,
            ),
        };
        let limit = if limit <= 0 {
            DEFAULT_LIMIT
        } else {
            limit.min(MAX_LIMIT)
        };
        Ok(Self {
            after,
            limit: i64::from(limit),
        })
    }

    /// Rows to fetch: one more than shown tells whether a next page exists.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The page and the cursor of the next one (empty when this is the last).
    pub fn split<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> Key) -> (Vec<T>, String) {
        let shown = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let more = rows.len() > shown;
        rows.truncate(shown);
        let next = match (more, rows.last()) {
            (true, Some(last)) => {
                let (at, id) = key(last);
                encode_cursor(at, id)
            }
            _ => String::new(),
        };
        (rows, next)
    }
}

pub fn encode_cursor(created_at: DateTime<Utc>, id: Uuid) -> String {
    format!("{}.{}", created_at.timestamp_micros(), id.simple())
}

pub fn decode_cursor(cursor: &str) -> Option<Key> {
    let (micros, id) = cursor.split_once('.')?;
    let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    Some((at, id.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let at = DateTime::from_timestamp_micros(1_764_000_000_123_456).expect("valid");
        let id = Uuid::now_v7();
        assert_eq!(decode_cursor(&encode_cursor(at, id)), Some((at, id)));
        assert_eq!(decode_cursor("garbage"), None);
        assert_eq!(decode_cursor("12.not-a-uuid"), None);
        assert!(PageRequest::parse(10, "garbage").is_err());
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(PageRequest::parse(0, "").map(|p| p.limit).ok(), Some(20));
        assert_eq!(
            PageRequest::parse(5000, "").map(|p| p.limit).ok(),
            Some(100)
        );
        assert_eq!(PageRequest::parse(7, "").map(|p| p.fetch()).ok(), Some(8));
    }

    #[test]
    fn a_full_page_points_at_the_next() -> anyhow::Result<()> {
        let page = PageRequest::parse(2, "")?;
        let at = DateTime::from_timestamp_micros(1_000).expect("valid");
        let rows: Vec<Key> = (0..3).map(|_| (at, Uuid::now_v7())).collect();
        let (shown, next) = page.split(rows.clone(), |r| *r);
        assert_eq!(shown, rows[..2]);
        assert_eq!(decode_cursor(&next), Some(rows[1]));
        let (shown, next) = page.split(rows[..2].to_vec(), |r| *r);
        assert_eq!(shown.len(), 2);
        assert_eq!(next, "");
        Ok(())
    }
}
