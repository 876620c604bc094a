//! Reps' sessions: bearer tokens the relay issues to seat holders (after a sign-in from
//! the extension, or minted by an admin with `crmsync token`). Only the token's SHA-256 is
//! stored; a removed seat or a disconnect ends them.

use axum::http::{header, HeaderMap};

use crate::error::ApiError;
use crate::secrets::token_hash;
use crate::state::{now_ms, AppState};
use crate::store::StoreError;

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
