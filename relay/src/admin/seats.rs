//! Seats and write-back switches by user and by role: the user list the console and
//! `crmsync seats list --json` show, giving or taking seats for many users (or a role and
//! its subtree) in one step under the seat limit, and the role grants applied at each
//! import.

use std::collections::{HashMap, HashSet};

use crmsync::core::api::admin::{
    ChangeReport, SeatChange, SeatUser, Skipped, UserSelection, UserWriteback, WritebackChange,
};
use crmsync::core::rules::roles::{RoleNode, RoleTree};
use crmsync::core::rules::seats::{check_limit, granted_users, outside_grants, RoleGrant, SeatCandidate};
use crmsync::core::time::rfc3339_from_unix_ms;

use super::{audit, Actor, AdminError};
use crate::state::{now_ms, AppState};
use crate::store::{Changed, Seat, StoreError};
use crate::writeback::users::{find_user, org_roles, org_users, OrgUser};

fn candidate(u: &OrgUser) -> SeatCandidate {
    SeatCandidate { user_id: u.id.clone(), role_id: u.role_id.clone(), is_active: u.is_active }
}

/// Every imported user (active ones, and seat holders who are not), by name, with seat,
/// role, write-back and last sign-in.
pub async fn users(state: &AppState) -> Result<Vec<SeatUser>, StoreError> {
    let store = state.store.as_ref();
    let users = org_users(store).await?;
    let roles = org_roles(store).await?;
    let seats: HashMap<String, Seat> = store.seats().await?.into_iter().map(|s| (s.user_id.clone(), s)).collect();
    let details: HashMap<String, crate::store::SeatDetail> =
        store.seat_details().await?.into_iter().map(|d| (d.user_id.clone(), d)).collect();
    let grants = super::settings::load(state).await?.seat_role_grants;
    let admins = super::admins::admin_ids(state, &users).await?;
    let autosave_off: HashSet<String> =
        store.autosave_rows().await?.into_iter().filter(|r| !r.enabled).map(|r| r.user_id).collect();
    let mut out = Vec::with_capacity(users.len());
    for u in users.iter().filter(|u| u.is_active || seats.contains_key(&u.id)) {
        let seat = seats.contains_key(&u.id);
        let detail = details.get(&u.id);
        let by_role = detail.and_then(|d| d.role_grant.as_ref()).is_some();
        let writeback = store.writeback_user(&u.id).await?;
        out.push(SeatUser {
            user_id: u.id.clone(),
            username: u.username.clone(),
            name: u.name.clone(),
            email: u.email.clone(),
            title: u.title.clone(),
            role: u.role_id.as_deref().and_then(|r| roles.get(r)).map(|r| r.name.clone()),
            role_id: u.role_id.clone(),
            is_active: u.is_active,
            seat,
            seat_source: seat.then(|| if by_role { "role" } else { "manual" }.to_string()),
            outside_grant: seat && by_role && outside_grants(&candidate(u), &grants, &roles),
            admin: admins.contains(&u.id),
            last_sign_in: detail.and_then(|d| d.last_sign_in_ms).map(rfc3339_from_unix_ms),
            writeback: UserWriteback { enabled: writeback.enabled, kinds: writeback.kinds },
            autosave: !autosave_off.contains(&u.id),
        });
    }
    out.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.user_id.cmp(&b.user_id)));
    Ok(out)
}

/// The role tree with each role's active users counted.
pub async fn role_tree(state: &AppState) -> Result<Vec<RoleNode>, StoreError> {
    let users = org_users(state.store.as_ref()).await?;
    let roles = org_roles(state.store.as_ref()).await?;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for u in users.iter().filter(|u| u.is_active) {
        if let Some(r) = &u.role_id {
            *counts.entry(r.as_str()).or_default() += 1;
        }
    }
    Ok(roles.nodes(&|id| counts.get(id).copied().unwrap_or(0)))
}

