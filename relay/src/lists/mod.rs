//! Saved lists as reps see and change them: the two automatic lists the import fills
//! ([`auto_save`]), the lists reps make, entries saved and removed by hand, and alerts
//! on saved people ([`alerts`]). The rules are the core's (`core::rules::auto_save`);
//! this module reads the store and writes what they answer.

pub mod alerts;
pub mod auto_save;

use crmsync::core::api::lists::{NewEntry, SavedEntry, SavedList, SavedLists};
use crmsync::core::pages::{search_url, NetworkEntity};
use crmsync::core::rules::auto_save::{AccountsRule, ListKind, BY_HAND};
use crmsync::core::sf::{display::person_name, links::record_url, SalesforceId};
use serde_json::{Map, Value};

use crate::directory::matching::matchable_object;
use crate::state::{now_ms, AppState};
use crate::store::{EntryRow, StoreError};

/// Longest name of a list a rep makes.
const MAX_LIST_NAME: usize = 100;
/// Most lists one rep makes.
const MAX_LISTS: usize = 50;

/// Why a list request was refused.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The request is wrong; the message says how.
    #[error("{0}")]
    Invalid(String),
    /// No such list, record or profile (for this rep).
    #[error("{0} is not found")]
    NotFound(String),
    /// Already so (a list of that name).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The list a path's id names for `user_id`: an automatic one, or one the rep made.
async fn list_kind(state: &AppState, user_id: &str, list_id: &str) -> Result<ListKind, ListError> {
    match list_id {
        "accounts" => Ok(ListKind::AutoAccounts),
        "people" => Ok(ListKind::AutoPeople),
        id => {
            let mine = state.store.manual_lists(user_id).await?;
            if mine.iter().any(|l| l.id.to_string() == id) {
                Ok(ListKind::Manual)
            } else {
                Err(ListError::NotFound(format!("list {id:?}")))
            }
        }
    }
}

/// A rep's lists with their entries, each with its current name, matched profile and links.
pub async fn lists_of(state: &AppState, user_id: &str) -> Result<SavedLists, ListError> {
    let store = state.store.as_ref();
    let instance = store.connection().await?.map(|c| c.instance_url).unwrap_or_default();
    let entries = store.entries_of(user_id).await?;
    let mut lists: Vec<SavedList> = [ListKind::AutoAccounts, ListKind::AutoPeople]
        .into_iter()
        .map(|k| SavedList {
            id: k.auto_list_id().unwrap_or_default().to_string(),
            name: k.auto_list_name().unwrap_or_default().to_string(),
            kind: k,
            entries: Vec::new(),
        })
        .collect();
    for l in store.manual_lists(user_id).await? {
        lists.push(SavedList { id: l.id.to_string(), name: l.name, kind: ListKind::Manual, entries: Vec::new() });
    }
    for e in entries {
        let shown = entry_view(state, &instance, &e).await?;
        if let Some(list) = lists.iter_mut().find(|l| l.id == e.list_id) {
            list.entries.push(shown);
        }
    }
    let choice = store.autosave_rows().await?.into_iter().find(|r| r.user_id == user_id);
    Ok(SavedLists {
        lists,
        accounts_rule: choice
            .as_ref()
            .and_then(|c| AccountsRule::parse(&c.accounts_rule))
            .unwrap_or_default()
            .as_str()
            .to_string(),
        auto_save: choice.is_none_or(|c| c.enabled),
    })
}

/// The current name of an imported record (a person's "First Last", else `Name`).
pub fn record_name(object: &str, fields: &Map<String, Value>) -> String {
    let text = |f: &str| fields.get(f).and_then(Value::as_str).unwrap_or_default();
    match object {
        "Lead" | "Contact" => person_name(text("FirstName"), text("LastName"), text("Name")),
        _ => text("Name").trim().to_string(),
    }
}

