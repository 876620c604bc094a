//! The admin console's session: an HttpOnly cookie the relay sets after a Salesforce
//! login by an admin of the connected org (the user who connected it). Only the token's
//! SHA-256 is stored; disconnecting ends every session.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use crmsync::core::api::AdminIdentity;

use crate::error::ApiError;
use crate::secrets::token_hash;
use crate::state::{now_ms, AppState};
use crate::store::{StoreError, WebSession};

/// The cookie's name.
pub const ADMIN_COOKIE: &str = "__Host-crmsync_admin";
/// How long an admin session lasts.
const ADMIN_SESSION_MS: i64 = 8 * 3600 * 1000;
/// The `kind` of admin sessions in the store.
const ADMIN_KIND: &str = "admin";

/// Starts a session for `user_id` and returns the `Set-Cookie` value.
pub async fn start(state: &AppState, user_id: &str, username: &str) -> Result<HeaderValue, StoreError> {
    let token = super::session_token::issue(state, ADMIN_KIND, user_id, username, ADMIN_SESSION_MS).await?;
    Ok(cookie_header(&token, ADMIN_SESSION_MS / 1000))
}

/// `__Host-` (this host only, path `/`), `Secure` (browsers treat `localhost` as secure
/// too), `HttpOnly`, and `SameSite=Strict`: no other site's page can make the browser
/// send it.
fn cookie_header(value: &str, max_age_secs: i64) -> HeaderValue {
    let text = format!("{ADMIN_COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}");
    HeaderValue::from_str(&text)
        .unwrap_or_else(|_| HeaderValue::from_static("__Host-crmsync_admin=; Path=/; Secure; Max-Age=0"))
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    crate::security::login::cookie(headers, ADMIN_COOKIE)
}

/// The caller's live admin session, if any.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<WebSession>, StoreError> {
    let Some(token) = cookie_token(headers) else { return Ok(None) };
    let session = state.store.web_session(&token_hash(&token), now_ms()).await?;
    Ok(session.filter(|s| s.kind == ADMIN_KIND))
}

/// The caller's admin session, or 401.
pub async fn require(state: &AppState, headers: &HeaderMap) -> Result<WebSession, ApiError> {
    current(state, headers).await?.ok_or(ApiError::Unauthorized)
}

/// The admin console's live session, as an extractor: a handler that takes an `Admin`
/// runs only for the signed-in admin (401 otherwise, before anything else is read).
pub struct Admin(pub WebSession);

impl axum::extract::FromRequestParts<Arc<AppState>> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let session = require(state, &parts.headers).await?;
        crate::observability::record_user(&session.user_id);
        Ok(Admin(session))
    }
}

/// `GET /api/v1/admin/me`: who is signed in to the console (401 when nobody).
pub async fn me(Admin(session): Admin) -> Result<Json<AdminIdentity>, ApiError> {
    Ok(Json(AdminIdentity { user_id: session.user_id, username: session.username }))
}

/// `POST /api/v1/admin/sign-out`: ends the session and clears the cookie.
pub async fn sign_out(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = cookie_token(&headers) {
        state.store.delete_web_session(&token_hash(&token)).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie_header("", 0));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_token_reads_only_our_cookie() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("other=1; __Host-crmsync_admin=abc; crmsync_admin=old; x=y"),
        );
        assert_eq!(cookie_token(&headers).as_deref(), Some("abc"));
        headers.insert(header::COOKIE, HeaderValue::from_static("__Host-crmsync_admin="));
        assert_eq!(cookie_token(&headers), None);
    }

    #[test]
    fn the_cookie_is_host_only_secure_http_only_and_strict() {
        let text = cookie_header("abc", 60).to_str().unwrap().to_string();
        assert!(text.starts_with("__Host-crmsync_admin=abc; Path=/;"), "{text}");
        for part in ["; Secure", "; HttpOnly", "; SameSite=Strict"] {
            assert!(text.contains(part), "{text} lacks {part}");
        }
    }
}
