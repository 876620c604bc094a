//! Reps' activities (`/api/v1/activities`) and write-back settings (`/api/v1/me/writeback`):
//! an activity is stored durably before the answer, so an acknowledged click is never
//! lost; sending the same id again is harmless.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use crmsync::core::activity::{check_target, ActivityKind, ActivityState, ActivityView, NewActivity, WritebackPrefs};
use crmsync::core::rules::writeback::WriteRefusal;
use crmsync::core::sf::links::record_url;
use crmsync::core::time::rfc3339_from_unix_ms;
use serde_json::Value;

use super::rep_session::Rep;
use crate::error::ApiError;
use crate::state::{now_ms, AppState};
use crate::store::{Changed, QueueState, StoredActivity, WritebackUser};

/// Most activities one request may carry.
const MAX_PER_REQUEST: usize = 1_000;

/// A stored activity as its owner sees it, with a link to the written record.
pub fn view(a: &StoredActivity, instance_url: Option<&str>) -> ActivityView {
    let object = if a.kind == ActivityKind::Note { "Note" } else { "Task" };
    let url = match (&a.salesforce_id, instance_url) {
        (Some(id), Some(instance)) => Some(record_url(instance, object, id)),
        _ => None,
    };
    ActivityView {
        id: a.id.clone(),
        kind: a.kind,
        subject: a.subject.clone(),
        body: a.body.clone(),
        occurred_at: a.occurred_at.clone(),
        profile_id: a.profile_id.clone(),
        target: a.target.clone(),
        suggested_target: None,
        state: a.state.public(),
        salesforce_id: a.salesforce_id.clone(),
        salesforce_url: url,
        error: a.error.clone(),
        attempts: a.attempts,
        created_at: rfc3339_from_unix_ms(a.created_at_ms),
        written_at: a.written_at_ms.map(rfc3339_from_unix_ms),
    }
}

async fn instance_url(state: &AppState) -> Result<Option<String>, ApiError> {
    Ok(state.store.connection().await?.map(|c| c.instance_url))
}

/// Where item `i` of a request is, for error messages.
fn at(i: usize, single: bool) -> String {
    if single {
        String::new()
    } else {
        format!("activities[{i}].")
    }
}

/// Refuses activities the rep may not have written (the core's rule): no seat, write-back
/// off, or a kind not opted in; `at` says which item of the request.
async fn check_allowed(
    state: &AppState,
    rep: &Rep,
    kinds: impl IntoIterator<Item = ActivityKind>,
    single: bool,
) -> Result<(), ApiError> {
    // Each kind is asked once, at its first activity (the one an error names).
    let mut firsts: Vec<(usize, ActivityKind)> = Vec::new();
    for (i, kind) in kinds.into_iter().enumerate() {
        if !firsts.iter().any(|(_, k)| *k == kind) {
            firsts.push((i, kind));
        }
    }
    for (i, kind) in firsts {
        if let Err(refusal) = crate::writeback::may_log(state, &rep.user_id, kind).await? {
            let prefix = if matches!(refusal, WriteRefusal::KindOff(_)) {
                format!("{}kind: ", at(i, single))
            } else {
                String::new()
            };
            return Err(ApiError::Forbidden(format!("{prefix}{refusal}")));
        }
    }
    Ok(())
}

