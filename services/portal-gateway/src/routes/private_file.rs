//! A customer's file as an answer: streamed from documents chunk by chunk
//! (the first one already read, for its metadata), typed as documents says,
//! never sniffed and never kept by a cache.
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use futures::{Stream, StreamExt};

/// How a file is answered.
pub struct Head<'a> {
    pub content_type: &'a str,
    /// Known size, for `Content-Length`; 0: unknown.
    pub size: i64,
    /// `Content-Disposition` (`inline`, `attachment; filename="..."`).
    pub disposition: &'a str,
}

/// `first` then `rest`, with `head`'s headers and the ones every private
/// file carries (`nosniff`, `no-store`).
pub fn response(
    head: &Head<'_>,
    first: Vec<u8>,
    rest: impl Stream<Item = Result<Vec<u8>, tonic::Status>> + Send + 'static,
) -> Response {
    let first = futures::stream::once(async move { Ok::<_, tonic::Status>(first) });
    let body = first.chain(rest).map(|chunk| chunk.map(bytes::Bytes::from));
    let mut res = Response::new(Body::from_stream(body));
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(head.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if head.size > 0 {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(head.size));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A customer's file: never kept by a shared cache or the browser's disk cache.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(head.disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_private_file_is_streamed_whole_and_never_cached() {
        let rest = futures::stream::iter([Ok(b" world".to_vec())]);
        let res = response(
            &Head {
                content_type: "text/plain",
                size: 11,
                disposition: "inline",
            },
            b"hello".to_vec(),
            rest,
        );
        let h = res.headers();
        assert_eq!(h[header::CONTENT_TYPE], "text/plain");
        assert_eq!(h[header::CONTENT_LENGTH], "11");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert_eq!(h[header::CONTENT_DISPOSITION], "inline");
        let body = axum::body::to_bytes(res.into_body(), 64)
            .await
            .unwrap_or_default();
        assert_eq!(&body[..], b"hello world");
    }
}
