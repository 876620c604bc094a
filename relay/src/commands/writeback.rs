//! Admin commands on the relay host for seats and activity write-back: `crmsync seats`,
//! `crmsync writeback`, `crmsync token`, `crmsync setup` and `crmsync flush`. Each prints
//! what it did in one or two plain lines.

use anyhow::{bail, Context};

use crate::handlers::rep_session;
use crate::state::{now_ms, AppState};
use crate::store::{Changed, Seat};
use crate::writeback::setup::StepStatus;
use crate::writeback::users::find_user;

/// `crmsync seats add --user U`: gives an active Salesforce user a seat.
pub async fn seats_add(state: &AppState, user: &str) -> anyhow::Result<()> {
    let u = find_user(state.store.as_ref(), user).await?;
    if !u.is_active {
        bail!("{} ({}) is inactive in Salesforce; only active users get seats", u.username, u.id);
    }
    let seat = Seat { user_id: u.id.clone(), username: u.username.clone(), added_at_ms: now_ms() };
    match state.store.add_seat(&seat).await? {
        Changed::Yes => println!("seat added: {} ({}, {})", u.username, u.name, u.id),
        Changed::No => println!("{} ({}) already has a seat", u.username, u.id),
    }
    Ok(())
}

/// `crmsync seats remove --user U`: takes the seat away and ends the user's sessions.
pub async fn seats_remove(state: &AppState, user: &str) -> anyhow::Result<()> {
    // A seat holder may have left the org since: look in the seats first.
    let seats = state.store.seats().await?;
    let wanted = user.trim();
    let by_id = crmsync::core::sf::SalesforceId::parse(wanted).ok().map(|id| id.as_str().to_string());
    let seat =
        match seats.iter().find(|s| Some(&s.user_id) == by_id.as_ref() || s.username.eq_ignore_ascii_case(wanted)) {
            Some(s) => s.clone(),
            None => {
                let u = find_user(state.store.as_ref(), user).await?;
                println!("{} ({}) has no seat", u.username, u.id);
                return Ok(());
            }
        };
    state.store.remove_seat(&seat.user_id).await?;
    println!("seat removed: {} ({}); their sessions are ended", seat.username, seat.user_id);
    Ok(())
}

/// `crmsync seats list`.
pub async fn seats_list(state: &AppState) -> anyhow::Result<()> {
    let seats = state.store.seats().await?;
    if seats.is_empty() {
        println!("no seats yet: add one with `crmsync seats add --user <id or username>`");
    }
    for s in seats {
        let writeback = state.store.writeback_user(&s.user_id).await?;
        let kinds: Vec<&str> = writeback.kinds.iter().map(|k| k.as_str()).collect();
        println!(
            "{}  {:<40}  since {}  write-back {}{}",
            s.user_id,
            s.username,
            crmsync::core::time::rfc3339_from_unix_ms(s.added_at_ms),
            if writeback.enabled { "on" } else { "off" },
            if kinds.is_empty() { String::new() } else { format!(" (opted in: {})", kinds.join(", ")) }
        );
    }
    Ok(())
}

/// `crmsync writeback enable|disable --user U`: the admin's switch for one user.
pub async fn writeback_switch(state: &AppState, user: &str, enabled: bool) -> anyhow::Result<()> {
    let u = find_user(state.store.as_ref(), user).await?;
    let changed = state.store.set_writeback_enabled(&u.id, enabled, now_ms()).await?;
    let word = if enabled { "enabled" } else { "disabled" };
    match changed {
        Changed::Yes => println!("activity write-back {word} for {} ({})", u.username, u.id),
        Changed::No => println!("activity write-back was already {word} for {} ({})", u.username, u.id),
    }
    if enabled && state.store.seat(&u.id).await?.is_none() {
        println!("note: {} has no seat yet, so cannot sign in: `crmsync seats add --user {}`", u.username, u.username);
    }
    Ok(())
}

/// `crmsync token --user U [--days N]`: mints a session token for a seat holder and
/// prints it alone on standard output (for scripts).
pub async fn token(state: &AppState, user: &str, days: u32) -> anyhow::Result<()> {
    let u = find_user(state.store.as_ref(), user).await?;
    if state.store.seat(&u.id).await?.is_none() {
        bail!("{} ({}) has no seat; add one first with `crmsync seats add --user {}`", u.username, u.id, u.username);
    }
    if days == 0 {
        bail!("--days must be at least 1");
    }
    let token = rep_session::issue(state, &u.id, &u.username, i64::from(days) * 86_400_000)
        .await
        .context("cannot store the session")?;
    eprintln!("session token for {} ({}), valid {days} days:", u.username, u.id);
    println!("{token}");
    Ok(())
}

/// `crmsync setup`: checks the org and creates what write-back needs; fails when
/// something is left for the admin to do.
pub async fn setup(state: &AppState) -> anyhow::Result<()> {
    let report = crate::writeback::setup(state).await?;
    for step in &report.steps {
        let mark = match step.status {
            StepStatus::Present => "ok      ",
            StepStatus::Created => "created ",
            StepStatus::Failed => "MISSING ",
        };
        println!("{mark}{}", step.what);
        if !step.detail.is_empty() {
            println!("        {}", step.detail);
        }
    }
    if !report.complete() {
        bail!("write-back setup is incomplete; see above for what to do");
    }
    println!("write-back setup complete");
    Ok(())
}

/// `crmsync flush`: writes every due activity now.
pub async fn flush(state: &AppState) -> anyhow::Result<()> {
    let r = crate::writeback::flush(state).await?;
    println!(
        "written {}, failed {}, retrying later {}, recovered {}; {} API calls",
        r.written, r.failed, r.retrying, r.recovered, r.api_calls
    );
    if !r.waiting_for_setup.is_empty() {
        println!(
            "waiting: the org has no record type for {} activities; run `crmsync setup`",
            r.waiting_for_setup.join(", ")
        );
    }
    Ok(())
}

/// `crmsync backfill --user U FILE…`: stores a rep's exported messages and invitations.
pub async fn backfill(
    state: &AppState,
    user: &str,
    owner: Option<&str>,
    files: &[std::path::PathBuf],
) -> anyhow::Result<()> {
    let u = find_user(state.store.as_ref(), user).await?;
    for file in files {
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let kind = crate::writeback::backfill::kind_of_file(&name);
        let report = crate::writeback::backfill::backfill(state, &u.id, kind, &text, owner)
            .await
            .with_context(|| format!("{}", file.display()))?;
        println!(
            "{}: {} added (unassigned), {} already imported, {} skipped{}",
            file.display(),
            report.added,
            report.already,
            report.skipped.len(),
            report.owner.map(|o| format!("; owner {o}")).unwrap_or_default()
        );
        for (line, why) in report.skipped.iter().take(20) {
            println!("  line {line}: {why}");
        }
    }
    Ok(())
}
