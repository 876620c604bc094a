//! `GET /api/v1/status`: the org connection and API usage, for the admin console; the
//! connection's state alone for anyone else.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::collections::BTreeMap;

use crmsync::core::activity::{ActivityState, ActivityTotals};
use crmsync::core::api::{ConnectionStatus, ObjectStatus, PublicStatus, RelayStatus};
use crmsync::core::time::rfc3339_from_unix_ms;

use crate::error::ApiError;
use crate::state::AppState;

/// `GET /api/v1/status` (anyone): the connection's state and health; with an admin
/// session, everything (org, users, instance, counts, errors).
pub async fn get_status(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    let status = relay_status(&state).await?;
    if super::admin_session::current(&state, &headers).await?.is_some() {
        Ok(Json(status).into_response())
    } else {
        Ok(Json(PublicStatus::of(&status)).into_response())
    }
}

/// The relay's status (also `crmsync status`); a failure newer than the stored connection
/// is shown over it; API usage falls back to the last import's report.
pub async fn relay_status(state: &AppState) -> Result<RelayStatus, crate::store::StoreError> {
    let stored = state.store.connection().await?;
    let failure = state.failure().filter(|f| stored.as_ref().is_none_or(|c| f.at_ms >= c.connected_at_ms));
    let connection = match (stored, failure) {
        (_, Some(f)) => ConnectionStatus::Failed { error: f.error, at: rfc3339_from_unix_ms(f.at_ms) },
        (Some(c), None) => ConnectionStatus::Connected {
            auth_flow: c.auth_flow.as_str().to_string(),
            org_id: c.org_id,
            user_id: c.user_id,
            username: c.username,
            instance_url: c.instance_url,
            api_version: c.api_version,
            connected_at: rfc3339_from_unix_ms(c.connected_at_ms),
        },
        (None, None) => match &state.settings.salesforce {
            Some(sf) => ConnectionStatus::NotConnected { login_url: sf.login_url.clone() },
            None => ConnectionStatus::NotConfigured,
        },
    };
    let counts = state.store.object_counts().await?;
    let mut objects = BTreeMap::new();
    for s in state.store.sync_states().await? {
        let rows = counts.iter().find(|(o, _)| *o == s.object).map_or(0, |(_, n)| *n);
        objects.insert(
            s.object.clone(),
            ObjectStatus { rows, last_sync: s.last_sync_at_ms.map(rfc3339_from_unix_ms), watermark: s.watermark },
        );
    }
    let api_usage = match state.api_usage() {
        Some(u) => Some(u),
        None => state
            .store
            .last_run_report()
            .await?
            .and_then(|r| serde_json::from_str::<crate::jobs::import::ImportReport>(&r).ok())
            .and_then(|r| r.api_usage),
    };
    let mut activities: ActivityTotals = ActivityState::ALL.iter().map(|s| (*s, 0)).collect();
    for (stored, n) in state.store.activity_totals().await? {
        *activities.entry(stored.public()).or_default() += n;
    }
    let page_problems = super::page_health::recent(state).await?;
    Ok(RelayStatus { connection, api_usage, objects, activities, page_problems })
}
