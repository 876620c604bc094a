//! OAuth 2.0 endpoints (CONTRACT.md §1): the token endpoint and the identity URL.
//! Errors use OAuth's object shape `{"error", "error_description"}`, not REST's array.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::engine::general_purpose::STANDARD as B64;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::rest::{authorize, internal_error, rest_error, with_limit_info};
use crate::Sim;

/// An OAuth error body with HTTP 400, as the token endpoint answers.
fn oauth_error(error: &str, description: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error, "error_description": description }))).into_response()
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// `POST /services/oauth2/token` (form-encoded). Supports `client_credentials`; other
/// grants arrive with the issues that need them.
pub async fn token(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return oauth_error("invalid_request", "request must be application/x-www-form-urlencoded");
    };
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => client_credentials(&sim, &headers, &form).await,
        None => oauth_error("invalid_request", "grant_type is required"),
        Some(_) => oauth_error("unsupported_grant_type", "grant type not supported"),
    }
}

/// `POST /services/oauth2/revoke` (form `token=…`): a bare 200 when the token was live,
/// 400 `invalid_token` otherwise.
pub async fn revoke(
    State(sim): State<Arc<Sim>>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let token = form.ok().and_then(|Form(f)| f.get("token").cloned()).unwrap_or_default();
    match sim.store.revoke_session(&token).await {
        Ok(true) => StatusCode::OK.into_response(),
        Ok(false) => oauth_error("invalid_token", "invalid token"),
        Err(e) => internal_error(e),
    }
}

/// Client id and secret from the form, or from HTTP Basic authentication.
fn client_credentials_of(headers: &HeaderMap, form: &HashMap<String, String>) -> (Option<String>, Option<String>) {
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| B64.decode(b.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| pair.split_once(':').map(|(i, s)| (i.to_string(), s.to_string())));
    match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (form.get("client_id").cloned(), form.get("client_secret").cloned()),
    }
}

async fn client_credentials(sim: &Sim, headers: &HeaderMap, form: &HashMap<String, String>) -> Response {
    let (client_id, client_secret) = client_credentials_of(headers, form);
    let org = &sim.org;
    if client_id.as_deref() != Some(org.client_id.as_str()) {
        return oauth_error("invalid_client_id", "client identifier invalid");
    }
    if client_secret.as_deref() != Some(org.client_secret.as_str()) {
        return oauth_error("invalid_client", "invalid client credentials");
    }
    let Some(user) = org.user(&org.integration_user_id) else {
        return oauth_error("invalid_grant", "no client credentials user enabled");
    };
    if !user.is_active {
        return oauth_error("inactive_user", "user is inactive");
    }
    let issued_at = now_ms();
    let access_token = new_access_token(&org.org_id, &org.client_secret, issued_at);
    if let Err(e) = sim.store.insert_session(&access_token, &user.id, &org.client_id, issued_at).await {
        return internal_error(e);
    }
    let id = format!("{}/id/{}/{}", sim.base_url, org.org_id, user.id);
    let issued_at = issued_at.to_string();
    let signature = sign(&org.client_secret, &id, &issued_at);
    Json(json!({
        "access_token": access_token,
        "signature": signature,
        "scope": "api",
        "instance_url": sim.base_url,
        "id": id,
        "token_type": "Bearer",
        "issued_at": issued_at,
    }))
    .into_response()
}

/// `<org15>!<opaque>`: real tokens start with the 15-character org id.
fn new_access_token(org_id: &str, secret: &str, issued_at: i64) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let digest = Sha256::digest(format!("{secret}:{issued_at}:{nanos}:{n}:{}", std::process::id()));
    format!("{}!{}", &org_id[..15], B64URL.encode(digest))
}

/// Base64 HMAC-SHA256 of `id + issued_at` keyed with the client secret (CONTRACT.md §1).
pub fn sign(secret: &str, id: &str, issued_at: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(id.as_bytes());
    mac.update(issued_at.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

/// `GET /id/<orgId>/<userId>`: the identity URL's older user shape.
pub async fn identity(
    State(sim): State<Arc<Sim>>,
    Path((org_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let caller = match authorize(&sim, &headers).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let org = &sim.org;
    let Some(user) = org.user(&user_id).filter(|_| org_id == org.org_id) else {
        return rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist");
    };
    let base = &sim.base_url;
    let org15 = &org.org_id[..15];
    let body = json!({
        "id": format!("{base}/id/{}/{}", org.org_id, user.id),
        "asserted_user": caller.user_id == user.id,
        "user_id": user.id,
        "organization_id": org.org_id,
        "username": user.username,
        "nick_name": user.username.split('@').next().unwrap_or_default(),
        "display_name": user.display_name(),
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "timezone": "Etc/UTC",
        "urls": {
            "enterprise": format!("{base}/services/Soap/c/{{version}}/{org15}"),
            "partner": format!("{base}/services/Soap/u/{{version}}/{org15}"),
            "rest": format!("{base}/services/data/v{{version}}/"),
            "sobjects": format!("{base}/services/data/v{{version}}/sobjects/"),
            "query": format!("{base}/services/data/v{{version}}/query/"),
            "tooling_rest": format!("{base}/services/data/v{{version}}/tooling/"),
            "profile": format!("{base}/{}", user.id),
            "custom_domain": base,
        },
        "active": user.is_active,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 0,
        "last_modified_date": "2026-01-01T00:00:00Z",
        "is_app_installed": true,
    });
    with_limit_info(&sim, Json(body).into_response()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_is_hmac_of_id_and_issued_at() {
        let a = sign("secret", "https://x/id/1/2", "1468448630767");
        assert_eq!(a, sign("secret", "https://x/id/1/2", "1468448630767"));
        assert_ne!(a, sign("other", "https://x/id/1/2", "1468448630767"));
        assert_eq!(B64.decode(&a).unwrap().len(), 32);
    }

    #[test]
    fn new_access_token_starts_with_org15() {
        let token = new_access_token("00D5S0000000001AAA", "s", 1);
        assert!(token.starts_with("00D5S0000000001!"));
        assert_ne!(token, new_access_token("00D5S0000000001AAA", "s", 1));
    }
}
