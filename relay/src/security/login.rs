//! A web-server login in flight, carried in the OAuth `state` itself (sealed with the
//! relay's key, so a flood of started logins holds no memory and can evict nothing) and
//! bound to the browser that started it by a `__Host-` cookie nonce the callback checks.
//! Each login is finished at most once.

use axum::http::{header, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::secrets::{random_token, token_hash};
use crate::state::{now_ms, AppState};

/// How long a started login may take before its callback is refused.
pub const LOGIN_TIMEOUT_MS: i64 = 10 * 60 * 1000;
/// The nonce cookies' name prefix (`__Host-`: Secure, this host only, path `/`).
const COOKIE_PREFIX: &str = "__Host-crmsync_login_";

/// Why an admin or a rep is logging in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginPurpose {
    /// Connect (or reconnect) the org.
    Connect,
    /// Sign in to the admin console of the connected org.
    SignIn,
    /// A rep signs in (from the extension) for a session token.
    RepSignIn,
}

/// What a started login remembers, sealed into its `state`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    /// The PKCE verifier (the authorize call sent its challenge).
    pub verifier: String,
    pub login_url: String,
    pub redirect_uri: String,
    pub purpose: LoginPurpose,
    pub started_ms: i64,
    /// Where a rep's sign-in hands its session token (`RepSignIn` only).
    pub return_to: Option<String>,
    /// A first connect allowed because `CRMSYNC_ADMIN_USERNAME` names the user (checked
    /// at the callback) rather than by the setup code.
    #[serde(default)]
    pub admin_username_only: bool,
    /// Names this login's nonce cookie.
    tag: String,
    /// SHA-256 of the nonce cookie's value.
    nonce_hash: String,
}

impl PendingLogin {
    /// A login about to start.
    pub fn new(
        verifier: String,
        login_url: String,
        redirect_uri: String,
        purpose: LoginPurpose,
        return_to: Option<String>,
    ) -> Self {
        Self {
            verifier,
            login_url,
            redirect_uri,
            purpose,
            started_ms: now_ms(),
            return_to,
            admin_username_only: false,
            tag: String::new(),
            nonce_hash: String::new(),
        }
    }
}

/// Seals `pending` into a `state` value and makes the cookie that binds it to this browser.
pub fn start(state: &AppState, mut pending: PendingLogin) -> (String, HeaderValue) {
    let nonce = random_token(24);
    pending.tag = random_token(6);
    pending.nonce_hash = token_hash(&nonce);
    let json = serde_json::to_vec(&pending).unwrap_or_default();
    let sealed = state.secrets.seal_url_safe(&json);
    let cookie = format!(
        "{COOKIE_PREFIX}{}={nonce}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={}",
        pending.tag,
        LOGIN_TIMEOUT_MS / 1000
    );
    (sealed, HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("__Host-crmsync_login=")))
}

/// Why a callback's login is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    #[error("this login is unknown, has expired or was already used; start again")]
    Unknown,
    #[error("this login was started in another browser (or its cookie was lost); start again from the same browser")]
    OtherBrowser,
    #[error("this login could not be recorded as used ({0}); start again")]
    Store(String),
}

/// The store lease that marks a login as finished: taken once, by the first callback on
/// any relay of the store, and kept until the login could not be used anyway.
fn used_lease(nonce_hash: &str) -> String {
    format!("login {nonce_hash}")
}

/// Opens a callback's `state`, checks its age, this browser's nonce cookie and that it
/// was not finished before (by any relay of the store, so a replayed callback URL is
/// refused everywhere); answers the login and the header that clears its cookie.
pub async fn finish(
    state: &AppState,
    headers: &HeaderMap,
    sealed: Option<&str>,
) -> Result<(PendingLogin, Option<HeaderValue>), LoginError> {
    let plain = sealed.and_then(|s| state.secrets.open_url_safe(s)).ok_or(LoginError::Unknown)?;
    let pending: PendingLogin = serde_json::from_slice(&plain).map_err(|_| LoginError::Unknown)?;
    let now = now_ms();
    if now.saturating_sub(pending.started_ms) > LOGIN_TIMEOUT_MS || pending.started_ms > now + 60_000 {
        return Err(LoginError::Unknown);
    }
    let name = format!("{COOKIE_PREFIX}{}", pending.tag);
    let clear = HeaderValue::from_str(&format!("{name}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0")).ok();
    let nonce = cookie(headers, &name).ok_or(LoginError::OtherBrowser)?;
    if token_hash(&nonce) != pending.nonce_hash {
        return Err(LoginError::OtherBrowser);
    }
    let store_error = |e: crate::store::StoreError| LoginError::Store(e.to_string());
    let until = pending.started_ms.saturating_add(LOGIN_TIMEOUT_MS + 60_000);
    // A holder of its own, so a second callback (same nonce) never "extends" the first's.
    let this_callback = random_token(8);
    if !state.store.try_lock(&used_lease(&pending.nonce_hash), &this_callback, now, until).await.map_err(store_error)? {
        return Err(LoginError::Unknown);
    }
    state.store.delete_expired_locks(now).await.map_err(store_error)?;
    Ok((pending, clear))
}

/// The value of cookie `name` in the request, if set and not empty.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_string())
    })
}
