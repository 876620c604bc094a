//! The admin console's write-back buttons: run setup, flush now. Both change something,
//! so both take an [`AdminChange`]: the admin cookie from the console's own page.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;

use super::admin::AdminChange;
use crate::error::ApiError;
use crate::state::AppState;
use crate::writeback::{FlushReport, SetupReport};

/// `POST /api/v1/admin/writeback/setup`: checks the org and creates what is missing.
pub async fn setup(State(state): State<Arc<AppState>>, _admin: AdminChange) -> Result<Json<SetupReport>, ApiError> {
    Ok(Json(crate::writeback::setup(&state).await?))
}

/// `POST /api/v1/admin/writeback/flush`: writes the queue now and reports.
pub async fn flush(State(state): State<Arc<AppState>>, _admin: AdminChange) -> Result<Json<FlushReport>, ApiError> {
    Ok(Json(crate::writeback::flush(&state).await?))
}
