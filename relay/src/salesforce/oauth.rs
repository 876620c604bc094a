//! The OAuth endpoints (docs/salesforce.md §1): the four grants crmsync uses (client
//! credentials, JWT bearer, authorization code with PKCE, refresh token), the authorize
//! URL of the web-server flow, and revoke.

use std::fmt;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::client::{check_secure, read_error};
use super::SalesforceError;
use crate::config::SalesforceSettings;
use crate::secrets::Secret;

/// A successful token response. `Debug` never shows the tokens.
#[derive(Deserialize)]
pub struct TokenResponse {
    access_token: String,
    pub instance_url: String,
    /// The identity URL; its last two segments are the org and user ids.
    pub id: String,
    #[serde(default)]
    pub issued_at: Option<String>,
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("instance_url", &self.instance_url)
            .field("id", &self.id)
            .field("issued_at", &self.issued_at)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl TokenResponse {
    /// The access token, wrapped so it cannot be logged by accident.
    pub fn access_token(&self) -> Secret {
        Secret::new(self.access_token.clone())
    }

    /// The refresh token, when the grant gives one.
    pub fn refresh_token(&self) -> Option<Secret> {
        self.refresh_token.clone().map(Secret::new)
    }

    /// Checks `signature` = base64 HMAC-SHA256(id ‖ issued_at) under the client secret,
    /// when the response carries one (JWT-bearer responses do not).
    pub fn verify_signature(&self, client_secret: &str) -> Result<(), SalesforceError> {
        let (Some(signature), Some(issued_at)) = (&self.signature, &self.issued_at) else {
            return Ok(());
        };
        let expected = B64.decode(signature).map_err(|_| SalesforceError::BadSignature)?;
        let mut mac =
            Hmac::<Sha256>::new_from_slice(client_secret.as_bytes()).map_err(|_| SalesforceError::BadSignature)?;
        mac.update(self.id.as_bytes());
        mac.update(issued_at.as_bytes());
        mac.verify_slice(&expected).map_err(|_| SalesforceError::BadSignature)
    }

    /// A log-safe fingerprint: the org prefix Salesforce puts before `!` and a short hash.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        let digest = Sha256::digest(self.access_token.as_bytes());
        let prefix = self.access_token.split('!').next().filter(|p| p.len() == 15).unwrap_or("token");
        format!("{prefix}!…(sha256:{:02x}{:02x}{:02x}{:02x})", digest[0], digest[1], digest[2], digest[3])
    }
}

/// The OAuth error object (`{"error", "error_description"}`).
#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
    #[serde(default)]
    error_description: String,
}

/// A token or revoke endpoint's refusal as an error: the OAuth error object when the body
/// is one, else whatever the body allows (Salesforce's error array, or a snippet).
pub fn token_error(url: &str, status: u16, body: &[u8]) -> SalesforceError {
    match serde_json::from_slice::<OAuthErrorBody>(body) {
        Ok(e) => SalesforceError::OAuth { status, error: e.error, description: e.error_description },
        Err(_) => read_error(url, status, body),
    }
}

/// Client-credentials grant against `<login_url>/services/oauth2/token`.
pub async fn client_credentials(
    http: &reqwest::Client,
    settings: &SalesforceSettings,
) -> Result<TokenResponse, SalesforceError> {
    let url = format!("{}/services/oauth2/token", settings.login_url);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", settings.client_id.as_str()),
        ("client_secret", settings.client_secret.as_str()),
    ];
    request_token(http, &url, &form, &settings.client_secret).await
}

/// JWT bearer grant with a signed assertion (see `jwt`).
pub async fn jwt_bearer(
    http: &reqwest::Client,
    login_url: &str,
    assertion: &str,
    client_secret: &str,
) -> Result<TokenResponse, SalesforceError> {
    let url = format!("{login_url}/services/oauth2/token");
    let form = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)];
    request_token(http, &url, &form, client_secret).await
}

/// The web-server flow's exchange: the code the callback received, the same redirect URI
/// and the PKCE verifier.
pub async fn authorization_code(
    http: &reqwest::Client,
    settings: &SalesforceSettings,
    login_url: &str,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
) -> Result<TokenResponse, SalesforceError> {
    let url = format!("{login_url}/services/oauth2/token");
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", settings.client_id.as_str()),
        ("client_secret", settings.client_secret.as_str()),
        ("code_verifier", code_verifier),
    ];
    request_token(http, &url, &form, &settings.client_secret).await
}

/// A new access token from the refresh token of a web-server connection.
pub async fn refresh(
    http: &reqwest::Client,
    settings: &SalesforceSettings,
    login_url: &str,
    refresh_token: &Secret,
) -> Result<TokenResponse, SalesforceError> {
    let url = format!("{login_url}/services/oauth2/token");
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose()),
        ("client_id", settings.client_id.as_str()),
        ("client_secret", settings.client_secret.as_str()),
    ];
    request_token(http, &url, &form, &settings.client_secret).await
}

