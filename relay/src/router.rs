//! The relay's one route table.

use std::sync::Arc;

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Redirect;
use tower::limit::ConcurrencyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use axum::routing::{get, post, put};
use axum::Router;

use crate::handlers::{
    activities, admin_session, connect, cors, crm_data, directory, matches, openapi, page_health, rep_session,
    static_files, status, writeback_admin,
};
use crate::security::{headers, rate_limit};
use crate::state::AppState;

/// Longest a request may take (a write-back flush of a large queue is the slowest).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Requests served at once; more wait their turn (and time out), so a flood queues
/// instead of exhausting the database pool and memory.
const MAX_CONCURRENT_REQUESTS: usize = 256;

/// Largest `Connections.csv` upload (a 30,000-connection export is about 3 MB).
const CONNECTIONS_LIMIT: usize = 32 * 1024 * 1024;

/// Every route the relay serves: the versioned API, then the built `www/` pages.
pub fn routes(state: Arc<AppState>) -> Router {
    let connections_upload =
        post(directory::upload_connections).layer(axum::extract::DefaultBodyLimit::max(CONNECTIONS_LIMIT));
    Router::new()
        .route("/", get(|| async { Redirect::to("/admin/") }))
        .route("/admin", get(|| async { Redirect::to("/admin/") }))
        .route("/admin/", get(static_files::admin_page))
        .route("/api/v1/status", get(status::get_status))
        .route("/api/v1/connect/start", post(connect::start))
        .route(connect::CALLBACK_PATH, get(connect::callback))
        .route("/api/v1/connection/disconnect", post(connect::disconnect))
        .route("/api/v1/admin/sign-in", get(connect::sign_in))
        .route("/api/v1/admin/me", get(admin_session::me))
        .route("/api/v1/admin/sign-out", post(admin_session::sign_out))
        .route("/api/v1/admin/writeback/setup", post(writeback_admin::setup))
        .route("/api/v1/admin/writeback/flush", post(writeback_admin::flush))
        .route("/api/v1/activities", post(activities::create).get(activities::list))
        .route("/api/v1/activities/backfill", post(activities::backfill))
        .route("/api/v1/activities/{id}", get(activities::get_one))
        .route("/api/v1/activities/{id}/target", put(activities::assign))
        .route("/api/v1/activities/{id}/retry", post(activities::retry))
        .route("/api/v1/rep/sign-in", get(rep_session::sign_in))
        .route("/api/v1/rep/sign-out", post(rep_session::sign_out))
        .route("/api/v1/me", get(rep_session::me))
        .route("/api/v1/index", get(crm_data::index))
        .route("/api/v1/index/delta", get(crm_data::index_delta))
        .route("/api/v1/crm/{id}/contact", get(crm_data::contact))
        .route("/api/v1/directory/profiles", post(directory::observe))
        .route("/api/v1/directory/connections", connections_upload)
        .route("/api/v1/directory/search", get(directory::search))
        .route("/api/v1/matches", post(matches::decide))
        .route("/api/v1/health/pages", post(page_health::report))
        .route("/api/v1/matches/{crm_id}", get(matches::get_match))
        .route("/api/v1/me/writeback", get(activities::get_prefs).put(activities::put_prefs))
        .route(openapi::PATH, get(openapi::document))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(get(static_files::serve))
        .layer(axum::middleware::from_fn(cors::allow_extensions))
        .layer(axum::middleware::from_fn_with_state(state.clone(), rate_limit::limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), headers::add))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(ConcurrencyLimitLayer::new(MAX_CONCURRENT_REQUESTS))
        .with_state(state)
}
