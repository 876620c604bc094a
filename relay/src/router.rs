//! The relay's one route table.

use std::sync::Arc;

use axum::response::Redirect;
use axum::routing::get;
use axum::Router;

use crate::handlers::{static_files, status};
use crate::state::AppState;

/// Every route the relay serves: the versioned API, then the built `www/` pages.
pub fn routes(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/admin/") }))
        .route("/admin", get(|| async { Redirect::to("/admin/") }))
        .route("/admin/", get(static_files::admin_page))
        .route("/api/v1/status", get(status::get_status))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(get(static_files::serve))
        .with_state(state)
}
