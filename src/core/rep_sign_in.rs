//! The extension's side of a rep's sign-in: which relay it talks to, and what the
//! relay's redirect after the Salesforce login says (a session token, or why not).

use serde::{Deserialize, Serialize};

/// Why a relay address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelayUrlError {
    #[error("enter the relay's address, e.g. https://crmsync.example.com")]
    Empty,
    #[error("{0:?} is not an address: it must start with https://")]
    NotHttp(String),
    #[error("{0:?} uses plain http: only https is allowed, except to this machine (127.0.0.1, localhost)")]
    Insecure(String),
    #[error("{0:?} has no valid host name")]
    BadHost(String),
}

/// The origin (`scheme://host[:port]`) of the relay address a user typed; path, query
/// and fragment are dropped. Plain `http` only to this machine (development, tests).
pub fn relay_origin(input: &str) -> Result<String, RelayUrlError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(RelayUrlError::Empty);
    }
    let lower = input.to_ascii_lowercase();
    let (scheme, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        ("https", rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        ("http", rest)
    } else {
        return Err(RelayUrlError::NotHttp(input.to_string()));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()));
    if !host_ok || !port_ok {
        return Err(RelayUrlError::BadHost(input.to_string()));
    }
    if scheme == "http" && !matches!(host, "127.0.0.1" | "localhost") {
        return Err(RelayUrlError::Insecure(input.to_string()));
    }
    Ok(format!("{scheme}://{authority}"))
}

/// A finished sign-in: the session token and who it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepSignIn {
    pub token: String,
    pub user_id: String,
    pub username: String,
    /// Seconds the token lasts.
    pub expires_in: u64,
}

/// Reads the URL the relay redirected to after the login (`…#token=…&user_id=…` or
/// `…#error=…`); the error is the relay's message, for the user.
pub fn sign_in_result(redirect_url: &str) -> Result<RepSignIn, String> {
    let fragment = redirect_url.split_once('#').map(|(_, f)| f).unwrap_or_default();
    let mut pairs = std::collections::HashMap::new();
    for pair in fragment.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        pairs.insert(form_decode(k), form_decode(v));
    }
    if let Some(error) = pairs.get("error") {
        return Err(format!("sign-in failed: {error}"));
    }
    let field = |name: &str| pairs.get(name).filter(|v| !v.is_empty()).cloned();
    match (field("token"), field("user_id")) {
        (Some(token), Some(user_id)) => Ok(RepSignIn {
            token,
            user_id,
            username: field("username").unwrap_or_default(),
            expires_in: field("expires_in").and_then(|v| v.parse().ok()).unwrap_or(0),
        }),
        _ => Err("sign-in failed: the relay's answer has no session token".to_string()),
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, then percent escapes.
fn form_decode(text: &str) -> String {
    crate::core::pages::percent_decode(&text.replace('+', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_origin_keeps_scheme_host_and_port_only() {
        assert_eq!(relay_origin(" https://CRM.example.com/admin/?x#y ").unwrap(), "https://crm.example.com");
        assert_eq!(relay_origin("http://127.0.0.1:8787/").unwrap(), "http://127.0.0.1:8787");
        assert_eq!(relay_origin("https://relay.example.com:8443").unwrap(), "https://relay.example.com:8443");
    }

    #[test]
    fn relay_origin_refuses_what_is_not_a_safe_address() {
        assert_eq!(relay_origin(""), Err(RelayUrlError::Empty));
        assert!(matches!(relay_origin("crm.example.com"), Err(RelayUrlError::NotHttp(_))));
        assert!(matches!(relay_origin("http://crm.example.com"), Err(RelayUrlError::Insecure(_))));
        assert!(matches!(relay_origin("https://user@evil.example.com"), Err(RelayUrlError::BadHost(_))));
        assert!(matches!(relay_origin("https://a b.com"), Err(RelayUrlError::BadHost(_))));
        assert!(matches!(relay_origin("https://x.com:99999999"), Err(RelayUrlError::BadHost(_))));
    }

    #[test]
    fn sign_in_result_reads_token_or_error() {
        let ok = sign_in_result(
            "https://abc.chromiumapp.org/signed-in#token=t0k&user_id=005000000000001AAA&username=ada%40example.com&expires_in=2592000",
        )
        .unwrap();
        assert_eq!(ok.token, "t0k");
        assert_eq!(ok.username, "ada@example.com");
        assert_eq!(ok.expires_in, 2_592_000);
        let err = sign_in_result("https://abc.chromiumapp.org/signed-in#error=ada+has+no+crmsync+seat").unwrap_err();
        assert_eq!(err, "sign-in failed: ada has no crmsync seat");
        assert!(sign_in_result("https://abc.chromiumapp.org/signed-in").is_err());
    }
}
