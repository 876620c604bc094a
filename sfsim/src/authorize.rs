//! The web-server flow's browser half (docs/salesforce.md §1): `GET /services/oauth2/authorize`
//! shows a login page, then a consent page ("Allow Access?"), then redirects back to the
//! client's callback with `code` and `state`, or with `error=access_denied`. PKCE (S256)
//! challenges are kept with the code and checked by the token endpoint.
//!
//! A login sets an `sid` cookie, so a user who is already signed in goes straight to
//! consent (or, once they approved the app, straight back) unless `prompt=login`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::{Deserialize, Serialize};

use crate::oauth::opaque_token;
use crate::org::DemoUser;
use crate::Sim;

/// How long an authorization code can be exchanged (Salesforce: 15 minutes).
const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Query of the authorize call (also carried through the login and consent forms).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuthorizeParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_challenge_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
}

/// An issued, not yet exchanged authorization code.
#[derive(Debug, Clone)]
pub struct PendingCode {
    pub user_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: Option<String>,
    issued: Instant,
}

impl PendingCode {
    /// True once the code is older than Salesforce lets it live.
    pub fn expired(&self) -> bool {
        self.issued.elapsed() > CODE_LIFETIME
    }
}

/// Browser sessions, approvals and codes. Kept in memory: a restart signs browsers out
/// and voids unexchanged codes, as a real login server's restart would not, but no
/// client may rely on either surviving.
#[derive(Default)]
pub struct AuthorizeState {
    /// `sid` cookie → user id.
    logins: Mutex<HashMap<String, String>>,
    /// Users who approved the connected app.
    approvals: Mutex<HashSet<String>>,
    codes: Mutex<HashMap<String, PendingCode>>,
}

impl AuthorizeState {
    /// Takes a code out (codes are single-use).
    pub fn take_code(&self, code: &str) -> Option<PendingCode> {
        self.codes.lock().ok()?.remove(code)
    }

    fn login_user(&self, headers: &HeaderMap) -> Option<String> {
        let sid = cookie(headers, "sid")?;
        self.logins.lock().ok()?.get(&sid).cloned()
    }

    fn approved(&self, user_id: &str) -> bool {
        self.approvals.lock().map(|a| a.contains(user_id)).unwrap_or(false)
    }
}

/// A validated authorize request.
struct Valid {
    redirect_uri: String,
    params: AuthorizeParams,
}

/// Callbacks the demo connected app accepts: loopback (any port and path, for relays on
/// this machine), and the browser-extension identity redirects of Chromium
/// (`https://<id>.chromiumapp.org/`) and Firefox (`https://<id>.extensions.allizom.org/`).
pub fn callback_allowed(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once("://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    match scheme {
        "http" | "https" if host == "localhost" || host == "[::1]" || is_loopback_ip(host) => true,
        "https" => host.ends_with(".chromiumapp.org") || host.ends_with(".extensions.allizom.org"),
        _ => false,
    }
}

