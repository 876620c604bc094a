//! Importing the org's CRM data with Bulk API 2.0: describe each object, query the
//! fields the org has (a missing field is a warning in the sync log, not a failure), page
//! through the CSV and store each page in one transaction. Incremental runs query rows
//! changed after the watermark with `queryAll`, so deletions arrive as `IsDeleted` rows.
//! A crash loses nothing: pages are committed as they come and the watermark moves only
//! when an object is complete, so the next run re-reads (idempotently) what was not.

use std::sync::Arc;
use std::time::Instant;

use crmsync::core::sf::schema::{IMPORTED, MODSTAMP};
use serde::{Deserialize, Serialize};

use crate::connect::{connect_unattended, renew, stored_client, ConnectError};
use crate::salesforce::bulk::{
    delete_job, describe_fields, finish_query, results_page, start_query, QueryJob, StartedJob,
};
use crate::salesforce::{SalesforceClient, SalesforceError};
use crate::state::{now_ms, AppState};
use crate::store::{StoreError, SyncState};

pub use super::results_page::{parse_page, Page};

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("importing {object}: {source}")]
    Salesforce { object: String, source: SalesforceError },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A background step of the import stopped unexpectedly.
    #[error("the import was interrupted: {0}")]
    Interrupted(String),
    /// A results page is not the CSV the job promised.
    #[error("importing {object}: the results CSV is malformed: {reason}")]
    BadCsv { object: String, reason: String },
    /// The matching pass after the import failed (the imported rows are stored).
    #[error("the import finished but matching its records failed: {0}")]
    Matching(#[from] crate::matching::MatcherError),
    /// This import's store-wide lease ran out and another import took it over.
    #[error("the import stopped: its lease on the store ran out and another import took over")]
    LeaseLost,
}

/// Where an object's import is, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Salesforce is running the object's query job.
    Preparing,
    /// Rows stored so far, of `total` when the job reported it.
    Loading { done: u64, total: Option<u64> },
    /// The object is imported; `rows` stored in all.
    Finished { rows: u64 },
}

/// Receives progress: the object's name and where it is.
pub type ProgressSink<'a> = &'a (dyn Fn(&str, Progress) + Sync);

/// What one object's import did, for the sync log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectReport {
    pub object: String,
    pub added: i64,
    pub changed: i64,
    pub deleted: i64,
    pub rows: i64,
    pub duration_ms: u64,
    pub api_calls: u64,
    /// Wanted fields this org does not have (skipped).
    pub missing_fields: Vec<String>,
}

/// A whole run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    pub run: i64,
    pub full: bool,
    pub objects: Vec<ObjectReport>,
    /// API calls used out of the org's allowance after the run (`Sforce-Limit-Info`).
    pub api_usage: Option<crmsync::core::api::ApiUsage>,
}

/// Imports every object; `full` ignores watermarks (and drops rows the org no longer has).
/// An object never imported before is always imported in full.
#[tracing::instrument(name = "import", skip_all, fields(full))]
pub async fn import(state: &AppState, full: bool, progress: ProgressSink<'_>) -> Result<ImportReport, ImportError> {
    let result = import_objects(state, full, progress).await;
    match &result {
        Ok(report) => after_import(state, report).await?,
        Err(ImportError::Connect(ConnectError::NotConnected)) => {}
        Err(e) => {
            let at = crmsync::core::time::rfc3339_from_unix_ms(now_ms());
            state.store.set_fact(crate::admin::health::LAST_IMPORT_ERROR, &format!("{at}: {e}")).await?;
        }
    }
    result
}

