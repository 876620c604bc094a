//! Admin commands on the relay host for seats and activity write-back: `crmsync seats`,
//! `crmsync writeback`, `crmsync token`, `crmsync setup` and `crmsync flush`. Each prints
//! what it did in one or two plain lines.

use anyhow::{bail, Context};

use crate::handlers::rep_session;
use crate::state::AppState;
use crate::writeback::setup::StepStatus;
use crate::writeback::users::find_user;

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