fn is_loopback_ip(host: &str) -> bool {
    host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks what must be right before anything may be sent to the callback: the client
/// and the callback itself (errors here are pages, not redirects, as on Salesforce).
fn validate(sim: &Sim, params: AuthorizeParams) -> Result<Valid, Response> {
    if params.client_id.as_deref() != Some(sim.org.client_id.as_str()) {
        return Err(error_page(StatusCode::BAD_REQUEST, "invalid_client_id", "client identifier invalid"));
    }
    let redirect_uri = params.redirect_uri.clone().unwrap_or_default();
    if !callback_allowed(&redirect_uri) {
        return Err(error_page(
            StatusCode::BAD_REQUEST,
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        ));
    }
    let valid = Valid { redirect_uri, params };
    if valid.params.response_type.as_deref() != Some("code") {
        return Err(valid.redirect_error("unsupported_response_type", "response type not supported"));
    }
    match (valid.params.code_challenge.as_deref(), valid.params.code_challenge_method.as_deref()) {
        (None, _) | (Some(_), None | Some("S256")) => {}
        (Some(_), Some(_)) => return Err(valid.redirect_error("invalid_request", "code_challenge_method must be S256")),
    }
    Ok(valid)
}

impl Valid {
    /// `302` to the callback with `error`, `error_description` and the client's `state`.
    fn redirect_error(&self, error: &str, description: &str) -> Response {
        let mut query = vec![("error", error), ("error_description", description)];
        if let Some(state) = self.params.state.as_deref() {
            query.push(("state", state));
        }
        redirect_with(&self.redirect_uri, &query)
    }

    /// Issues a code for `user` and sends the browser back with it.
    fn redirect_code(&self, sim: &Sim, user: &DemoUser) -> Response {
        let code = opaque_token("aPr", &sim.org.org_id);
        let pending = PendingCode {
            user_id: user.id.clone(),
            redirect_uri: self.redirect_uri.clone(),
            scope: self.params.scope.clone().unwrap_or_else(|| "api refresh_token".into()),
            code_challenge: self.params.code_challenge.clone(),
            issued: Instant::now(),
        };
        if let Ok(mut codes) = sim.authorize.codes.lock() {
            codes.retain(|_, c| !c.expired());
            codes.insert(code.clone(), pending);
        }
        let mut query = vec![("code", code.as_str())];
        if let Some(state) = self.params.state.as_deref() {
            query.push(("state", state));
        }
        redirect_with(&self.redirect_uri, &query)
    }

    /// The authorize URL again, without `prompt` (after a login it must not loop).
    fn start_url(&self) -> String {
        let params = AuthorizeParams { prompt: None, ..self.params.clone() };
        format!("/services/oauth2/authorize?{}", serde_urlencoded::to_string(&params).unwrap_or_default())
    }
}

/// `GET /services/oauth2/authorize`.
pub async fn authorize(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    let valid = match validate(&sim, params) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let force_login = valid.params.prompt.as_deref().is_some_and(|p| p.split(' ').any(|p| p == "login"));
    let user = sim.authorize.login_user(&headers).and_then(|id| sim.org.user(&id).cloned());
    let Some(user) = user.filter(|_| !force_login) else {
        return login_page(&valid.start_url(), None);
    };
    let force_consent = valid.params.prompt.as_deref().is_some_and(|p| p.split(' ').any(|p| p == "consent"));
    if sim.authorize.approved(&user.id) && !force_consent {
        return valid.redirect_code(&sim, &user);
    }
    consent_page(&sim, &user, &valid.params)
}

/// The login form's fields.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "startURL")]
    start_url: String,
}

/// `POST /login`: checks the password, sets the `sid` cookie, and continues to `startURL`.
pub async fn login(State(sim): State<Arc<Sim>>, form: Result<Form<LoginForm>, FormRejection>) -> Response {
    let Ok(Form(form)) = form else {
        return login_page("/", Some("Please check your username and password."));
    };
    let start = if form.start_url.starts_with("/services/oauth2/authorize?") { form.start_url.as_str() } else { "/" };
    let user = sim.org.user_named(&form.username);
    let Some(user) = user.filter(|u| sim.org.password_of(u) == form.password) else {
        return login_page(start, Some("Please check your username and password. If you still can't log in, contact your Salesforce administrator."));
    };
    if !user.is_active {
        return login_page(start, Some("Your login attempt has failed. The user is inactive."));
    }
    let sid = opaque_token("sid", &sim.org.org_id);
    if let Ok(mut logins) = sim.authorize.logins.lock() {
        logins.insert(sid.clone(), user.id.clone());
    }
    let mut response = Redirect::to(start).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("sid={sid}; Path=/; HttpOnly; SameSite=Lax")) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// The consent form: the authorize parameters and the button pressed.
#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(flatten)]
    params: AuthorizeParams,
    #[serde(default)]
    decision: String,
}

