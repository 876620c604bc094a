//! Backfill from the network's data export: `messages.csv` and `Invitations.csv` become
//! message activities of one rep, unassigned until the rep points them at a lead or
//! contact. Ids derive from each message and the rep, keyed with the relay's secret, so
//! importing an export again adds nothing and no one else can predict (and pre-empt)
//! them; an id held by another user's activity is reported in `skipped`.

use crmsync::core::network_messages::{read_export, ExportKind};
use serde::Serialize;

use crate::state::{now_ms, AppState};
use crate::store::StoreError;

/// Activities stored per transaction.
const CHUNK: usize = 1_000;

/// What a backfill did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BackfillReport {
    /// New activities stored (unassigned).
    pub added: u64,
    /// Messages stored by an earlier import of the same export.
    pub already: u64,
    /// Rows left out: `(line, reason)`.
    pub skipped: Vec<(usize, String)>,
    /// Whose export it is, as found or given.
    pub owner: Option<String>,
}

/// Why a backfill stopped.
#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    #[error(transparent)]
    Export(#[from] crmsync::core::network_messages::MessagesError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Write-back is off for the user.
    #[error(
        "activity write-back is not enabled for this user; an admin runs `crmsync writeback enable --user …` first"
    )]
    NotEnabled,
}

/// Which export a file name is (`Invitations.csv` or else `messages.csv`).
pub fn kind_of_file(name: &str) -> ExportKind {
    if name.to_ascii_lowercase().contains("invitation") {
        ExportKind::Invitations
    } else {
        ExportKind::Messages
    }
}

/// Stores the export's messages as unassigned activities of `user_id`.
pub async fn backfill(
    state: &AppState,
    user_id: &str,
    kind: ExportKind,
    text: &str,
    owner: Option<&str>,
) -> Result<BackfillReport, BackfillError> {
    if !state.store.writeback_user(user_id).await?.enabled {
        return Err(BackfillError::NotEnabled);
    }
    let read = read_export(kind, text, user_id, owner)?;
    let mut report = BackfillReport { skipped: read.skipped, owner: read.owner, ..Default::default() };
    let checked: Vec<_> = read
        .activities
        .iter()
        .filter_map(|a| a.check().ok())
        .map(|mut a| {
            a.id = state.secrets.keyed_uuid(&format!("backfill\u{1f}{user_id}\u{1f}{}", a.id));
            a
        })
        .collect();
    for chunk in checked.chunks(CHUNK) {
        let now = now_ms();
        let stored = state.store.insert_activities(user_id, chunk, now).await?;
        for a in stored {
            if a.user_id != user_id {
                report
                    .skipped
                    .push((0, format!("activity id {} is held by another user's activity; not imported", a.id)));
            } else if a.created_at_ms == now {
                report.added += 1;
            } else {
                report.already += 1;
            }
        }
    }
    Ok(report)
}
