//! The browser half of every OAuth login (connecting the org, an admin's sign-in, a
//! rep's): sending the browser to the org's login page, bound to it by a cookie, and
//! proving who came back. The handlers that start and finish logins share it.

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};

use crate::connect;
use crate::error::ApiError;
use crate::salesforce::oauth;
use crate::security::login::{self, PendingLogin};
use crate::security::origin::public_base;
use crate::state::AppState;

/// The callback path, as registered on the connected app.
pub const CALLBACK_PATH: &str = "/api/v1/connect/callback";

/// Sends the browser to the org's login page for `pending`, with the cookie that binds
/// the login to it; the callback finishes it.
pub fn begin(state: &AppState, headers: &HeaderMap, mut pending: PendingLogin) -> Result<Response, ApiError> {
    let settings = state.settings.salesforce.as_ref().ok_or(ApiError::Connect(connect::ConnectError::NotConfigured))?;
    pending.redirect_uri = format!("{}{CALLBACK_PATH}", public_base(state, headers)?);
    let (login_url, redirect_uri, verifier) =
        (pending.login_url.clone(), pending.redirect_uri.clone(), pending.verifier.clone());
    let (key, cookie) = login::start(state, pending);
    let url = oauth::authorize_url(&login_url, &settings.client_id, &redirect_uri, &key, &verifier);
    let mut response = Redirect::to(&url).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

/// Finishes a sign-in login: who logged in, as a user of the connected org. The token
/// only proved that, so it is revoked at once (the relay acts as the connected user).
pub async fn prove_identity(
    state: &AppState,
    pending: &PendingLogin,
    code: &str,
) -> Result<(crate::store::StoredConnection, crate::salesforce::Identity), String> {
    let connection = state.store.connection().await.map_err(|e| e.to_string())?.ok_or("the relay is not connected")?;
    let token = connect::exchange_code(state, &pending.login_url, code, &pending.redirect_uri, &pending.verifier)
        .await
        .map_err(|e| e.to_string())?;
    let identity = connect::whoami(state, &token).await.map(|(identity, _)| identity);
    let _ = oauth::revoke(&state.http, &pending.login_url, &token.access_token()).await;
    if let Some(refresh) = token.refresh_token() {
        let _ = oauth::revoke(&state.http, &pending.login_url, &refresh).await;
    }
    let identity = identity.map_err(|e| e.to_string())?;
    // Both sides hold 18-character ids (`whoami` and the stored connection normalise them).
    if identity.organization_id != connection.org_id {
        return Err(format!("{} belongs to another org than the connected one", identity.username));
    }
    Ok((connection, identity))
}
