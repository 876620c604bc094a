//! Reps' activities as a service: storing what a rep logged (durably, before the answer),
//! reading it back as the rep sees it, giving an unassigned activity its record, retrying a
//! failed one, and the rep's per-kind opt-in. The HTTP handlers parse and answer; every
//! store call and rule is here.

use crmsync::core::activity::{
    check_target, ActivityKind, ActivityState, ActivityView, CheckedActivity, WritebackPrefs,
};
use crmsync::core::rules::writeback::WriteRefusal;
use crmsync::core::sf::links::record_url;
use crmsync::core::time::rfc3339_from_unix_ms;

use crate::directory::matching::{all_decisions, manual_target};
use crate::state::{now_ms, AppState};
use crate::store::{Changed, QueueState, StoreError, StoredActivity, WritebackUser};

/// Why an activity request was refused; `index` is the item of the request it names.
#[derive(Debug, thiserror::Error)]
pub enum ActivityError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The core's write rule said no (no seat, write-back off, the kind not opted in).
    #[error("{refusal}")]
    Refused { index: usize, refusal: WriteRefusal },
    /// The id belongs to another rep's activity.
    #[error("id: {id} is already used by another activity; send a new id")]
    IdTaken { index: usize, id: String },
    /// No activity of the caller has this id.
    #[error("activity {0}")]
    NotFound(String),
    /// The activity is in a state the change does not apply to.
    #[error("activity {id} is {state}; only {allowed} activities {what}")]
    WrongState { id: String, state: &'static str, allowed: &'static str, what: &'static str },
    /// The target is not a record this kind of activity can be logged on.
    #[error("{0}")]
    BadTarget(String),
    /// A preference body that cannot be read.
    #[error("{0}")]
    Prefs(String),
    /// A preference the org does not write.
    #[error("kinds: {0}")]
    NotWritten(String),
}

/// What storing a request's activities gave: each as stored, and whether any was new.
pub struct Recorded {
    pub views: Vec<ActivityView>,
    pub created: bool,
}

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

async fn instance_url(state: &AppState) -> Result<Option<String>, StoreError> {
    Ok(state.store.connection().await?.map(|c| c.instance_url))
}

/// Refuses activities the rep may not have written (the core's rule), naming the first
/// item of each refused kind.
async fn check_allowed(
    state: &AppState,
    user_id: &str,
    kinds: impl IntoIterator<Item = ActivityKind>,
) -> Result<(), ActivityError> {
    // Each kind is asked once, at its first activity (the one an error names).
    let mut firsts: Vec<(usize, ActivityKind)> = Vec::new();
    for (i, kind) in kinds.into_iter().enumerate() {
        if !firsts.iter().any(|(_, k)| *k == kind) {
            firsts.push((i, kind));
        }
    }
    for (index, kind) in firsts {
        if let Err(refusal) = super::may_log(state, user_id, kind).await? {
            return Err(ActivityError::Refused { index, refusal });
        }
    }
    Ok(())
}

/// Stores checked activities for `user_id`. Without a target, a profile users matched by
/// hand gives one; else the activity waits unassigned. Sending an id again is harmless.
pub async fn record(
    state: &AppState,
    user_id: &str,
    mut checked: Vec<CheckedActivity>,
) -> Result<Recorded, ActivityError> {
    if checked.iter().any(|a| a.target.is_none()) {
        let decisions = all_decisions(state.store.as_ref()).await?;
        for a in checked.iter_mut().filter(|a| a.target.is_none()) {
            a.target = manual_target(&decisions, &a.profile_id).and_then(|crm| check_target(a.kind, &crm).ok());
        }
    }
    check_allowed(state, user_id, checked.iter().map(|a| a.kind)).await?;
    for (index, a) in checked.iter().enumerate() {
        if state.store.activity(&a.id).await?.is_some_and(|stored| stored.user_id != user_id) {
            return Err(ActivityError::IdTaken { index, id: a.id.clone() });
        }
    }
    let now = now_ms();
    let stored = state.store.insert_activities(user_id, &checked, now).await?;
    // Another user's id taken between the check and the insert: never show their activity.
    if let Some(index) = stored.iter().position(|a| a.user_id != user_id) {
        return Err(ActivityError::IdTaken { index, id: stored[index].id.clone() });
    }
    let created = stored.iter().any(|a| a.created_at_ms == now);
    let instance = instance_url(state).await?;
    Ok(Recorded { views: stored.iter().map(|a| view(a, instance.as_deref())).collect(), created })
}