/// The users a selection names: listed users (ids or usernames), or the users holding a
/// role (or any role of its subtree). A name that matches nobody is an error.
pub async fn select(state: &AppState, who: &UserSelection) -> Result<(Vec<OrgUser>, Option<String>), AdminError> {
    let store = state.store.as_ref();
    if who.subtree && who.role.is_none() {
        return Err(AdminError::Invalid("subtree (--subtree) goes with a role (--role), not with users".into()));
    }
    match (&who.role, who.user_ids.is_empty()) {
        (Some(_), false) => Err(AdminError::Invalid("name users or a role, not both".into())),
        (None, true) => Err(AdminError::Invalid("name at least one user (user_ids) or a role".into())),
        (None, false) => {
            let mut out: Vec<OrgUser> = Vec::new();
            for reference in &who.user_ids {
                let u = find_user(store, reference).await?;
                if !out.iter().any(|o| o.id == u.id) {
                    out.push(u);
                }
            }
            Ok((out, None))
        }
        (Some(reference), true) => {
            let roles = org_roles(store).await?;
            let role = roles.find(reference).map_err(|e| AdminError::Invalid(e.to_string()))?.clone();
            let covered: HashSet<String> =
                if who.subtree { roles.subtree(&role.id) } else { HashSet::from([role.id.clone()]) };
            let users = org_users(store).await?;
            Ok((
                users.into_iter().filter(|u| u.role_id.as_ref().is_some_and(|r| covered.contains(r))).collect(),
                Some(role.id),
            ))
        }
    }
}

/// Gives or takes seats for the selected users in one step; giving respects the seat
/// limit (all or nothing) and skips inactive users, saying so.
pub async fn change(state: &AppState, actor: &Actor, change: &SeatChange) -> Result<ChangeReport, AdminError> {
    let (users, role) = select(state, &change.who).await?;
    let mut report = ChangeReport::default();
    match change.action.as_str() {
        "add" => {
            let seated: HashSet<String> = state.store.seats().await?.into_iter().map(|s| s.user_id).collect();
            let (active, inactive): (Vec<&OrgUser>, Vec<&OrgUser>) = users.iter().partition(|u| u.is_active);
            report.skipped = inactive
                .iter()
                .map(|u| Skipped { user_id: u.id.clone(), reason: format!("{} is inactive in Salesforce", u.username) })
                .collect();
            let new: Vec<&&OrgUser> = active.iter().filter(|u| !seated.contains(&u.id)).collect();
            check_limit(state.settings.seat_limit, seated.len(), new.len())
                .map_err(|e| AdminError::Conflict(e.to_string()))?;
            let grant_role = role.as_deref().filter(|_| change.keep_granting);
            for u in active {
                let seat = Seat { user_id: u.id.clone(), username: u.username.clone(), added_at_ms: now_ms() };
                match state.store.add_seat(&seat).await? {
                    Changed::Yes => {
                        state.store.set_seat_grant(&u.id, grant_role).await?;
                        report.changed.push(u.id.clone());
                    }
                    Changed::No => report.unchanged.push(u.id.clone()),
                }
            }
            if let (Some(role_id), true) = (&role, change.keep_granting) {
                let mut grants = super::settings::load(state).await?.seat_role_grants;
                grants.retain(|g| &g.role_id != role_id);
                grants.push(RoleGrant { role_id: role_id.clone(), subtree: change.who.subtree });
                super::settings::set_grants(state, &grants).await?;
            }
        }
        "remove" => {
            for u in &users {
                match state.store.remove_seat(&u.id).await? {
                    Changed::Yes => report.changed.push(u.id.clone()),
                    Changed::No => report.unchanged.push(u.id.clone()),
                }
            }
            if let Some(role_id) = &role {
                let mut grants = super::settings::load(state).await?.seat_role_grants;
                let before = grants.len();
                grants.retain(|g| &g.role_id != role_id);
                if grants.len() != before {
                    super::settings::set_grants(state, &grants).await?;
                }
            }
        }
        other => return Err(AdminError::Invalid(format!("action must be `add` or `remove`, not {other:?}"))),
    }
    let whom = describe(&change.who, &users);
    audit(state, actor, &format!("seats {}", change.action), &format!("{whom}: {} changed", report.changed.len()))
        .await?;
    Ok(report)
}

