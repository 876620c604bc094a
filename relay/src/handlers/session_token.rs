//! Issuing a browser or API session: a random token handed out once, only its SHA-256
//! stored, with a kind (admin console, rep) and an expiry.

use crate::secrets::{random_token, token_hash};
use crate::state::{now_ms, AppState};
use crate::store::{StoreError, WebSession};

/// Stores a new session of `kind` for the user, valid for `lifetime_ms`; answers the token.
pub async fn issue(
    state: &AppState,
    kind: &str,
    user_id: &str,
    username: &str,
    lifetime_ms: i64,
) -> Result<String, StoreError> {
    let token = random_token(32);
    let now = now_ms();
    let session = WebSession {
        token_hash: token_hash(&token),
        kind: kind.into(),
        user_id: user_id.into(),
        username: username.into(),
        created_at_ms: now,
        expires_at_ms: now.saturating_add(lifetime_ms),
    };
    state.store.create_web_session(&session).await?;
    Ok(token)
}
