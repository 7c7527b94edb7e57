//! The web portal: server-rendered pages for contacts and staff.
use axum::Router;

use crate::state::AppState;

/// Routes of the HTML pages (merged beside the REST API).
pub fn router() -> Router<AppState> {
    Router::new()
}
