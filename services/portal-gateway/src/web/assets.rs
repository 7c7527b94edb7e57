//! The stylesheet and the scripts, embedded in the binary. Pages link them
//! with `?v=<content hash>`, so they may be cached for a year.
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const FILES: [(&str, &str, &[u8]); 10] = [
    (
        "portal.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/portal.css"),
    ),
    (
        "portal.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/portal.js"),
    ),
    (
        "board.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/board.js"),
    ),
    (
        "signature.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/signature.js"),
    ),
    // Leaflet 1.9.4 (BSD-2-Clause, static/leaflet-LICENSE.txt), for the maps.
    (
        "leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/leaflet.js"),
    ),
    (
        "leaflet.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/leaflet.css"),
    ),
    (
        "sites_map.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/sites_map.js"),
    ),
    (
        "marker-icon.png",
        "image/png",
        include_bytes!("../../static/marker-icon.png"),
    ),
    (
        "marker-icon-2x.png",
        "image/png",
        include_bytes!("../../static/marker-icon-2x.png"),
    ),
    (
        "marker-shadow.png",
        "image/png",
        include_bytes!("../../static/marker-shadow.png"),
    ),
];

static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    for (_, _, body) in FILES {
        h.update(body);
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
});

pub fn version() -> &'static str {
    &VERSION
}

pub async fn serve(Path(file): Path<String>) -> Response {
    let Some((_, content_type, body)) = FILES.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        *body,
    )
        .into_response()
}