/// `POST /services/oauth2/authorize/consent`: Allow issues a code, Deny an `access_denied`.
pub async fn consent(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    form: Result<Form<ConsentForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "invalid_request", "malformed consent form");
    };
    let valid = match validate(&sim, form.params) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let Some(user) = sim.authorize.login_user(&headers).and_then(|id| sim.org.user(&id).cloned()) else {
        return login_page(&valid.start_url(), None);
    };
    if form.decision != "allow" {
        return valid.redirect_error("access_denied", "end-user denied authorization");
    }
    if let Ok(mut approvals) = sim.authorize.approvals.lock() {
        approvals.insert(user.id.clone());
    }
    valid.redirect_code(&sim, &user)
}

fn redirect_with(base: &str, query: &[(&str, &str)]) -> Response {
    let separator = if base.contains('?') { '&' } else { '?' };
    let encoded = serde_urlencoded::to_string(query).unwrap_or_default();
    Redirect::to(&format!("{base}{separator}{encoded}")).into_response()
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// Escapes text for HTML element content and attribute values.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>{body}</body></html>",
        esc(title)
    );
    let mut response = (status, Html(html)).into_response();
    response.headers_mut().insert("cache-control", HeaderValue::from_static("no-cache, no-store"));
    response
}

fn error_page(status: StatusCode, error: &str, description: &str) -> Response {
    page(
        status,
        "Error | Salesforce",
        &format!("<h1>Error</h1><p id=\"error\">error={}&amp;error_description={}</p>", esc(error), esc(description)),
    )
}

fn login_page(start_url: &str, error: Option<&str>) -> Response {
    let error = error.map(|e| format!("<div id=\"error\" role=\"alert\">{}</div>", esc(e))).unwrap_or_default();
    page(
        StatusCode::OK,
        "Login | Salesforce",
        &format!(
            "<h1>Log in to sfsim</h1>{error}<form method=\"post\" action=\"/login\">\
             <label>Username <input id=\"username\" name=\"username\" type=\"email\" autocomplete=\"username\"></label>\
             <label>Password <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\"></label>\
             <input type=\"hidden\" name=\"startURL\" value=\"{}\">\
             <button id=\"Login\" type=\"submit\">Log In</button></form>",
            esc(start_url)
        ),
    )
}

fn consent_page(sim: &Sim, user: &DemoUser, params: &AuthorizeParams) -> Response {
    let hidden: String = serde_urlencoded::to_string(params)
        .ok()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(&q).ok())
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", esc(k), esc(v)))
        .collect();
    let scope = params.scope.clone().unwrap_or_else(|| "api refresh_token".into());
    page(
        StatusCode::OK,
        "Allow Access? | Salesforce",
        &format!(
            "<h1>Allow Access?</h1><p>The connected app of {} wants to access your data as <b id=\"who\">{}</b> \
             ({}), with scopes: <span id=\"scopes\">{}</span>.</p>\
             <form method=\"post\" action=\"/services/oauth2/authorize/consent\">{hidden}\
             <button id=\"oaapprove\" name=\"decision\" value=\"allow\" type=\"submit\">Allow</button>\
             <button id=\"oadeny\" name=\"decision\" value=\"deny\" type=\"submit\">Deny</button></form>",
            esc(&sim.org.name),
            esc(&user.username),
            esc(&user.display_name()),
            esc(&scope)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_allowed_takes_loopback_and_extension_redirects_only() {
        assert!(callback_allowed("http://127.0.0.1:8787/api/v1/connect/callback"));
        assert!(callback_allowed("http://localhost/x"));
        assert!(callback_allowed("https://abcdefgh.chromiumapp.org/"));
        assert!(callback_allowed("https://0123abc.extensions.allizom.org/"));
        assert!(!callback_allowed("https://evil.example.com/cb"));
        assert!(!callback_allowed("https://127.0.0.1.evil.example.com/cb"));
        assert!(!callback_allowed("javascript:alert(1)"));
        assert!(!callback_allowed("http://chromiumapp.org.evil/"));
    }

    #[test]
    fn esc_escapes_markup() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn cookie_finds_named_value() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; sid=xyz; b=2"));
        assert_eq!(cookie(&headers, "sid").as_deref(), Some("xyz"));
        assert_eq!(cookie(&headers, "c"), None);
    }
}
