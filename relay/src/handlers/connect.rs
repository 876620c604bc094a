//! The web-server OAuth flow with PKCE, from the admin page: `start` (connect the org)
//! and `sign_in` (an admin of the connected org opens the console) send the browser to
//! the org's login page; `callback` finishes both. Also the console's disconnect.
//!
//! Connecting an org that has no connection yet is open to whoever reaches the admin
//! page first (the relay's setup step); replacing a connection needs an admin session.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;

use super::admin_session;
use crate::config::checked_base_url;
use crate::connect::{self, DisconnectReport};
use crate::error::ApiError;
use crate::salesforce::oauth;
use crate::secrets::random_token;
use crate::state::{AppState, LoginPurpose, PendingLogin};

/// How long a started login may take before its callback is refused.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// At most this many logins in flight (older ones are dropped first).
const MAX_PENDING: usize = 256;
/// The callback path, as registered on the connected app.
pub const CALLBACK_PATH: &str = "/api/v1/connect/callback";

/// `?login=production|sandbox|<My Domain URL>`; absent means the configured login host.
#[derive(Debug, Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    login: Option<String>,
}

/// `GET /api/v1/connect/start`: redirects to the org's authorize page.
pub async fn start(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(query): Query<StartQuery>,
) -> Result<Response, ApiError> {
    let settings = state.settings.salesforce.as_ref().ok_or(ApiError::Connect(connect::ConnectError::NotConfigured))?;
    if state.store.connection().await?.is_some() && admin_session::current(&state, &headers).await?.is_none() {
        return Err(ApiError::Forbidden(
            "the relay is already connected; sign in as its admin to connect again, or disconnect first".into(),
        ));
    }
    let login_url = login_host(query.login.as_deref(), &settings.login_url)?;
    begin(&state, &headers, login_url, LoginPurpose::Connect, None)
}

/// `GET /api/v1/admin/sign-in`: redirects to the connected org's login page.
pub async fn sign_in(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    let connection = state.store.connection().await?.ok_or(ApiError::Connect(connect::ConnectError::NotConnected))?;
    begin(&state, &headers, connection.login_url, LoginPurpose::SignIn, None)
}

/// Sends the browser to the org's login page for `purpose`; the callback finishes it.
pub(crate) fn begin(
    state: &AppState,
    headers: &HeaderMap,
    login_url: String,
    purpose: LoginPurpose,
    return_to: Option<String>,
) -> Result<Response, ApiError> {
    let settings = state.settings.salesforce.as_ref().ok_or(ApiError::Connect(connect::ConnectError::NotConfigured))?;
    let redirect_uri = format!("{}{CALLBACK_PATH}", public_base(state, headers)?);
    let key = random_token(24);
    let verifier = random_token(48);
    let url = oauth::authorize_url(&login_url, &settings.client_id, &redirect_uri, &key, &verifier);
    if let Ok(mut pending) = state.pending_logins.lock() {
        pending.retain(|_, p| p.started.elapsed() < LOGIN_TIMEOUT);
        if pending.len() >= MAX_PENDING {
            if let Some(oldest) = pending.iter().min_by_key(|(_, p)| p.started).map(|(k, _)| k.clone()) {
                pending.remove(&oldest);
            }
        }
        pending.insert(
            key,
            PendingLogin { verifier, login_url, redirect_uri, purpose, started: Instant::now(), return_to },
        );
    }
    Ok(Redirect::to(&url).into_response())
}

/// The login host an admin picked, checked so the relay never sends its client secret to
/// a host that is not Salesforce's (or the one configured).
fn login_host(choice: Option<&str>, configured: &str) -> Result<String, ApiError> {
    let choice = choice.map(str::trim).filter(|c| !c.is_empty());
    let url = match choice {
        None => return Ok(configured.to_string()),
        Some("production") => return Ok("https://login.salesforce.com".into()),
        Some("sandbox") => return Ok("https://test.salesforce.com".into()),
        Some(url) if url.contains("://") => url.to_string(),
        Some(host) => format!("https://{host}"),
    };
    let bad = || {
        ApiError::BadRequest(format!(
            "login host {url:?} is not allowed: use production, sandbox, your My Domain (https://<name>.my.salesforce.com) or the configured {configured}"
        ))
    };
    let checked = checked_base_url(&url).map_err(|_| bad())?;
    let host = checked.split("://").nth(1).unwrap_or_default().split(':').next().unwrap_or_default();
    if checked == configured || host.ends_with(".my.salesforce.com") {
        Ok(checked)
    } else {
        Err(bad())
    }
}

/// The relay's address as the browser reaches it: `CRMSYNC_PUBLIC_URL`, or the request's
/// `Host` when that is this machine (anything else could be forged).
fn public_base(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    if let Some(url) = &state.settings.public_url {
        return Ok(url.clone());
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let loopback =
        name == "localhost" || name == "[::1]" || name.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(format!("http://{host}"))
    } else {
        Err(ApiError::BadRequest(format!(
            "set CRMSYNC_PUBLIC_URL to the relay's address as browsers reach it (this request came for {host:?}); \
             the connected app's callback URL is that address + {CALLBACK_PATH}"
        )))
    }
}

