//! Reads what a refused request still sends before its answer goes out.
//!
//! A handler or extractor may answer without reading the body (a wrong
//! content type, a closed request, a missing session). hyper then closes the
//! connection with the rest unread, and when the client's body arrives after
//! that (clients often send it in its own packets), the kernel answers it
//! with a reset that can destroy the answer in flight: the client sees a
//! dropped connection instead of the problem document. This layer takes the
//! body back from whoever dropped it unread and discards what remains, within
//! bounds, so the answer arrives and the connection stays usable.
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;
use http_body::{Frame, SizeHint};

/// More than this is not worth reading to save one connection.
const MAX_DISCARD_BYTES: usize = 1 << 20;
/// A client that stops sending is not waited for.
const MAX_DISCARD_TIME: Duration = Duration::from_secs(2);

type Slot = Arc<Mutex<Option<Body>>>;

pub async fn discard_unread(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    if http_body::Body::is_end_stream(&body) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let slot = Slot::default();
    let body = Body::new(Returned {
        inner: Some(body),
        finished: false,
        slot: slot.clone(),
    });
    let response = next.run(Request::from_parts(parts, body)).await;
    let unread = slot.lock().ok().and_then(|mut slot| slot.take());
    if let Some(unread) = unread {
        let _ = tokio::time::timeout(MAX_DISCARD_TIME, discard(unread)).await;
    }
    response
}

async fn discard(body: Body) {
    let mut stream = body.into_data_stream();
    let mut read = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        read += chunk.len();
        if read > MAX_DISCARD_BYTES {
            return;
        }
    }
}

/// The request body, handed back to the slot when dropped before its end.
struct Returned {
    inner: Option<Body>,
    finished: bool,
    slot: Slot,
}

impl http_body::Body for Returned {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(inner).poll_frame(cx);
        // An error ends it too: nothing more will come.
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            self.finished = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner
            .as_ref()
            .is_none_or(|inner| inner.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), |inner| inner.size_hint())
    }
}

impl Drop for Returned {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        if self.finished || http_body::Body::is_end_stream(&inner) {
            return;
        }
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some(inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::post;
    use tower::ServiceExt;

    use super::*;

    /// A body of `chunks` chunks of 64 KiB; `sent` counts those taken.
    fn body(chunks: usize, sent: Arc<AtomicUsize>) -> Body {
        let stream = futures::stream::iter(0..chunks).map(move |_| {
            sent.fetch_add(1, Ordering::Relaxed);
            Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; 64 * 1024]))
        });
        Body::from_stream(stream)
    }

    fn app() -> Router {
        Router::new()
            // Answers without looking at the body, as a refusal does.
            .route(
                "/refuse",
                post(|| async { StatusCode::UNSUPPORTED_MEDIA_TYPE }),
            )
            .route(
                "/read",
                post(|body: Bytes| async move { body.len().to_string() }),
            )
            .layer(axum::middleware::from_fn(discard_unread))
    }

    async fn send(path: &str, chunks: usize) -> (StatusCode, usize) {
        let sent = Arc::new(AtomicUsize::new(0));
        let request = Request::post(path)
            .body(body(chunks, sent.clone()))
            .unwrap_or_default();
        let status = match app().oneshot(request).await {
            Ok(response) => response.status(),
            Err(never) => match never {},
        };
        (status, sent.load(Ordering::Relaxed))
    }

    #[tokio::test]
    async fn a_refused_body_is_read_before_the_answer() {
        assert_eq!(
            send("/refuse", 4).await,
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, 4)
        );
        // A body read by its handler is not read twice.
        assert_eq!(send("/read", 4).await, (StatusCode::OK, 4));
    }

    #[tokio::test]
    async fn a_large_refused_body_is_not_read_to_its_end() {
        let (status, sent) = send("/refuse", 1000).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        // 1 MiB and one chunk past it, not 62 MiB.
        assert_eq!(sent, MAX_DISCARD_BYTES / (64 * 1024) + 1);
    }
}
