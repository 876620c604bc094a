//! Saved lists and alerts for reps (the popup's Lists view and the badges' "Save"), and
//! the data-quality report for admins. Every list route is the calling rep's own: a list
//! id of another rep answers 404 like a missing one.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use crmsync::core::api::lists::{
    ListAlerts, ListPrefs, NewEntry, NewList, QualityReport, SavedList, SavedLists, QUALITY_COLUMNS,
};
use crmsync::core::csv;

use super::admin_session::Admin;
use super::rep_session::Rep;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::lists::{self, alerts, ListError};
use crate::state::AppState;

impl From<ListError> for ApiError {
    fn from(e: ListError) -> Self {
        match e {
            ListError::Invalid(m) => ApiError::BadRequest(m),
            ListError::NotFound(m) => ApiError::NotFound(m),
            ListError::Conflict(m) => ApiError::Conflict(m),
            ListError::Store(s) => ApiError::Store(s),
        }
    }
}

/// One of the rep's lists as it now stands.
async fn one_list(state: &AppState, rep: &Rep, id: &str) -> Result<SavedList, ApiError> {
    lists::lists_of(state, &rep.user_id)
        .await?
        .lists
        .into_iter()
        .find(|l| l.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("list {id:?}")))
}

/// `GET /api/v1/lists`: the rep's lists with their entries.
pub async fn get_lists(State(state): State<Arc<AppState>>, rep: Rep) -> Result<Json<SavedLists>, ApiError> {
    Ok(Json(lists::lists_of(&state, &rep.user_id).await?))
}

/// `POST /api/v1/lists` `{name}`: a new list (201 with it).
pub async fn create_list(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    JsonBody(request): JsonBody<NewList>,
) -> Result<Response, ApiError> {
    let id = lists::create_list(&state, &rep.user_id, &request.name).await?;
    Ok((StatusCode::CREATED, Json(one_list(&state, &rep, &id).await?)).into_response())
}

/// `POST /api/v1/lists/{id}/entries` `{crm_id}` or `{network_id, name}`: saves by hand
/// (201, or 200 when it was saved already); answers the list.
pub async fn add_entry(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<NewEntry>,
) -> Result<Response, ApiError> {
    let added = lists::add_entry(&state, &rep.user_id, &id, &request).await?;
    let status = if added { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(one_list(&state, &rep, &id).await?)).into_response())
}

/// `DELETE /api/v1/lists/{id}/entries/{crm_id}`: removes an entry by hand (auto-save does
/// not save it again for the same opportunity); answers the list.
pub async fn remove_entry(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Path((id, key)): Path<(String, String)>,
) -> Result<Json<SavedList>, ApiError> {
    lists::remove_entry(&state, &rep.user_id, &id, &key).await?;
    Ok(Json(one_list(&state, &rep, &id).await?))
}

/// `PUT /api/v1/me/lists` `{accounts_rule}`: the rep's own auto-save choice.
pub async fn put_prefs(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    JsonBody(request): JsonBody<ListPrefs>,
) -> Result<Json<SavedLists>, ApiError> {
    lists::set_accounts_rule(&state, &rep.user_id, &request.accounts_rule).await?;
    Ok(Json(lists::lists_of(&state, &rep.user_id).await?))
}

/// `GET /api/v1/alerts`: the rep's alerts on saved people, newest first.
pub async fn get_alerts(State(state): State<Arc<AppState>>, rep: Rep) -> Result<Json<ListAlerts>, ApiError> {
    Ok(Json(alerts::alerts_of(&state, &rep.user_id).await?))
}

/// `POST /api/v1/alerts/{id}/read`: marks one of the rep's alerts read.
pub async fn read_alert(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Path(id): Path<String>,
) -> Result<Json<ListAlerts>, ApiError> {
    let number: i64 = id.parse().map_err(|_| ApiError::BadRequest(format!("alert id {id:?} is not a number")))?;
    let alerts = alerts::mark_read(&state, &rep.user_id, number).await?;
    Ok(Json(alerts.ok_or_else(|| ApiError::NotFound(format!("alert {number}")))?))
}

/// `GET /api/v1/admin/data-quality`: matched people whose profile disagrees with the CRM.
pub async fn data_quality(State(state): State<Arc<AppState>>, _admin: Admin) -> Result<Json<QualityReport>, ApiError> {
    Ok(Json(alerts::data_quality(&state).await?))
}

/// `GET /api/v1/admin/data-quality.csv`: the same rows as CSV.
pub async fn data_quality_csv(State(state): State<Arc<AppState>>, _admin: Admin) -> Result<Response, ApiError> {
    let report = alerts::data_quality(&state).await?;
    let mut out = csv::line(&QUALITY_COLUMNS);
    for r in &report.rows {
        out.push_str(&csv::line(&r.fields()));
    }
    Ok(super::match_report::csv_download("crmsync-data-quality.csv", out))
}