/// The caller's own activities in the `wanted` states (every state when empty), newest
/// first; an unassigned one carries the record users matched its profile to, if any.
pub async fn list(state: &AppState, user_id: &str, wanted: &[QueueState]) -> Result<Vec<ActivityView>, ActivityError> {
    let activities = state.store.activities_of(user_id, wanted).await?;
    let instance = instance_url(state).await?;
    let mut views: Vec<ActivityView> = activities.iter().map(|a| view(a, instance.as_deref())).collect();
    if views.iter().any(|v| v.state == ActivityState::Unassigned) {
        let decisions = all_decisions(state.store.as_ref()).await?;
        for v in views.iter_mut().filter(|v| v.state == ActivityState::Unassigned) {
            v.suggested_target =
                manual_target(&decisions, &v.profile_id).and_then(|crm| check_target(v.kind, &crm).ok());
        }
    }
    Ok(views)
}

/// The caller's own activity `id` (a UUID in any case), or `NotFound`.
async fn own(state: &AppState, user_id: &str, id: &str) -> Result<StoredActivity, ActivityError> {
    let id = crmsync::core::activity::canonical_uuid(id).unwrap_or_else(|| id.to_string());
    state.store.activity(&id).await?.filter(|a| a.user_id == user_id).ok_or(ActivityError::NotFound(id))
}

/// The caller's own activity `id` as they see it.
pub async fn one(state: &AppState, user_id: &str, id: &str) -> Result<ActivityView, ActivityError> {
    let a = own(state, user_id, id).await?;
    Ok(view(&a, instance_url(state).await?.as_deref()))
}

/// Gives an unassigned (or failed) activity its record (`target`, not yet checked), after
/// which it flushes.
pub async fn assign(state: &AppState, user_id: &str, id: &str, target: &str) -> Result<ActivityView, ActivityError> {
    let a = own(state, user_id, id).await?;
    let target = check_target(a.kind, target).map_err(|e| ActivityError::BadTarget(e.to_string()))?;
    check_allowed(state, user_id, [a.kind]).await?;
    if state.store.assign_activity(&a.id, &target, now_ms()).await? == Changed::No {
        return Err(ActivityError::WrongState {
            id: a.id,
            state: a.state.public().as_str(),
            allowed: "unassigned or failed",
            what: "take a new target",
        });
    }
    one(state, user_id, &a.id).await
}

/// Queues a failed activity again.
pub async fn retry(state: &AppState, user_id: &str, id: &str) -> Result<ActivityView, ActivityError> {
    let a = own(state, user_id, id).await?;
    check_allowed(state, user_id, [a.kind]).await?;
    if state.store.retry_activity(&a.id, now_ms()).await? == Changed::No {
        return Err(ActivityError::WrongState {
            id: a.id,
            state: a.state.public().as_str(),
            allowed: "failed",
            what: "are retried",
        });
    }
    one(state, user_id, &a.id).await
}

fn prefs(user: &WritebackUser, org_kinds: Vec<ActivityKind>) -> WritebackPrefs {
    WritebackPrefs {
        enabled: user.enabled,
        kinds: ActivityKind::ALL.iter().map(|k| (*k, user.kinds.contains(k))).collect(),
        org_kinds,
    }
}

/// Whether an admin enabled write-back for the caller, and the caller's opt-in per kind.
pub async fn get_prefs(state: &AppState, user_id: &str) -> Result<WritebackPrefs, ActivityError> {
    let org_kinds = crate::admin::settings::load(state).await?.writeback_kinds;
    Ok(prefs(&state.store.writeback_user(user_id).await?, org_kinds))
}

/// Sets the caller's per-kind opt-in from a request body (see [`apply_prefs_body`]); a kind
/// the org does not write cannot be turned on.
pub async fn set_prefs(
    state: &AppState,
    user_id: &str,
    body: &serde_json::Value,
) -> Result<WritebackPrefs, ActivityError> {
    let current = state.store.writeback_user(user_id).await?;
    let kinds = super::prefs_body::apply_prefs_body(&current.kinds, body).map_err(ActivityError::Prefs)?;
    let org_kinds = crate::admin::settings::load(state).await?.writeback_kinds;
    let added: Vec<ActivityKind> = kinds.iter().copied().filter(|k| !current.kinds.contains(k)).collect();
    crmsync::core::rules::writeback::allowed_opt_ins(&added, &org_kinds)
        .map_err(|e| ActivityError::NotWritten(e.to_string()))?;
    state.store.set_writeback_kinds(user_id, &kinds, now_ms()).await?;
    Ok(prefs(&state.store.writeback_user(user_id).await?, org_kinds))
}
