//! OAuth 2.0 endpoints (docs/salesforce.md §1): the token endpoint (authorization code with
//! PKCE, refresh token, JWT bearer, client credentials), revoke, userinfo and the identity
//! URL. Errors use OAuth's object shape `{"error", "error_description"}`, not REST's array.

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
use crate::{now_ms, Sim};

/// An OAuth error body with HTTP 400, as the token endpoint answers.
fn oauth_error(error: &str, description: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error, "error_description": description }))).into_response()
}

/// The JWT bearer grant's `grant_type`.
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// `POST /services/oauth2/token` (form-encoded).
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
        Some("authorization_code") => authorization_code(&sim, &headers, &form).await,
        Some("refresh_token") => refresh_token(&sim, &headers, &form).await,
        Some(JWT_BEARER) => jwt_bearer(&sim, &form).await,
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
    let revoked = match sim.store.revoke_refresh_token(&token).await {
        Ok(true) => Ok(true),
        Ok(false) => sim.store.revoke_session(&token).await,
        Err(e) => Err(e),
    };
    match revoked {
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

/// Checks the client id, and the secret when it is given or `secret_required`.
fn check_client(
    sim: &Sim,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
    secret_required: bool,
) -> Result<(), Response> {
    let (client_id, client_secret) = client_credentials_of(headers, form);
    if client_id.as_deref() != Some(sim.org.client_id.as_str()) {
        return Err(oauth_error("invalid_client_id", "client identifier invalid"));
    }
    match client_secret {
        Some(secret) if secret != sim.org.client_secret => {
            Err(oauth_error("invalid_client", "invalid client credentials"))
        }
        None if secret_required => Err(oauth_error("invalid_client", "invalid client credentials")),
        _ => Ok(()),
    }
}

async fn client_credentials(sim: &Sim, headers: &HeaderMap, form: &HashMap<String, String>) -> Response {
    if let Err(refused) = check_client(sim, headers, form, true) {
        return refused;
    }
    let org = &sim.org;
    let Some(user) = org.user(&org.integration_user_id) else {
        return oauth_error("invalid_grant", "no client credentials user enabled");
    };
    issue(sim, user, "api", Issue::Signed).await
}

/// The web-server flow's second half: a code from `/services/oauth2/authorize`, the same
/// `redirect_uri`, and the PKCE verifier when the authorize call sent a challenge. The
/// secret may be left out only by a PKCE client.
async fn authorization_code(sim: &Sim, headers: &HeaderMap, form: &HashMap<String, String>) -> Response {
    let verifier = form.get("code_verifier");
    if let Err(refused) = check_client(sim, headers, form, verifier.is_none()) {
        return refused;
    }
    let code = form.get("code").map(String::as_str).unwrap_or_default();
    let Some(pending) = sim.authorize.take_code(code) else {
        return oauth_error("invalid_grant", "invalid authorization code");
    };
    if pending.expired() {
        return oauth_error("invalid_grant", "expired authorization code");
    }
    if form.get("redirect_uri") != Some(&pending.redirect_uri) {
        return oauth_error("redirect_uri_mismatch", "redirect_uri must match configuration");
    }
    if let Some(challenge) = &pending.code_challenge {
        let derived = verifier.map(|v| B64URL.encode(Sha256::digest(v.as_bytes())));
        if derived.as_ref() != Some(challenge) {
            return oauth_error("invalid_grant", "invalid code verifier");
        }
    }
    let Some(user) = sim.org.user(&pending.user_id) else {
        return oauth_error("invalid_grant", "authentication failure");
    };
    let wants_refresh = pending.scope.split(' ').any(|s| s == "refresh_token" || s == "offline_access");
    let how = if wants_refresh { Issue::WithRefresh } else { Issue::Signed };
    issue(sim, user, &pending.scope, how).await
}

/// A new access token for a live refresh token (no rotation: the refresh token stays).
async fn refresh_token(sim: &Sim, headers: &HeaderMap, form: &HashMap<String, String>) -> Response {
    if let Err(refused) = check_client(sim, headers, form, false) {
        return refused;
    }
    let token = form.get("refresh_token").map(String::as_str).unwrap_or_default();
    let (user_id, scope) = match sim.store.refresh_token_grant(token).await {
        Ok(Some(found)) => found,
        Ok(None) => return oauth_error("invalid_grant", "expired access/refresh token"),
        Err(e) => return internal_error(e),
    };
    let Some(user) = sim.org.user(&user_id) else {
        return oauth_error("invalid_grant", "expired access/refresh token");
    };
    issue(sim, user, &scope, Issue::FromRefresh(token.to_string())).await
}

/// The JWT bearer grant: the assertion's signature checks against the connected app's
/// certificate; `sub` names the user. No refresh token, no signature (as documented).
async fn jwt_bearer(sim: &Sim, form: &HashMap<String, String>) -> Response {
    let assertion = form.get("assertion").map(String::as_str).unwrap_or_default();
    let certificate = match sim.store.jwt_certificate().await {
        Ok(c) => c,
        Err(e) => return internal_error(e),
    };
    let audiences = [sim.base_url.as_str(), "https://login.salesforce.com", "https://test.salesforce.com"];
    let claims = match crate::jwt::verify(assertion, certificate.as_deref(), &audiences, now_ms() / 1000) {
        Ok(c) => c,
        Err(e) => return oauth_error("invalid_grant", &e.to_string()),
    };
    if claims.iss != sim.org.client_id {
        return oauth_error("invalid_client_id", "client identifier invalid");
    }
    let Some(user) = sim.org.user_named(&claims.sub) else {
        return oauth_error("invalid_grant", "user hasn't approved this consumer");
    };
    issue(sim, user, "api", Issue::Unsigned).await
}

/// How a token response is made.
enum Issue {
    /// With `signature` and `issued_at` (web-server, client credentials).
    Signed,
    /// Signed, plus a new refresh token.
    WithRefresh,
    /// Signed, from this refresh token (revoking it revokes the access token).
    FromRefresh(String),
    /// Neither signature nor issued_at (JWT bearer).
    Unsigned,
}

/// Records a session for `user` and answers with the token response.
async fn issue(sim: &Sim, user: &crate::org::DemoUser, scope: &str, how: Issue) -> Response {
    if !user.is_active {
        return oauth_error("inactive_user", "user is inactive");
    }
    let org = &sim.org;
    let issued_at = now_ms();
    let access_token = opaque_token("", &org.org_id);
    if let Err(e) = sim.store.insert_session(&access_token, &user.id, &org.client_id, issued_at).await {
        return internal_error(e);
    }
    let id = format!("{}/id/{}/{}", sim.base_url, org.org_id, user.id);
    let mut body = json!({
        "access_token": access_token,
        "scope": scope,
        "instance_url": sim.base_url,
        "id": id,
        "token_type": "Bearer",
    });
    let refresh = match &how {
        Issue::WithRefresh => {
            let refresh = opaque_token("5Aep", &org.org_id);
            if let Err(e) = sim.store.insert_refresh_token(&refresh, &user.id, scope).await {
                return internal_error(e);
            }
            body["refresh_token"] = json!(refresh);
            Some(refresh)
        }
        Issue::FromRefresh(parent) => Some(parent.clone()),
        Issue::Signed | Issue::Unsigned => None,
    };
    if let Some(parent) = refresh {
        if let Err(e) = sim.store.link_session(&access_token, &parent).await {
            return internal_error(e);
        }
    }
    if !matches!(how, Issue::Unsigned) {
        let issued_at = issued_at.to_string();
        body["signature"] = json!(sign(&org.client_secret, &id, &issued_at));
        body["issued_at"] = json!(issued_at);
    }
    Json(body).into_response()
}

/// An opaque token: `<org15>!<random>` for access tokens (`tag` empty), as real tokens
/// start with the org id; `<tag><random>` for codes, refresh tokens and cookies.
pub fn opaque_token(tag: &str, org_id: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let digest = Sha256::digest(format!("{tag}:{org_id}:{nanos}:{n}:{}", std::process::id()));
    if tag.is_empty() {
        format!("{}!{}", &org_id[..15], B64URL.encode(digest))
    } else {
        format!("{tag}{}", B64URL.encode(digest))
    }
}

/// Base64 HMAC-SHA256 of `id + issued_at` keyed with the client secret (docs/salesforce.md §1).
pub fn sign(secret: &str, id: &str, issued_at: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(id.as_bytes());
    mac.update(issued_at.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

/// `GET /services/oauth2/userinfo`: the OpenID Connect claims of the token's user.
pub async fn userinfo(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    let caller = match authorize(&sim, &headers).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let org = &sim.org;
    let Some(user) = org.user(&caller.user_id) else {
        return rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist");
    };
    let base = &sim.base_url;
    Json(json!({
        "sub": format!("{base}/id/{}/{}", org.org_id, user.id),
        "user_id": user.id,
        "organization_id": org.org_id,
        "preferred_username": user.username,
        "nickname": user.username.split('@').next().unwrap_or_default(),
        "name": user.display_name(),
        "email": user.email,
        "email_verified": true,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "zoneinfo": "Etc/UTC",
        "profile": format!("{base}/{}", user.id),
        "is_salesforce_integration_user": user.id == org.integration_user_id,
        "active": user.is_active,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 0,
        "updated_at": "2026-01-01T00:00:00Z",
        "is_app_installed": true,
    }))
    .into_response()
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
            "custom_domain": sim.custom_domain,
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
    fn opaque_token_access_tokens_start_with_org15() {
        let token = opaque_token("", "00D5S0000000001AAA");
        assert!(token.starts_with("00D5S0000000001!"));
        assert_ne!(token, opaque_token("", "00D5S0000000001AAA"));
        assert!(opaque_token("5Aep", "00D5S0000000001AAA").starts_with("5Aep"));
    }
}
