//! The services' own SQL statement counters (`portal_sql_statements_total`
//! on each admin port's `/metrics`), read before and after a scenario.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use reqwest::Client;

use crate::api;

const METRIC: &str = "portal_sql_statements_total";

/// Statements run so far, by service.
pub type Snapshot = BTreeMap<String, f64>;

pub struct Counters {
    /// Service name and admin port.
    targets: Vec<(String, u16)>,
    http: Client,
}

impl Counters {
    pub fn new(targets: Vec<(String, u16)>) -> Result<Self> {
        Ok(Self {
            targets,
            http: api::client()?,
        })
    }

    pub async fn snapshot(&self) -> Result<Snapshot> {
        let mut snapshot = Snapshot::new();
        for (name, port) in &self.targets {
            let url = format!("http://127.0.0.1:{port}/metrics");
            let text = self
                .http
                .get(&url)
                .send()
                .await
                .with_context(|| format!("reading {url}"))?
                .text()
                .await?;
            snapshot.insert(name.clone(), sql_statements(&text));
        }
        Ok(snapshot)
    }
}

/// Statements per service between two snapshots.
pub fn since(before: &Snapshot, after: &Snapshot) -> Snapshot {
    after
        .iter()
        .map(|(name, value)| {
            let earlier = before.get(name).copied().unwrap_or(0.0);
            (name.clone(), value - earlier)
        })
        .collect()
}

pub fn total(snapshot: &Snapshot) -> f64 {
    snapshot.values().sum()
}

/// The counter's value in a Prometheus text exposition, summed over label
/// sets; 0 when absent (the gateway has no database).
pub fn sql_statements(exposition: &str) -> f64 {
    exposition
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let rest = line.strip_prefix(METRIC)?;
            // `portal_sql_statements_total 12` or `...{a="b"} 12`, not a longer name.
            if !(rest.starts_with(' ') || rest.starts_with('{')) {
                return None;
            }
            rest.rsplit(' ').next()?.parse::<f64>().ok()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_counter() {
        let text = "# TYPE portal_sql_statements_total counter\n\
                    portal_sql_statements_total 1234\n\
                    portal_sql_statements_total_other 9\n\
                    portal_grpc_requests_total{method=\"x\",code=\"0\"} 5\n";
        assert!((sql_statements(text) - 1234.0).abs() < f64::EPSILON);
        assert!(sql_statements("").abs() < f64::EPSILON);
    }

    #[test]
    fn differences_by_service() {
        let before = Snapshot::from([("requests".to_owned(), 10.0)]);
        let after = Snapshot::from([("requests".to_owned(), 15.0), ("identity".to_owned(), 2.0)]);
        let diff = since(&before, &after);
        assert!((total(&diff) - 7.0).abs() < f64::EPSILON);
    }
}
