//! Index deltas: what changed since the version a browser holds — records an incremental
//! import wrote, records it deleted, decisions made — hashed like the snapshot. When a
//! delta would not be much smaller than a snapshot, or cannot be exact (a full import
//! rewrote every row, users changed so owner labels may have), the browser is told to
//! take a snapshot instead.

use std::collections::HashSet;

use crmsync::core::badge::IndexDelta;
use crmsync::core::matching::input::{crm_record, CrmRecord};

use super::build::{labelled, Names};
use super::{hash_key, IndexBuildError};
use crate::directory::matching::decision_of;
use crate::state::AppState;
use crate::store::{CrmRow, Store};

/// A delta is sent only while it holds at most this share of the org's records.
const MAX_SHARE: f64 = 0.2;
/// …or this many, whichever is more.
const MIN_LIMIT: usize = 1_000;

/// What a browser at (`since_run`, `since_decision`, `since_matches`) should do.
pub enum DeltaAnswer {
    /// Nothing changed.
    UpToDate,
    /// Download the snapshot, for this reason.
    Snapshot(String),
    /// Apply this delta (encoded), which ends at `version`, `last_decision` and matching
    /// run `match_run`.
    Delta { bytes: Vec<u8>, version: u64, last_decision: i64, match_run: i64 },
}

/// The delta from a browser's index to the current data.
pub async fn delta_since(
    state: &AppState,
    since_run: i64,
    since_decision: i64,
    since_matches: i64,
    owners: Option<HashSet<String>>,
) -> Result<DeltaAnswer, IndexBuildError> {
    let store = state.store.as_ref();
    let current = match snapshot_needed(store, since_run, owners.is_some()).await? {
        Ok(current) => current,
        Err(why) => return Ok(DeltaAnswer::Snapshot(why)),
    };
    let decisions: Vec<_> = store.decisions().await?.into_iter().filter(|d| d.id > since_decision).collect();
    let last_decision = decisions.last().map_or(since_decision, |d| d.id);
    let accounts = store.rows_seen_since("Account", since_run).await?;
    let contacts = store.rows_seen_since("Contact", since_run).await?;
    let leads = store.rows_seen_since("Lead", since_run).await?;
    let mut deleted = store.deletions_since(since_run).await?;
    let changed = accounts.len() + contacts.len() + leads.len();
    let mut matches = super::relay_matches(store, Some(since_matches), None).await?;
    if changed == 0 && deleted.is_empty() && decisions.is_empty() && matches.links.is_empty() && since_run == current {
        return Ok(DeltaAnswer::UpToDate);
    }
    let total: i64 = store.object_counts().await?.iter().map(|(_, n)| *n).sum();
    let limit = ((total as f64 * MAX_SHARE) as usize).max(MIN_LIMIT);
    if changed + deleted.len() > limit {
        return Ok(DeltaAnswer::Snapshot(format!("{changed} records changed; a snapshot is smaller")));
    }
    let contacts_present = contacts_present(store, &contacts, &leads).await?;
    let limited = owners.clone();
    let names = Names::new(&store.rows("User").await?, &store.rows("Account").await?).only_owned_by(owners);
    let records = labelled(&names, &accounts, &contacts, &leads, |id| contacts_present.contains(id));
    // A decision about a record the rep may not see stays on the relay.
    let decisions = match &limited {
        Some(owners) => visible_decisions(state, decisions, owners).await?,
        None => decisions,
    };
    if let Some(owners) = &limited {
        let mut kept = Vec::with_capacity(matches.links.len());
        for m in std::mem::take(&mut matches.links) {
            if visible(state, &m.crm_id, owners).await? {
                kept.push(m);
            }
        }
        matches.links = kept;
    }
    let written: HashSet<&str> = accounts.iter().chain(&contacts).chain(&leads).map(|r| r.id.as_str()).collect();
    // A record deleted and then restored is written again, not deleted.
    deleted.retain(|id| !written.contains(id.as_str()));
    deleted.extend(records.folded_leads.into_iter().map(|(lead, _)| lead));
    // Records that changed owner away from the rep leave their browser.
    deleted.extend(records.hidden);
    let delta = IndexDelta {
        base_version: since_run as u64,
        version: current as u64,
        key: None,
        people: records.people,
        companies: records.companies,
        deleted,
        decisions: decisions.iter().filter_map(decision_of).collect(),
        matches,
    };
    let match_run = delta.matches.seq as i64;
    let key = hash_key(state).await?;
    Ok(DeltaAnswer::Delta { bytes: delta.encode(&key), version: current as u64, last_decision, match_run })
}

/// The current index version, or why the browser needs a snapshot rather than a delta
/// from `since_run` (another relay's version, a full import, changed users or roles).
async fn snapshot_needed(
    store: &dyn Store,
    since_run: i64,
    limited: bool,
) -> Result<Result<i64, String>, IndexBuildError> {
    let Some(current) = store.last_finished_run().await? else {
        return Ok(Err("no import has finished".into()));
    };
    if since_run > current || since_run <= 0 {
        return Ok(Err(format!("version {since_run} is not one this relay made")));
    }
    if store.full_import_since(since_run).await? {
        return Ok(Err("a full import ran since".into()));
    }
    if !store.rows_seen_since("User", since_run).await?.is_empty() {
        return Ok(Err("users changed, so record owners may have".into()));
    }
    if limited && !store.rows_seen_since("UserRole", since_run).await?.is_empty() {
        return Ok(Err("roles changed, so what you may see may have".into()));
    }
    Ok(Ok(current))
}

/// The contacts a changed Lead was converted into that are imported (the Lead then leaves
/// the index), with the changed contacts themselves.
async fn contacts_present(
    store: &dyn Store,
    contacts: &[CrmRow],
    leads: &[CrmRow],
) -> Result<HashSet<String>, IndexBuildError> {
    let mut present: HashSet<String> = contacts.iter().map(|c| c.id.clone()).collect();
    for lead in leads {
        let fields: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&lead.fields_json).unwrap_or_default();
        let field =
            |names: &[&str]| names.iter().find_map(|n| fields.get(*n).and_then(|v| v.as_str())).unwrap_or_default();
        if let Ok(CrmRecord::Person(_, Some(contact))) = crm_record(field) {
            if store.crm_row("Contact", contact.as_str()).await?.is_some() {
                present.insert(contact.to_string());
            }
        }
    }
    Ok(present)
}

/// The decisions about records `owners` own (their owner as the badge reads it).
async fn visible_decisions(
    state: &AppState,
    decisions: Vec<crate::store::DecisionRow>,
    owners: &HashSet<String>,
) -> Result<Vec<crate::store::DecisionRow>, IndexBuildError> {
    let mut kept = Vec::with_capacity(decisions.len());
    for d in decisions {
        if visible(state, &d.crm_id, owners).await? {
            kept.push(d);
        }
    }
    Ok(kept)
}

/// Whether `owners` own the record `crm_id` (its owner as the badge reads it).
async fn visible(state: &AppState, crm_id: &str, owners: &HashSet<String>) -> Result<bool, IndexBuildError> {
    let object = crmsync::core::sf::SalesforceId::parse(crm_id)
        .ok()
        .and_then(|id| crate::directory::matching::matchable_object(&id));
    let Some(object) = object else { return Ok(false) };
    let Some(row) = state.store.crm_row(object, crm_id).await? else { return Ok(false) };
    Ok(owners.contains(&crate::admin::visibility::record_owner(state, object, &row).await?))
}