/// A per-user switch an admin flips for users or a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switch {
    /// Whether the users' activities are written back.
    Writeback,
    /// Whether auto-save fills the users' lists.
    AutoSave,
}

impl Switch {
    fn audit_word(self, enabled: bool) -> &'static str {
        match (self, enabled) {
            (Self::Writeback, true) => "writeback enable",
            (Self::Writeback, false) => "writeback disable",
            (Self::AutoSave, true) => "autosave enable",
            (Self::AutoSave, false) => "autosave disable",
        }
    }
}

/// Flips `which` for the users or role `change` names, logged.
pub async fn switch(
    state: &AppState,
    actor: &Actor,
    change: &WritebackChange,
    which: Switch,
) -> Result<ChangeReport, AdminError> {
    let (users, _) = select(state, &change.who).await?;
    let autosave: HashMap<String, bool> = match which {
        Switch::AutoSave => state.store.autosave_rows().await?.into_iter().map(|r| (r.user_id, r.enabled)).collect(),
        Switch::Writeback => HashMap::new(),
    };
    let mut report = ChangeReport::default();
    for u in &users {
        let changed = match which {
            Switch::Writeback => {
                state.store.set_writeback_enabled(&u.id, change.enabled, now_ms()).await? == Changed::Yes
            }
            Switch::AutoSave => {
                state.store.set_autosave_enabled(&u.id, change.enabled, now_ms()).await?;
                autosave.get(&u.id).copied().unwrap_or(true) != change.enabled
            }
        };
        if changed {
            report.changed.push(u.id.clone());
        } else {
            report.unchanged.push(u.id.clone());
        }
    }
    let word = which.audit_word(change.enabled);
    audit(state, actor, word, &format!("{}: {} changed", describe(&change.who, &users), report.changed.len())).await?;
    Ok(report)
}

fn describe(who: &UserSelection, users: &[OrgUser]) -> String {
    match &who.role {
        Some(role) => format!("role {role}{}", if who.subtree { " and below" } else { "" }),
        None => users.iter().map(|u| u.username.as_str()).collect::<Vec<_>>().join(", "),
    }
}

/// After an import: every active user in a granted role gets a seat (under the limit;
/// beyond it the rest wait, logged). Nobody loses a seat here. Seats given.
pub async fn apply_grants(state: &AppState) -> Result<usize, StoreError> {
    let grants = super::settings::load(state).await?.seat_role_grants;
    if grants.is_empty() {
        return Ok(0);
    }
    let users = org_users(state.store.as_ref()).await?;
    let roles: RoleTree = org_roles(state.store.as_ref()).await?;
    let candidates: Vec<SeatCandidate> = users.iter().map(candidate).collect();
    let seated: HashSet<String> = state.store.seats().await?.into_iter().map(|s| s.user_id).collect();
    let mut used = seated.len();
    let mut given = 0;
    for c in granted_users(&grants, &roles, &candidates) {
        if seated.contains(&c.user_id) {
            continue;
        }
        if let Err(e) = check_limit(state.settings.seat_limit, used, 1) {
            tracing::warn!(error = %e, "a role grant could not give every seat");
            break;
        }
        let Some(u) = users.iter().find(|u| u.id == c.user_id) else { continue };
        let role = u.role_id.clone();
        state
            .store
            .add_seat(&Seat { user_id: u.id.clone(), username: u.username.clone(), added_at_ms: now_ms() })
            .await?;
        state.store.set_seat_grant(&u.id, role.as_deref()).await?;
        used += 1;
        given += 1;
    }
    if given > 0 {
        tracing::info!(given, "role grants gave seats");
    }
    Ok(given)
}
