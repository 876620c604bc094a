//! The relay's one route table: every route with who may call it, so the authorization
//! test walks the same table the router is built from (a route cannot be added without
//! saying who may call it).

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::Redirect;
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Router;
use tower::limit::ConcurrencyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::handlers::{
    activities, admin, admin_session, connect, cors, crm_data, directory, documents, lists, match_report, matches,
    openapi, page_health, rep_session, roi, static_files, status, writeback_admin,
};
use crate::security::{headers, rate_limit};
use crate::state::AppState;

/// Longest a request may take (a write-back flush of a large queue is the slowest).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Requests served at once; more wait their turn (and time out), so a flood queues
/// instead of exhausting the database pool and memory.
const MAX_CONCURRENT_REQUESTS: usize = 256;

/// Largest shared PDF, with room for the request around it.
const DOCUMENT_LIMIT: usize = crmsync::core::rules::documents::MAX_PDF_BYTES + 64 * 1024;

/// Largest `Connections.csv` upload (a 30,000-connection export is about 3 MB).
const CONNECTIONS_LIMIT: usize = 32 * 1024 * 1024;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, on purpose; the reason says why.
    Public(&'static str),
    /// A seat holder's bearer token (`Authorization: Bearer …`).
    Rep,
    /// The admin console's session cookie.
    Admin,
}

/// One route: method, path (axum syntax) and who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

const fn route(method: &'static str, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec { method, path, access }
}

/// Every route with its access, in the router's order.
pub const ROUTES: &[RouteSpec] = &[
    route("GET", "/", Access::Public("redirects to the admin console")),
    route("GET", "/admin", Access::Public("redirects to the admin console")),
    route("GET", "/admin/", Access::Public("the console page; it signs in itself")),
    route("GET", "/api/v1/status", Access::Public("the connection's state only; details need the admin cookie")),
    route("POST", "/api/v1/connect/start", Access::Public("same-origin only; the setup code or an admin session")),
    route(
        "GET",
        crate::login_flow::CALLBACK_PATH,
        Access::Public("OAuth callback, bound to the browser by its nonce cookie"),
    ),
    route("POST", "/api/v1/connection/disconnect", Access::Admin),
    route("GET", "/api/v1/admin/sign-in", Access::Public("starts the admin's Salesforce login")),
    route("GET", "/api/v1/admin/me", Access::Admin),
    route("POST", "/api/v1/admin/sign-out", Access::Public("ends the caller's own cookie session, if any")),
    route("POST", "/api/v1/admin/writeback/setup", Access::Admin),
    route("POST", "/api/v1/admin/writeback/flush", Access::Admin),
    route("GET", "/api/v1/admin/users", Access::Admin),
    route("GET", "/api/v1/admin/roles", Access::Admin),
    route("POST", "/api/v1/admin/seats", Access::Admin),
    route("POST", "/api/v1/admin/writeback/users", Access::Admin),
    route("GET", "/api/v1/admin/settings", Access::Admin),
    route("PUT", "/api/v1/admin/settings", Access::Admin),
    route("GET", "/api/v1/admin/activities", Access::Admin),
    route("GET", "/api/v1/admin/activities.csv", Access::Admin),
    route("POST", "/api/v1/admin/activities/actions", Access::Admin),
    route("GET", "/api/v1/admin/admins", Access::Admin),
    route("POST", "/api/v1/admin/admins", Access::Admin),
    route("DELETE", "/api/v1/admin/admins/{user}", Access::Admin),
    route("GET", "/api/v1/admin/audit", Access::Admin),
    route("GET", "/api/v1/admin/sync", Access::Admin),
    route("GET", "/api/v1/admin/match-report", Access::Admin),
    route("GET", "/api/v1/admin/match-report.csv", Access::Admin),
    route("GET", "/api/v1/admin/decisions", Access::Admin),
    route("POST", "/api/v1/admin/import", Access::Admin),
    route("POST", "/api/v1/admin/autosave/users", Access::Admin),
    route("GET", "/api/v1/admin/data-quality", Access::Admin),
    route("GET", "/api/v1/admin/data-quality.csv", Access::Admin),
    route("GET", "/api/v1/admin/roi", Access::Admin),
    route("GET", "/api/v1/admin/roi.csv", Access::Admin),
    route("GET", "/api/v1/admin/roi/opportunities", Access::Admin),
    route("POST", "/api/v1/activities", Access::Rep),
    route("GET", "/api/v1/activities", Access::Rep),
    route("POST", "/api/v1/activities/backfill", Access::Rep),
    route("GET", "/api/v1/activities/{id}", Access::Rep),
    route("PUT", "/api/v1/activities/{id}/target", Access::Rep),
    route("POST", "/api/v1/activities/{id}/retry", Access::Rep),
    route("GET", "/api/v1/rep/sign-in", Access::Public("starts a rep's Salesforce login")),
    route("POST", "/api/v1/rep/sign-out", Access::Rep),
    route("GET", "/api/v1/me", Access::Rep),
    route("GET", "/api/v1/index", Access::Rep),
    route("GET", "/api/v1/index/delta", Access::Rep),
    route("GET", "/api/v1/crm/{id}/contact", Access::Rep),
    route("POST", "/api/v1/directory/profiles", Access::Rep),
    route("POST", "/api/v1/directory/connections", Access::Rep),
    route("GET", "/api/v1/directory/search", Access::Rep),
    route("POST", "/api/v1/matches", Access::Rep),
    route("POST", "/api/v1/health/pages", Access::Rep),
    route("GET", "/api/v1/matches/{crm_id}", Access::Rep),
    route("GET", "/api/v1/me/writeback", Access::Rep),
    route("PUT", "/api/v1/me/writeback", Access::Rep),
    route("GET", "/api/v1/lists", Access::Rep),
    route("POST", "/api/v1/lists", Access::Rep),
    route("POST", "/api/v1/lists/{id}/entries", Access::Rep),
    route("DELETE", "/api/v1/lists/{id}/entries/{crm_id}", Access::Rep),
    route("PUT", "/api/v1/me/lists", Access::Rep),
    route("GET", "/api/v1/alerts", Access::Rep),
    route("POST", "/api/v1/documents", Access::Rep),
    route("POST", "/api/v1/documents/pdf", Access::Rep),
    route("GET", "/api/v1/documents", Access::Rep),
    route("POST", "/api/v1/documents/{id}/revoke", Access::Rep),
    route("GET", "/d/{token}", Access::Public("a shared document link: the unguessable token is the permission")),
    route("POST", "/api/v1/alerts/{id}/read", Access::Rep),
    route("GET", openapi::PATH, Access::Public("the API's own description")),
    route("GET", "/healthz", Access::Public("liveness probe")),
];

