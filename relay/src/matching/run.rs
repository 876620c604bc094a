//! One matching pass: read both sides, train the model when the org is new to it or has
//! grown by [`RETRAIN_GROWTH`], run the core's batch (full, or incremental over what the
//! trigger changed) and store the outcomes that differ, stamped with the run's id.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use crmsync::core::matching::batch::{self, Outcome, Scoring};
use crmsync::core::matching::decisions::Decisions;
use crmsync::core::matching::params::Params;
use crmsync::core::matching::prepared::Prepared;
use crmsync::core::matching::{train_params, LinkOptions, Linkable, DEFAULT_THRESHOLD};
use serde::{Deserialize, Serialize};

use super::cache::{Loaded, SideKept};
use super::sides::CrmSide;
use super::slots::StoredSlots;
use super::MatcherError;
use crate::directory::matching::all_decisions;
use crate::state::{now_ms, AppState};
use crate::store::{MatchModelRow, MatchOutcomeRow, Store};

/// The model is made again once either side (records, profiles) has grown by this share
/// since it was made.
pub const RETRAIN_GROWTH: f64 = 0.25;
/// Fewest records on each side worth training on; below it the spec's defaults, sized to
/// the data, score.
pub const MIN_TRAINING_RECORDS: usize = 50;

/// What started a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// An import finished; `full` rewrote every row.
    Import { run: i64, full: bool },
    /// These directory profiles were observed or uploaded.
    Directory(Vec<String>),
    /// A user decided about this pair.
    Decision { crm_id: String, network_id: String },
    /// `crmsync match-report --rematch` or an admin: re-score the whole org.
    Everything,
}

impl Trigger {
    fn name(&self) -> &'static str {
        match self {
            Trigger::Import { full: true, .. } => "full_import",
            Trigger::Import { .. } => "import",
            Trigger::Directory(_) => "directory",
            Trigger::Decision { .. } => "decision",
            Trigger::Everything => "everything",
        }
    }
}

/// One side's figures in a pass.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SideRun {
    pub records: usize,
    pub profiles: usize,
    pub full: bool,
    /// The model was made (trained or sized) in this pass.
    pub model_made: bool,
    pub model_version: i64,
    pub rescored_records: usize,
    pub scored_pairs: usize,
    pub pairs_per_rule: Vec<(String, usize)>,
    /// Parts of common blocks paired with their nearest neighbours only (runs stored
    /// before blocks were bounded called these skipped).
    #[serde(default, alias = "skipped_blocks")]
    pub bounded_blocks: usize,
    pub displaced: usize,
}

/// What a pass did (stored with the run).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MatchRunReport {
    pub run: i64,
    pub trigger: String,
    pub people: SideRun,
    pub companies: SideRun,
    /// Outcomes written because they changed, and forgotten because their record went.
    pub written: usize,
    pub deleted: usize,
    /// Records linked (auto and manual) after the pass.
    pub matched: usize,
    pub duration_ms: u64,
}

/// Runs one pass: one at a time per relay, and per store (the store-wide matching lease,
/// so two relays on one database never interleave their writes).
#[tracing::instrument(name = "match", skip_all, fields(trigger = trigger.name()))]
pub async fn run(state: &AppState, trigger: Trigger) -> Result<MatchRunReport, MatcherError> {
    let _one = state.match_lock.lock().await;
    let lease = crate::jobs::lease::StoreLease::take(state, crate::jobs::lease::MATCHING_LEASE).await?;
    let result = run_holding(state, trigger, &lease).await;
    lease.release().await?;
    result
}

