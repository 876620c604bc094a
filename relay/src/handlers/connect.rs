//! The web-server OAuth flow with PKCE, from the admin page: `start` (connect the org,
//! a POST from the console's own page) and `sign_in` (an admin of the connected org opens
//! the console) send the browser to the org's login page; `callback` finishes both, and
//! reps' sign-ins. Every login is bound to the browser that started it (see
//! [`crate::security::login`]). Also the console's disconnect.
//!
//! Connecting an org that has no connection yet needs the one-time setup code (or the
//! user `CRMSYNC_ADMIN_USERNAME` names); replacing a connection needs an admin session.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;

use super::admin_session::{self, Admin};
use crate::config::checked_base_url;
use crate::connect::{self, DisconnectReport};
use crate::error::ApiError;
use crate::login_flow::begin;
use crate::secrets::random_token;
use crate::security::login::{self, LoginPurpose, PendingLogin};
use crate::security::origin::require_same_origin;
use crate::security::setup_code;
use crate::state::AppState;

/// `POST /api/v1/connect/start` form: `login=production|sandbox|<My Domain URL>` (absent:
/// the configured login host) and, while no org is connected, `setup_code`.
#[derive(Debug, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    login: Option<String>,
    #[serde(default)]
    setup_code: Option<String>,
}

/// `POST /api/v1/connect/start` (the console's own page): redirects to the org's
/// authorize page. Refused from other origins, without the setup code while nothing is
/// connected, and without an admin session once something is.
pub async fn start(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let settings = state.settings.salesforce.as_ref().ok_or(ApiError::Connect(connect::ConnectError::NotConfigured))?;
    require_same_origin(&state, &headers)?;
    // The form is optional (no body: the configured login host, no code).
    let form: StartForm = serde_urlencoded::from_bytes(&body)
        .map_err(|e| ApiError::BadRequest(format!("the form is not login=…&setup_code=…: {e}")))?;
    let mut admin_username_only = false;
    if state.store.connection().await?.is_some() {
        if admin_session::current(&state, &headers).await?.is_none() {
            return Err(ApiError::Forbidden(
                "the relay is already connected; sign in as its admin to connect again, or disconnect first".into(),
            ));
        }
    } else {
        let given = form.setup_code.as_deref().map(str::trim).filter(|c| !c.is_empty());
        let code_ok = match given {
            Some(code) => setup_code::matches(&state, code).await?,
            None => false,
        };
        if !code_ok {
            if given.is_none() && state.settings.admin_username.is_some() {
                admin_username_only = true;
            } else {
                return Err(ApiError::Forbidden(format!(
                    "the setup code is {}: `crmsync serve` printed it when the relay started, and `crmsync setup-code` on the relay's host prints it again",
                    if given.is_some() { "wrong" } else { "missing" }
                )));
            }
        }
    }
    let login_url = login_host(form.login.as_deref(), &settings.login_url)?;
    let mut pending = PendingLogin::new(random_token(48), login_url, String::new(), LoginPurpose::Connect, None);
    pending.admin_username_only = admin_username_only;
    begin(&state, &headers, pending)
}

/// `GET /api/v1/admin/sign-in`: redirects to the connected org's login page.
pub async fn sign_in(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    let connection = state.store.connection().await?.ok_or(ApiError::Connect(connect::ConnectError::NotConnected))?;
    let pending = PendingLogin::new(random_token(48), connection.login_url, String::new(), LoginPurpose::SignIn, None);
    begin(&state, &headers, pending)
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

/// `GET /api/v1/connect/callback`: finishes a connect, a sign-in or a rep's sign-in in
/// the browser that started it, and returns the browser to the admin page (with
/// `?error=…` when something went wrong) or to the rep's `return_to`.
pub async fn callback(State(state): State<Arc<AppState>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let query: CallbackQuery = match crate::error::query(raw.as_deref()) {
        Ok(query) => query,
        Err(e) => return back_to_admin(Err(e.to_string()), None),
    };
    let (pending, clear) = match login::finish(&state, &headers, query.state.as_deref()).await {
        Ok(found) => found,
        Err(e) => return back_to_admin(Err(e.to_string()), None),
    };
    let code = query.code.unwrap_or_default();
    let denied = query.error.as_ref().map(|error| {
        let description = query.error_description.as_deref().unwrap_or_default();
        format!("Salesforce did not authorize crmsync ({error}: {description})")
    });
    let mut response = match (pending.purpose, denied) {
        (LoginPurpose::RepSignIn, denied) => super::rep_session::finish_sign_in(&state, &pending, denied, &code).await,
        (_, Some(denied)) => back_to_admin(Err(denied), None),
        (LoginPurpose::Connect, None) => finish_and_return(finish_connect(&state, &pending, &code).await),
        (LoginPurpose::SignIn, None) => finish_and_return(finish_sign_in(&state, &pending, &code).await),
    };
    if let Some(clear) = clear {
        response.headers_mut().append(header::SET_COOKIE, clear);
    }
    response
}

fn finish_and_return(result: Result<HeaderValue, String>) -> Response {
    match result {
        Ok(cookie) => back_to_admin(Ok(()), Some(cookie)),
        Err(message) => back_to_admin(Err(message), None),
    }
}

async fn finish_connect(state: &AppState, pending: &PendingLogin, code: &str) -> Result<HeaderValue, String> {
    let (user_id, username) = crate::login_flow::connect_org(state, pending, code).await?;
    admin_session::start(state, &user_id, &username).await.map_err(|e| e.to_string())
}

async fn finish_sign_in(state: &AppState, pending: &PendingLogin, code: &str) -> Result<HeaderValue, String> {
    let identity = crate::login_flow::admin_identity(state, pending, code).await?;
    admin_session::start(state, &identity.user_id, &identity.username).await.map_err(|e| e.to_string())
}

fn back_to_admin(result: Result<(), String>, cookie: Option<HeaderValue>) -> Response {
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
    _admin: Admin,
    body: axum::body::Bytes,
) -> Result<Json<DisconnectReport>, ApiError> {
    let request: DisconnectRequest =
        if body.is_empty() { DisconnectRequest { clean_up: false } } else { crate::error::json_body(&body)? };
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
