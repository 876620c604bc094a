//! The browser half of every OAuth login (connecting the org, an admin's sign-in, a
//! rep's): sending the browser to the org's login page, bound to it by a cookie, and
//! proving who came back, then what each purpose does with them: connecting the org, or
//! checking that who signed in is an admin or holds a seat. The handlers that start and
//! finish logins shape only the redirects and sessions.

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

/// Finishes a connect: the token the code buys becomes the org's connection, an import
/// starts, and the connecting user becomes an admin. Answers who connected.
pub async fn connect_org(state: &AppState, pending: &PendingLogin, code: &str) -> Result<(String, String), String> {
    let required = if pending.admin_username_only { state.settings.admin_username.as_deref() } else { None };
    let connection = connect::connect_web_server(
        state,
        &pending.login_url,
        code,
        &pending.redirect_uri,
        &pending.verifier,
        required,
    )
    .await
    .map_err(|e| e.to_string())?;
    state.import_now.notify_one();
    crate::admin::admins::add_connecting_user(state, &connection.user_id, &connection.username)
        .await
        .map_err(|e| e.to_string())?;
    Ok((connection.user_id, connection.username))
}

/// Finishes an admin's sign-in: who logged in, if they are an admin of this relay.
pub async fn admin_identity(
    state: &AppState,
    pending: &PendingLogin,
    code: &str,
) -> Result<crate::salesforce::Identity, String> {
    let (_connection, identity) = prove_identity(state, pending, code).await?;
    if !crate::admin::admins::is_admin(state, &identity.user_id, &identity.username).await.map_err(|e| e.to_string())? {
        return Err(format!(
            "{} is not an admin of this relay; an admin adds admins in the console or with `crmsync admins add --user {}`",
            identity.username, identity.username
        ));
    }
    Ok(identity)
}

/// Finishes a rep's sign-in: who logged in, if they hold a crmsync seat.
pub async fn rep_identity(
    state: &AppState,
    pending: &PendingLogin,
    code: &str,
) -> Result<crate::salesforce::Identity, String> {
    let (_, identity) = prove_identity(state, pending, code).await?;
    if state.store.seat(&identity.user_id).await.map_err(|e| e.to_string())?.is_none() {
        return Err(format!("{} has no crmsync seat; ask your admin for one", identity.username));
    }
    Ok(identity)
}
