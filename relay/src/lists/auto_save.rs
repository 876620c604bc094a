//! Auto-save after each import: reads the imported Opportunities, contact roles and
//! Accounts, asks the core's rules what each owner's automatic lists want, and saves
//! what is not saved yet (never removing anything). Also reads the org's stage order
//! from Salesforce so the admin's threshold means "at or past" in the org's own order.

use std::collections::{HashMap, HashSet};

use crmsync::core::rules::auto_save::{
    self, AccountsRule, ContactRole, ListKind, Opportunity, OrgRows, OwnedAccount, RepChoice, Saved, Wanted,
};
use serde_json::{Map, Value};

use crate::state::{now_ms, AppState};
use crate::store::{EntryRow, StoreError};

/// The imported rows the rules read, owned.
struct Rows {
    opportunities: Vec<Opportunity>,
    contact_roles: Vec<ContactRole>,
    accounts: Vec<OwnedAccount>,
}

fn fields(json: &str) -> Map<String, Value> {
    serde_json::from_str(json).unwrap_or_default()
}

async fn rows(state: &AppState, with_accounts: bool) -> Result<Rows, StoreError> {
    let store = state.store.as_ref();
    let opportunities = store
        .rows("Opportunity")
        .await?
        .iter()
        .map(|r| Opportunity::from_fields(&r.id, &fields(&r.fields_json)))
        .collect();
    let contact_roles = store
        .rows("OpportunityContactRole")
        .await?
        .iter()
        .filter_map(|r| ContactRole::from_fields(&fields(&r.fields_json)))
        .collect();
    let accounts = if with_accounts {
        store.rows("Account").await?.iter().map(|r| OwnedAccount::from_fields(&r.id, &fields(&r.fields_json))).collect()
    } else {
        Vec::new()
    };
    Ok(Rows { opportunities, contact_roles, accounts })
}

/// Every rep's stored choices (reps never set have the defaults).
async fn choices(state: &AppState) -> Result<HashMap<String, RepChoice>, StoreError> {
    Ok(state
        .store
        .autosave_rows()
        .await?
        .into_iter()
        .map(|r| {
            let accounts = AccountsRule::parse(&r.accounts_rule).unwrap_or_default();
            (r.user_id, RepChoice { enabled: r.enabled, accounts })
        })
        .collect())
}

fn kind_of_list(list_id: &str) -> Option<ListKind> {
    match list_id {
        "accounts" => Some(ListKind::AutoAccounts),
        "people" => Some(ListKind::AutoPeople),
        _ => None,
    }
}

async fn wanted(state: &AppState) -> Result<Vec<Wanted>, StoreError> {
    let choices = choices(state).await?;
    let owned = choices.values().any(|c| c.enabled && c.accounts == AccountsRule::Owned);
    let rows = rows(state, owned).await?;
    let stage = crate::admin::settings::stage_threshold(state).await?;
    let org =
        OrgRows { opportunities: &rows.opportunities, contact_roles: &rows.contact_roles, accounts: &rows.accounts };
    Ok(auto_save::wanted(org, &stage, &choices))
}

/// What the rules want in `user_id`'s list `kind` for `crm_id` now: the sources a removal
/// by hand blocks.
pub async fn sources_now(
    state: &AppState,
    user_id: &str,
    kind: ListKind,
    crm_id: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(wanted(state)
        .await?
        .into_iter()
        .filter(|w| w.owner_id == user_id && w.list == kind && w.crm_id == crm_id)
        .flat_map(|w| w.sources.into_iter().map(|s| s.key().to_string()))
        .collect())
}

/// Saves what the rules want and the lists lack, stamped with import `run`; answers how
/// many entries were saved (also kept for the admin's settings page).
pub async fn after_import(state: &AppState, run: i64) -> Result<u64, StoreError> {
    refresh_stage_order(state).await;
    let wanted = wanted(state).await?;
    let mut saved = Saved::default();
    for (user, list, key) in state.store.entry_keys().await? {
        if let Some(kind) = kind_of_list(&list) {
            saved.entries.insert((user, kind, key));
        }
    }
    for (user, list, key, source) in state.store.removals().await? {
        if let Some(kind) = kind_of_list(&list) {
            saved.removed.insert((user, kind, key, source));
        }
    }
    let new = auto_save::to_add(&wanted, &saved);
    let now = now_ms();
    let mut names: HashMap<String, String> = HashMap::new();
    let seen: HashSet<(&'static str, &str)> = new.iter().map(|n| (n.object, n.crm_id.as_str())).collect();
    for (object, id) in seen {
        if let Some(row) = state.store.crm_row(object, id).await? {
            names.insert(id.to_string(), super::record_name(object, &fields(&row.fields_json)));
        }
    }
    let mut rows = Vec::with_capacity(new.len());
    for n in new {
        rows.push(EntryRow {
            user_id: n.owner_id,
            list_id: n.list.auto_list_id().unwrap_or_default().to_string(),
            name: names.get(n.crm_id.as_str()).cloned().unwrap_or_default(),
            entry_key: n.crm_id,
            object: n.object.to_string(),
            network_id: None,
            reason: n.source.reason(),
            source_key: n.source.key().to_string(),
            saved_at_ms: now,
            run: Some(run),
        });
    }
    let added = state.store.add_entries(&rows).await?;
    let key = crate::admin::settings::key(crate::admin::settings::AUTOSAVE_LAST_IMPORT);
    state.store.set_fact(&key, &added.to_string()).await?;
    if added > 0 {
        tracing::info!(added, run, "auto-save: entries saved to owners' lists");
    }
    Ok(added)
}

/// Reads the org's Opportunity stage order (the `StageName` picklist) into the settings;
/// a failure keeps the order read before and is only logged (auto-save still runs).
async fn refresh_stage_order(state: &AppState) {
    let read = async {
        let client = crate::connect::stored_client(state).await.map_err(|e| e.to_string())?;
        crate::salesforce::bulk::picklist_values(&client, "Opportunity", "StageName").await.map_err(|e| e.to_string())
    };
    match read.await {
        Ok(stages) if !stages.is_empty() => {
            let key = crate::admin::settings::key(crate::admin::settings::STAGE_ORDER);
            let text = serde_json::to_string(&stages).unwrap_or_else(|_| "[]".into());
            if let Err(e) = state.store.set_fact(&key, &text).await {
                tracing::warn!(error = %e, "auto-save: cannot keep the org's stage order");
            }
        }
        Ok(_) => {
            tracing::warn!("auto-save: the org's Opportunity StageName lists no stages; the order read before is kept")
        }
        Err(e) => {
            tracing::warn!(error = %e, "auto-save: cannot read the org's stage order; the order read before is kept")
        }
    }
}
