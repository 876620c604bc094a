//! The JWT bearer grant's assertion check: an RS256 JWT signed with the private key whose
//! certificate was uploaded to the connected app, with iss = consumer key, sub = the
//! username, aud = the login host and an `exp` no more than a few minutes ahead.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use serde::Deserialize;

/// Salesforce accepts an `exp` at most this far ahead (3 minutes, plus clock skew).
const MAX_EXP_AHEAD_SECS: i64 = 5 * 60;

/// The claims Salesforce reads.
#[derive(Debug, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

/// Why an assertion was refused, as the OAuth `error_description` to send back.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssertionError {
    /// Not three base64url parts of JSON, or not RS256.
    #[error("invalid assertion")]
    Malformed,
    /// The connected app has no certificate, or the signature does not verify with it.
    #[error("invalid assertion")]
    BadSignature,
    #[error("Audience validation failed")]
    Audience,
    #[error("expired authorization code")]
    Expired,
}

/// Verifies `assertion` against the certificate `cert_pem` and returns its claims.
/// `audiences` are the login hosts this server answers for; `now` is in Unix seconds.
pub fn verify(assertion: &str, cert_pem: Option<&str>, audiences: &[&str], now: i64) -> Result<Claims, AssertionError> {
    let mut parts = assertion.trim().split('.');
    let (Some(header), Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AssertionError::Malformed);
    };
    let decode = |part: &str| B64URL.decode(part.trim_end_matches('=')).map_err(|_| AssertionError::Malformed);
    let parsed: Header = serde_json::from_slice(&decode(header)?).map_err(|_| AssertionError::Malformed)?;
    if parsed.alg != "RS256" {
        return Err(AssertionError::Malformed);
    }
    let claims: Claims = serde_json::from_slice(&decode(payload)?).map_err(|_| AssertionError::Malformed)?;
    let cert_der = cert_pem
        .and_then(|pem| CertificateDer::from_pem_slice(pem.as_bytes()).ok())
        .ok_or(AssertionError::BadSignature)?;
    let cert = webpki::EndEntityCert::try_from(&cert_der).map_err(|_| AssertionError::BadSignature)?;
    let signing_input = format!("{header}.{payload}");
    cert.verify_signature(webpki::ring::RSA_PKCS1_2048_8192_SHA256, signing_input.as_bytes(), &decode(signature)?)
        .map_err(|_| AssertionError::BadSignature)?;
    if !audiences.iter().any(|a| a.trim_end_matches('/') == claims.aud.trim_end_matches('/')) {
        return Err(AssertionError::Audience);
    }
    if claims.exp < now || claims.exp > now + MAX_EXP_AHEAD_SECS {
        return Err(AssertionError::Expired);
    }
    Ok(claims)
}

/// Checks that `pem` holds an X.509 certificate with a key we can verify against, so a
/// bad upload fails at start-up rather than at the first login.
pub fn check_certificate(pem: &str) -> Result<(), String> {
    let der = CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| format!("not a PEM certificate: {e}"))?;
    webpki::EndEntityCert::try_from(&der).map(|_| ()).map_err(|e| format!("cannot read the certificate: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(json: &str) -> String {
        B64URL.encode(json)
    }

    #[test]
    fn verify_rejects_malformed_and_unsigned() {
        assert_eq!(verify("a.b", None, &["x"], 0).unwrap_err(), AssertionError::Malformed);
        let none_alg = format!("{}.{}.", part(r#"{"alg":"none"}"#), part(r#"{"iss":"i","sub":"s","aud":"a","exp":1}"#));
        assert_eq!(verify(&none_alg, None, &["a"], 0).unwrap_err(), AssertionError::Malformed);
        let rs = format!("{}.{}.AAAA", part(r#"{"alg":"RS256"}"#), part(r#"{"iss":"i","sub":"s","aud":"a","exp":1}"#));
        assert_eq!(verify(&rs, None, &["a"], 0).unwrap_err(), AssertionError::BadSignature);
        assert_eq!(verify(&rs, Some("garbage"), &["a"], 0).unwrap_err(), AssertionError::BadSignature);
    }

    #[test]
    fn check_certificate_refuses_non_pem() {
        assert!(check_certificate("hello").is_err());
    }
}
