//! The admin console's write-back buttons: run setup, flush now.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use super::admin_session::Admin;
use crate::error::ApiError;
use crate::state::AppState;
use crate::writeback::{FlushReport, SetupReport};

/// `POST /api/v1/admin/writeback/setup`: checks the org and creates what is missing.
pub async fn setup(State(state): State<Arc<AppState>>, _admin: Admin) -> Result<Json<SetupReport>, ApiError> {
    Ok(Json(crate::writeback::setup(&state).await?))
}

/// `POST /api/v1/admin/writeback/flush`: writes the queue now and reports.
pub async fn flush(State(state): State<Arc<AppState>>, _admin: Admin) -> Result<Json<FlushReport>, ApiError> {
    Ok(Json(crate::writeback::flush(&state).await?))
}
