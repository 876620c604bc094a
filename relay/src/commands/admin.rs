//! The admin's commands on the relay host: `crmsync seats`, `crmsync writeback`,
//! `crmsync roles`, `crmsync settings`, `crmsync admins`. Each calls the same service the
//! console's API calls (`crate::admin`), so both check and log alike; actions are logged
//! in the audit log as done from the command line.

use anyhow::bail;
use crmsync::core::api::admin::{SeatChange, UserSelection, WritebackChange};
use crmsync::core::rules::roles::RoleNode;

use crate::admin::{self, Actor};
use crate::state::AppState;
use crate::store::Changed;

/// `crmsync seats add|remove --user U | --role R [--subtree]`.
pub async fn seats_change(
    state: &AppState,
    action: &str,
    who: UserSelection,
    at_each_import: bool,
) -> anyhow::Result<()> {
    // A seat holder may have left the org since: a removal by user looks in the seats first.
    if action == "remove" {
        if let Some(user) = who.user_ids.first() {
            let seats = state.store.seats().await?;
            let by_id = crmsync::core::sf::SalesforceId::parse(user.trim()).ok().map(|id| id.as_str().to_string());
            if let Some(seat) = seats
                .iter()
                .find(|s| Some(&s.user_id) == by_id.as_ref() || s.username.eq_ignore_ascii_case(user.trim()))
            {
                state.store.remove_seat(&seat.user_id).await?;
                admin::audit(state, &Actor::command_line(), "seats remove", &seat.username).await?;
                println!("seat removed: {} ({}); their sessions are ended", seat.username, seat.user_id);
                return Ok(());
            }
        }
    }
    let single = who.user_ids.len() == 1;
    let change = SeatChange { action: action.into(), who, keep_granting: at_each_import };
    let report = admin::seats::change(state, &Actor::command_line(), &change).await?;
    if single {
        if let Some(skipped) = report.skipped.first() {
            bail!("{}; only active users get seats", skipped.reason);
        }
    }
    let users = admin::seats::users(state).await?;
    let name = |id: &str| {
        users.iter().find(|u| u.user_id == id).map_or(id.to_string(), |u| format!("{} ({})", u.username, u.user_id))
    };
    let (done, already) =
        if action == "add" { ("seat added", "already has a seat") } else { ("seat removed", "has no seat") };
    for id in &report.changed {
        println!("{done}: {}", name(id));
    }
    for id in &report.unchanged {
        println!("{} {already}", name(id));
    }
    for s in &report.skipped {
        println!("skipped {}: {}", s.user_id, s.reason);
    }
    if report.changed.is_empty() && report.unchanged.is_empty() && report.skipped.is_empty() {
        println!("no users hold that role");
    }
    if at_each_import {
        println!("the role now gives seats at each import");
    }
    Ok(())
}

/// `crmsync seats list [--json]`.
pub async fn seats_list(state: &AppState, json: bool) -> anyhow::Result<()> {
    let users = admin::seats::users(state).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&users)?);
        return Ok(());
    }
    if !users.iter().any(|u| u.seat) {
        println!("no seats yet: add one with `crmsync seats add --user <id or username>` or `--role <role>`");
    }
    for u in &users {
        let kinds: Vec<&str> = u.writeback.kinds.iter().map(|k| k.as_str()).collect();
        println!(
            "{}  {:<40}  {:<24}  {:<6}  write-back {}{}{}",
            u.user_id,
            u.username,
            u.role.as_deref().unwrap_or("(no role)"),
            if u.seat { "seat" } else { "-" },
            if u.writeback.enabled { "on" } else { "off" },
            if kinds.is_empty() { String::new() } else { format!(" (opted in: {})", kinds.join(", ")) },
            if u.outside_grant { "  [outside its role grant]" } else { "" }
        );
    }
    Ok(())
}

