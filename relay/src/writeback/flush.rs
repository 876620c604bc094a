//! The flush: writes queued activities to Salesforce, exactly once.
//!
//! Every write first claims its activities (`pending` → `sending`, row by row), so two
//! flushes — the schedule and `crmsync flush`, or relay replicas on one database — never
//! send the same activity at once. Tasks are upserted on the external-id field (the
//! client's UUID), so a write repeated after a crash or a lost answer updates the same
//! Task instead of adding one: a Task left `sending` is simply queued again. Notes take no
//! custom field: a Note left `sending` is looked up on its parent before it is ever sent
//! again. Per-record results are applied one by one: transient failures wait and retry
//! with backoff, permanent ones become `failed` with Salesforce's message.

use std::collections::HashMap;

use crmsync::core::activity::ActivityKind;
use crmsync::core::rules::writeback::{held_for_test_mode, may_write, RepStanding};
use serde_json::Value;

use super::records::{self, RecordTypeIds, EXTERNAL_ID_FIELD};
use super::setup::{stored_record_types, task_record_types};
use super::{OrgSession, WritebackError};
use crate::salesforce::client::is_transient;
use crate::salesforce::writes::{create_once, query, soql_text, upsert_by_external_id, SaveResult, COLLECTION_MAX};
use crate::salesforce::SalesforceError;
use crate::state::{now_ms, AppState};
use crate::store::{Outcome, StoredActivity};
use crate::with_session;

/// Activities read from the queue per round.
const ROUND: i64 = 1_000;
/// Longest pause before a retry.
const MAX_BACKOFF_MS: i64 = 3_600_000;

pub use crmsync::core::api::FlushReport;

/// When a transient failure on attempt `attempts` (0-based) may be retried.
pub fn next_attempt_at(now: i64, base_secs: u64, attempts: i64) -> i64 {
    let base = (base_secs as i64).saturating_mul(1000);
    let pause = base.saturating_mul(1i64 << attempts.clamp(0, 20)).min(MAX_BACKOFF_MS);
    // ±20 % so that many failures do not come back in one burst.
    let jitter = pause / 5;
    let spread = random_below(2 * jitter as u64 + 1) as i64 - jitter;
    now + pause + spread
}

/// A random number below `n` (jitter only: not for secrets).
fn random_below(n: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_i64(now_ms());
    hasher.finish() % n.max(1)
}

/// Writes every due activity. Runs alone (in this process; across processes notes are
/// claimed row by row and Task upserts are idempotent).
#[tracing::instrument(name = "flush", skip_all)]
pub async fn flush(state: &AppState) -> Result<FlushReport, WritebackError> {
    let _alone = state.flush_lock.lock().await;
    let mut session = OrgSession::open(state).await?;
    let mut report = FlushReport::default();
    let result = flush_with(state, &mut session, &mut report).await;
    report.api_calls = session.calls();
    state.set_api_usage(session.client.api_usage());
    result.map(|()| report)
}

