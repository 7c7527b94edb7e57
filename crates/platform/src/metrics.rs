//! Prometheus metrics: the recorder, and the counters every service shares.
//! Names are documented in the README.
use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{Filtered, Targets};
use tracing_subscriber::layer::Context;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide recorder (installed on first use).
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        // Fails only when a recorder exists already (several services in one test process).
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Counts the SQL statements sqlx runs (it reports each as an event of
/// target `sqlx::query`), so that the cost of an API call can be measured.
pub struct SqlStatementCounter;

impl SqlStatementCounter {
    pub fn layer<S>() -> Filtered<Self, Targets, S>
    where
        S: tracing::Subscriber,
    {
        Self.with_filter(Targets::new().with_target("sqlx::query", tracing::Level::TRACE))
    }
}

impl<S: tracing::Subscriber> Layer<S> for SqlStatementCounter {
    fn on_event(&self, _event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        metrics::counter!("portal_sql_statements_total").increment(1);
    }
}
