//! `GET /api/v1/status`: the org connection and API usage, for the admin console; the
//! connection's state alone for anyone else.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use crmsync::core::api::PublicStatus;

use crate::error::ApiError;
use crate::state::AppState;

/// `GET /api/v1/status` (anyone): the connection's state and health; with an admin
/// session, everything (org, users, instance, counts, errors).
pub async fn get_status(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    let status = crate::admin::status::relay_status(&state).await?;
    if super::admin_session::current(&state, &headers).await?.is_some() {
        Ok(Json(status).into_response())
    } else {
        Ok(Json(PublicStatus::of(&status)).into_response())
    }
}
