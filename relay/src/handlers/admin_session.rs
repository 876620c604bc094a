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
pub const ADMIN_COOKIE: &str = "crmsync_admin";
/// How long an admin session lasts.
const ADMIN_SESSION_MS: i64 = 8 * 3600 * 1000;
/// The `kind` of admin sessions in the store.
const ADMIN_KIND: &str = "admin";

/// Starts a session for `user_id` and returns the `Set-Cookie` value.
pub async fn start(state: &AppState, user_id: &str, username: &str) -> Result<HeaderValue, StoreError> {
    let token = super::session_token::issue(state, ADMIN_KIND, user_id, username, ADMIN_SESSION_MS).await?;
    Ok(cookie_header(state, &token, ADMIN_SESSION_MS / 1000))
}

fn cookie_header(state: &AppState, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure =
        if state.settings.public_url.as_deref().is_some_and(|u| u.starts_with("https://")) { "; Secure" } else { "" };
    let text = format!("{ADMIN_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("crmsync_admin=; Path=/; Max-Age=0"))
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == ADMIN_COOKIE && !v.is_empty()).then(|| v.to_string())
    })
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

/// `GET /api/v1/admin/me`: who is signed in to the console (401 when nobody).
pub async fn me(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Json<AdminIdentity>, ApiError> {
    let session = require(&state, &headers).await?;
    Ok(Json(AdminIdentity { user_id: session.user_id, username: session.username }))
}

/// `POST /api/v1/admin/sign-out`: ends the session and clears the cookie.
pub async fn sign_out(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = cookie_token(&headers) {
        state.store.delete_web_session(&token_hash(&token)).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie_header(&state, "", 0));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_token_reads_only_our_cookie() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("other=1; crmsync_admin=abc; x=y"));
        assert_eq!(cookie_token(&headers).as_deref(), Some("abc"));
        headers.insert(header::COOKIE, HeaderValue::from_static("crmsync_admin="));
        assert_eq!(cookie_token(&headers), None);
    }
}