async fn flush_with(
    state: &AppState,
    session: &mut OrgSession,
    report: &mut FlushReport,
) -> Result<(), WritebackError> {
    resolve_uncertain(state, session, report).await?;
    let mut record_types = stored_record_types(state).await?;
    let mut looked_up = false;
    // Paged by (created, id): each activity is tried once per flush, even when its retry
    // is already due again.
    let mut after = (i64::MIN, String::new());
    let (mut notes, mut tasks) = (Vec::new(), Vec::new());
    let mut standings = HashMap::new();
    let org = crate::admin::settings::load(state).await?;
    loop {
        let fresh = state.store.due_activities(now_ms(), (after.0, &after.1), ROUND).await?;
        let Some(last) = fresh.last() else { break };
        after = (last.created_at_ms, last.id.clone());
        let fresh = refuse_unauthorised(state, fresh, &org.writeback_kinds, &mut standings, report).await?;
        // Test mode: only the test record's activities go; the rest stay queued as they are.
        let test = org.writeback_test_record.as_deref();
        let (held, fresh): (Vec<StoredActivity>, Vec<StoredActivity>) =
            fresh.into_iter().partition(|a| held_for_test_mode(test, a.target.as_deref()));
        report.held_for_test_mode += held.len() as u64;
        let needs_type = |a: &StoredActivity, types: &RecordTypeIds| types.missing().contains(&a.kind);
        if !looked_up && fresh.iter().any(|a| needs_type(a, &record_types)) {
            // Setup may have run elsewhere (or the admin made them by hand): look once.
            looked_up = true;
            record_types = with_session!(state, session, |client| task_record_types(client))?;
            for (kind, id) in &record_types.0 {
                if let Some((_, name, _)) = records::RECORD_TYPES.iter().find(|(k, _, _)| k == kind) {
                    state.store.set_org_setting(&records::record_type_key(name), id).await?;
                }
            }
        }
        let (waiting, ready): (Vec<StoredActivity>, Vec<StoredActivity>) =
            fresh.into_iter().partition(|a| needs_type(a, &record_types));
        for a in &waiting {
            let kind = a.kind.as_str().to_string();
            if !report.waiting_for_setup.contains(&kind) {
                report.waiting_for_setup.push(kind);
            }
        }
        let (new_notes, new_tasks): (Vec<StoredActivity>, Vec<StoredActivity>) =
            ready.into_iter().partition(|a| a.kind == ActivityKind::Note);
        notes.extend(new_notes);
        tasks.extend(new_tasks);
        // Only full calls while rounds keep coming, so N activities take ⌈N/200⌉ calls
        // per object however the rounds fall.
        send(state, session, &mut notes, &mut tasks, &record_types, report, false).await?;
    }
    send(state, session, &mut notes, &mut tasks, &record_types, report, true).await
}

/// Fails (with the reason) the activities of reps whose seat was removed or whose
/// write-back was switched off since they were logged; answers the others. Each rep's
/// standing is read once per flush.
async fn refuse_unauthorised(
    state: &AppState,
    fresh: Vec<StoredActivity>,
    org_kinds: &[ActivityKind],
    standings: &mut HashMap<String, (bool, bool)>,
    report: &mut FlushReport,
) -> Result<Vec<StoredActivity>, WritebackError> {
    let mut allowed = Vec::with_capacity(fresh.len());
    let mut refused = Vec::new();
    for a in fresh {
        if !standings.contains_key(&a.user_id) {
            let seated = state.store.seat(&a.user_id).await?.is_some();
            let enabled = state.store.writeback_user(&a.user_id).await?.enabled;
            standings.insert(a.user_id.clone(), (seated, enabled));
        }
        let (seated, enabled) = standings.get(&a.user_id).copied().unwrap_or_default();
        match may_write(RepStanding { seated, enabled, kinds: &[], org_kinds }, a.kind, false) {
            Ok(()) => allowed.push(a),
            Err(refusal) => refused.push((a.id.clone(), Outcome::Failed { error: refusal.to_string() })),
        }
    }
    if !refused.is_empty() {
        state.store.record_outcomes(&refused, now_ms()).await?;
        count(report, &refused);
    }
    Ok(allowed)
}

/// Writes the buffered notes, then tasks, in calls of 200; a partial call only when
/// `last`. Notes go first: their claims are the state a crash can leave uncertain, so
/// they spend as little time as possible waiting behind Task calls.
async fn send(
    state: &AppState,
    session: &mut OrgSession,
    notes: &mut Vec<StoredActivity>,
    tasks: &mut Vec<StoredActivity>,
    record_types: &RecordTypeIds,
    report: &mut FlushReport,
    last: bool,
) -> Result<(), WritebackError> {
    let full =
        |buffer: &Vec<StoredActivity>| if last { buffer.len() } else { buffer.len() / COLLECTION_MAX * COLLECTION_MAX };
    let ready: Vec<StoredActivity> = notes.drain(..full(notes)).collect();
    for chunk in ready.chunks(COLLECTION_MAX) {
        write_notes(state, session, chunk, report).await?;
    }
    let ready: Vec<StoredActivity> = tasks.drain(..full(tasks)).collect();
    for chunk in ready.chunks(COLLECTION_MAX) {
        write_tasks(state, session, chunk, record_types, report).await?;
    }
    Ok(())
}

