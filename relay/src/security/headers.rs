//! Security headers on every answer: a strict Content-Security-Policy (scripts only from
//! the relay, wasm allowed, no plugins, no `<base>`), no MIME sniffing, no referrer, HSTS
//! when the relay is served over https, and framing refused except the widget page,
//! which only the connected org's own Salesforce hosts may frame. Shared documents get
//! a policy with no script at all.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Every page's script policy (frame-ancestors is added per page).
pub const SCRIPT_POLICY: &str = "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'";
/// A shared document (`/d/<token>`): no script, no plugin, nothing loaded from anywhere;
/// inline styles only for the browser's own PDF viewer page.
pub const DOCUMENT_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
/// The page that Salesforce record pages frame.
pub const WIDGET_PATH: &str = "/widget.html";

/// Who may frame `path`: the widget may be framed by this relay and the org's hosts, the
/// rest by nobody.
pub async fn frame_ancestors(state: &AppState, path: &str) -> String {
    if path != WIDGET_PATH {
        return "frame-ancestors 'none'".into();
    }
    let origins = crate::connect::connected_org_origins(state).await.unwrap_or_default();
    let mut policy = String::from("frame-ancestors 'self'");
    for origin in origins {
        policy.push(' ');
        policy.push_str(&origin);
    }
    policy
}

/// Adds the headers to every response.
pub async fn add(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let policy = if path.starts_with(crate::documents::LINK_PATH) { DOCUMENT_POLICY } else { SCRIPT_POLICY };
    let csp = format!("{policy}; {}", frame_ancestors(&state, &path).await);
    let h = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if path != WIDGET_PATH {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if state.settings.public_url.as_deref().is_some_and(|u| u.starts_with("https://")) {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    response
}
