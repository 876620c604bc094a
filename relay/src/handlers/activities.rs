//! Reps' activities (`/api/v1/activities`) and write-back settings (`/api/v1/me/writeback`)
//! over HTTP: the requests are read and the answers shaped here, the work is done by
//! [`crate::writeback::activities`]. An activity is stored durably before the answer, so an
//! acknowledged click is never lost; sending the same id again is harmless.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use crmsync::core::activity::{ActivityState, ActivityView, NewActivity, WritebackPrefs};
use crmsync::core::rules::writeback::WriteRefusal;
use serde_json::Value;

use super::rep_session::Rep;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::store::QueueState;
use crate::writeback::activities::{self, ActivityError};

/// Most activities one request may carry.
const MAX_PER_REQUEST: usize = 1_000;

/// Where item `i` of a request is, for error messages.
fn at(i: usize, single: bool) -> String {
    if single {
        String::new()
    } else {
        format!("activities[{i}].")
    }
}

/// The answer to a refused activity request; `single` when the request sent one object.
fn refusal(e: ActivityError, single: bool) -> ApiError {
    match e {
        ActivityError::Store(e) => ApiError::Store(e),
        ActivityError::Refused { index, refusal } => {
            let prefix = if matches!(refusal, WriteRefusal::KindOff(_)) {
                format!("{}kind: ", at(index, single))
            } else {
                String::new()
            };
            ApiError::Forbidden(format!("{prefix}{refusal}"))
        }
        e @ ActivityError::IdTaken { index, .. } => ApiError::Conflict(format!("{}{e}", at(index, single))),
        ActivityError::NotFound(id) => ApiError::NotFound(format!("activity {id}")),
        e @ ActivityError::WrongState { .. } => ApiError::Conflict(e.to_string()),
        e @ (ActivityError::BadTarget(_) | ActivityError::Prefs(_)) => ApiError::BadRequest(e.to_string()),
        e @ ActivityError::NotWritten(_) => ApiError::Forbidden(e.to_string()),
    }
}

impl From<ActivityError> for ApiError {
    fn from(e: ActivityError) -> Self {
        refusal(e, true)
    }
}

/// `POST /api/v1/activities`: one activity object, or a list of them. 201 when something
/// new was stored, 200 when every id was already known; the answer mirrors the request
/// (an object or a list) with each activity as stored.
pub async fn create(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    JsonBody(value): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let (items, single) = match value {
        Value::Array(items) => (items, false),
        item @ Value::Object(_) => (vec![item], true),
        _ => return Err(ApiError::BadRequest("send one activity object, or a list of them".into())),
    };
    if items.is_empty() || items.len() > MAX_PER_REQUEST {
        return Err(ApiError::BadRequest(format!(
            "a request carries 1 to {MAX_PER_REQUEST} activities; this one has {}",
            items.len()
        )));
    }
    let mut checked = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let new: NewActivity =
            serde_json::from_value(item).map_err(|e| ApiError::BadRequest(format!("{}{e}", at(i, single))))?;
        let activity = new.check().map_err(|e| ApiError::BadRequest(format!("{}{e}", at(i, single))))?;
        checked.push(activity);
    }
    let recorded = activities::record(&state, &rep.user_id, checked).await.map_err(|e| refusal(e, single))?;
    let mut views = recorded.views;
    let status = if recorded.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(match views.pop() {
        Some(one) if single => (status, Json(one)).into_response(),
        last => {
            views.extend(last);
            (status, Json(views)).into_response()
        }
    })
}

/// `GET /api/v1/activities?state=pending,failed`: the caller's own activities, newest
/// first (every state when `state` is absent).
pub async fn list(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Vec<ActivityView>>, ApiError> {
    let given = params.get("state").map(String::as_str).unwrap_or_default();
    // Each comma-separated name exactly as written, as the OpenAPI pattern says.
    let wanted: Vec<QueueState> = ActivityState::parse_list(given)
        .map_err(ApiError::BadRequest)?
        .into_iter()
        .flat_map(|s| QueueState::of_public(s).iter().copied())
        .collect();
    Ok(Json(activities::list(&state, &rep.user_id, &wanted).await?))
}

/// `GET /api/v1/activities/{id}`.
pub async fn get_one(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Path(id): Path<String>,
) -> Result<Json<ActivityView>, ApiError> {
    Ok(Json(activities::one(&state, &rep.user_id, &id).await?))
}

/// `PUT /api/v1/activities/{id}/target` `{"target": "<Lead or Contact id>"}`: assigns an
/// unassigned (or failed) activity, which then flushes.
pub async fn assign(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Path(id): Path<String>,
    JsonBody(value): JsonBody<Value>,
) -> Result<Json<ActivityView>, ApiError> {
    let target = value
        .get("target")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::BadRequest("target: send {\"target\": \"<Lead or Contact id>\"}".into()))?;
    Ok(Json(activities::assign(&state, &rep.user_id, &id, target).await?))
}

/// `POST /api/v1/activities/{id}/retry`: queues a failed activity again.
pub async fn retry(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Path(id): Path<String>,
) -> Result<Json<ActivityView>, ApiError> {
    Ok(Json(activities::retry(&state, &rep.user_id, &id).await?))
}

/// `GET /api/v1/me/writeback`: whether an admin enabled write-back for the caller, and
/// the caller's opt-in per kind.
pub async fn get_prefs(State(state): State<Arc<AppState>>, rep: Rep) -> Result<Json<WritebackPrefs>, ApiError> {
    Ok(Json(activities::get_prefs(&state, &rep.user_id).await?))
}

/// `PUT /api/v1/me/writeback`: sets the caller's per-kind opt-in (kept until changed).
pub async fn put_prefs(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    JsonBody(value): JsonBody<Value>,
) -> Result<Json<WritebackPrefs>, ApiError> {
    Ok(Json(activities::set_prefs(&state, &rep.user_id, &value).await?))
}

/// `POST /api/v1/activities/backfill?file=messages|invitations[&owner=Name]` with the
/// export's CSV as the body: the caller's messages become unassigned activities; a
/// second import of the same export adds nothing.
pub async fn backfill(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Json<crate::writeback::backfill::BackfillReport>, ApiError> {
    use crate::writeback::backfill::BackfillError;
    let kind = match params.get("file").map(String::as_str) {
        Some("messages") | None => crmsync::core::network_messages::ExportKind::Messages,
        Some("invitations") => crmsync::core::network_messages::ExportKind::Invitations,
        Some(other) => return Err(ApiError::BadRequest(format!("file {other:?} must be messages or invitations"))),
    };
    let text =
        std::str::from_utf8(&body).map_err(|e| ApiError::BadRequest(format!("the export is not UTF-8 text: {e}")))?;
    let owner = params.get("owner").map(String::as_str).filter(|o| !o.trim().is_empty());
    match crate::writeback::backfill::backfill(&state, &rep.user_id, kind, text, owner).await {
        Ok(report) => Ok(Json(report)),
        Err(BackfillError::Store(e)) => Err(e.into()),
        Err(BackfillError::NotEnabled) => Err(ApiError::Forbidden(BackfillError::NotEnabled.to_string())),
        Err(e @ BackfillError::Export(_)) => Err(ApiError::BadRequest(e.to_string())),
    }
}