/// `POST /api/v1/activities`: one activity object, or a list of them. 201 when something
/// new was stored, 200 when every id was already known; the answer mirrors the request
/// (an object or a list) with each activity as stored.
pub async fn create(State(state): State<Arc<AppState>>, rep: Rep, body: Bytes) -> Result<Response, ApiError> {
    let value: Value = crate::error::json_body(&body)?;
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
    // Without a target, a profile users matched by hand gives one; else it waits unassigned.
    if checked.iter().any(|a| a.target.is_none()) {
        let decisions = crate::directory::matching::all_decisions(state.store.as_ref()).await?;
        for a in checked.iter_mut().filter(|a| a.target.is_none()) {
            a.target = crate::directory::matching::manual_target(&decisions, &a.profile_id)
                .and_then(|crm| crmsync::core::activity::check_target(a.kind, &crm).ok());
        }
    }
    check_allowed(&state, &rep, checked.iter().map(|a| a.kind), single).await?;
    let conflict = |i: usize, id: &str| {
        ApiError::Conflict(format!("{}id: {id} is already used by another activity; send a new id", at(i, single)))
    };
    for (i, a) in checked.iter().enumerate() {
        if state.store.activity(&a.id).await?.is_some_and(|stored| stored.user_id != rep.user_id) {
            return Err(conflict(i, &a.id));
        }
    }
    let now = now_ms();
    let stored = state.store.insert_activities(&rep.user_id, &checked, now).await?;
    // Another user's id taken between the check and the insert: never show their activity.
    if let Some(i) = stored.iter().position(|a| a.user_id != rep.user_id) {
        return Err(conflict(i, &stored[i].id));
    }
    let created = stored.iter().any(|a| a.created_at_ms == now);
    let instance = instance_url(&state).await?;
    let mut views: Vec<ActivityView> = stored.iter().map(|a| view(a, instance.as_deref())).collect();
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
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
    let activities = state.store.activities_of(&rep.user_id, &wanted).await?;
    let instance = instance_url(&state).await?;
    let mut views: Vec<ActivityView> = activities.iter().map(|a| view(a, instance.as_deref())).collect();
    if views.iter().any(|v| v.state == ActivityState::Unassigned) {
        let decisions = crate::directory::matching::all_decisions(state.store.as_ref()).await?;
        for v in views.iter_mut().filter(|v| v.state == ActivityState::Unassigned) {
            v.suggested_target = crate::directory::matching::manual_target(&decisions, &v.profile_id)
                .and_then(|crm| check_target(v.kind, &crm).ok());
        }
    }
    Ok(Json(views))
}

/// The caller's own activity `id`, or 404.
async fn own(state: &AppState, rep: &Rep, id: &str) -> Result<StoredActivity, ApiError> {
    let id = crmsync::core::activity::canonical_uuid(id).unwrap_or_else(|| id.to_string());
    state
        .store
        .activity(&id)
        .await?
        .filter(|a| a.user_id == rep.user_id)
        .ok_or_else(|| ApiError::NotFound(format!("activity {id}")))
}

/// `GET /api/v1/activities/{id}`.
pub async fn get_one(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Path(id): Path<String>,
) -> Result<Json<ActivityView>, ApiError> {
    let a = own(&state, &rep, &id).await?;
    Ok(Json(view(&a, instance_url(&state).await?.as_deref())))
}

/// `PUT /api/v1/activities/{id}/target` `{"target": "<Lead or Contact id>"}`: assigns an
/// unassigned (or failed) activity, which then flushes.
pub async fn assign(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ActivityView>, ApiError> {
    let a = own(&state, &rep, &id).await?;
    let value: Value = crate::error::json_body(&body)?;
    let target = value
        .get("target")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::BadRequest("target: send {\"target\": \"<Lead or Contact id>\"}".into()))?;
    let target = check_target(a.kind, target).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    check_allowed(&state, &rep, [a.kind], true).await?;
    if state.store.assign_activity(&a.id, &target, now_ms()).await? == Changed::No {
        return Err(ApiError::Conflict(format!(
            "activity {} is {}; only unassigned or failed activities take a new target",
            a.id,
            a.state.public().as_str()
        )));
    }
    let a = own(&state, &rep, &a.id).await?;
    Ok(Json(view(&a, instance_url(&state).await?.as_deref())))
}

/// `POST /api/v1/activities/{id}/retry`: queues a failed activity again.
pub async fn retry(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Path(id): Path<String>,
) -> Result<Json<ActivityView>, ApiError> {
    let a = own(&state, &rep, &id).await?;
    check_allowed(&state, &rep, [a.kind], true).await?;
    if state.store.retry_activity(&a.id, now_ms()).await? == Changed::No {
        return Err(ApiError::Conflict(format!(
            "activity {} is {}; only failed activities are retried",
            a.id,
            a.state.public().as_str()
        )));
    }
    let a = own(&state, &rep, &a.id).await?;
    Ok(Json(view(&a, instance_url(&state).await?.as_deref())))
}

fn prefs(user: &WritebackUser, org_kinds: Vec<ActivityKind>) -> WritebackPrefs {
    WritebackPrefs {
        enabled: user.enabled,
        kinds: ActivityKind::ALL.iter().map(|k| (*k, user.kinds.contains(k))).collect(),
        org_kinds,
    }
}

/// `GET /api/v1/me/writeback`: whether an admin enabled write-back for the caller, and
/// the caller's opt-in per kind.
pub async fn get_prefs(State(state): State<Arc<AppState>>, rep: Rep) -> Result<Json<WritebackPrefs>, ApiError> {
    let org_kinds = crate::admin::settings::load(&state).await?.writeback_kinds;
    Ok(Json(prefs(&state.store.writeback_user(&rep.user_id).await?, org_kinds)))
}

