//! Reps' sessions: bearer tokens the relay issues to seat holders, after a sign-in with
//! their Salesforce identity (the web-server flow with PKCE, started by the extension
//! through `chrome.identity.launchWebAuthFlow` or a tab) or minted by an admin with
//! `crmsync token`. Only the token's SHA-256 is stored; sign-out, a removed seat or a
//! disconnect ends them.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;

use crmsync::core::api::RepIdentity;

use crate::error::ApiError;
use crate::secrets::{random_token, token_hash};
use crate::security::login::{LoginPurpose, PendingLogin};
use crate::security::return_to::{self, ReturnPolicy};
use crate::state::{now_ms, AppState};
use crate::store::StoreError;

/// The `kind` of reps' sessions in the store.
pub const REP_KIND: &str = "rep";
/// How long a signed-in rep's session lasts.
pub const REP_SESSION_MS: i64 = 30 * 86_400_000;

/// The seat holder a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rep {
    /// 18-character Salesforce User id.
    pub user_id: String,
    pub username: String,
}

/// A handler that takes a `Rep` runs only for a seat holder's live session: the
/// extractor answers 401 (saying what is missing) before anything else is read.
impl axum::extract::FromRequestParts<Arc<AppState>> for Rep {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let rep = require(state, &parts.headers).await?;
        crate::observability::record_user(&rep.user_id);
        Ok(rep)
    }
}

/// Issues a session token for a seat holder, valid for `lifetime_ms`.
pub async fn issue(state: &AppState, user_id: &str, username: &str, lifetime_ms: i64) -> Result<String, StoreError> {
    super::session_token::issue(state, REP_KIND, user_id, username, lifetime_ms).await
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

/// The caller's live session, or 401 saying what is missing.
pub async fn require(state: &AppState, headers: &HeaderMap) -> Result<Rep, ApiError> {
    let token = bearer(headers).ok_or(ApiError::SessionRequired("this request has none"))?;
    let session = state
        .store
        .web_session(&token_hash(token), now_ms())
        .await?
        .filter(|s| s.kind == REP_KIND)
        .ok_or(ApiError::SessionRequired("this token is unknown, expired or revoked"))?;
    if state.store.seat(&session.user_id).await?.is_none() {
        return Err(ApiError::SessionRequired("this user no longer has a seat"));
    }
    Ok(Rep { user_id: session.user_id, username: session.username })
}

/// `?return_to=<url>` of a sign-in.
#[derive(Debug, Deserialize)]
pub struct SignInQuery {
    #[serde(default)]
    return_to: Option<String>,
}

/// `GET /api/v1/rep/sign-in?return_to=<url>`: sends the rep to the connected org's login
/// page; afterwards the browser lands on `return_to#token=…&user_id=…&username=…&expires_in=…`
/// (or `#error=…`).
pub async fn sign_in(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query: SignInQuery = crate::error::query(raw.as_deref())?;
    let raw = query.return_to.unwrap_or_else(|| "/signed-in.html".to_string());
    let policy = ReturnPolicy {
        extension_ids: &state.settings.extension_ids,
        loopback_relay: crate::security::origin::loopback_relay(&state),
    };
    let return_to =
        return_to::check(&raw, policy).map_err(|e| ApiError::BadRequest(format!("return_to {raw:?}: {e}")))?;
    let connection =
        state.store.connection().await?.ok_or(ApiError::Connect(crate::connect::ConnectError::NotConnected))?;
    let pending = PendingLogin::new(
        random_token(48),
        connection.login_url,
        String::new(),
        LoginPurpose::RepSignIn,
        Some(return_to),
    );
    crate::login_flow::begin(&state, &headers, pending)
}

/// `return_to` with `pairs` as its fragment.
fn with_fragment(return_to: &str, pairs: &[(&str, String)]) -> Response {
    let base = return_to.split('#').next().unwrap_or_default();
    let fragment = serde_urlencoded::to_string(pairs).unwrap_or_default();
    Redirect::to(&format!("{base}#{fragment}")).into_response()
}

/// The callback of a rep's sign-in: a seat holder of the connected org gets a session
/// token; anyone else an `#error=` saying why.
pub async fn finish_sign_in(state: &AppState, pending: &PendingLogin, denied: Option<String>, code: &str) -> Response {
    let return_to = pending.return_to.clone().unwrap_or_else(|| "/signed-in.html".to_string());
    let result = async {
        if let Some(denied) = denied {
            return Err(denied);
        }
        let identity = crate::login_flow::rep_identity(state, pending, code).await?;
        let token =
            issue(state, &identity.user_id, &identity.username, REP_SESSION_MS).await.map_err(|e| e.to_string())?;
        state.store.record_sign_in(&identity.user_id, now_ms()).await.map_err(|e| e.to_string())?;
        Ok((identity, token))
    }
    .await;
    match result {
        Ok((identity, token)) => with_fragment(
            &return_to,
            &[
                ("token", token),
                ("user_id", identity.user_id),
                ("username", identity.username),
                ("expires_in", (REP_SESSION_MS / 1000).to_string()),
            ],
        ),
        Err(message) => {
            tracing::warn!(error = %message, "rep sign-in did not finish");
            with_fragment(&return_to, &[("error", message)])
        }
    }
}

/// `GET /api/v1/me`: the caller's identity and org (where record links open).
pub async fn me(State(state): State<Arc<AppState>>, rep: Rep) -> Result<Json<RepIdentity>, ApiError> {
    let connection = state.store.connection().await?;
    let org_origins = crate::connect::connected_org_origins(&state).await?;
    Ok(Json(RepIdentity {
        user_id: rep.user_id,
        username: rep.username,
        org_id: connection.as_ref().map(|c| c.org_id.clone()),
        instance_url: connection.map(|c| c.instance_url),
        org_origins,
    }))
}

/// `POST /api/v1/rep/sign-out`: revokes the caller's session token.
pub async fn sign_out(
    State(state): State<Arc<AppState>>,
    _rep: Rep,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    if let Some(token) = bearer(&headers) {
        state.store.delete_web_session(&token_hash(token)).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bearer_reads_the_token_of_the_bearer_scheme_only() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer abc"));
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer   "));
        assert_eq!(bearer(&headers), None);
    }
}
