//! The HTTP API's one error type. Each variant's doc names its status; internal errors
//! are logged with their cause and answered with a generic message, never echoed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error answered by the relay's HTTP API as `{"error": {"code", "message"}}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 404: no such resource.
    #[error("not found: {0}")]
    NotFound(String),
    /// 400: the request is wrong; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid admin session; sign in from the admin page.
    #[error("sign in as an admin of the connected org first")]
    Unauthorized,
    /// 401: no valid rep session token on an API call.
    #[error("send a valid session token as `Authorization: Bearer <token>` (sign in from the extension, or have an admin run `crmsync token --user <you>`); {0}")]
    SessionRequired(&'static str),
    /// 409: the request conflicts with the resource's state.
    #[error("{0}")]
    Conflict(String),
    /// 410: what the caller holds is too old for this answer (take a snapshot instead).
    #[error("{0}")]
    Gone(String),
    /// 403: signed in, but this needs something the caller does not have.
    #[error("{0}")]
    Forbidden(String),
    /// 413: the body is larger than the route takes.
    #[error("the request body is too large: send at most 2 MB (a Connections.csv upload: 32 MB)")]
    TooLarge,
    /// 502: Salesforce refused or failed; its message is passed on.
    #[error(transparent)]
    Connect(#[from] crate::connect::ConnectError),
    /// 500: a storage failure; logged, not echoed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// 500: a job step failed (a build worker stopped, compression failed); logged with
    /// its cause, answered generically.
    #[error("{0}")]
    Internal(String),
}

/// A JSON request body read as `T`; a malformed one is a 400 saying what and where
/// (axum's own extractor would answer 422 in plain text).
pub fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON for this request: {e}")))
}

/// Answers in the project's error shape what axum's extractors refuse in plain text
/// (a body over the size limit), so every error a client sees is `{"error": …}`.
pub async fn json_for_plain_errors(response: axum::response::Response) -> axum::response::Response {
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !json {
        return ApiError::TooLarge.into_response();
    }
    response
}

/// A query string read as `T`; a malformed one (a repeated or unknown parameter, a value
/// of the wrong type) is a 400 in the project's error shape, not axum's plain text.
pub fn query<T: serde::de::DeserializeOwned>(raw: Option<&str>) -> Result<T, ApiError> {
    serde_urlencoded::from_str(raw.unwrap_or_default())
        .map_err(|e| ApiError::BadRequest(format!("the query string is not valid for this request: {e}")))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            ApiError::NotFound(what) => (StatusCode::NOT_FOUND, "not_found", format!("{what} does not exist")),
            ApiError::BadRequest(why) => (StatusCode::BAD_REQUEST, "bad_request", why.clone()),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", self.to_string()),
            ApiError::Forbidden(why) => (StatusCode::FORBIDDEN, "forbidden", why.clone()),
            ApiError::SessionRequired(_) => (StatusCode::UNAUTHORIZED, "session_required", self.to_string()),
            ApiError::Conflict(why) => (StatusCode::CONFLICT, "conflict", why.clone()),
            ApiError::Gone(why) => (StatusCode::GONE, "snapshot_needed", why.clone()),
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", self.to_string()),
            ApiError::Connect(crate::connect::ConnectError::NotConnected) => {
                (StatusCode::CONFLICT, "not_connected", self.to_string())
            }
            ApiError::Connect(e) => {
                tracing::warn!(error = %e, "Salesforce call failed");
                (StatusCode::BAD_GATEWAY, "salesforce", e.to_string())
            }
            ApiError::Store(e) => {
                tracing::error!(error = %e, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the relay log".to_string())
            }
            ApiError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the relay log".to_string())
            }
        };
        (status, Json(json!({ "error": { "code": code, "message": message } }))).into_response()
    }
}

impl From<crate::writeback::WritebackError> for ApiError {
    fn from(e: crate::writeback::WritebackError) -> Self {
        use crate::writeback::WritebackError;
        match e {
            WritebackError::Connect(e) => ApiError::Connect(e),
            WritebackError::Store(e) => ApiError::Store(e),
            WritebackError::Salesforce { source } => {
                ApiError::Connect(crate::connect::ConnectError::Salesforce(source))
            }
        }
    }
}

impl From<crate::security::setup_code::SetupCodeError> for ApiError {
    fn from(e: crate::security::setup_code::SetupCodeError) -> Self {
        use crate::security::setup_code::SetupCodeError;
        match e {
            SetupCodeError::Store(e) => ApiError::Store(e),
            SetupCodeError::Secret(e) => ApiError::Connect(crate::connect::ConnectError::Secret(e)),
        }
    }
}

impl From<crate::matching::MatcherError> for ApiError {
    fn from(e: crate::matching::MatcherError) -> Self {
        use crate::matching::MatcherError;
        match e {
            MatcherError::Store(e) => ApiError::Store(e),
            e @ (MatcherError::Worker(_) | MatcherError::Damaged(_) | MatcherError::LeaseLost) => {
                ApiError::Internal(e.to_string())
            }
        }
    }
}
