//! Latency histograms (microseconds, 3 significant digits) and the figures
//! the report shows of them.

use anyhow::{Result, anyhow};
use hdrhistogram::Histogram;
use serde::Serialize;

/// From 1 µs to an hour: nothing the bench measures falls outside.
pub fn histogram() -> Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).map_err(|e| anyhow!("histogram: {e:?}"))
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub count: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    pub fn of(histogram: &Histogram<u64>) -> Self {
        let ms = |us: u64| us as f64 / 1000.0;
        Self {
            count: histogram.len(),
            p50_ms: ms(histogram.value_at_quantile(0.50)),
            p99_ms: ms(histogram.value_at_quantile(0.99)),
            max_ms: ms(histogram.max()),
        }
    }

    /// Of a list of microsecond values.
    pub fn of_values(values: impl IntoIterator<Item = u64>) -> Result<Self> {
        let mut histogram = histogram()?;
        for value in values {
            histogram.saturating_record(value.max(1));
        }
        Ok(Self::of(&histogram))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_in_milliseconds() -> Result<()> {
        let latency = Latency::of_values((1..=100).map(|ms| ms * 1000))?;
        assert_eq!(latency.count, 100);
        assert!((latency.p50_ms - 50.0).abs() < 0.1, "{latency:?}");
        assert!((latency.p99_ms - 99.0).abs() < 0.1, "{latency:?}");
        Ok(())
    }
}
