//! Badge visibility as the relay applies it: which owners' records one rep's browser may
//! receive (the core's rule over the imported users and roles), and whether one record is
//! among them. `None` means every record (the `everyone` policy).

use std::collections::HashSet;

use crmsync::core::rules::visibility::{visible_owners, UserRole};
use serde_json::{Map, Value};

use crate::state::AppState;
use crate::store::{CrmRow, StoreError};
use crate::writeback::users::{org_roles, org_users};

/// The owners whose records `rep` may receive; `None`: all.
pub async fn owners_for(state: &AppState, rep: &str) -> Result<Option<HashSet<String>>, StoreError> {
    let policy = super::settings::load(state).await?.badge_visibility;
    if policy == crmsync::core::rules::visibility::BadgeVisibility::Everyone {
        return Ok(None);
    }
    let users: Vec<UserRole> = org_users(state.store.as_ref())
        .await?
        .into_iter()
        .map(|u| UserRole { user_id: u.id, role_id: u.role_id })
        .collect();
    let roles = org_roles(state.store.as_ref()).await?;
    Ok(visible_owners(policy, rep, &users, &roles))
}

fn owner_field(row: &CrmRow) -> String {
    serde_json::from_str::<Map<String, Value>>(&row.fields_json)
        .ok()
        .and_then(|f| f.get("OwnerId").and_then(Value::as_str).map(String::from))
        .unwrap_or_default()
}

/// The user who owns an imported record: its `OwnerId`, or for a Contact without one its
/// Account's owner (as the badge's owner label reads it).
pub async fn record_owner(state: &AppState, object: &str, row: &CrmRow) -> Result<String, StoreError> {
    let own = owner_field(row);
    if !own.is_empty() || object != "Contact" {
        return Ok(own);
    }
    let account = serde_json::from_str::<Map<String, Value>>(&row.fields_json)
        .ok()
        .and_then(|f| f.get("AccountId").and_then(Value::as_str).map(String::from));
    match account {
        Some(id) => Ok(state.store.crm_row("Account", &id).await?.map(|a| owner_field(&a)).unwrap_or_default()),
        None => Ok(String::new()),
    }
}

/// Whether `rep` may see the record `id` of `object` (true when it is not imported: the
/// caller answers 404 for that itself).
pub async fn may_see(state: &AppState, rep: &str, object: &str, id: &str) -> Result<bool, StoreError> {
    let Some(owners) = owners_for(state, rep).await? else { return Ok(true) };
    match state.store.crm_row(object, id).await? {
        Some(row) => Ok(owners.contains(&record_owner(state, object, &row).await?)),
        None => Ok(true),
    }
}
