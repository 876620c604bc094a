//! Which directory profile a CRM record is linked to: the users' org-wide decisions
//! first, then the core's matcher over the profiles whose name could match (the same
//! scoring as the browser's badges, with default parameters).

use std::collections::HashSet;

use crmsync::core::api::{MatchedProfile, RecordMatch};
use crmsync::core::matching::decisions::{Decision, DecisionKind, Decisions};
use crmsync::core::matching::input::{crm_record, CrmRecord};
use crmsync::core::matching::link::link;
use crmsync::core::matching::params::Params;
use crmsync::core::matching::scoring::{Scorer, TermFrequencies};
use crmsync::core::matching::{Linkable, Method};
use crmsync::core::sf::{SObjectType, SalesforceId};
use serde_json::{Map, Value};

use super::{directory_profile, observed_of};
use crate::store::{DecisionRow, ProfileRow, Store, StoreError};

/// Profiles scored per lookup at most (the newest seen among those sharing the name).
const MAX_CANDIDATES: i64 = 500;

/// Why a record's match cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error("{0} is not a Lead, Contact or Account id; only those are matched to network profiles")]
    NotMatchable(String),
    #[error("{0} {1} is not among the imported records (is it new? it arrives with the next import)")]
    NotFound(&'static str, String),
    #[error(transparent)]
    Store(#[from] StoreError),
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

/// The record's current match and rejections.
pub async fn record_match(store: &dyn Store, id: &SalesforceId) -> Result<RecordMatch, MatchError> {
    let object = matchable_object(id).ok_or_else(|| MatchError::NotMatchable(id.to_string()))?;
    let crm_id = id.to_string();
    let row = store.crm_row(object, &crm_id).await?.ok_or_else(|| MatchError::NotFound(object, crm_id.clone()))?;
    let fields: Map<String, Value> = serde_json::from_str(&row.fields_json).unwrap_or_default();
    let account_name = match object {
        "Contact" => match store.crm_row("Account", text(&fields, "AccountId")).await? {
            Some(account) => serde_json::from_str::<Map<String, Value>>(&account.fields_json)
                .map(|f| text(&f, "Name").to_string())
                .unwrap_or_default(),
            None => String::new(),
        },
        _ => String::new(),
    };
    let record = crm_record(|names| {
        if names.contains(&"Account.Name") && !account_name.is_empty() {
            return account_name.as_str();
        }
        names.iter().map(|n| text(&fields, n)).find(|v| !v.is_empty()).unwrap_or_default()
    })
    .map_err(|_| MatchError::NotMatchable(crm_id.clone()))?;

    let rows = store.decisions().await?;
    let decisions = Decisions::from_history(rows.iter().filter_map(decision_of));
    let mut seen_pairs: Vec<&str> = rows.iter().filter(|r| r.crm_id == crm_id).map(|r| r.network_id.as_str()).collect();
    seen_pairs.sort_unstable();
    seen_pairs.dedup();
    let rejected: Vec<String> =
        seen_pairs.into_iter().filter(|n| decisions.is_rejected(&crm_id, n)).map(str::to_string).collect();
    // Profiles matched by hand to another record are theirs.
    let taken: HashSet<&str> =
        decisions.matches().iter().filter(|(c, _)| **c != crm_id).map(|(_, n)| n.as_str()).collect();
    let manual = decisions.matches().get(&crm_id).cloned();

    let (entity, search, name) = match &record {
        CrmRecord::Person(..) => {
            let name = crmsync::core::sf::display::person_name(
                text(&fields, "FirstName"),
                text(&fields, "LastName"),
                text(&fields, "Name"),
            );
            let last = text(&fields, "LastName");
            ("person", if last.is_empty() { name.clone() } else { last.to_string() }, name)
        }
        CrmRecord::Account(_) => {
            let name = text(&fields, "Name").to_string();
            let word = name.split_whitespace().find(|w| w.chars().count() > 2).unwrap_or(&name).to_string();
            ("company", word, name)
        }
    };
    let mut candidates: Vec<ProfileRow> = store
        .profiles_named(entity, &search, MAX_CANDIDATES)
        .await?
        .into_iter()
        .filter(|p| !taken.contains(p.network_id.as_str()))
        .collect();
    if let Some(network_id) = &manual {
        if !candidates.iter().any(|p| &p.network_id == network_id) {
            candidates.extend(store.profile(network_id).await?);
        }
    }
    let best = match &record {
        CrmRecord::Person(person, _) => best_link(person, &candidates, &decisions, |p| observed_of(p).person_record()),
        CrmRecord::Account(company) => best_link(company, &candidates, &decisions, |p| observed_of(p).company_record()),
    };
    let matched = best.map(|(i, method, probability, explanation)| {
        let profile = &candidates[i];
        let decided = rows
            .iter()
            .rev()
            .find(|r| r.crm_id == crm_id && r.network_id == profile.network_id && r.kind == "match")
            .filter(|_| method == Method::Manual);
        MatchedProfile {
            profile: directory_profile(profile),
            method,
            probability,
            explanation,
            decided_by: decided.map(|d| d.decided_by.clone()),
            decided_at_ms: decided.map(|d| d.decided_at_ms),
        }
    });
    Ok(RecordMatch { crm_id, object: object.to_string(), name, matched, rejected })
}

/// The best candidate for `crm` (index into `candidates`), with how and why: the manual
/// match when there is one, else the best-scoring profile above the display threshold
/// that no user rejected. Scored as the browser's badges are (default parameters, no
/// term frequencies: a handful of candidates says nothing about how common a name is).
fn best_link<R: Linkable>(
    crm: &R,
    candidates: &[ProfileRow],
    decisions: &Decisions,
    read: impl Fn(&ProfileRow) -> Option<R>,
) -> Option<(usize, Method, f64, String)> {
    let params = Params::defaults(R::comparisons());
    let tf = TermFrequencies::default();
    let scorer = Scorer::new(R::comparisons(), &params, &tf);
    let network: Vec<(usize, R)> = candidates.iter().enumerate().filter_map(|(i, p)| read(p).map(|r| (i, r))).collect();
    // Positions in `network`; the core's rule picks one.
    let manual =
        decisions.matches().get(crm.id()).and_then(|manual| network.iter().position(|(_, r)| r.id() == manual));
    let mut scratch = Vec::new();
    let scored: Vec<(usize, f64)> = if manual.is_some() {
        Vec::new()
    } else {
        network
            .iter()
            .enumerate()
            .filter(|(_, (_, r))| !decisions.is_rejected(crm.id(), r.id()))
            .map(|(at, (_, r))| (at, scorer.weight(crm, r, &mut scratch)))
            .collect()
    };
    let (at, method) = link(manual, scored)?;
    let (i, r) = &network[at];
    let explanation = scorer.explain(crm, r);
    let probability = if method == Method::Manual { 1.0 } else { explanation.probability };
    Some((*i, method, probability, explanation.compact()))
}
