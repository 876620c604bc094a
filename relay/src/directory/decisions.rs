//! Users steering the org-wide matcher: reading a record's match as the rep may see it, and
//! storing a decision (match or re-match, "not this one", unmatch) with who and when, after
//! which the matcher re-runs for the record and the rep's unassigned activities about a
//! newly matched profile get their record.

use crmsync::core::api::{MatchDecisionRequest, RecordMatch};
use crmsync::core::matching::decisions::DecisionKind;
use crmsync::core::sf::SalesforceId;

use super::matching::{kind_name, matchable_object, record_match, MatchError};
use crate::state::{now_ms, AppState};
use crate::store::DecisionRow;

/// `NotFound` for a record the rep may not see (role-hierarchy visibility), as for a
/// missing one.
async fn visible(state: &AppState, user_id: &str, id: &SalesforceId) -> Result<(), MatchError> {
    if let Some(object) = matchable_object(id) {
        if !crate::admin::visibility::may_see(state, user_id, object, id.as_str()).await? {
            return Err(MatchError::NotFound(object, id.to_string()));
        }
    }
    Ok(())
}

/// The record's matched profile (or none) and the profiles users rejected for it, if the
/// rep may see the record.
pub async fn match_for(state: &AppState, user_id: &str, id: &SalesforceId) -> Result<RecordMatch, MatchError> {
    visible(state, user_id, id).await?;
    record_match(state.store.as_ref(), id).await
}

/// Stores `user_id`'s decision about record `id` and answers the record's match as it now
/// stands. Nothing is stored unless the record exists, is the rep's to see, and (but for
/// an unmatch) the profile is in the directory.
pub async fn decide(
    state: &AppState,
    user_id: &str,
    id: &SalesforceId,
    request: &MatchDecisionRequest,
) -> Result<RecordMatch, MatchError> {
    if matchable_object(id).is_none() {
        return Err(MatchError::NotMatchable(id.to_string()));
    }
    let network_id = request.network_id.trim().to_string();
    // An unmatch names no profile; the others need one the directory knows.
    if request.kind != DecisionKind::Unmatch && state.store.profile(&network_id).await?.is_none() {
        return Err(MatchError::NotInDirectory(network_id));
    }
    match_for(state, user_id, id).await?;
    let decision = DecisionRow {
        id: 0,
        crm_id: id.to_string(),
        network_id,
        kind: kind_name(request.kind).to_string(),
        decided_by: user_id.to_string(),
        decided_at_ms: now_ms(),
    };
    state.store.add_decision(&decision).await?;
    let trigger =
        crate::matching::Trigger::Decision { crm_id: decision.crm_id.clone(), network_id: decision.network_id.clone() };
    crate::matching::run(state, trigger).await?;
    if request.kind == DecisionKind::Match {
        // The caller's own unassigned activities about this profile now have their record;
        // other reps see the match as a suggestion on theirs (`suggested_target`).
        let notes_only = matchable_object(id) == Some("Account");
        let assigned = state
            .store
            .assign_unassigned_of_profile(user_id, &decision.network_id, &decision.crm_id, notes_only, now_ms())
            .await?;
        if assigned > 0 {
            tracing::info!(assigned, crm_id = %decision.crm_id, "unassigned activities assigned by a match");
        }
    }
    tracing::info!(user = %user_id, crm_id = %decision.crm_id, network_id = %decision.network_id, kind = %decision.kind, "match decision");
    record_match(state.store.as_ref(), id).await
}
