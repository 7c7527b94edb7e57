//! The minimal HTML front page (the web portal itself comes later).
use axum::http::{StatusCode, Uri};
use axum::response::Html;

use crate::problem::Problem;

pub async fn home() -> Html<&'static str> {
    Html(include_str!("../../templates/home.html"))
}

pub async fn method_not_allowed(method: axum::http::Method, uri: Uri) -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

pub async fn not_found(uri: Uri) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not-found",
        format!("no route for {}", uri.path()),
    )
}
