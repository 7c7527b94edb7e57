//! JSON log lines that name their trace: `trace_id` and `span_id` of the
//! OpenTelemetry span the event happened in, so a log search leads to the
//! trace and back (the W3C ids, as in `traceparent`).
use std::fmt::{self, Write as _};
use std::sync::{Arc, OnceLock};

use opentelemetry::trace::TraceContextExt;
use tracing::dispatcher::WeakDispatch;
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Wraps a JSON event format and adds the current span's trace ids. The
/// ids live with the OpenTelemetry layer, reached through the subscriber,
/// which an event's formatter cannot ask for itself (tracing refuses
/// re-entry): [`WithTraceIds::dispatch`] is told it once installed.
pub struct WithTraceIds<F> {
    inner: F,
    dispatch: Arc<OnceLock<WeakDispatch>>,
}

impl<F> WithTraceIds<F> {
    pub fn new(inner: F) -> Self {
        Self {
            inner,
            dispatch: Arc::default(),
        }
    }

    /// Where to put the subscriber this format serves, once it is built.
    pub fn dispatch(&self) -> Arc<OnceLock<WeakDispatch>> {
        self.dispatch.clone()
    }
}

impl<S, N, F> FormatEvent<S, N> for WithTraceIds<F>
where
    F: FormatEvent<S, N>,
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        // Read before formatting: the formatter borrows the span's data.
        let ids = ctx.lookup_current().and_then(|span| {
            let dispatch = self.dispatch.get()?.upgrade()?;
            let context = tracing_opentelemetry::get_otel_context(&span.id(), &dispatch)?;
            let ids = context.span().span_context().clone();
            ids.is_valid()
                .then(|| (ids.trace_id().to_string(), ids.span_id().to_string()))
        });
        let mut line = String::new();
        self.inner
            .format_event(ctx, Writer::new(&mut line), event)?;
        match ids.and_then(|(trace, span)| with_ids(&line, &trace, &span)) {
            Some(line) => writer.write_str(&line),
            None => writer.write_str(&line),
        }
    }
}

/// `line` (one JSON object and a newline) with the two ids added. Pure.
fn with_ids(line: &str, trace_id: &str, span_id: &str) -> Option<String> {
    let body = line.trim_end().strip_suffix('}')?;
    let mut out = String::with_capacity(line.len() + 80);
    out.push_str(body);
    if !body.trim_end().ends_with('{') {
        out.push(',');
    }
    let _ = write!(
        out,
        "\"trace_id\":\"{trace_id}\",\"span_id\":\"{span_id}\"}}"
    );
    out.push('\n');
    Some(out)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use opentelemetry::trace::TracerProvider as _;
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn ids_join_the_object() {
        assert_eq!(
            with_ids("{\"a\":1}\n", "t", "s").as_deref(),
            Some("{\"a\":1,\"trace_id\":\"t\",\"span_id\":\"s\"}\n")
        );
        assert_eq!(
            with_ids("{}\n", "t", "s").as_deref(),
            Some("{\"trace_id\":\"t\",\"span_id\":\"s\"}\n")
        );
        assert_eq!(with_ids("not json", "t", "s"), None);
    }

    #[test]
    fn a_log_line_in_a_span_names_its_trace_and_span() -> anyhow::Result<()> {
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
        let lines = Lines::default();
        let sink = lines.clone();
        let format = WithTraceIds::new(
            tracing_subscriber::fmt::format()
                .json()
                .with_current_span(true),
        );
        let dispatch = format.dispatch();
        let subscriber = tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .event_format(format)
                    .with_writer(move || sink.clone()),
            )
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        let (trace_id, span_id) = tracing::subscriber::with_default(subscriber, || {
            tracing::dispatcher::get_default(|d| dispatch.set(d.downgrade()).ok());
            let span = tracing::info_span!("work");
            let _entered = span.enter();
            tracing::info!("inside");
            let context = span.context();
            let ids = context.span().span_context().clone();
            (ids.trace_id().to_string(), ids.span_id().to_string())
        });
        let text = String::from_utf8(lines.0.lock().map(|l| l.clone()).unwrap_or_default())?;
        let line: serde_json::Value = serde_json::from_str(text.trim())?;
        assert_eq!(line["trace_id"], trace_id.as_str(), "{text}");
        assert_eq!(line["span_id"], span_id.as_str(), "{text}");
        assert_eq!(line["fields"]["message"], "inside", "{text}");
        assert_ne!(trace_id, "00000000000000000000000000000000");
        Ok(())
    }
}
