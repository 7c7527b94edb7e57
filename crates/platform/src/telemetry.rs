//! Logs, traces and the W3C trace context that ties one request's hops
//! together: HTTP -> gRPC metadata -> outbox row -> NATS headers -> consumer.
use std::collections::HashMap;

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Flushes spans when dropped (keep it alive in `main`).
pub struct Telemetry {
    provider: SdkTracerProvider,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        let _ = self.provider.shutdown();
    }
}

/// Installs logging (readable, or JSON with `PORTAL_LOG_FORMAT=json`),
/// tracing with W3C propagation, export over OTLP/gRPC when
/// `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and the SQL statement counter.
pub fn init(service: &'static str) -> Telemetry {
    let mut builder = SdkTracerProvider::builder().with_resource(
        opentelemetry_sdk::Resource::builder()
            .with_service_name(service)
            .build(),
    );
    let endpoint = std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty());
    if endpoint.is_some() {
        // The exporter reads the endpoint (and OTEL_* settings) from the environment.
        match opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .build()
        {
            Ok(exporter) => builder = builder.with_batch_exporter(exporter),
            Err(e) => eprintln!("OTLP exporter disabled: {e}"),
        }
    }
    let provider = builder.build();
    install(provider.tracer(service), service, true);
    if let Some(endpoint) = endpoint {
        tracing::info!(service, %endpoint, "exporting traces over OTLP");
    }
    Telemetry { provider }
}

/// Installs the global subscriber around `tracer` (tests bring their own).
/// A second call in one process is a no-op.
pub fn install(tracer: opentelemetry_sdk::trace::Tracer, service: &'static str, logs: bool) {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let filter = || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("PORTAL_LOG_FORMAT").is_ok_and(|f| f == "json");
    let json_format = crate::log_format::WithTraceIds::new(
        tracing_subscriber::fmt::format()
            .json()
            .with_current_span(true),
    );
    let dispatch = json_format.dispatch();
    let logs = if !logs {
        None
    } else if json {
        Some(
            tracing_subscriber::fmt::layer()
                .json()
                .event_format(json_format)
                .with_filter(filter())
                .boxed(),
        )
    } else {
        Some(
            tracing_subscriber::fmt::layer()
                .with_filter(filter())
                .boxed(),
        )
    };
    let traces = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(tracing_subscriber::filter::LevelFilter::INFO);
    let result = tracing_subscriber::registry()
        .with(logs)
        .with(traces)
        .with(crate::metrics::SqlStatementCounter::layer())
        .try_init();
    if result.is_ok() {
        // The JSON lines find their trace ids through the subscriber.
        tracing::dispatcher::get_default(|d| dispatch.set(d.downgrade()).ok());
        tracing::info!(service, "telemetry initialised");
    }
}

/// The current span's context as a `traceparent` value, if it has one.
pub fn current_traceparent() -> Option<String> {
    let mut carrier = HashMap::new();
    let context = tracing::Span::current().context();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    carrier.remove("traceparent")
}

/// Makes `span` a child of the remote span named by `traceparent`.
pub fn set_parent(span: &tracing::Span, traceparent: Option<&str>) {
    if let Some(tp) = traceparent {
        let carrier = HashMap::from([("traceparent".to_owned(), tp.to_owned())]);
        let context = TraceContextPropagator::new().extract(&carrier);
        let _ = span.set_parent(context);
    }
}

/// Makes `span` a child of the context carried by HTTP (or gRPC) headers.
pub fn set_parent_from_headers(span: &tracing::Span, headers: &http::HeaderMap) {
    let context = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
    let _ = span.set_parent(context);
}

/// Carries the current span's context in outgoing gRPC metadata.
pub fn inject_into(metadata: &mut tonic::metadata::MetadataMap) {
    let context = tracing::Span::current().context();
    TraceContextPropagator::new().inject_context(&context, &mut MetadataInjector(metadata));
}

struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

struct MetadataInjector<'a>(&'a mut tonic::metadata::MetadataMap);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(k), Ok(v)) = (
            tonic::metadata::MetadataKey::from_bytes(key.as_bytes()),
            value.parse(),
        ) {
            self.0.insert(k, v);
        }
    }
}
