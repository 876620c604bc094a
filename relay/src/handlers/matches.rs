//! Matching as users see and steer it from the widget: a CRM record's matched profile
//! with the explanation, and org-wide decisions (match or re-match, "not this one",
//! unmatch), stored with who and when and honoured by every user's next lookup.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use crmsync::core::api::{MatchDecisionRequest, RecordMatch};
use crmsync::core::matching::decisions::DecisionKind;
use crmsync::core::sf::SalesforceId;

use super::rep_session::Rep;
use crate::directory::matching::{kind_name, matchable_object, record_match, MatchError};
use crate::error::ApiError;
use crate::state::{now_ms, AppState};
use crate::store::DecisionRow;

impl From<MatchError> for ApiError {
    fn from(e: MatchError) -> Self {
        match e {
            MatchError::Store(e) => ApiError::Store(e),
            e @ MatchError::NotMatchable(_) => ApiError::BadRequest(e.to_string()),
            MatchError::NotFound(object, id) => ApiError::NotFound(format!("{object} {id}")),
        }
    }
}

fn parse_id(id: &str) -> Result<SalesforceId, ApiError> {
    SalesforceId::parse(id.trim()).map_err(|e| ApiError::BadRequest(format!("crm_id {id:?}: {e}")))
}

/// `GET /api/v1/matches/{crm_id}`: the record's matched profile (or none) and the
/// profiles users rejected for it.
pub async fn get_match(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Path(crm_id): Path<String>,
) -> Result<Json<RecordMatch>, ApiError> {
    let id = parse_id(&crm_id)?;
    visible(&state, &rep, &id).await?;
    Ok(Json(record_match(state.store.as_ref(), &id).await?))
}

/// 404 for a record the rep may not see (role-hierarchy visibility), as for a missing one.
async fn visible(state: &AppState, rep: &Rep, id: &SalesforceId) -> Result<(), ApiError> {
    if let Some(object) = matchable_object(id) {
        if !crate::admin::visibility::may_see(state, &rep.user_id, object, id.as_str()).await? {
            return Err(ApiError::NotFound(format!("{object} {id}")));
        }
    }
    Ok(())
}

/// `POST /api/v1/matches` `{crm_id, network_id, kind: match|not_match|unmatch}`: stores
/// the decision and answers the record's match as it now stands.
pub async fn decide(State(state): State<Arc<AppState>>, rep: Rep, body: Bytes) -> Result<Json<RecordMatch>, ApiError> {
    let request: MatchDecisionRequest = crate::error::json_body(&body)?;
    let id = parse_id(&request.crm_id)?;
    if matchable_object(&id).is_none() {
        return Err(MatchError::NotMatchable(id.to_string()).into());
    }
    let network_id = request.network_id.trim().to_string();
    // An unmatch names no profile; the others need one the directory knows.
    if request.kind != DecisionKind::Unmatch && state.store.profile(&network_id).await?.is_none() {
        return Err(ApiError::NotFound(format!(
            "network_id {network_id:?} is not in the directory (pick a profile from the directory search), so it"
        )));
    }
    // Checks that the record exists (and is the rep's to see) before anything is stored.
    visible(&state, &rep, &id).await?;
    record_match(state.store.as_ref(), &id).await?;
    let decision = DecisionRow {
        id: 0,
        crm_id: id.to_string(),
        network_id,
        kind: kind_name(request.kind).to_string(),
        decided_by: rep.user_id.clone(),
        decided_at_ms: now_ms(),
    };
    state.store.add_decision(&decision).await?;
    let trigger =
        crate::matching::Trigger::Decision { crm_id: decision.crm_id.clone(), network_id: decision.network_id.clone() };
    crate::matching::run(&state, trigger).await?;
    if request.kind == DecisionKind::Match {
        // The caller's own unassigned activities about this profile now have their record;
        // other reps see the match as a suggestion on theirs (`suggested_target`).
        let notes_only = matchable_object(&id) == Some("Account");
        let assigned = state
            .store
            .assign_unassigned_of_profile(&rep.user_id, &decision.network_id, &decision.crm_id, notes_only, now_ms())
            .await?;
        if assigned > 0 {
            tracing::info!(assigned, crm_id = %decision.crm_id, "unassigned activities assigned by a match");
        }
    }
    tracing::info!(user = %rep.user_id, crm_id = %decision.crm_id, network_id = %decision.network_id, kind = %decision.kind, "match decision");
    Ok(Json(record_match(state.store.as_ref(), &id).await?))
}
