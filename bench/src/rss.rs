//! Resident memory of the watched processes, from `/proc/<pid>/status`
//! (`VmRSS`): sampled once when idle, and every 100 ms under load, keeping
//! the maximum.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

const EVERY: Duration = Duration::from_millis(100);

/// KiB by process name.
pub type Rss = BTreeMap<String, u64>;

pub struct Sampler {
    processes: Vec<(String, u32)>,
    loaded: Arc<AtomicBool>,
    peak: Arc<Mutex<Rss>>,
}

impl Sampler {
    /// Starts the background sampling; it records only while loaded.
    pub fn start(processes: Vec<(String, u32)>) -> Self {
        let sampler = Self {
            processes,
            loaded: Arc::new(AtomicBool::new(false)),
            peak: Arc::new(Mutex::new(Rss::new())),
        };
        let (processes, loaded, peak) = (
            sampler.processes.clone(),
            Arc::clone(&sampler.loaded),
            Arc::clone(&sampler.peak),
        );
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(EVERY);
            loop {
                ticks.tick().await;
                if !loaded.load(Ordering::Relaxed) {
                    continue;
                }
                let now = sample(&processes);
                let mut peak = peak.lock().unwrap_or_else(PoisonError::into_inner);
                for (name, kib) in now {
                    let max = peak.entry(name).or_insert(0);
                    *max = (*max).max(kib);
                }
            }
        });
        sampler
    }

    pub fn now(&self) -> Rss {
        sample(&self.processes)
    }

    pub fn set_loaded(&self, loaded: bool) {
        self.loaded.store(loaded, Ordering::Relaxed);
    }

    /// The highest value seen while loaded.
    pub fn peak(&self) -> Rss {
        self.peak
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

pub fn sample(processes: &[(String, u32)]) -> Rss {
    processes
        .iter()
        .filter_map(|(name, pid)| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            Some((name.clone(), vm_rss_kib(&status)?))
        })
        .collect()
}

/// `VmRSS:     3712 kB` -> 3712.
fn vm_rss_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vm_rss() {
        let status = "Name:\tx\nVmPeak:\t  9999 kB\nVmRSS:\t    3712 kB\n";
        assert_eq!(vm_rss_kib(status), Some(3712));
        assert_eq!(vm_rss_kib("Name:\tx\n"), None);
    }

    #[test]
    fn samples_this_process() {
        let rss = sample(&[("me".to_owned(), std::process::id())]);
        assert!(rss.get("me").is_some_and(|kib| *kib > 0));
    }
}
