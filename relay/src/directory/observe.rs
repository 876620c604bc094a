//! Adding to the directory: storing profiles reps saw or uploaded, then the org-wide
//! matcher's incremental pass over them (after the first import; before it there is
//! nothing to match against) and the saved-list alerts their changes raise.

use crate::matching::{MatcherError, Trigger};
use crate::state::AppState;
use crate::store::directory::Observed;
use crate::store::{ProfileRow, StoreError};

/// Why storing observations stopped.
#[derive(Debug, thiserror::Error)]
pub enum ObserveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Matcher(#[from] MatcherError),
}

/// Stores `rows`, re-matches the profiles among them and raises the alerts their changes
/// call for; answers what storing did.
pub async fn observe(state: &AppState, rows: &[ProfileRow]) -> Result<Observed, ObserveError> {
    let before = crate::lists::alerts::before_observe(state, rows).await?;
    let done = state.store.observe_profiles(rows).await?;
    if !rows.is_empty() && state.store.last_finished_run().await?.is_some() {
        let ids = rows.iter().map(|r| r.network_id.clone()).collect();
        crate::matching::run(state, Trigger::Directory(ids)).await?;
    }
    crate::lists::alerts::after_observe(state, before).await?;
    Ok(done)
}