/// A transient failure of a whole call: every activity of it waits and retries.
fn retry_all(state: &AppState, chunk: &[StoredActivity], error: &SalesforceError) -> Vec<(String, Outcome)> {
    let now = now_ms();
    chunk
        .iter()
        .map(|a| {
            let next = next_attempt_at(now, state.settings.writeback_retry_secs, a.attempts);
            (a.id.clone(), Outcome::Retry { error: error.to_string(), next_attempt_at_ms: next })
        })
        .collect()
}

/// One record's result as an outcome.
fn outcome(state: &AppState, a: &StoredActivity, result: &SaveResult) -> Outcome {
    match (&result.id, result.success) {
        (Some(id), true) => Outcome::Written { salesforce_id: id.clone() },
        _ if result.is_transient() => Outcome::Retry {
            error: result.error_text(),
            next_attempt_at_ms: next_attempt_at(now_ms(), state.settings.writeback_retry_secs, a.attempts),
        },
        _ => Outcome::Failed { error: result.error_text() },
    }
}

fn count(report: &mut FlushReport, outcomes: &[(String, Outcome)]) {
    for (_, o) in outcomes {
        match o {
            Outcome::Written { .. } => report.written += 1,
            Outcome::Failed { .. } => report.failed += 1,
            Outcome::Retry { .. } => report.retrying += 1,
        }
    }
}

/// Upserts up to 200 Tasks on the external id and records each result.
async fn write_tasks(
    state: &AppState,
    session: &mut OrgSession,
    chunk: &[StoredActivity],
    record_types: &RecordTypeIds,
    report: &mut FlushReport,
) -> Result<(), WritebackError> {
    let ids: Vec<String> = chunk.iter().map(|a| a.id.clone()).collect();
    let claimed = state.store.mark_sending(&ids, now_ms()).await?;
    let chunk: Vec<StoredActivity> = chunk.iter().filter(|a| claimed.contains(&a.id)).cloned().collect();
    if chunk.is_empty() {
        return Ok(());
    }
    let body: Vec<Value> = chunk.iter().map(|a| records::task(a, record_types, true)).collect();
    let results = match with_session!(state, session, |client| upsert_by_external_id(
        client,
        "Task",
        EXTERNAL_ID_FIELD,
        body.clone()
    )) {
        Ok(results) => results,
        Err(e) if is_transient(&e) => {
            let outcomes = retry_all(state, &chunk, &e);
            count(report, &outcomes);
            state.store.record_outcomes(&outcomes, now_ms()).await?;
            return Ok(());
        }
        Err(e) => {
            // Refused as a whole (the org lacks the setup): back in the queue, untried.
            state.store.unmark_sending(&claimed, now_ms()).await?;
            return Err(e.into());
        }
    };
    let mut outcomes = Vec::with_capacity(chunk.len());
    // Calls whose Task an earlier attempt already wrote: TaskSubtype cannot be updated,
    // so they go again without it (the Task keeps the subtype it was created with).
    let mut existing_calls = Vec::new();
    for (a, result) in chunk.iter().zip(&results) {
        if !result.success && a.kind == ActivityKind::Call && result.is_create_only_field() {
            existing_calls.push(a);
        } else {
            outcomes.push((a.id.clone(), outcome(state, a, result)));
        }
    }
    if !existing_calls.is_empty() {
        let body: Vec<Value> = existing_calls.iter().map(|a| records::task(a, record_types, false)).collect();
        match with_session!(state, session, |client| upsert_by_external_id(
            client,
            "Task",
            EXTERNAL_ID_FIELD,
            body.clone()
        )) {
            Ok(again) => {
                outcomes.extend(existing_calls.iter().zip(&again).map(|(a, r)| (a.id.clone(), outcome(state, a, r))));
            }
            Err(e) if is_transient(&e) => {
                let owned: Vec<StoredActivity> = existing_calls.iter().map(|a| (*a).clone()).collect();
                outcomes.extend(retry_all(state, &owned, &e));
            }
            Err(e) => {
                let ids: Vec<String> = existing_calls.iter().map(|a| a.id.clone()).collect();
                state.store.record_outcomes(&outcomes, now_ms()).await?;
                state.store.unmark_sending(&ids, now_ms()).await?;
                return Err(e.into());
            }
        }
    }
    count(report, &outcomes);
    state.store.record_outcomes(&outcomes, now_ms()).await?;
    Ok(())
}

