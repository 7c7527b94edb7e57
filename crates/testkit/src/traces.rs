//! Every span the in-process services finish, kept in memory so that a test
//! can follow one trace across the hops. Logs go to stderr only when
//! `RUST_LOG` is set.
use std::sync::OnceLock;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};

static TRACING: OnceLock<(InMemorySpanExporter, SdkTracerProvider)> = OnceLock::new();

/// Installs the process-wide subscriber once.
pub fn install() -> &'static InMemorySpanExporter {
    let (exporter, _) = TRACING.get_or_init(|| {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let logs = std::env::var("RUST_LOG").is_ok();
        portal_platform::telemetry::install(provider.tracer("portal-tests"), "testkit", logs);
        (exporter, provider)
    });
    exporter
}

/// The finished spans of one trace (a 32-hex-digit id).
pub fn of_trace(trace_id: &str) -> Vec<SpanData> {
    install()
        .get_finished_spans()
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.span_context.trace_id().to_string() == trace_id)
        .collect()
}

/// The value of a span's attribute, as text.
pub fn attribute(span: &SpanData, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.to_string())
}