/// What follows a finished import: the error shown in the console is cleared, the day's
/// API usage kept, the role grants give seats to users new in their roles, the org-wide
/// matcher links what the import changed, and auto-save fills owners' lists.
async fn after_import(state: &AppState, report: &ImportReport) -> Result<(), ImportError> {
    state.store.delete_fact(crate::admin::health::LAST_IMPORT_ERROR).await?;
    if let Some(u) = report.api_usage {
        let day = &crmsync::core::time::rfc3339_from_unix_ms(now_ms())[..10];
        state.store.record_api_usage(day, u.used as i64, u.max as i64).await?;
    }
    crate::admin::seats::apply_grants(state).await?;
    crate::matching::run(state, crate::matching::Trigger::Import { run: report.run, full: report.full }).await?;
    crate::lists::auto_save::after_import(state, report.run).await?;
    Ok(())
}

async fn import_objects(state: &AppState, full: bool, progress: ProgressSink<'_>) -> Result<ImportReport, ImportError> {
    let _running = state.import_lock.lock().await;
    let lease = super::lease::StoreLease::take(state, super::lease::IMPORT_LEASE).await?;
    let result = import_holding(state, full, progress, &lease).await;
    lease.release().await?;
    result
}

async fn import_holding(
    state: &AppState,
    full: bool,
    progress: ProgressSink<'_>,
    lease: &super::lease::StoreLease<'_>,
) -> Result<ImportReport, ImportError> {
    let mut client = Arc::new(connected_client(state).await?);
    let run = state.store.start_run(full, now_ms()).await?;
    let states = state.store.sync_states().await?;
    let mut report = ImportReport { run, full, ..Default::default() };
    let watermark_of = |object: &str| {
        let previous = states.iter().find(|s| s.object == object);
        if full {
            None
        } else {
            previous.and_then(|s| s.watermark.clone())
        }
    };
    let page_size = state.settings.bulk_page_records;
    // The ROI report's revenue field, when the admin chose another than Amount.
    let revenue = crate::admin::settings::revenue_field(state).await?;
    let fields_of = |object: &str, wanted: &[&'static str]| fields_with(object, wanted, &revenue);
    let (mut prepared, mut go_ahead) = start_every_job(&client, &fields_of, &watermark_of, page_size, progress).await;
    // Sessions renewed so far: phase-one failures from an older session are simply run
    // again; a failure of the current session is renewed once per run.
    let mut generation = 0u32;
    for ((object, wanted), prepared) in IMPORTED.iter().zip(prepared.drain(..)) {
        if lease.lost() {
            return Err(ImportError::LeaseLost);
        }
        let watermark = watermark_of(object);
        go_ahead.next();
        let prepared = match prepared {
            Some(background) => background.join().await,
            None => {
                let started = start_object(&client, object, &fields_of(object, wanted), watermark.clone()).await;
                finish_object(client.clone(), started, None, page_size).await
            }
        };
        let (mut result, used) = match prepared {
            Ok(job) => (load_object(state, &client, run, job, progress).await, generation),
            Err(e) => (Err(e), 0),
        };
        let expired = |r: &Result<ObjectReport, ImportError>| matches!(r, Err(ImportError::Salesforce { source, .. }) if source.is_invalid_session());
        if expired(&result) && (used < generation || generation == 0) {
            if used == generation {
                // The session expired: renew it once, then run this object again; another
                // expiry fails the run with Salesforce's error.
                client = Arc::new(renew(state).await?);
                generation += 1;
            }
            let started = start_object(&client, object, &fields_of(object, wanted), watermark).await;
            result = match finish_object(client.clone(), started, None, page_size).await {
                Ok(job) => load_object(state, &client, run, job, progress).await,
                Err(e) => Err(e),
            };
        }
        match result {
            Ok(object_report) => report.objects.push(object_report),
            Err(e) => {
                // Show the usage Salesforce reported even when the run stops (a spent
                // daily allowance is the usual reason).
                state.set_api_usage(client.api_usage());
                return Err(e);
            }
        }
    }
    report.api_usage = client.api_usage();
    state.set_api_usage(report.api_usage);
    state.store.finish_run(run, now_ms(), &serde_json::to_string(&report).unwrap_or_default()).await?;
    Ok(report)
}

/// The stored connection's client, connecting unattended first when nothing is stored.
async fn connected_client(state: &AppState) -> Result<SalesforceClient, ImportError> {
    match stored_client(state).await {
        Ok(c) => Ok(c),
        Err(ConnectError::NotConnected) => {
            connect_unattended(state).await?;
            Ok(stored_client(state).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// The fields asked of `object`: the wanted ones, and for Opportunity the ROI report's
/// revenue field when it is another one.
fn fields_with(object: &str, wanted: &[&'static str], revenue: &str) -> Vec<String> {
    let mut all: Vec<String> = wanted.iter().map(|f| f.to_string()).collect();
    if object == "Opportunity" && !all.iter().any(|f| f == revenue) {
        all.push(revenue.to_string());
    }
    all
}

/// Imports now, then every `import_interval_hours`, and at once when
/// [`AppState::import_now`] is notified (a fresh connect); failures are logged and
/// retried at the next tick (the watermark makes a retry pick up exactly what was missed).
pub async fn schedule(state: &AppState) {
    let every = std::time::Duration::from_secs_f64(state.settings.import_interval_hours * 3600.0);
    loop {
        match import(state, false, &|_, _| {}).await {
            Ok(report) => {
                let rows: i64 = report.objects.iter().map(|o| o.rows).sum();
                let changed: i64 = report.objects.iter().map(|o| o.added + o.changed + o.deleted).sum();
                tracing::info!(run = report.run, rows, changed, "import finished");
                // Build the browsers' index now rather than on the first rep's request.
                // (Under role-hierarchy visibility each rep's is built on their first request.)
                let everyone = crate::admin::settings::load(state)
                    .await
                    .is_ok_and(|s| s.badge_visibility == crmsync::core::rules::visibility::BadgeVisibility::Everyone);
                if everyone {
                    if let Err(e) = state.badge_index.current(state, None).await {
                        tracing::error!(error = %e, "the badge index could not be built after the import");
                    }
                }
            }
            Err(ImportError::Connect(ConnectError::NotConnected)) => {
                tracing::info!("not connected to Salesforce yet; the import starts once an admin connects");
            }
            Err(e) => tracing::error!(error = %e, "import failed; retrying at the next scheduled run"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = state.import_now.notified() => {}
        }
    }
}

/// A preparation running in the background, stopped if the run ends before using it.
/// Every object's Bulk job is created up front, in import order (Salesforce queues them
/// in that order), and awaited in the background, so Salesforce prepares the later ones
/// while the first ones are stored one object at a time. After a failed start the rest
/// wait for their turn, as the run may stop there. Each one fetches its first results
/// page once the object before it starts loading (the answered senders, in order), so at
/// most two first pages wait in memory.
async fn start_every_job(
    client: &Arc<SalesforceClient>,
    fields_of: &impl Fn(&str, &[&'static str]) -> Vec<String>,
    watermark_of: &impl Fn(&str) -> Option<String>,
    page_size: usize,
    progress: ProgressSink<'_>,
) -> (Vec<Option<AbortOnDrop>>, impl Iterator<Item = Option<Result<(), ()>>>) {
    let mut prepared = Vec::with_capacity(IMPORTED.len());
    let mut go_ahead = Vec::with_capacity(IMPORTED.len());
    for (object, wanted) in IMPORTED {
        progress(object, Progress::Preparing);
        let started = start_object(client, object, &fields_of(object, wanted), watermark_of(object)).await;
        let failed = started.is_err();
        let (go, wait) = tokio::sync::oneshot::channel();
        go_ahead.push(Some(go));
        prepared.push(Some(AbortOnDrop(tokio::spawn(finish_object(client.clone(), started, Some(wait), page_size)))));
        if failed {
            break;
        }
    }
    prepared.resize_with(IMPORTED.len(), || None);
    go_ahead.resize_with(IMPORTED.len() + 1, || None);
    let mut go_ahead = go_ahead.into_iter().map(|go| go.map(|g| g.send(())));
    go_ahead.next();
    (prepared, go_ahead)
}

struct AbortOnDrop(tokio::task::JoinHandle<Result<PreparedObject, ImportError>>);

impl AbortOnDrop {
    async fn join(mut self) -> Result<PreparedObject, ImportError> {
        (&mut self.0).await.unwrap_or_else(|e| Err(ImportError::Interrupted(e.to_string())))
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// An object whose Bulk job has completed, with its first results page fetched.
struct PreparedObject {
    object: &'static str,
    job: QueryJob,
    /// The first page's CSV and the locator of the next one.
    first_page: (String, Option<String>),
    incremental: bool,
    watermark: Option<String>,
    missing: Vec<String>,
    started: Instant,
    calls: u64,
}

/// An object whose Bulk job Salesforce is working on.
struct StartedObject {
    object: &'static str,
    job: StartedJob,
    incremental: bool,
    watermark: Option<String>,
    missing: Vec<String>,
    started: Instant,
}

/// Describes `object` and starts the query of the fields the org has (changes since
/// `watermark` with `queryAll` when there is one).
async fn start_object(
    client: &SalesforceClient,
    object: &'static str,
    wanted: &[String],
    watermark: Option<String>,
) -> Result<StartedObject, ImportError> {
    let started = Instant::now();
    let sf = |source| ImportError::Salesforce { object: object.to_string(), source };
    let org_fields = describe_fields(client, object).await.map_err(sf)?;
    let (mut select, missing): (Vec<&str>, Vec<&str>) =
        wanted.iter().map(String::as_str).partition(|f| org_fields.iter().any(|o| o == f));
    let has_modstamp = org_fields.iter().any(|f| f == MODSTAMP);
    if has_modstamp {
        select.push(MODSTAMP);
    }
    let incremental = watermark.is_some() && has_modstamp;
    if incremental {
        select.push("IsDeleted");
    }
    let mut soql = format!("SELECT {} FROM {object}", select.join(", "));
    if let (true, Some(w)) = (incremental, watermark.as_deref()) {
        soql.push_str(&format!(" WHERE {MODSTAMP} > {w}"));
    }
    let job = start_query(client, &soql, incremental).await.map_err(sf)?;
    let missing = missing.iter().map(|f| f.to_string()).collect();
    Ok(StartedObject { object, job, incremental, watermark, missing, started })
}

/// Waits for a started object's job to complete, then (after `go_ahead`, if given) fetches
/// its first results page.
async fn finish_object(
    client: Arc<SalesforceClient>,
    started: Result<StartedObject, ImportError>,
    go_ahead: Option<tokio::sync::oneshot::Receiver<()>>,
    page_size: usize,
) -> Result<PreparedObject, ImportError> {
    let StartedObject { object, job, incremental, watermark, missing, started } = started?;
    let sf = |source| ImportError::Salesforce { object: object.to_string(), source };
    let job = finish_query(&client, job).await.map_err(sf)?;
    if let Some(go_ahead) = go_ahead {
        // An error means the run is over; this task is being dropped anyway.
        let _ = go_ahead.await;
    }
    let first_page = results_page(&client, &job, None, page_size).await.map_err(sf)?;
    // The describe, the job's creates and status polls, the first page.
    let calls = 1 + job.calls + 1;
    Ok(PreparedObject { object, job, first_page, incremental, watermark, missing, started, calls })
}

/// Pages through a prepared object's results into the store, then moves its watermark.
#[tracing::instrument(name = "import_object", skip_all, fields(object = prepared.object, run))]
async fn load_object(
    state: &AppState,
    client: &SalesforceClient,
    run: i64,
    prepared: PreparedObject,
    progress: ProgressSink<'_>,
) -> Result<ObjectReport, ImportError> {
    let PreparedObject { object, job, first_page, incremental, watermark, missing, started, calls } = prepared;
    let counts_before = count_of(state, object).await?;
    let streamed = stream_pages(state, client, run, (object, &job, first_page), watermark, calls, progress).await?;
    let Streamed { upserted, mut deleted, max_stamp, mut calls } = streamed;
    calls += 1;
    let _ = delete_job(client, &job).await;
    // Rows this run did not see can only exist if the object had rows before it.
    if !incremental && counts_before > 0 {
        deleted += state.store.delete_unseen(object, run).await? as i64;
    }
    let rows = count_of(state, object).await?;
    progress(object, Progress::Finished { rows: rows.max(0) as u64 });
    let added = (rows - counts_before + deleted).clamp(0, upserted);
    let missing_fields = missing;
    if !missing_fields.is_empty() {
        tracing::warn!(object, fields = %missing_fields.join(", "), "the org lacks these fields; they are skipped");
    }
    state
        .store
        .save_sync_state(&SyncState {
            object: object.to_string(),
            watermark: max_stamp,
            last_sync_at_ms: Some(now_ms()),
            missing_fields: missing_fields.join(","),
        })
        .await?;
    Ok(ObjectReport {
        object: object.to_string(),
        added,
        changed: upserted - added,
        deleted,
        rows,
        duration_ms: started.elapsed().as_millis() as u64,
        api_calls: calls,
        missing_fields,
    })
}

/// What streaming a job's result pages into the store did.
struct Streamed {
    upserted: i64,
    deleted: i64,
    /// The newest `SystemModstamp` seen: the next incremental import's watermark.
    max_stamp: Option<String>,
    calls: u64,
}

/// Writes every result page of `job` into the store. Three stages overlap: Salesforce
/// prepares page N+2 while page N+1 is parsed (on a blocking thread) and page N is written.
async fn stream_pages(
    state: &AppState,
    client: &SalesforceClient,
    run: i64,
    (object, job, first_page): (&'static str, &QueryJob, (String, Option<String>)),
    watermark: Option<String>,
    mut calls: u64,
    progress: ProgressSink<'_>,
) -> Result<Streamed, ImportError> {
    let sf = |source| ImportError::Salesforce { object: object.to_string(), source };
    let page_size = state.settings.bulk_page_records;
    let (mut upserted, mut deleted, mut max_stamp) = (0i64, 0i64, watermark);
    let parse = |(csv, next): (String, Option<String>)| async move {
        let page = tokio::task::spawn_blocking(move || parse_page(object, &csv))
            .await
            .map_err(|e| ImportError::Interrupted(e.to_string()))??;
        Ok::<_, ImportError>((page, next))
    };
    let (mut page, mut next) = parse(first_page).await?;
    loop {
        let rows = page.rows.len() as i64;
        let page_deleted = page.deleted.len() as i64;
        let page_stamp = page.rows.iter().map(|r| r.system_modstamp.as_str()).max().map(str::to_string);
        // The rows move into the store: no copy of their JSON on the way.
        let store_page = state.store.apply_page(object, run, page.rows, &page.deleted);
        let following = match next.as_deref() {
            Some(locator) => {
                calls += 1;
                let fetch_and_parse =
                    async { parse(results_page(client, job, Some(locator), page_size).await.map_err(sf)?).await };
                let (stored, following) = tokio::join!(store_page, fetch_and_parse);
                stored?;
                Some(following?)
            }
            None => {
                store_page.await?;
                None
            }
        };
        if page_stamp.as_deref() > max_stamp.as_deref() {
            max_stamp = page_stamp;
        }
        upserted += rows;
        deleted += page_deleted;
        progress(object, Progress::Loading { done: upserted as u64, total: job.records });
        match following {
            Some(f) => (page, next) = f,
            None => break,
        }
    }
    Ok(Streamed { upserted, deleted, max_stamp, calls })
}

async fn count_of(state: &AppState, object: &str) -> Result<i64, StoreError> {
    state.store.object_count(object).await
}