/// The handler of one route of [`ROUTES`].
fn handler(spec: &RouteSpec) -> MethodRouter<Arc<AppState>> {
    match (spec.method, spec.path) {
        ("GET", "/" | "/admin") => get(|| async { Redirect::to("/admin/") }),
        ("GET", "/admin/") => get(static_files::admin_page),
        ("GET", "/api/v1/status") => get(status::get_status),
        ("POST", "/api/v1/connect/start") => post(connect::start),
        ("GET", crate::login_flow::CALLBACK_PATH) => get(connect::callback),
        ("POST", "/api/v1/connection/disconnect") => post(connect::disconnect),
        ("GET", "/api/v1/admin/sign-in") => get(connect::sign_in),
        ("GET", "/api/v1/admin/me") => get(admin_session::me),
        ("POST", "/api/v1/admin/sign-out") => post(admin_session::sign_out),
        ("POST", "/api/v1/admin/writeback/setup") => post(writeback_admin::setup),
        ("POST", "/api/v1/admin/writeback/flush") => post(writeback_admin::flush),
        ("GET", "/api/v1/admin/users") => get(admin::users),
        ("GET", "/api/v1/admin/roles") => get(admin::roles),
        ("POST", "/api/v1/admin/seats") => post(admin::seats),
        ("POST", "/api/v1/admin/writeback/users") => post(admin::writeback_users),
        ("GET", "/api/v1/admin/settings") => get(admin::get_settings),
        ("PUT", "/api/v1/admin/settings") => put(admin::put_settings),
        ("GET", "/api/v1/admin/activities") => get(admin::activities),
        ("GET", "/api/v1/admin/activities.csv") => get(admin::activities_csv),
        ("POST", "/api/v1/admin/activities/actions") => post(admin::activity_actions),
        ("GET", "/api/v1/admin/admins") => get(admin::admins),
        ("POST", "/api/v1/admin/admins") => post(admin::add_admin),
        ("DELETE", "/api/v1/admin/admins/{user}") => delete(admin::remove_admin),
        ("GET", "/api/v1/admin/audit") => get(admin::audit),
        ("GET", "/api/v1/admin/sync") => get(admin::sync),
        ("GET", "/api/v1/admin/match-report") => get(match_report::match_report),
        ("GET", "/api/v1/admin/match-report.csv") => get(match_report::match_report_csv),
        ("GET", "/api/v1/admin/decisions") => get(match_report::decisions),
        ("POST", "/api/v1/admin/import") => post(admin::import_now),
        ("POST", "/api/v1/admin/autosave/users") => post(admin::autosave_users),
        ("GET", "/api/v1/admin/data-quality") => get(lists::data_quality),
        ("GET", "/api/v1/admin/data-quality.csv") => get(lists::data_quality_csv),
        ("GET", "/api/v1/admin/roi") => get(roi::report),
        ("GET", "/api/v1/admin/roi.csv") => get(roi::report_csv),
        ("GET", "/api/v1/admin/roi/opportunities") => get(roi::opportunities),
        ("POST", "/api/v1/activities") => post(activities::create),
        ("GET", "/api/v1/activities") => get(activities::list),
        ("POST", "/api/v1/activities/backfill") => post(activities::backfill),
        ("GET", "/api/v1/activities/{id}") => get(activities::get_one),
        ("PUT", "/api/v1/activities/{id}/target") => put(activities::assign),
        ("POST", "/api/v1/activities/{id}/retry") => post(activities::retry),
        ("GET", "/api/v1/rep/sign-in") => get(rep_session::sign_in),
        ("POST", "/api/v1/rep/sign-out") => post(rep_session::sign_out),
        ("GET", "/api/v1/me") => get(rep_session::me),
        ("GET", "/api/v1/index") => get(crm_data::index),
        ("GET", "/api/v1/index/delta") => get(crm_data::index_delta),
        ("GET", "/api/v1/crm/{id}/contact") => get(crm_data::contact),
        ("POST", "/api/v1/directory/profiles") => post(directory::observe),
        ("POST", "/api/v1/directory/connections") => {
            post(directory::upload_connections).layer(axum::extract::DefaultBodyLimit::max(CONNECTIONS_LIMIT))
        }
        ("GET", "/api/v1/directory/search") => get(directory::search),
        ("POST", "/api/v1/matches") => post(matches::decide),
        ("POST", "/api/v1/health/pages") => post(page_health::report),
        ("GET", "/api/v1/matches/{crm_id}") => get(matches::get_match),
        ("GET", "/api/v1/me/writeback") => get(activities::get_prefs),
        ("PUT", "/api/v1/me/writeback") => put(activities::put_prefs),
        ("GET", "/api/v1/lists") => get(lists::get_lists),
        ("POST", "/api/v1/lists") => post(lists::create_list),
        ("POST", "/api/v1/lists/{id}/entries") => post(lists::add_entry),
        ("DELETE", "/api/v1/lists/{id}/entries/{crm_id}") => delete(lists::remove_entry),
        ("PUT", "/api/v1/me/lists") => put(lists::put_prefs),
        ("GET", "/api/v1/alerts") => get(lists::get_alerts),
        ("POST", "/api/v1/documents") => post(documents::share_link),
        ("POST", "/api/v1/documents/pdf") => {
            post(documents::share_pdf).layer(axum::extract::DefaultBodyLimit::max(DOCUMENT_LIMIT))
        }
        ("GET", "/api/v1/documents") => get(documents::list),
        ("POST", "/api/v1/documents/{id}/revoke") => post(documents::revoke),
        ("GET", "/d/{token}") => get(documents::open),
        ("POST", "/api/v1/alerts/{id}/read") => post(lists::read_alert),
        ("GET", openapi::PATH) => get(openapi::document),
        ("GET", "/healthz") => get(|| async { "ok" }),
        // Unreachable while ROUTES and this match agree (the router test calls every route).
        _ => get(|| async { StatusCode::NOT_IMPLEMENTED }),
    }
}

/// The method of a spec as `http` names it.
pub fn method_of(spec: &RouteSpec) -> Method {
    Method::from_bytes(spec.method.as_bytes()).unwrap_or(Method::GET)
}

/// Every route the relay serves: the versioned API, then the built `www/` pages.
pub fn routes(state: Arc<AppState>) -> Router {
    let mut router = Router::new();
    for spec in ROUTES {
        router = router.route(spec.path, handler(spec));
    }
    router
        .fallback(get(static_files::serve))
        .layer(axum::middleware::map_response(crate::error::json_for_plain_errors))
        .layer(axum::middleware::from_fn(cors::allow_extensions))
        .layer(axum::middleware::from_fn_with_state(state.clone(), rate_limit::limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), headers::add))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(ConcurrencyLimitLayer::new(MAX_CONCURRENT_REQUESTS))
        // Outermost: every answer is logged, refusals and timeouts included.
        .layer(axum::middleware::from_fn(crate::observability::trace_requests))
        .with_state(state)
}