/// The imported fields of a record, if it is imported.
async fn imported(state: &AppState, object: &str, id: &str) -> Result<Option<Map<String, Value>>, StoreError> {
    Ok(state
        .store
        .crm_row(object, id)
        .await?
        .map(|r| serde_json::from_str::<Map<String, Value>>(&r.fields_json).unwrap_or_default()))
}

async fn entry_view(state: &AppState, instance: &str, e: &EntryRow) -> Result<SavedEntry, StoreError> {
    let in_crm = matches!(e.object.as_str(), "Account" | "Contact" | "Lead");
    let fields = if in_crm { imported(state, &e.object, &e.entry_key).await? } else { None };
    let name = fields.as_ref().map(|f| record_name(&e.object, f)).filter(|n| !n.is_empty()).unwrap_or(e.name.clone());
    let network_id = if in_crm {
        let outcome = state.store.match_outcome(&e.entry_key).await?;
        outcome.filter(|o| matches!(o.state.as_str(), "auto" | "manual")).and_then(|o| o.network_id)
    } else {
        Some(e.entry_key.clone())
    };
    let profile = match &network_id {
        Some(id) => state.store.profile(id).await?,
        None => None,
    };
    let entity =
        if matches!(e.object.as_str(), "Account" | "company") { NetworkEntity::Company } else { NetworkEntity::Person };
    let network_url = match &profile {
        Some(p) => p.url.clone(),
        None => {
            let company = fields.as_ref().map(|f| crate::lists::company_of(&e.object, f)).unwrap_or_default();
            search_url(entity, &format!("{name} {company}"))
        }
    };
    Ok(SavedEntry {
        crm_id: in_crm.then(|| e.entry_key.clone()),
        object: e.object.clone(),
        name,
        reason: e.reason.clone(),
        saved_at: crmsync::core::time::rfc3339_from_unix_ms(e.saved_at_ms),
        network_id,
        crm_url: (in_crm && !instance.is_empty()).then(|| record_url(instance, &e.object, &e.entry_key)),
        network_url,
    })
}

/// A Lead's company as the CRM has it (a Contact's is its Account's, not read here).
fn company_of(object: &str, fields: &Map<String, Value>) -> String {
    match object {
        "Lead" => fields.get("Company").and_then(Value::as_str).unwrap_or_default().to_string(),
        _ => String::new(),
    }
}

/// Makes a list for the rep; answers its id.
pub async fn create_list(state: &AppState, user_id: &str, name: &str) -> Result<String, ListError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > MAX_LIST_NAME {
        return Err(ListError::Invalid(format!("name: give a list name of 1 to {MAX_LIST_NAME} characters")));
    }
    if [ListKind::AutoAccounts, ListKind::AutoPeople].iter().any(|k| k.auto_list_name() == Some(name.as_str())) {
        return Err(ListError::Conflict(format!("name: {name:?} is an automatic list's name")));
    }
    if state.store.manual_lists(user_id).await?.len() >= MAX_LISTS {
        return Err(ListError::Conflict(format!("a rep has at most {MAX_LISTS} lists; remove one first")));
    }
    match state.store.create_list(user_id, &name, now_ms()).await? {
        Some(id) => Ok(id.to_string()),
        None => Err(ListError::Conflict(format!("name: you already have a list named {name:?}"))),
    }
}

/// The longest name a page may give a profile saved by hand (the API document's limit).
const MAX_ENTRY_NAME: usize = 300;

