//! `/` and the answers for unknown routes and methods.
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;

use crate::problem::Problem;
use crate::web::ctx::Ctx;

/// A tenant's portal home on its own host name, else the front page.
pub async fn home(ctx: Ctx) -> Response {
    crate::web::pages::portal::root(ctx).await
}

pub async fn method_not_allowed(method: Method, uri: Uri) -> Problem {
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