async fn run_holding(
    state: &AppState,
    trigger: Trigger,
    lease: &crate::jobs::lease::StoreLease<'_>,
) -> Result<MatchRunReport, MatcherError> {
    let started = std::time::Instant::now();
    let store = state.store.as_ref();
    let loaded = super::cache::load(state, &trigger).await?;
    let load_seconds = started.elapsed().as_secs_f64();
    let decisions = Arc::new(all_decisions(store).await?);
    let changed_crm = Arc::new(changed_records(store, &trigger).await?);
    let changed_net: Arc<HashSet<String>> = Arc::new(match &trigger {
        Trigger::Directory(ids) => ids.iter().cloned().collect(),
        Trigger::Decision { network_id, .. } => std::iter::once(network_id.clone()).collect(),
        _ => HashSet::default(),
    });
    let full = matches!(trigger, Trigger::Import { full: true, .. } | Trigger::Everything);
    let run = store.start_match_run(trigger.name(), now_ms()).await?;
    let (crm, directory, stored) = (loaded.crm.clone(), loaded.directory.clone(), loaded.stored.clone());
    let prepared = loaded.prepared.clone();
    let person_model = Arc::new(model(store, "person", &crm.people, &directory.people).await?);
    let company_model = Arc::new(model(store, "company", &crm.companies, &directory.companies).await?);
    let models = (person_model.version, company_model.version);
    let job = move || {
        let wanted = Wanted { full, stored: &stored, changed_crm: &changed_crm, changed_net: &changed_net };
        let mut kept = prepared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let people = side_pass(
            (&crm.people, &directory.people, &directory.people_at),
            &decisions,
            &person_model,
            &wanted,
            &mut kept.people,
        );
        let companies = side_pass(
            (&crm.companies, &directory.companies, &directory.companies_at),
            &decisions,
            &company_model,
            &wanted,
            &mut kept.companies,
        );
        (people, companies)
    };
    let ((people_run, people_out), (companies_run, companies_out)) =
        tokio::task::spawn_blocking(job).await.map_err(|e| MatcherError::Worker(e.to_string()))?;
    let score_seconds = started.elapsed().as_secs_f64() - load_seconds;
    let (written, deleted) = changed_rows(&loaded, (&people_out, &companies_out), models, run);
    if lease.lost() {
        return Err(MatcherError::LeaseLost);
    }
    store.save_match_outcomes(&written, &deleted).await?;
    let loaded = loaded.with_changes(&written, &deleted, run);
    let matched = loaded.stored.values().filter(|r| r.state == "auto" || r.state == "manual").count();
    let report = MatchRunReport {
        run,
        trigger: trigger.name().to_string(),
        people: people_run,
        companies: companies_run,
        written: written.len(),
        deleted: deleted.len(),
        matched,
        duration_ms: started.elapsed().as_millis() as u64,
    };
    let json = serde_json::to_string(&report).map_err(|e| MatcherError::Worker(e.to_string()))?;
    store.finish_match_run(run, now_ms(), matched as i64, &json).await?;
    super::cache::keep(state, loaded).await;
    tracing::info!(
        run,
        written = report.written,
        matched,
        rescored = report.people.rescored_records + report.companies.rescored_records,
        load_seconds,
        score_seconds,
        seconds = started.elapsed().as_secs_f64(),
        "matching pass finished"
    );
    Ok(report)
}

