//! Who may use the admin console: the users stored as admins (whoever connected the org
//! in the console is the first; admins add others) and the usernames
//! `CRMSYNC_ADMIN_USERNAMES` names. Never the integration user by default. The last admin
//! cannot be removed.

use std::collections::HashSet;

use crmsync::core::api::admin::AdminView;
use crmsync::core::time::rfc3339_from_unix_ms;

use super::{audit, Actor, AdminError};
use crate::state::{now_ms, AppState};
use crate::store::{AdminRow, AuthFlow, Changed, StoreError};
use crate::writeback::users::{find_user, OrgUser};

fn configured(state: &AppState, username: &str) -> bool {
    state.settings.admin_usernames.iter().any(|u| u.eq_ignore_ascii_case(username.trim()))
}

/// Whether this Salesforce user is an admin of the relay.
pub async fn is_admin(state: &AppState, user_id: &str, username: &str) -> Result<bool, StoreError> {
    if configured(state, username) {
        return Ok(true);
    }
    let stored = state.store.admins().await?;
    if stored.iter().any(|a| a.user_id == user_id) {
        return Ok(true);
    }
    // A relay connected in the console before admins were stored: its connecting user.
    if stored.is_empty() && state.settings.admin_usernames.is_empty() {
        if let Some(c) = state.store.connection().await? {
            return Ok(c.auth_flow == AuthFlow::WebServer && c.user_id == user_id);
        }
    }
    Ok(false)
}

/// The ids of `users` who are admins.
pub async fn admin_ids(state: &AppState, users: &[OrgUser]) -> Result<HashSet<String>, StoreError> {
    let mut out: HashSet<String> = state.store.admins().await?.into_iter().map(|a| a.user_id).collect();
    out.extend(users.iter().filter(|u| configured(state, &u.username)).map(|u| u.id.clone()));
    Ok(out)
}

/// Every admin: stored ones, then configured ones (with their ids when imported).
pub async fn list(state: &AppState) -> Result<Vec<AdminView>, StoreError> {
    let mut out: Vec<AdminView> = state
        .store
        .admins()
        .await?
        .into_iter()
        .map(|a| AdminView {
            user_id: a.user_id,
            username: a.username,
            source: "store".into(),
            added_by: a.added_by,
            added_at: Some(rfc3339_from_unix_ms(a.added_at_ms)),
        })
        .collect();
    let users = crate::writeback::users::org_users(state.store.as_ref()).await?;
    for name in &state.settings.admin_usernames {
        if out.iter().any(|a| a.username.eq_ignore_ascii_case(name)) {
            continue;
        }
        let id = users.iter().find(|u| u.username.eq_ignore_ascii_case(name)).map(|u| u.id.clone());
        out.push(AdminView {
            user_id: id.unwrap_or_default(),
            username: name.clone(),
            source: "config".into(),
            added_by: "CRMSYNC_ADMIN_USERNAMES".into(),
            added_at: None,
        });
    }
    Ok(out)
}

/// Records the user who connected the org in the console as an admin.
pub async fn add_connecting_user(state: &AppState, user_id: &str, username: &str) -> Result<(), StoreError> {
    let row = AdminRow {
        user_id: user_id.into(),
        username: username.into(),
        added_by: "connect".into(),
        added_at_ms: now_ms(),
    };
    if state.store.add_admin(&row).await? == Changed::Yes {
        audit(
            state,
            &Actor { user_id: user_id.into(), username: username.into() },
            "admins add",
            &format!("{username} (connected the org)"),
        )
        .await?;
    }
    Ok(())
}

/// Makes an imported, active user an admin.
pub async fn add(state: &AppState, actor: &Actor, reference: &str) -> Result<Changed, AdminError> {
    let u = find_user(state.store.as_ref(), reference).await?;
    if !u.is_active {
        return Err(AdminError::Invalid(format!(
            "{} ({}) is inactive in Salesforce; only active users become admins",
            u.username, u.id
        )));
    }
    let row = AdminRow {
        user_id: u.id.clone(),
        username: u.username.clone(),
        added_by: actor.username.clone(),
        added_at_ms: now_ms(),
    };
    let changed = state.store.add_admin(&row).await?;
    if changed == Changed::Yes {
        audit(state, actor, "admins add", &format!("{} ({})", u.username, u.id)).await?;
    }
    Ok(changed)
}

/// Removes an admin; never the last one, and never a configured one (that is the
/// setting's to change).
pub async fn remove(state: &AppState, actor: &Actor, reference: &str) -> Result<Changed, AdminError> {
    let stored = state.store.admins().await?;
    let wanted = reference.trim();
    let Some(admin) = stored.iter().find(|a| {
        a.user_id.get(..15) == wanted.get(..15).filter(|w| w.len() == 15)
            || a.user_id == wanted
            || a.username.eq_ignore_ascii_case(wanted)
    }) else {
        if configured(state, wanted) {
            return Err(AdminError::Conflict(format!(
                "{wanted} is an admin by CRMSYNC_ADMIN_USERNAMES; remove it there"
            )));
        }
        return Ok(Changed::No);
    };
    let keep = if state.settings.admin_usernames.is_empty() { 1 } else { 0 };
    match state.store.remove_admin(&admin.user_id, keep).await? {
        Changed::Yes => {
            audit(state, actor, "admins remove", &format!("{} ({})", admin.username, admin.user_id)).await?;
            Ok(Changed::Yes)
        }
        Changed::No => Err(AdminError::Conflict(format!(
            "{} is the last admin; make another user admin before removing them",
            admin.username
        ))),
    }
}
