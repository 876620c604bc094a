//! Reps' sessions: bearer tokens the relay issues to seat holders (after a sign-in from
//! the extension, or minted by an admin with `crmsync token`). Only the token's SHA-256 is
//! stored; a removed seat or a disconnect ends them.

use axum::http::{header, HeaderMap};

use crate::error::ApiError;
use crate::secrets::{random_token, token_hash};
use crate::state::{now_ms, AppState};
use crate::store::{StoreError, WebSession};

/// The `kind` of reps' sessions in the store.
pub const REP_KIND: &str = "rep";

/// The seat holder a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rep {
    /// 18-character Salesforce User id.
    pub user_id: String,
    pub username: String,
}

/// Issues a session token for a seat holder, valid for `lifetime_ms`.
pub async fn issue(state: &AppState, user_id: &str, username: &str, lifetime_ms: i64) -> Result<String, StoreError> {
    let token = random_token(32);
    let now = now_ms();
    let session = WebSession {
        token_hash: token_hash(&token),
        kind: REP_KIND.into(),
        user_id: user_id.into(),
        username: username.into(),
        created_at_ms: now,
        expires_at_ms: now.saturating_add(lifetime_ms),
    };
    state.store.create_web_session(&session).await?;
    Ok(token)
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