/// Whether a failed create surely did not happen, so the notes can simply go again.
fn surely_not_created(e: &SalesforceError) -> bool {
    match e {
        // An error answer to the whole request: Salesforce processed nothing (a 500
        // may have come after the insert, so it stays uncertain).
        SalesforceError::Rest { status, .. } => *status != 500,
        SalesforceError::Transport { source, .. } => source.is_connect(),
        _ => false,
    }
}

/// Claims up to 200 notes, inserts them once, and records each result. A lost answer
/// leaves them `sending`, for [`resolve_uncertain`].
async fn write_notes(
    state: &AppState,
    session: &mut OrgSession,
    chunk: &[StoredActivity],
    report: &mut FlushReport,
) -> Result<(), WritebackError> {
    let ids: Vec<String> = chunk.iter().map(|a| a.id.clone()).collect();
    let claimed = state.store.mark_sending(&ids, now_ms()).await?;
    let chunk: Vec<&StoredActivity> = chunk.iter().filter(|a| claimed.contains(&a.id)).collect();
    if chunk.is_empty() {
        return Ok(());
    }
    let body: Vec<Value> = chunk.iter().map(|a| records::note(a)).collect();
    let results = loop {
        match create_once(&session.client, "Note", body.clone()).await {
            Err(e) if session.renew_after(state, &e).await? => continue,
            other => break other,
        }
    };
    let results = match results {
        Ok(results) => results,
        Err(e) if surely_not_created(&e) => {
            let owned: Vec<StoredActivity> = chunk.iter().map(|a| (*a).clone()).collect();
            let ids: Vec<String> = owned.iter().map(|a| a.id.clone()).collect();
            state.store.unmark_sending(&ids, now_ms()).await?;
            if is_transient(&e) {
                let outcomes = retry_all(state, &owned, &e);
                count(report, &outcomes);
                state.store.record_outcomes(&outcomes, now_ms()).await?;
                return Ok(());
            }
            return Err(e.into());
        }
        Err(e) => {
            tracing::warn!(error = %e, notes = chunk.len(), "note insert outcome unknown; they will be looked up before any retry");
            return Ok(());
        }
    };
    let outcomes: Vec<(String, Outcome)> =
        chunk.iter().zip(&results).map(|(a, r)| (a.id.clone(), outcome(state, a, r))).collect();
    count(report, &outcomes);
    state.store.record_outcomes(&outcomes, now_ms()).await?;
    Ok(())
}