/// The S256 PKCE challenge of a verifier: base64url(SHA-256(verifier)).
pub fn pkce_challenge(verifier: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use sha2::Digest;
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Where to send the admin's browser to log in and approve the app.
pub fn authorize_url(login_url: &str, client_id: &str, redirect_uri: &str, state: &str, verifier: &str) -> String {
    let challenge = pkce_challenge(verifier);
    let query = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("state", state),
        ("scope", "api refresh_token"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    format!("{login_url}/services/oauth2/authorize?{}", serde_urlencoded::to_string(query).unwrap_or_default())
}

/// `POST <login_url>/services/oauth2/revoke`: true when revoked, false when Salesforce
/// says the token was already invalid (nothing left to revoke).
pub async fn revoke(http: &reqwest::Client, login_url: &str, token: &Secret) -> Result<bool, SalesforceError> {
    let url = format!("{login_url}/services/oauth2/revoke");
    let transport = |source| SalesforceError::Transport { url: url.clone(), source };
    let response = http.post(&url).form(&[("token", token.expose())]).send().await.map_err(transport)?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(transport)?;
    match status {
        200 => Ok(true),
        400 => match token_error(&url, status, &body) {
            SalesforceError::OAuth { error, .. } if error == "invalid_token" => Ok(false),
            other => Err(other),
        },
        _ => Err(read_error(&url, status, &body)),
    }
}

async fn request_token(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
    client_secret: &str,
) -> Result<TokenResponse, SalesforceError> {
    let transport = |source| SalesforceError::Transport { url: url.to_string(), source };
    let response = http.post(url).header("accept", "application/json").form(form).send().await.map_err(transport)?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(transport)?;
    if status != 200 {
        return Err(token_error(url, status, &body));
    }
    let token: TokenResponse =
        serde_json::from_slice(&body).map_err(|source| SalesforceError::Decode { what: "token response", source })?;
    token.verify_signature(client_secret)?;
    check_secure(&token.instance_url)?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(signature: Option<String>) -> TokenResponse {
        TokenResponse {
            access_token: "00D36000001HDi3!ARwAQ".into(),
            instance_url: "https://naXX.salesforce.com".into(),
            id: "https://login.salesforce.com/id/00D36000001HDi3EAG/00536000002PmoeAAC".into(),
            issued_at: Some("1468448630767".into()),
            signature,
            scope: None,
            refresh_token: None,
        }
    }

    fn sign(secret: &str, t: &TokenResponse) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(t.id.as_bytes());
        mac.update(t.issued_at.as_deref().unwrap().as_bytes());
        B64.encode(mac.finalize().into_bytes())
    }

    #[test]
    fn verify_signature_accepts_right_secret_only() {
        let unsigned = token(None);
        let signed = token(Some(sign("s3cret", &unsigned)));
        assert!(signed.verify_signature("s3cret").is_ok());
        assert!(matches!(signed.verify_signature("other"), Err(SalesforceError::BadSignature)));
        assert!(unsigned.verify_signature("anything").is_ok());
    }

    #[test]
    fn debug_and_fingerprint_hide_the_token() {
        let t = token(None);
        assert!(!format!("{t:?}").contains("ARwAQ"));
        let fp = t.fingerprint();
        assert!(fp.starts_with("00D36000001HDi3!…(sha256:") && !fp.contains("ARwAQ"), "{fp}");
    }

    #[test]
    fn pkce_challenge_matches_rfc7636_example() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn authorize_url_carries_pkce_and_state() {
        let url = authorize_url("https://login.salesforce.com", "cid", "http://127.0.0.1:1/cb", "st", "v");
        assert!(
            url.starts_with("https://login.salesforce.com/services/oauth2/authorize?response_type=code&client_id=cid")
        );
        assert!(url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb") && url.contains("state=st"));
        assert!(
            url.contains(&format!("code_challenge={}", pkce_challenge("v")))
                && url.contains("code_challenge_method=S256")
        );
    }

    #[test]
    fn parses_recorded_refresh_response() {
        let raw = r#"{"access_token":"00D36000001HDi3!ARwAQ...S6IEIIl","signature":"rMCD2/FFeFXu4i3lRP55rDh5Zs8dqh+rA2BrYdpVNp0=","scope":"refresh_token full","instance_url":"https://naXX.salesforce.com","id":"https://login.salesforce.com/id/00D36000001HDi3EAG/00536000002PmoeAAC","token_type":"Bearer","issued_at":"1468448630767"}"#;
        let t: TokenResponse = serde_json::from_str(raw).unwrap();
        assert_eq!(t.issued_at.as_deref(), Some("1468448630767"));
        assert!(t.refresh_token().is_none());
    }
}
