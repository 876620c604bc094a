//! `GET /api/v1/status`: the org connection and API usage, for the admin console.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use crmsync::core::api::{ConnectionStatus, RelayStatus};
use crmsync::core::time::rfc3339_from_unix_ms;

use crate::error::ApiError;
use crate::state::AppState;

/// The relay's status; a failure newer than the stored connection is shown over it.
pub async fn get_status(State(state): State<Arc<AppState>>) -> Result<Json<RelayStatus>, ApiError> {
    let stored = state.store.connection().await?;
    let failure = state.failure().filter(|f| stored.as_ref().is_none_or(|c| f.at_ms >= c.connected_at_ms));
    let connection = match (stored, failure) {
        (_, Some(f)) => ConnectionStatus::Failed { error: f.error, at: rfc3339_from_unix_ms(f.at_ms) },
        (Some(c), None) => ConnectionStatus::Connected {
            org_id: c.org_id,
            user_id: c.user_id,
            username: c.username,
            instance_url: c.instance_url,
            api_version: c.api_version,
            connected_at: rfc3339_from_unix_ms(c.connected_at_ms),
        },
        (None, None) => ConnectionStatus::NotConfigured,
    };
    Ok(Json(RelayStatus { connection, api_usage: state.api_usage() }))
}
