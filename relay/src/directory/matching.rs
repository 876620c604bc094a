//! Which directory profile a CRM record is linked to: the users' org-wide decisions
//! first, then the org-wide matcher's stored link (`crate::matching`).

use crmsync::core::api::{MatchedProfile, RecordMatch};
use crmsync::core::matching::decisions::{Decision, DecisionKind, Decisions};
use crmsync::core::matching::Method;
use crmsync::core::sf::{SObjectType, SalesforceId};
use serde_json::{Map, Value};

use super::directory_profile;
use crate::store::{DecisionRow, Store, StoreError};

/// Why a record's match cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error("{0} is not a Lead, Contact or Account id; only those are matched to network profiles")]
    NotMatchable(String),
    #[error("{0} {1} is not among the imported records (is it new? it arrives with the next import)")]
    NotFound(&'static str, String),
    /// A decision names a profile the directory does not know.
    #[error("network_id {0:?} is not in the directory (pick a profile from the directory search)")]
    NotInDirectory(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The matcher's pass after a decision failed.
    #[error(transparent)]
    Matcher(#[from] crate::matching::MatcherError),
}

/// A decision row as the core reads it (unknown kinds, never written, are skipped).
pub fn decision_of(row: &DecisionRow) -> Option<Decision> {
    let kind = match row.kind.as_str() {
        "match" => DecisionKind::Match,
        "not_match" => DecisionKind::NotMatch,
        "unmatch" => DecisionKind::Unmatch,
        _ => return None,
    };
    Some(Decision { crm_id: row.crm_id.clone(), network_id: row.network_id.clone(), kind })
}

/// The stored name of a decision kind.
pub fn kind_name(kind: DecisionKind) -> &'static str {
    match kind {
        DecisionKind::Match => "match",
        DecisionKind::NotMatch => "not_match",
        DecisionKind::Unmatch => "unmatch",
    }
}

fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> &'a str {
    fields.get(name).and_then(Value::as_str).map(str::trim).unwrap_or_default()
}

/// The CRM record users matched by hand to network profile `network_id`, if any.
pub fn manual_target(decisions: &Decisions, network_id: &str) -> Option<String> {
    decisions.matches().iter().find(|(_, n)| n.as_str() == network_id).map(|(crm, _)| crm.clone())
}

/// Every decision as the core reads them.
pub async fn all_decisions(store: &dyn Store) -> Result<Decisions, StoreError> {
    Ok(Decisions::from_history(store.decisions().await?.iter().filter_map(decision_of)))
}

/// The object a matchable id names.
pub fn matchable_object(id: &SalesforceId) -> Option<&'static str> {
    match id.object_type()? {
        o @ (SObjectType::Lead | SObjectType::Contact | SObjectType::Account) => Some(o.api_name()),
        _ => None,
    }
}

/// The record's current match and rejections: a user's manual match, else the org-wide
/// matcher's stored automatic link (the same one badges show).
pub async fn record_match(store: &dyn Store, id: &SalesforceId) -> Result<RecordMatch, MatchError> {
    let object = matchable_object(id).ok_or_else(|| MatchError::NotMatchable(id.to_string()))?;
    let crm_id = id.to_string();
    let row = store.crm_row(object, &crm_id).await?.ok_or_else(|| MatchError::NotFound(object, crm_id.clone()))?;
    let fields: Map<String, Value> = serde_json::from_str(&row.fields_json).unwrap_or_default();
    let name = match object {
        "Account" => text(&fields, "Name").to_string(),
        _ => crmsync::core::sf::display::person_name(
            text(&fields, "FirstName"),
            text(&fields, "LastName"),
            text(&fields, "Name"),
        ),
    };
    let rows = store.decisions().await?;
    let decisions = Decisions::from_history(rows.iter().filter_map(decision_of));
    let mut seen_pairs: Vec<&str> = rows.iter().filter(|r| r.crm_id == crm_id).map(|r| r.network_id.as_str()).collect();
    seen_pairs.sort_unstable();
    seen_pairs.dedup();
    let rejected: Vec<String> =
        seen_pairs.into_iter().filter(|n| decisions.is_rejected(&crm_id, n)).map(str::to_string).collect();
    let stored = store.match_outcome(&crm_id).await?;
    let matched = match decisions.matches().get(&crm_id) {
        Some(network_id) => {
            let decided =
                rows.iter().rev().find(|r| r.crm_id == crm_id && &r.network_id == network_id && r.kind == "match");
            let explanation = stored
                .as_ref()
                .filter(|s| s.network_id.as_ref() == Some(network_id))
                .map(|s| s.explanation.clone())
                .unwrap_or_default();
            store.profile(network_id).await?.map(|profile| MatchedProfile {
                profile: directory_profile(&profile),
                method: Method::Manual,
                probability: 1.0,
                explanation,
                decided_by: decided.map(|d| d.decided_by.clone()),
                decided_at_ms: decided.map(|d| d.decided_at_ms),
            })
        }
        None => match stored.filter(|s| s.state == "auto") {
            Some(s) => match s.network_id.as_deref() {
                Some(network_id) if !decisions.is_rejected(&crm_id, network_id) => {
                    store.profile(network_id).await?.map(|profile| MatchedProfile {
                        profile: directory_profile(&profile),
                        method: Method::Auto,
                        probability: s.probability,
                        explanation: s.explanation.clone(),
                        decided_by: None,
                        decided_at_ms: None,
                    })
                }
                _ => None,
            },
            None => None,
        },
    };
    Ok(RecordMatch { crm_id, object: object.to_string(), name, matched, rejected })
}
