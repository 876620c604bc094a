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
    /// 500: a storage failure; logged, not echoed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            ApiError::NotFound(what) => (StatusCode::NOT_FOUND, "not_found", format!("{what} does not exist")),
            ApiError::Store(e) => {
                tracing::error!(error = %e, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the relay log".to_string())
            }
        };
        (status, Json(json!({ "error": { "code": code, "message": message } }))).into_response()
    }
}
