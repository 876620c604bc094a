//! `crmsync lists show --user U [--json]`: a rep's saved lists as the popup shows them.

use anyhow::Context as _;

use crate::state::AppState;
use crate::writeback::users::find_user;

/// Prints the user's lists (JSON: the API's `SavedLists`).
pub async fn show(state: &AppState, user: &str, json: bool) -> anyhow::Result<()> {
    let u = find_user(state.store.as_ref(), user).await?;
    let lists =
        crate::lists::lists_of(state, &u.id).await.with_context(|| format!("reading the lists of {}", u.username))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&lists)?);
        return Ok(());
    }
    println!(
        "{} ({}): auto-save {}, accounts rule {}",
        u.username,
        u.id,
        if lists.auto_save { "on" } else { "off" },
        lists.accounts_rule
    );
    for list in &lists.lists {
        println!("\n{} [{}] — {} entries", list.name, list.kind.as_str(), list.entries.len());
        for e in &list.entries {
            let profile = e.network_id.as_deref().unwrap_or("not yet matched");
            println!(
                "  {}  {}  {}  {}  ({}, {})",
                e.crm_id.as_deref().unwrap_or("-"),
                e.object,
                e.name,
                profile,
                e.reason,
                e.saved_at
            );
        }
    }
    Ok(())
}
