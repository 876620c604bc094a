//! The JWT bearer flow's assertion (docs/salesforce.md §1): RS256 over
//! `{"iss": consumer key, "sub": username, "aud": login host, "exp": now + 3 min}`, signed
//! with the private key whose certificate is uploaded to the connected app.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;
use serde_json::json;

/// Lifetime of an assertion: Salesforce accepts at most 3 minutes.
const ASSERTION_LIFETIME_SECS: i64 = 180;

/// Why the signing key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JwtKeyError {
    #[error("cannot read the JWT signing key {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("the JWT signing key {path} is not a PEM RSA private key (PKCS#8 or PKCS#1): {reason}")]
    Parse { path: String, reason: String },
    #[error("signing the JWT assertion failed")]
    Sign,
}

/// An RSA private key for signing assertions.
pub struct JwtKey {
    pair: RsaKeyPair,
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKey(<private>)")
    }
}

impl JwtKey {
    /// Reads a PEM key file (`openssl genpkey`/`openssl req -newkey` write PKCS#8).
    pub fn load(path: &std::path::Path) -> Result<Self, JwtKeyError> {
        let shown = path.display().to_string();
        let pem = std::fs::read(path).map_err(|source| JwtKeyError::Read { path: shown.clone(), source })?;
        Self::from_pem(&pem).map_err(|reason| JwtKeyError::Parse { path: shown, reason })
    }

    /// Parses a PEM RSA private key.
    pub fn from_pem(pem: &[u8]) -> Result<Self, String> {
        let der = PrivateKeyDer::from_pem_slice(pem).map_err(|e| e.to_string())?;
        let pair = match &der {
            PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
            _ => return Err("only RSA keys can sign RS256".into()),
        }
        .map_err(|e| e.to_string())?;
        Ok(Self { pair })
    }

    /// A signed assertion for `username`, valid from `now` (Unix seconds) for 3 minutes.
    pub fn assertion(&self, client_id: &str, username: &str, audience: &str, now: i64) -> Result<String, JwtKeyError> {
        let header = B64URL.encode(json!({ "alg": "RS256" }).to_string());
        let claims =
            json!({ "iss": client_id, "sub": username, "aud": audience, "exp": now + ASSERTION_LIFETIME_SECS });
        let payload = B64URL.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let mut signature = vec![0u8; self.pair.public().modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), signing_input.as_bytes(), &mut signature)
            .map_err(|_| JwtKeyError::Sign)?;
        Ok(format!("{signing_input}.{}", B64URL.encode(signature)))
    }
}

/// The `aud` Salesforce expects: `https://test.salesforce.com` for sandboxes,
/// `https://login.salesforce.com` for production and My Domains, and the login URL
/// itself for anything else (sfsim).
pub fn audience_for(login_url: &str) -> String {
    let host = login_url.split("://").nth(1).unwrap_or(login_url).split(['/', ':']).next().unwrap_or_default();
    if host == "test.salesforce.com" || host.ends_with(".sandbox.my.salesforce.com") {
        "https://test.salesforce.com".into()
    } else if host == "salesforce.com" || host.ends_with(".salesforce.com") {
        "https://login.salesforce.com".into()
    } else {
        login_url.trim_end_matches('/').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_for_picks_production_sandbox_or_the_host() {
        assert_eq!(audience_for("https://login.salesforce.com"), "https://login.salesforce.com");
        assert_eq!(audience_for("https://acme.my.salesforce.com"), "https://login.salesforce.com");
        assert_eq!(audience_for("https://test.salesforce.com"), "https://test.salesforce.com");
        assert_eq!(audience_for("https://acme--dev.sandbox.my.salesforce.com"), "https://test.salesforce.com");
        assert_eq!(audience_for("http://127.0.0.1:8788"), "http://127.0.0.1:8788");
    }

    #[test]
    fn from_pem_refuses_garbage() {
        assert!(JwtKey::from_pem(b"not a key").is_err());
    }
}
