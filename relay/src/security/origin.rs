//! The relay's own origin as browsers reach it, and the same-origin check for requests
//! that change state on the strength of a cookie (cross-site request forgery).

use axum::http::{header, HeaderMap};

use crate::error::ApiError;
use crate::login_flow::CALLBACK_PATH;
use crate::state::AppState;

/// The relay's address as the browser reaches it: `CRMSYNC_PUBLIC_URL`, or the request's
/// `Host` when that is this machine (anything else could be forged).
pub fn public_base(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    if let Some(url) = &state.settings.public_url {
        return Ok(url.clone());
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let local = url::Url::parse(&format!("http://{host}")).is_ok_and(|u| super::is_loopback_host(&u));
    if local {
        Ok(format!("http://{host}"))
    } else {
        Err(ApiError::BadRequest(format!(
            "set CRMSYNC_PUBLIC_URL to the relay's address as browsers reach it (this request came for {host:?}); \
             the connected app's callback URL is that address + {CALLBACK_PATH}"
        )))
    }
}

/// True when the relay is reached on this machine only (no public URL, or a loopback one).
pub fn loopback_relay(state: &AppState) -> bool {
    state.settings.public_url.as_deref().is_none_or(|u| url::Url::parse(u).is_ok_and(|u| super::is_loopback_host(&u)))
}

/// Refuses a request whose `Origin` is not the relay's own (403): a page elsewhere cannot
/// make the browser connect, disconnect or change settings with the admin's cookie.
/// Under `Referrer-Policy: no-referrer` browsers send `Origin: null` for a form POST,
/// so the Fetch Metadata header `Sec-Fetch-Site: same-origin` (set by the browser, never
/// by a page) vouches for it instead.
pub fn require_same_origin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let expected = public_base(state, headers)?;
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        Some(origin) if origin.eq_ignore_ascii_case(&expected) && fetch_site.is_none_or(|s| s == "same-origin") => {
            Ok(())
        }
        Some("null") | None if fetch_site == Some("same-origin") => Ok(()),
        Some(origin) => Err(ApiError::Forbidden(format!(
            "this request came from {origin:?}; only the relay's own pages ({expected}) may make it"
        ))),
        None => Err(ApiError::Forbidden(format!(
            "this request has no Origin header; only the relay's own pages ({expected}) may make it"
        ))),
    }
}
