//! Reads what a refused request still sends before its answer goes out.
//!
//! A handler or extractor may answer without reading the body (a wrong
//! content type, a closed request, a missing session). hyper then closes the
//! connection with the rest unread, and when the client's body arrives after
//! that (clients often send it in its own packets), the kernel answers it
//! with a reset that can destroy the answer in flight: the client sees a
//! dropped connection instead of the problem document. This layer takes the
//! body back from whoever dropped it unread and discards what remains, within
//! bounds, so the answer arrives and the connection stays usable. A body too
//! large for that is still read a little after the answer went out (a
//! "lingering close"), so the client has the answer before the connection
//! closes under it.
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
/// After the answer: at most this much more, for at most this long, slowly,
/// so that the client's writes stall and it turns to read the answer.
const LINGER_BYTES: usize = 4 << 20;
const LINGER_TIME: Duration = Duration::from_secs(2);
const LINGER_PACE: Duration = Duration::from_millis(20);

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
        let mut stream = unread.into_data_stream();
        let ended = tokio::time::timeout(
            MAX_DISCARD_TIME,
            discard(&mut stream, MAX_DISCARD_BYTES, Duration::ZERO),
        )
        .await
        .unwrap_or(false);
        if !ended {
            // Held while the answer is written, then dropped: the
            // connection closes once the client had time to read it.
            tokio::spawn(async move {
                let linger = discard(&mut stream, LINGER_BYTES, LINGER_PACE);
                let _ = tokio::time::timeout(LINGER_TIME, linger).await;
            });
        }
    }
    response
}

/// Reads and drops up to `max` bytes, waiting `pace` after each chunk;
/// whether the body ended (or failed).
async fn discard(stream: &mut axum::body::BodyDataStream, max: usize, pace: Duration) -> bool {
    let mut read = 0;
    loop {
        match stream.next().await {
            Some(Ok(chunk)) => {
                read += chunk.len();
                if read > max {
                    return false;
                }
                if !pace.is_zero() {
                    tokio::time::sleep(pace).await;
                }
            }
            Some(Err(_)) | None => return true,
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
        let sent = Arc::new(AtomicUsize::new(0));
        let request = Request::post("/refuse")
            .body(body(1000, sent.clone()))
            .unwrap_or_default();
        let status = match app().oneshot(request).await {
            Ok(response) => response.status(),
            Err(never) => match never {},
        };
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        // 1 MiB and one chunk past it before the answer...
        let chunk = 64 * 1024;
        let before = sent.load(Ordering::Relaxed);
        assert!(before > MAX_DISCARD_BYTES / chunk, "{before}");
        // ... then some more after it (a lingering close), at most 4 MiB,
        // not the whole 62 MiB.
        tokio::time::sleep(LINGER_TIME + Duration::from_millis(300)).await;
        let after = sent.load(Ordering::Relaxed);
        assert!(after > before, "nothing read after the answer");
        assert!(
            after <= (MAX_DISCARD_BYTES + LINGER_BYTES) / chunk + 2,
            "{after}"
        );
    }
}