/// The outcome rows that differ from the stored ones (a converted lead's copied from its
/// contact), and the stored ids whose records are gone.
fn changed_rows(
    loaded: &Loaded,
    (people_out, companies_out): (&[Outcome], &[Outcome]),
    (person_model, company_model): (i64, i64),
    run: i64,
) -> (Vec<MatchOutcomeRow>, Vec<String>) {
    let (crm, directory, stored) = (&loaded.crm, &loaded.directory, &loaded.stored);
    let at = now_ms();
    let row = |crm_id: &str, object: &str, o: &Outcome, network_id: Option<&str>, version: i64| MatchOutcomeRow {
        crm_id: crm_id.to_string(),
        object: object.to_string(),
        state: o.state.as_str().to_string(),
        network_id: network_id.map(str::to_string),
        probability: o.probability,
        match_weight: o.match_weight,
        explanation: o.explanation.clone(),
        model_version: version,
        matched_at_ms: at,
        seq: run,
        folded_into: None,
    };
    let mut rows: Vec<MatchOutcomeRow> = Vec::new();
    for o in people_out {
        let record = &crm.people[o.crm];
        let network = o.network.map(|j| directory.people[j].id.as_str());
        rows.push(row(&record.id, CrmSide::person_object(record), o, network, person_model));
    }
    for o in companies_out {
        let network = o.network.map(|j| directory.companies[j].id.as_str());
        rows.push(row(&crm.companies[o.crm].id, "Account", o, network, company_model));
    }
    // A converted lead stands as its contact does: this pass's outcome, else the stored one
    // (only read again when the CRM side was).
    let fresh: HashMap<&str, &MatchOutcomeRow> = rows.iter().map(|r| (r.crm_id.as_str(), r)).collect();
    let folded: Vec<MatchOutcomeRow> = crm
        .folded
        .iter()
        .filter(|(_, contact)| loaded.crm_reloaded || fresh.contains_key(contact.as_str()))
        .filter_map(|(lead, contact)| {
            let c = fresh.get(contact.as_str()).copied().or_else(|| stored.get(contact))?;
            Some(MatchOutcomeRow {
                crm_id: lead.clone(),
                object: "Lead".into(),
                explanation: format!("converted into Contact {contact}; {}", c.explanation),
                folded_into: Some(contact.clone()),
                seq: run,
                ..(*c).clone()
            })
        })
        .collect();
    rows.extend(folded);
    let written: Vec<MatchOutcomeRow> =
        rows.into_iter().filter(|r| stored.get(&r.crm_id).is_none_or(|s| s.differs(r))).collect();
    // Records only go with a new read of the CRM side.
    if !loaded.crm_reloaded {
        return (written, Vec::new());
    }
    let present: HashSet<&str> = crm
        .people
        .iter()
        .map(|p| p.id.as_str())
        .chain(crm.companies.iter().map(|c| c.id.as_str()))
        .chain(crm.folded.iter().map(|(lead, _)| lead.as_str()))
        .collect();
    let deleted: Vec<String> = stored.keys().filter(|id| !present.contains(id.as_str())).cloned().collect();
    (written, deleted)
}

/// The CRM ids the trigger changed (an incremental import's written rows, a decision's
/// record).
async fn changed_records(store: &dyn Store, trigger: &Trigger) -> Result<HashSet<String>, MatcherError> {
    Ok(match trigger {
        Trigger::Import { run, full: false } => {
            let mut ids = HashSet::default();
            for object in ["Account", "Contact", "Lead"] {
                ids.extend(store.rows_seen_since(object, run - 1).await?.into_iter().map(|r| r.id));
            }
            ids
        }
        Trigger::Decision { crm_id, .. } => std::iter::once(crm_id.clone()).collect(),
        _ => HashSet::default(),
    })
}

/// A side's model for this pass.
struct Model {
    params: Params,
    version: i64,
    /// Made in this pass: every stored outcome is re-scored with it.
    trained_now: bool,
}