/// Activities left `sending` by a crash or a lost answer, once no request of theirs can
/// still be in flight. Tasks go back in the queue (their upsert is idempotent). Notes
/// found on their parent (same title, body and owner, not claimed by another activity)
/// are written; the others go back in the queue.
async fn resolve_uncertain(
    state: &AppState,
    session: &mut OrgSession,
    report: &mut FlushReport,
) -> Result<(), WritebackError> {
    let settled_before = now_ms() - (state.settings.writeback_uncertain_secs as i64) * 1000;
    let uncertain: Vec<StoredActivity> = state
        .store
        .uncertain_activities()
        .await?
        .into_iter()
        .filter(|a| a.sent_at_ms.unwrap_or(0) <= settled_before)
        .collect();
    let (uncertain, tasks): (Vec<StoredActivity>, Vec<StoredActivity>) =
        uncertain.into_iter().partition(|a| a.kind == ActivityKind::Note);
    let tasks: Vec<String> = tasks.into_iter().map(|a| a.id).collect();
    state.store.unmark_sending(&tasks, now_ms()).await?;
    let mut by_parent: HashMap<String, Vec<&StoredActivity>> = HashMap::new();
    for a in &uncertain {
        by_parent.entry(a.target.clone().unwrap_or_default()).or_default().push(a);
    }
    for (parent, activities) in by_parent {
        let soql =
            format!("SELECT Id, ParentId, Title, Body, OwnerId FROM Note WHERE ParentId = {}", soql_text(&parent));
        let notes = with_session!(state, session, |client| query(client, &soql))?;
        let ids: Vec<String> =
            notes.iter().filter_map(|n| n.get("Id").and_then(Value::as_str).map(str::to_string)).collect();
        let mut taken = state.store.claimed_salesforce_ids(&ids).await?;
        let mut outcomes = Vec::new();
        let mut requeue = Vec::new();
        for a in activities {
            let found = notes.iter().find_map(|n| {
                let id = n.get("Id").and_then(Value::as_str)?;
                (records::note_matches(a, n) && !taken.iter().any(|t| t == id)).then(|| id.to_string())
            });
            match found {
                Some(id) => {
                    taken.push(id.clone());
                    outcomes.push((a.id.clone(), Outcome::Written { salesforce_id: id }));
                }
                None => requeue.push(a.id.clone()),
            }
        }
        report.recovered += outcomes.len() as u64;
        report.written += outcomes.len() as u64;
        state.store.record_outcomes(&outcomes, now_ms()).await?;
        state.store.unmark_sending(&requeue, now_ms()).await?;
    }
    Ok(())
}

/// Flushes after a random pause in `CRMSYNC_FLUSH_INTERVAL_SECONDS`, and at once when
/// [`AppState::flush_now`] is notified; failures are logged and the queue kept.
pub async fn schedule(state: &AppState) {
    loop {
        let (min, max) = state.settings.flush_interval_secs;
        let spread = max - min;
        let pause = min + random_below(spread + 1);
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(pause)) => {}
            _ = state.flush_now.notified() => {}
        }
        match flush(state).await {
            Ok(r) if r.written + r.failed + r.retrying > 0 => {
                tracing::info!(
                    written = r.written,
                    failed = r.failed,
                    retrying = r.retrying,
                    calls = r.api_calls,
                    "write-back flush"
                );
            }
            Ok(_) => {}
            Err(WritebackError::Connect(crate::connect::ConnectError::NotConnected)) => {}
            Err(e) => tracing::error!(error = %e, "write-back flush failed; the queue is kept for the next one"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let first = next_attempt_at(0, 30, 0);
        assert!((24_000..=36_000).contains(&first), "{first}");
        let third = next_attempt_at(0, 30, 2);
        assert!((96_000..=144_000).contains(&third), "{third}");
        let capped = next_attempt_at(0, 30, 40);
        assert!(capped <= MAX_BACKOFF_MS + MAX_BACKOFF_MS / 5, "{capped}");
        assert_eq!(next_attempt_at(5, 0, 3), 5);
    }

    #[test]
    fn only_error_answers_prove_a_create_did_not_happen() {
        let rest = |status| SalesforceError::Rest { status, code: "X".into(), message: String::new(), fields: vec![] };
        assert!(surely_not_created(&rest(503)));
        assert!(surely_not_created(&rest(400)));
        assert!(!surely_not_created(&rest(500)));
    }
}