/// Reads a `PUT /api/v1/me/writeback` body into the new opt-in list: `{"kinds": {"call":
/// true, …}}` or a flat `{"call": true, …}` change the named kinds only; `{"kinds":
/// ["call", …]}` names every kind that is on. `enabled` (the admin's switch) is ignored.
pub fn apply_prefs_body(current: &[ActivityKind], body: &Value) -> Result<Vec<ActivityKind>, String> {
    let kind = |name: &str| {
        ActivityKind::parse(name)
            .ok_or_else(|| format!("unknown kind {name:?} (expected one of {})", ActivityKind::names()))
    };
    let Some(top) = body.as_object() else {
        return Err("send an object: {\"kinds\": {\"call\": true, …}} or {\"kinds\": [\"call\", …]}".into());
    };
    if let Some(unknown) =
        top.keys().find(|k| k.as_str() != "kinds" && k.as_str() != "enabled" && ActivityKind::parse(k).is_none())
    {
        return Err(format!("unknown field {unknown:?} (expected kinds, or kind names: {})", ActivityKind::names()));
    }
    if let Some((name, _)) = top.iter().find(|(k, v)| k.as_str() != "kinds" && !v.is_boolean()) {
        return Err(format!("{name}: expected true or false"));
    }
    let enabled_ok = |map: &serde_json::Map<String, Value>| map.get("enabled").is_none_or(Value::is_boolean);
    if !body.get("kinds").and_then(Value::as_object).is_none_or(enabled_ok) {
        return Err("kinds.enabled: expected true or false (it is the admin's switch and is not changed here)".into());
    }
    let changes = match body.get("kinds").unwrap_or(body) {
        Value::Array(names) => {
            let mut on = Vec::new();
            for name in names {
                on.push(kind(name.as_str().ok_or("kinds: list kind names as strings")?)?);
            }
            return Ok(on);
        }
        Value::Object(map) => map,
        _ => return Err("send {\"kinds\": {\"call\": true, …}} or {\"kinds\": [\"call\", …]}".into()),
    };
    let mut on: Vec<ActivityKind> = current.to_vec();
    // `enabled` is the admin's (what GET shows); a body sent back as it came is fine.
    for (name, value) in changes.iter().filter(|(name, _)| *name != "enabled") {
        let k = kind(name)?;
        let wanted = value.as_bool().ok_or_else(|| format!("{name}: expected true or false"))?;
        on.retain(|existing| *existing != k);
        if wanted {
            on.push(k);
        }
    }
    Ok(on)
}

/// `PUT /api/v1/me/writeback`: sets the caller's per-kind opt-in (kept until changed).
pub async fn put_prefs(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    body: Bytes,
) -> Result<Json<WritebackPrefs>, ApiError> {
    let value: Value = crate::error::json_body(&body)?;
    let current = state.store.writeback_user(&rep.user_id).await?;
    let kinds = apply_prefs_body(&current.kinds, &value).map_err(ApiError::BadRequest)?;
    let org_kinds = crate::admin::settings::load(&state).await?.writeback_kinds;
    let added: Vec<ActivityKind> = kinds.iter().copied().filter(|k| !current.kinds.contains(k)).collect();
    crmsync::core::rules::writeback::allowed_opt_ins(&added, &org_kinds)
        .map_err(|e| ApiError::Forbidden(format!("kinds: {e}")))?;
    state.store.set_writeback_kinds(&rep.user_id, &kinds, now_ms()).await?;
    Ok(Json(prefs(&state.store.writeback_user(&rep.user_id).await?, org_kinds)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefs_body_forms() {
        let now = [ActivityKind::Call];
        assert_eq!(
            apply_prefs_body(&now, &json!({"kinds": {"inmail": true}})),
            Ok(vec![ActivityKind::Call, ActivityKind::Inmail])
        );
        assert_eq!(apply_prefs_body(&now, &json!({"call": false})), Ok(vec![]));
        assert_eq!(apply_prefs_body(&now, &json!({"kinds": ["note"]})), Ok(vec![ActivityKind::Note]));
        assert!(apply_prefs_body(&now, &json!({"kinds": {"sms": true}})).is_err_and(|e| e.contains("sms")));
        assert!(apply_prefs_body(&now, &json!({"call": "yes"})).is_err());
        assert!(apply_prefs_body(&now, &json!(3)).is_err());
        let echoed = json!({"enabled": true, "call": true, "note": true});
        assert_eq!(apply_prefs_body(&now, &echoed), Ok(vec![ActivityKind::Call, ActivityKind::Note]));
    }
}