/// `crmsync writeback|autosave enable|disable --user U | --role R [--subtree]`.
pub async fn switch(
    state: &AppState,
    who: UserSelection,
    enabled: bool,
    which: admin::seats::Switch,
) -> anyhow::Result<()> {
    let change = WritebackChange { enabled, who };
    let (selected, _) = admin::seats::select(state, &change.who).await?;
    let report = admin::seats::switch(state, &Actor::command_line(), &change, which).await?;
    let word = if enabled { "enabled" } else { "disabled" };
    let what = match which {
        admin::seats::Switch::Writeback => "activity write-back",
        admin::seats::Switch::AutoSave => "auto-save",
    };
    let seated: Vec<String> = state.store.seats().await?.into_iter().map(|s| s.user_id).collect();
    for u in &selected {
        if report.changed.contains(&u.id) {
            println!("{what} {word} for {} ({})", u.username, u.id);
        } else {
            println!("{what} was already {word} for {} ({})", u.username, u.id);
        }
        if enabled && !seated.contains(&u.id) {
            println!(
                "note: {} has no seat yet, so cannot sign in: `crmsync seats add --user {}`",
                u.username, u.username
            );
        }
    }
    if selected.is_empty() {
        println!("no users hold that role");
    }
    Ok(())
}

/// `crmsync roles [--json]`.
pub async fn roles(state: &AppState, json: bool) -> anyhow::Result<()> {
    let tree = admin::seats::role_tree(state).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&tree)?);
        return Ok(());
    }
    if tree.is_empty() {
        println!("no roles are imported (run `crmsync import`)");
    }
    fn print(nodes: &[RoleNode], depth: usize) {
        for n in nodes {
            println!(
                "{}{}  {}  ({} users, {} with the roles below)",
                "  ".repeat(depth),
                n.name,
                n.id,
                n.users,
                n.users_in_subtree
            );
            print(&n.children, depth + 1);
        }
    }
    print(&tree, 0);
    Ok(())
}

/// `crmsync settings get [NAME]`.
pub async fn settings_get(state: &AppState, name: Option<&str>) -> anyhow::Result<()> {
    let settings = admin::settings::load(state).await?;
    match name {
        Some(name) => match admin::settings::show(&settings, name) {
            Some(value) => println!("{value}"),
            None => bail!("no setting is named {name:?} (settings: {})", admin::settings::NAMES.join(", ")),
        },
        None => {
            for name in admin::settings::NAMES {
                println!("{name}={}", admin::settings::show(&settings, name).unwrap_or_default());
            }
        }
    }
    Ok(())
}

/// `crmsync settings set NAME VALUE`.
pub async fn settings_set(state: &AppState, name: &str, value: &str) -> anyhow::Result<()> {
    let change = admin::settings::change_of(name, value)?;
    let settings = admin::settings::change(state, &Actor::command_line(), change).await?;
    println!("{name}={}", admin::settings::show(&settings, name).unwrap_or_default());
    Ok(())
}

/// `crmsync admins add --user U`.
pub async fn admins_add(state: &AppState, user: &str) -> anyhow::Result<()> {
    match admin::admins::add(state, &Actor::command_line(), user).await? {
        Changed::Yes => println!("{user} is now an admin of the console"),
        Changed::No => println!("{user} already is an admin"),
    }
    Ok(())
}

/// `crmsync admins remove --user U`.
pub async fn admins_remove(state: &AppState, user: &str) -> anyhow::Result<()> {
    match admin::admins::remove(state, &Actor::command_line(), user).await? {
        Changed::Yes => println!("{user} is no longer an admin; their console sessions are ended"),
        Changed::No => println!("{user} is not an admin"),
    }
    Ok(())
}

/// `crmsync admins list [--json]`.
pub async fn admins_list(state: &AppState, json: bool) -> anyhow::Result<()> {
    let admins = admin::admins::list(state).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&admins)?);
        return Ok(());
    }
    if admins.is_empty() {
        println!("no admins yet: `crmsync admins add --user <username>` or set CRMSYNC_ADMIN_USERNAMES");
    }
    for a in admins {
        println!("{}  {:<40}  {}  added by {}", a.user_id, a.username, a.source, a.added_by);
    }
    Ok(())
}
