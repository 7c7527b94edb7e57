//! Deletes stored files that no row names (E7). A file is written before
//! its row, so that a row never points at missing bytes; a crash between
//! the two, or a clean-up that failed after a refused row, leaves bytes
//! that nobody can reach. Files younger than the grace age are kept: the row
//! of an upload in progress does not exist yet.
use std::collections::HashSet;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt;
use object_store::{ObjectMeta, ObjectStoreExt};
use portal_platform::CancellationToken;
use portal_platform::db::SystemPool;

use crate::blobs::Blobs;
use crate::store;

/// Keys checked against the database in one query.
const BATCH: usize = 500;

/// The scheduled job's name in `job_runs`.
const JOB: &str = "blob-sweep";

/// Whether a file goes: no row names it and it is at least `grace` old. A
/// time in the future (clocks apart) counts as young.
pub fn to_sweep(
    last_modified: DateTime<Utc>,
    now: DateTime<Utc>,
    grace: TimeDelta,
    referenced: bool,
) -> bool {
    !referenced && now.signed_duration_since(last_modified) >= grace
}

/// Whether a listed key can be compared with the keys in the rows. The
/// store percent-encodes characters it does not allow in a key; such a key
/// differs from its row's, so it is never taken for unreferenced.
fn comparable(key: &str) -> bool {
    !key.contains('%')
}

/// How often a replica asks whether a sweep is due: often enough that one
/// replica alone does not miss a period by a few milliseconds' jitter.
fn ask_every(every: Duration) -> Duration {
    (every / 4).clamp(Duration::from_secs(1), Duration::from_secs(300))
}

/// Lists the whole store and deletes what [`to_sweep`] picks; returns how
/// many files were deleted. Safe to run on several replicas at once: a file
/// deleted twice is simply gone.
pub async fn sweep_once(
    blobs: &Blobs,
    system: &SystemPool,
    grace: Duration,
) -> anyhow::Result<usize> {
    let grace = TimeDelta::from_std(grace).unwrap_or(TimeDelta::MAX);
    let now = Utc::now();
    let objects = blobs.store();
    let (mut listed, mut skipped) = (0usize, 0usize);
    let mut orphans = Vec::new();
    // Deleting waits for the end of the listing: a directory store lists by
    // walking folders that deleting would remove under it.
    let mut pages = objects.list(None).chunks(BATCH);
    while let Some(page) = pages.next().await {
        let page: Vec<ObjectMeta> = page
            .into_iter()
            .collect::<Result<_, _>>()
            .context("listing the blob store")?;
        listed += page.len();
        let (page, odd): (Vec<ObjectMeta>, Vec<ObjectMeta>) = page
            .into_iter()
            .partition(|m| comparable(m.location.as_ref()));
        skipped += odd.len();
        let keys: Vec<String> = page.iter().map(|m| m.location.to_string()).collect();
        let unreferenced: HashSet<String> = store::unreferenced_blob_keys(system, &keys)
            .await
            .context("looking up the rows of stored files")?
            .into_iter()
            .collect();
        orphans.extend(
            page.into_iter()
                .filter(|m| {
                    let referenced = !unreferenced.contains(m.location.as_ref());
                    to_sweep(m.last_modified, now, grace, referenced)
                })
                .map(|m| m.location),
        );
    }

    let (mut deleted, mut failed) = (0usize, 0usize);
    for location in orphans {
        // Looked at again right before: a key written anew since the listing
        // (a retried service report keeps its key) is young again and kept.
        match objects.head(&location).await {
            Ok(meta) if to_sweep(meta.last_modified, Utc::now(), grace, false) => {}
            Ok(_) | Err(object_store::Error::NotFound { .. }) => continue,
            Err(e) => {
                failed += 1;
                tracing::warn!(key = %location, error = %e, "could not look at an unreferenced file");
                continue;
            }
        }
        match objects.delete(&location).await {
            Ok(()) => {
                deleted += 1;
                tracing::debug!(key = %location, "unreferenced file deleted");
            }
            // Another replica's sweep came first.
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => {
                failed += 1;
                tracing::warn!(key = %location, error = %e, "could not delete an unreferenced file");
            }
        }
    }
    tracing::info!(listed, deleted, failed, skipped, "blob store swept");
    Ok(deleted)
}

/// Sweeps every `every` (zero: never), on one replica per period
/// (`job_runs`), until `shutdown`.
pub async fn run_forever(
    blobs: Blobs,
    system: SystemPool,
    every: Duration,
    grace: Duration,
    shutdown: CancellationToken,
) {
    if every.is_zero() {
        tracing::info!("blob sweeping is off (PORTAL_BLOB_SWEEP_SECS=0)");
        return;
    }
    let mut tick = tokio::time::interval(ask_every(every));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        match portal_platform::jobs::claim_run(system.cross_tenant(), JOB, every).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "could not ask whether the blob store is due a sweep");
                continue;
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            swept = sweep_once(&blobs, &system, grace) => {
                if let Err(e) = swept {
                    tracing::warn!(error = format!("{e:#}"), "sweeping the blob store failed");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("a valid time")
    }

    #[test]
    fn only_old_unreferenced_files_go() {
        let hour = TimeDelta::hours(1);
        let now = at(10_000);
        // (age in seconds, referenced) → swept?
        let table = [
            (7_200, false, true),
            (3_600, false, true),
            (3_599, false, false),
            (0, false, false),
            (-60, false, false),
            (7_200, true, false),
            (0, true, false),
        ];
        for (age, referenced, swept) in table {
            assert_eq!(
                to_sweep(at(10_000 - age), now, hour, referenced),
                swept,
                "age {age} s, referenced {referenced}"
            );
        }
    }

    #[test]
    fn no_grace_sweeps_at_once_but_never_the_future() {
        let now = at(0);
        assert!(to_sweep(now, now, TimeDelta::zero(), false));
        assert!(!to_sweep(at(1), now, TimeDelta::zero(), false));
        assert!(!to_sweep(now, now, TimeDelta::zero(), true));
    }

    #[test]
    fn encoded_keys_are_never_compared() {
        let t = uuid::Uuid::now_v7();
        assert!(comparable(&format!("{t}/request/{t}/{t}")));
        assert!(comparable(&format!("{t}/invoice/{t}/2027-0001.pdf")));
        assert!(!comparable("t/odd%23name"));
    }

    #[test]
    fn replicas_ask_a_few_times_per_period() {
        assert_eq!(
            ask_every(Duration::from_secs(3600)),
            Duration::from_secs(300)
        );
        assert_eq!(ask_every(Duration::from_secs(60)), Duration::from_secs(15));
        assert_eq!(ask_every(Duration::from_secs(2)), Duration::from_secs(1));
    }

    #[test]
    fn the_sweep_query_checks_every_table_with_blob_keys() {
        // The SQL is a literal; this keeps it and the list in step.
        let source = include_str!("store.rs");
        let query = &source[source
            .find("fn unreferenced_blob_keys")
            .expect("the query is in store.rs")..];
        for table in store::BLOB_KEY_TABLES {
            assert!(
                query.contains(&format!("FROM {table} ")),
                "unreferenced_blob_keys does not look at {table}"
            );
        }
    }
}