/// The stored model of `entity`, made again first when there is none yet or either side
/// has grown by [`RETRAIN_GROWTH`] since: trained when both sides hold enough records,
/// else the spec's defaults sized to the data.
async fn model<R: Linkable + Send + Clone>(
    store: &dyn Store,
    entity: &str,
    crm: &[R],
    network: &[R],
) -> Result<Model, MatcherError> {
    let stored = store.latest_match_model(entity).await?;
    let grew = |now: usize, then: i64| now as f64 >= (then.max(0) as f64 * (1.0 + RETRAIN_GROWTH)).max(1.0);
    let renew = stored.as_ref().is_none_or(|m| grew(crm.len(), m.records) || grew(network.len(), m.profiles));
    if !renew {
        if let Some(m) = stored {
            let params: Params = serde_json::from_str(&m.params_json)
                .map_err(|e| MatcherError::Damaged(format!("match model {} of {entity}: {e}", m.version)))?;
            if params.fits(R::comparisons()) {
                return Ok(Model { params, version: m.version, trained_now: false });
            }
            // A model from an earlier build (other comparisons or levels): an upgrade
            // trains the org's model anew instead of refusing to match.
            tracing::info!(
                entity,
                version = m.version,
                "the stored match model predates this build's comparisons; training anew"
            );
        }
    }
    let trained = crm.len() >= MIN_TRAINING_RECORDS && network.len() >= MIN_TRAINING_RECORDS;
    let params = if trained {
        let (crm_owned, network_owned) = (crm.to_vec(), network.to_vec());
        tokio::task::spawn_blocking(move || train_params(&crm_owned, &network_owned, &LinkOptions::default()))
            .await
            .map_err(|e| MatcherError::Worker(e.to_string()))?
    } else {
        Params::defaults_for(R::comparisons(), crm.len(), network.len())
    };
    let params_json = serde_json::to_string(&params).map_err(|e| MatcherError::Worker(e.to_string()))?;
    let row = MatchModelRow {
        version: 0,
        entity: entity.to_string(),
        params_json,
        trained,
        trained_at_ms: now_ms(),
        records: crm.len() as i64,
        profiles: network.len() as i64,
    };
    let version = store.save_match_model(&row).await?;
    tracing::info!(entity, version, trained, records = crm.len(), profiles = network.len(), "match model made");
    Ok(Model { params, version, trained_now: true })
}

/// What a side's pass must re-score.
struct Wanted<'a> {
    full: bool,
    stored: &'a HashMap<String, MatchOutcomeRow>,
    changed_crm: &'a HashSet<String>,
    changed_net: &'a HashSet<String>,
}

/// One side's pass: full when asked, when the model changed under the stored outcomes,
/// else incremental over the changed records, profiles and records never scored.
fn side_pass<R: Linkable>(
    (crm, network, net_index): (&[R], &[R], &HashMap<String, usize>),
    decisions: &Decisions,
    model: &Model,
    wanted: &Wanted<'_>,
    kept_side: &mut SideKept,
) -> (SideRun, Vec<Outcome>) {
    // What is stored for each record: kept from the last pass over this side and model,
    // else read from the stored rows (one walk over the side).
    let slots = match kept_side.slots.take() {
        Some(slots) if slots.fits(crm.len(), model.version) => Some(slots),
        _ => StoredSlots::read(crm, wanted.stored, net_index, model.version),
    };
    // A record scored by another model: the whole side is re-scored.
    let stale = slots.is_none();
    let mut slots = slots.unwrap_or_else(|| StoredSlots::unscored(crm.len(), model.version));
    let (mut changes, kept) = slots.changes(crm, wanted.changed_crm);
    changes.all = wanted.full || model.trained_now || stale;
    let all = changes.all;
    if !all {
        changes.network = wanted.changed_net.iter().filter_map(|n| net_index.get(n.as_str()).copied()).collect();
    }
    // The kept keys, brought up to date with the profiles that arrived; made anew for a
    // new CRM side.
    let prepared = &mut kept_side.prepared;
    match prepared {
        Some(p) if p.fits(crm.len(), network.len()) => p.update_network(network, &changes.network),
        _ => *prepared = Some(Prepared::new(crm, network)),
    }
    let scoring = Scoring { params: &model.params, threshold: DEFAULT_THRESHOLD, prepared: prepared.as_ref() };
    let result = batch::run(crm, network, decisions, &scoring, &changes, &kept);
    slots.update(&result.outcomes);
    kept_side.slots = Some(slots);
    let side = SideRun {
        records: crm.len(),
        profiles: network.len(),
        full: all,
        model_made: model.trained_now,
        model_version: model.version,
        rescored_records: result.outcomes.len(),
        scored_pairs: result.scored_pairs,
        pairs_per_rule: result.per_rule.iter().map(|r| (r.rule.to_string(), r.pairs)).collect(),
        bounded_blocks: result.per_rule.iter().map(|r| r.bounded).sum(),
        displaced: result.displaced,
    };
    (side, result.outcomes)
}