/// What Salesforce sends back to the callback.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// `GET /api/v1/connect/callback`: finishes a connect or a sign-in and returns the
/// browser to the admin page, with `?error=…` when something went wrong.
pub async fn callback(State(state): State<Arc<AppState>>, Query(query): Query<CallbackQuery>) -> Response {
    let pending = query
        .state
        .as_deref()
        .and_then(|key| state.pending_logins.lock().ok().and_then(|mut p| p.remove(key)))
        .filter(|p| p.started.elapsed() < LOGIN_TIMEOUT);
    let Some(pending) = pending else {
        return back_to_admin(Err("this login has expired or was already used; start again".into()), None);
    };
    let code = query.code.unwrap_or_default();
    let denied = query.error.as_ref().map(|error| {
        let description = query.error_description.as_deref().unwrap_or_default();
        format!("Salesforce did not authorize crmsync ({error}: {description})")
    });
    let result = match (pending.purpose, denied) {
        (LoginPurpose::RepSignIn, denied) => {
            return super::rep_session::finish_sign_in(&state, &pending, denied, &code).await
        }
        (_, Some(denied)) => Err(denied),
        (LoginPurpose::Connect, None) => finish_connect(&state, &pending, &code).await,
        (LoginPurpose::SignIn, None) => finish_sign_in(&state, &pending, &code).await,
    };
    match result {
        Ok(cookie) => back_to_admin(Ok(()), Some(cookie)),
        Err(message) => back_to_admin(Err(message), None),
    }
}

async fn finish_connect(
    state: &AppState,
    pending: &PendingLogin,
    code: &str,
) -> Result<axum::http::HeaderValue, String> {
    let connection =
        connect::connect_web_server(state, &pending.login_url, code, &pending.redirect_uri, &pending.verifier)
            .await
            .map_err(|e| e.to_string())?;
    state.import_now.notify_one();
    admin_session::start(state, &connection.user_id, &connection.username).await.map_err(|e| e.to_string())
}

async fn finish_sign_in(
    state: &AppState,
    pending: &PendingLogin,
    code: &str,
) -> Result<axum::http::HeaderValue, String> {
    let (connection, identity) = prove_identity(state, pending, code).await?;
    if identity.user_id != connection.user_id {
        return Err(format!(
            "{} is not an admin of this relay (only {}, who connected the org, is)",
            identity.username, connection.username
        ));
    }
    admin_session::start(state, &connection.user_id, &identity.username).await.map_err(|e| e.to_string())
}

/// Finishes a sign-in login: who logged in, as a user of the connected org. The token
/// only proved that, so it is revoked at once (the relay acts as the connected user).
pub(crate) async fn prove_identity(
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

fn back_to_admin(result: Result<(), String>, cookie: Option<axum::http::HeaderValue>) -> Response {
    let target = match result {
        Ok(()) => "/admin/".to_string(),
        Err(message) => {
            tracing::warn!(error = %message, "admin login did not finish");
            format!("/admin/?{}", serde_urlencoded::to_string([("error", message)]).unwrap_or_default())
        }
    };
    let mut response = Redirect::to(&target).into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// `POST /api/v1/connection/disconnect` body.
#[derive(Debug, Deserialize)]
pub struct DisconnectRequest {
    #[serde(default)]
    clean_up: bool,
}

/// `POST /api/v1/connection/disconnect` (admin): revoke, forget, and with `clean_up`
/// purge; answers the report (`purged` lists `[table, rows]`).
pub async fn disconnect(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(request): Json<DisconnectRequest>,
) -> Result<Json<DisconnectReport>, ApiError> {
    admin_session::require(&state, &headers).await?;
    Ok(Json(connect::disconnect(&state, request.clean_up).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_host_allows_salesforce_hosts_and_the_configured_one_only() {
        let configured = "http://127.0.0.1:8788";
        assert_eq!(login_host(None, configured).unwrap(), configured);
        assert_eq!(login_host(Some("production"), configured).unwrap(), "https://login.salesforce.com");
        assert_eq!(login_host(Some("sandbox"), configured).unwrap(), "https://test.salesforce.com");
        assert_eq!(login_host(Some("acme.my.salesforce.com"), configured).unwrap(), "https://acme.my.salesforce.com");
        assert_eq!(
            login_host(Some("https://acme--uat.sandbox.my.salesforce.com/"), configured).unwrap(),
            "https://acme--uat.sandbox.my.salesforce.com"
        );
        assert_eq!(login_host(Some("http://127.0.0.1:8788"), configured).unwrap(), configured);
        assert!(login_host(Some("https://evil.example.com"), configured).is_err());
        assert!(login_host(Some("http://acme.my.salesforce.com"), configured).is_err());
        assert!(login_host(Some("https://my.salesforce.com.evil.com"), configured).is_err());
    }
}