/// Saves a record, or a network profile or company, by hand; answers whether it was new.
pub async fn add_entry(state: &AppState, user_id: &str, list_id: &str, entry: &NewEntry) -> Result<bool, ListError> {
    let kind = list_kind(state, user_id, list_id).await?;
    if let Some(name) = entry.name.as_deref().filter(|n| n.chars().count() > MAX_ENTRY_NAME) {
        return Err(ListError::Invalid(format!(
            "name is {} characters long; at most {MAX_ENTRY_NAME} are kept",
            name.chars().count()
        )));
    }
    let network_id = entry.network_id.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let row = match entry.crm_id.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(crm_id) => {
            let id = SalesforceId::parse(crm_id).map_err(|e| ListError::Invalid(format!("crm_id {crm_id:?}: {e}")))?;
            let object = matchable_object(&id).ok_or_else(|| {
                ListError::Invalid(format!("crm_id {id}: only Leads, Contacts and Accounts are saved"))
            })?;
            let fields = imported(state, object, id.as_str())
                .await?
                .ok_or_else(|| ListError::NotFound(format!("{object} {id}")))?;
            if !crate::admin::visibility::may_see(state, user_id, object, id.as_str()).await? {
                return Err(ListError::NotFound(format!("{object} {id}")));
            }
            EntryRow {
                user_id: user_id.to_string(),
                list_id: list_id.to_string(),
                entry_key: id.to_string(),
                object: object.to_string(),
                name: record_name(object, &fields),
                network_id: network_id.map(String::from),
                reason: BY_HAND.to_string(),
                source_key: "hand".into(),
                saved_at_ms: now_ms(),
                run: None,
            }
        }
        None => {
            let network_id = network_id
                .ok_or_else(|| ListError::Invalid("give crm_id, or network_id for a profile not in the CRM".into()))?;
            let profile = state.store.profile(network_id).await?.ok_or_else(|| {
                ListError::NotFound(format!("network_id {network_id:?} (the page is not in the org's directory yet)"))
            })?;
            let name = entry.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or(&profile.name);
            EntryRow {
                user_id: user_id.to_string(),
                list_id: list_id.to_string(),
                entry_key: profile.network_id.clone(),
                object: profile.entity.clone(),
                name: name.to_string(),
                network_id: Some(profile.network_id.clone()),
                reason: BY_HAND.to_string(),
                source_key: "hand".into(),
                saved_at_ms: now_ms(),
                run: None,
            }
        }
    };
    let takes = match row.object.as_str() {
        "person" => kind.takes("Contact"),
        "company" => kind.takes("Account"),
        object => kind.takes(object),
    };
    if !takes {
        return Err(ListError::Conflict(format!(
            "list {list_id:?} ({}) does not take a {}; save it to {}",
            kind.as_str(),
            row.object,
            if kind == ListKind::AutoAccounts {
                "\"people\" or a list of yours"
            } else {
                "\"accounts\" or a list of yours"
            }
        )));
    }
    Ok(state.store.add_entries(std::slice::from_ref(&row)).await? > 0)
}

/// Removes an entry by hand; the auto-save rules do not save it again for any opportunity
/// that wants it now.
pub async fn remove_entry(state: &AppState, user_id: &str, list_id: &str, key: &str) -> Result<(), ListError> {
    let kind = list_kind(state, user_id, list_id).await?;
    let key = SalesforceId::parse(key.trim()).map(|id| id.to_string()).unwrap_or_else(|_| key.trim().to_string());
    let entries = state.store.entries_of(user_id).await?;
    let Some(entry) = entries.iter().find(|e| e.list_id == list_id && e.entry_key == key) else {
        return Err(ListError::NotFound(format!("entry {key:?} of list {list_id:?}")));
    };
    let mut sources = vec![entry.source_key.clone()];
    if kind != ListKind::Manual {
        sources.extend(auto_save::sources_now(state, user_id, kind, &key).await?);
    }
    sources.sort();
    sources.dedup();
    state.store.remove_entry(user_id, list_id, &key, &sources, now_ms()).await?;
    Ok(())
}

/// The rep's own accounts rule.
pub async fn set_accounts_rule(state: &AppState, user_id: &str, rule: &str) -> Result<(), ListError> {
    let rule = AccountsRule::parse(rule.trim())
        .ok_or_else(|| ListError::Invalid(format!("accounts_rule {rule:?}: use open_opportunities or owned")))?;
    state.store.set_accounts_rule(user_id, rule.as_str(), now_ms()).await?;
    Ok(())
}
