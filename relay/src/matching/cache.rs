//! What one pass leaves for the next in this relay: both sides as read and the stored
//! outcomes as written. Reused while no other process ran a pass or an import since (the
//! store's last match run and import run say so); an import re-reads the CRM side, a
//! directory change patches in only the profiles it names. A failed pass leaves no cache.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use crmsync::core::matching::prepared::Prepared;

use super::run::Trigger;
use super::sides::{CrmSide, DirectorySide};
use super::slots::StoredSlots;
use super::MatcherError;
use crate::state::AppState;
use crate::store::MatchOutcomeRow;

/// Both sides' blocking keys and term frequencies, and what is stored for each CRM
/// record, kept with the CRM side they were made for (made by the first pass over it).
#[derive(Default)]
pub struct PreparedSides {
    pub people: SideKept,
    pub companies: SideKept,
}

/// One side's part of [`PreparedSides`].
#[derive(Default)]
pub struct SideKept {
    pub prepared: Option<Prepared>,
    pub slots: Option<StoredSlots>,
}

/// The matcher's inputs for one pass.
#[derive(Clone)]
pub struct Loaded {
    pub crm: Arc<CrmSide>,
    pub prepared: Arc<std::sync::Mutex<PreparedSides>>,
    pub directory: Arc<DirectorySide>,
    /// crm id → stored outcome.
    pub stored: Arc<HashMap<String, MatchOutcomeRow>>,
    /// The CRM side was read for this pass (not kept from the last): records may be gone.
    pub crm_reloaded: bool,
    /// The import run the CRM side reflects, and the match run the rest reflects.
    import_run: Option<i64>,
    match_run: Option<i64>,
}

impl Loaded {
    /// The inputs after a pass `run` wrote `written` and forgot `deleted`.
    pub fn with_changes(self, written: &[MatchOutcomeRow], deleted: &[String], run: i64) -> Self {
        let mut stored = Arc::try_unwrap(self.stored).unwrap_or_else(|shared| (*shared).clone());
        for id in deleted {
            stored.remove(id);
        }
        for row in written {
            stored.insert(row.crm_id.clone(), row.clone());
        }
        Self { stored: Arc::new(stored), match_run: Some(run), crm_reloaded: false, ..self }
    }
}

/// The kept inputs of the last pass, if any.
#[derive(Default)]
pub struct MatcherCache {
    last: tokio::sync::Mutex<Option<Loaded>>,
}

/// The inputs for a pass of `trigger`: the last pass's where still current, else read.
pub async fn load(state: &AppState, trigger: &Trigger) -> Result<Loaded, MatcherError> {
    let store = state.store.as_ref();
    let import_run = store.last_finished_run().await?;
    let match_run = store.last_match_run().await?;
    let cached = state.matcher_cache.last.lock().await.take();
    let current = cached.filter(|c| c.match_run.is_some() && c.match_run == match_run);
    let Some(mut loaded) = current.filter(|_| !matches!(trigger, Trigger::Everything)) else {
        return Ok(Loaded {
            crm: Arc::new(CrmSide::load(store).await?),
            prepared: Arc::default(),
            crm_reloaded: true,
            directory: Arc::new(DirectorySide::load(store).await?),
            stored: Arc::new(store.match_outcomes().await?.into_iter().map(|r| (r.crm_id.clone(), r)).collect()),
            import_run,
            match_run,
        });
    };
    if loaded.import_run != import_run || matches!(trigger, Trigger::Import { .. }) {
        loaded.crm = Arc::new(CrmSide::load(store).await?);
        loaded.prepared = Arc::default();
        loaded.crm_reloaded = true;
        loaded.import_run = import_run;
    }
    if let Trigger::Directory(ids) = trigger {
        let mut directory = Arc::try_unwrap(loaded.directory).unwrap_or_else(|shared| (*shared).clone());
        directory.refresh(store, ids).await?;
        loaded.directory = Arc::new(directory);
    }
    Ok(loaded)
}

/// Keeps a finished pass's inputs for the next one.
pub async fn keep(state: &AppState, loaded: Loaded) {
    *state.matcher_cache.last.lock().await = Some(loaded);
}
