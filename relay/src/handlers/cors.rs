//! Cross-origin access for the browser extension: its service worker and pages call the
//! relay from `chrome-extension://<id>` or `moz-extension://<uuid>` with a bearer token.
//! No other origin is allowed, and credentials (cookies) are never allowed: the admin
//! console stays same-origin only.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// True for the extension origins crmsync's builds run under.
pub fn extension_origin(origin: &str) -> bool {
    let Some(id) = origin.strip_prefix("chrome-extension://").or_else(|| origin.strip_prefix("moz-extension://"))
    else {
        return false;
    };
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Answers preflights and adds the CORS headers to `/api/v1/` responses for extension
/// origins; everything else passes through untouched.
pub async fn allow_extensions(request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| extension_origin(o))
        .and_then(|o| HeaderValue::from_str(o).ok());
    let Some(origin) = origin.filter(|_| request.uri().path().starts_with("/api/v1/")) else {
        return next.run(request).await;
    };
    let mut response = if request.method() == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, PUT, DELETE, OPTIONS"));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type, if-none-match"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("etag, x-crmsync-index-version, x-crmsync-index-decisions, x-crmsync-index-matches"),
    );
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    h.append(header::VARY, HeaderValue::from_static("origin"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_extension_origins_are_allowed() {
        assert!(extension_origin("chrome-extension://abcdefghijklmnopabcdefghijklmnop"));
        assert!(extension_origin("moz-extension://0b8e4e62-5f7c-4a43-9d3e-5d2f8f0d1a2b"));
        assert!(!extension_origin("https://evil.example.com"));
        assert!(!extension_origin("chrome-extension://"));
        assert!(!extension_origin("chrome-extension://abc/../x"));
        assert!(!extension_origin("null"));
    }
}
