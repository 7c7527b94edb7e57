//! The load generator: a fixed number of workers, each with its own
//! keep-alive connection, issuing calls back to back (closed loop) or at a
//! given total rate (paced). Each call's latency goes into the worker's own
//! histogram (no lock on the hot path); calls started during the warm-up are
//! made but not counted.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use hdrhistogram::Histogram;
use reqwest::Client;
use tokio::time::Instant;

use crate::api;
use crate::stats::{self, Latency};

pub struct Plan {
    pub connections: usize,
    pub warmup: Duration,
    pub measure: Duration,
    /// `None`: closed loop. `Some(r)`: call `k` starts `k / r` seconds in,
    /// or as soon as a worker is free if they are all behind.
    pub rate: Option<f64>,
}

/// What one call made, and whether it counts (started after the warm-up).
pub struct Sample<T> {
    pub measured: bool,
    pub value: T,
}

pub struct Run<T> {
    /// Successful calls started after the warm-up.
    pub measured: u64,
    /// Every call that completed, warm-up and failures included: what the
    /// services' own counters saw.
    pub calls: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// From the end of the warm-up to the last measured call's end.
    pub window: Duration,
    pub latency: Histogram<u64>,
    pub samples: Vec<Sample<T>>,
}

impl<T> Run<T> {
    pub fn per_second(&self) -> f64 {
        if self.window.is_zero() {
            0.0
        } else {
            self.measured as f64 / self.window.as_secs_f64()
        }
    }

    pub fn latency(&self) -> Latency {
        Latency::of(&self.latency)
    }
}

/// Runs `op` on `plan.connections` workers until the plan's time is up or
/// `op` answers `Ok(None)` (nothing left to do). `op` gets the worker's
/// client and the call's sequence number across all workers.
pub async fn run<T, F, Fut>(plan: &Plan, op: F) -> Result<Run<T>>
where
    T: Send + 'static,
    F: Fn(Client, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<T>>> + Send + 'static,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let schedule = Schedule {
        start,
        warm_end: start + plan.warmup,
        end: start + plan.warmup + plan.measure,
        rate: plan.rate,
    };
    let mut workers = Vec::with_capacity(plan.connections);
    for _ in 0..plan.connections {
        let client = api::client()?;
        workers.push(tokio::spawn(worker(
            client,
            schedule.clone(),
            Arc::clone(&next),
            Arc::clone(&op),
        )));
    }
    let mut total = Run {
        measured: 0,
        calls: 0,
        errors: 0,
        first_error: None,
        window: Duration::ZERO,
        latency: stats::histogram()?,
        samples: Vec::new(),
    };
    let mut last_end = None;
    for handle in workers {
        let done = handle.await.context("a load worker panicked")??;
        total.measured += done.measured;
        total.calls += done.calls;
        total.errors += done.errors;
        total.first_error = total.first_error.or(done.first_error);
        total
            .latency
            .add(&done.latency)
            .map_err(|e| anyhow!("merging histograms: {e:?}"))?;
        total.samples.extend(done.samples);
        last_end = last_end.max(done.last_measured_end);
    }
    if let Some(last_end) = last_end {
        total.window = last_end.saturating_duration_since(schedule.warm_end);
    }
    Ok(total)
}

#[derive(Clone)]
struct Schedule {
    start: Instant,
    warm_end: Instant,
    end: Instant,
    rate: Option<f64>,
}

struct Worker<T> {
    measured: u64,
    calls: u64,
    errors: u64,
    first_error: Option<String>,
    last_measured_end: Option<Instant>,
    latency: Histogram<u64>,
    samples: Vec<Sample<T>>,
}

async fn worker<T, F, Fut>(
    client: Client,
    schedule: Schedule,
    next: Arc<AtomicU64>,
    op: Arc<F>,
) -> Result<Worker<T>>
where
    F: Fn(Client, u64) -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let mut done = Worker {
        measured: 0,
        calls: 0,
        errors: 0,
        first_error: None,
        last_measured_end: None,
        latency: stats::histogram()?,
        samples: Vec::new(),
    };
    loop {
        let seq = next.fetch_add(1, Ordering::Relaxed);
        if let Some(rate) = schedule.rate {
            let due = schedule.start + Duration::from_secs_f64(seq as f64 / rate);
            if due >= schedule.end {
                break;
            }
            tokio::time::sleep_until(due).await;
        }
        let began = Instant::now();
        if began >= schedule.end {
            break;
        }
        let outcome = op(client.clone(), seq).await;
        let ended = Instant::now();
        let measured = began >= schedule.warm_end;
        match outcome {
            Ok(None) => break,
            Ok(Some(value)) => {
                done.calls += 1;
                if measured {
                    done.measured += 1;
                    let micros = u64::try_from((ended - began).as_micros()).unwrap_or(u64::MAX);
                    done.latency.saturating_record(micros.max(1));
                    done.last_measured_end = Some(ended);
                }
                done.samples.push(Sample { measured, value });
            }
            Err(error) => {
                done.calls += 1;
                done.errors += 1;
                done.first_error.get_or_insert_with(|| format!("{error:#}"));
            }
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn closed_loop_counts_only_after_the_warm_up() -> Result<()> {
        let plan = Plan {
            connections: 4,
            warmup: Duration::from_millis(100),
            measure: Duration::from_millis(300),
            rate: None,
        };
        let run = run(&plan, |_client, seq| async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            Ok(Some(seq))
        })
        .await?;
        assert_eq!(run.errors, 0);
        assert!(
            run.measured > 0 && run.measured < run.calls,
            "{}",
            run.measured
        );
        // 4 workers, 10 ms a call: about 400 calls a second.
        assert!(
            (200.0..500.0).contains(&run.per_second()),
            "{}",
            run.per_second()
        );
        assert!(run.latency().p50_ms >= 10.0);
        Ok(())
    }

    #[tokio::test]
    async fn paced_runs_keep_the_rate_and_stop_when_told() -> Result<()> {
        let plan = Plan {
            connections: 2,
            warmup: Duration::ZERO,
            measure: Duration::from_millis(500),
            rate: Some(100.0),
        };
        let run = run(&plan, |_client, seq| async move {
            Ok((seq < 30).then_some(seq))
        })
        .await?;
        assert_eq!(run.calls, 30);
        assert!(
            (80.0..130.0).contains(&run.per_second()),
            "{}",
            run.per_second()
        );
        Ok(())
    }
}
