//! Importing the org's CRM data with Bulk API 2.0: describe each object, query the
//! fields the org has (a missing field is a warning in the sync log, not a failure), page
//! through the CSV and store each page in one transaction. Incremental runs query rows
//! changed after the watermark with `queryAll`, so deletions arrive as `IsDeleted` rows.
//! A crash loses nothing: pages are committed as they come and the watermark moves only
//! when an object is complete, so the next run re-reads (idempotently) what was not.

use std::time::Instant;

use crmsync::core::csv::Reader;
use crmsync::core::sf::schema::{IMPORTED, MODSTAMP};
use serde::{Deserialize, Serialize};

use crate::connect::{connect_unattended, renew, stored_client, ConnectError};
use crate::salesforce::bulk::{delete_job, describe_fields, results_page, run_query};
use crate::salesforce::{SalesforceClient, SalesforceError};
use crate::state::{now_ms, AppState};
use crate::store::{CrmRow, StoreError, SyncState};

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("importing {object}: {source}")]
    Salesforce { object: String, source: SalesforceError },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A results page is not the CSV the job promised.
    #[error("importing {object}: the results CSV is malformed: {reason}")]
    BadCsv { object: String, reason: String },
}

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
pub async fn import(
    state: &AppState,
    full: bool,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<ImportReport, ImportError> {
    let _running = state.import_lock.lock().await;
    let mut client = match stored_client(state).await {
        Ok(c) => c,
        Err(ConnectError::NotConnected) => {
            connect_unattended(state).await?;
            stored_client(state).await?
        }
        Err(e) => return Err(e.into()),
    };
    let run = state.store.start_run(full, now_ms()).await?;
    let states = state.store.sync_states().await?;
    let mut report = ImportReport { run, full, ..Default::default() };
    for (object, wanted) in IMPORTED {
        let previous = states.iter().find(|s| s.object == *object).cloned().unwrap_or_default();
        let watermark = if full { None } else { previous.watermark.clone() };
        let result = import_object(state, &client, run, object, wanted, watermark.as_deref(), progress).await;
        let result = match result {
            Err(ImportError::Salesforce { source, .. }) if source.is_invalid_session() => {
                // The session expired: renew it once, then retry this object; a second
                // expiry fails the run with Salesforce's error.
                client = renew(state).await?;
                import_object(state, &client, run, object, wanted, watermark.as_deref(), progress).await
            }
            other => other,
        };
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

/// Imports now, then every `import_interval_hours`, and at once when
/// [`AppState::import_now`] is notified (a fresh connect); failures are logged and
/// retried at the next tick (the watermark makes a retry pick up exactly what was missed).
pub async fn schedule(state: &AppState) {
    let every = std::time::Duration::from_secs_f64(state.settings.import_interval_hours * 3600.0);
    loop {
        match import(state, false, &|_| {}).await {
            Ok(report) => {
                let rows: i64 = report.objects.iter().map(|o| o.rows).sum();
                let changed: i64 = report.objects.iter().map(|o| o.added + o.changed + o.deleted).sum();
                tracing::info!(run = report.run, rows, changed, "import finished");
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

async fn import_object(
    state: &AppState,
    client: &SalesforceClient,
    run: i64,
    object: &str,
    wanted: &[&str],
    watermark: Option<&str>,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<ObjectReport, ImportError> {
    let started = Instant::now();
    let sf = |source| ImportError::Salesforce { object: object.to_string(), source };
    let calls_before = client.api_usage().map_or(0, |u| u.used);
    let org_fields = describe_fields(client, object).await.map_err(sf)?;
    let (mut select, missing): (Vec<&str>, Vec<&str>) = wanted.iter().partition(|f| org_fields.iter().any(|o| o == *f));
    let has_modstamp = org_fields.iter().any(|f| f == MODSTAMP);
    if has_modstamp {
        select.push(MODSTAMP);
    }
    let incremental = watermark.is_some() && has_modstamp;
    if incremental {
        select.push("IsDeleted");
    }
    let mut soql = format!("SELECT {} FROM {object}", select.join(", "));
    if let (true, Some(w)) = (incremental, watermark) {
        soql.push_str(&format!(" WHERE {MODSTAMP} > {w}"));
    }
    let counts_before = count_of(state, object).await?;
    let job = run_query(client, &soql, incremental).await.map_err(sf)?;
    let mut locator: Option<String> = None;
    let mut upserted = 0i64;
    let mut deleted = 0i64;
    let mut max_stamp = watermark.map(str::to_string);
    loop {
        let (csv, next) =
            results_page(client, &job, locator.as_deref(), state.settings.bulk_page_records).await.map_err(sf)?;
        let page = parse_page(object, &csv)?;
        for r in &page.rows {
            if max_stamp.as_deref().is_none_or(|m| r.system_modstamp.as_str() > m) {
                max_stamp = Some(r.system_modstamp.clone());
            }
        }
        upserted += page.rows.len() as i64;
        deleted += page.deleted.len() as i64;
        state.store.apply_page(object, run, &page.rows, &page.deleted).await?;
        progress(&format!("{object}: {upserted} rows"));
        match next {
            Some(n) => locator = Some(n),
            None => break,
        }
    }
    let _ = delete_job(client, &job).await;
    if !incremental {
        deleted += state.store.delete_unseen(object, run).await? as i64;
    }
    let rows = count_of(state, object).await?;
    let added = (rows - counts_before + deleted).clamp(0, upserted);
    let missing_fields: Vec<String> = missing.iter().map(|f| f.to_string()).collect();
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
        api_calls: client.api_usage().map_or(0, |u| u.used.saturating_sub(calls_before)),
        missing_fields,
    })
}

async fn count_of(state: &AppState, object: &str) -> Result<i64, StoreError> {
    Ok(state.store.object_counts().await?.into_iter().find(|(o, _)| o == object).map_or(0, |(_, n)| n))
}

/// A results page split into rows to upsert and ids to delete.
struct Page {
    rows: Vec<CrmRow>,
    deleted: Vec<String>,
}

fn parse_page(object: &str, csv: &str) -> Result<Page, ImportError> {
    let bad = |reason: String| ImportError::BadCsv { object: object.to_string(), reason };
    let mut reader = Reader::new(csv);
    let header = match reader.next() {
        Some(Ok(row)) => row.fields,
        Some(Err(e)) => return Err(bad(e.to_string())),
        None => return Ok(Page { rows: vec![], deleted: vec![] }),
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    let id_col = col("Id").ok_or_else(|| bad("no Id column".into()))?;
    let stamp_col = col(MODSTAMP);
    let deleted_col = col("IsDeleted");
    let mut page = Page { rows: vec![], deleted: vec![] };
    for row in reader {
        let row = row.map_err(|e| bad(e.to_string()))?;
        if row.fields.len() != header.len() {
            return Err(bad(format!("line {} has {} values for {} columns", row.line, row.fields.len(), header.len())));
        }
        let id = row.fields[id_col].clone();
        if deleted_col.is_some_and(|c| row.fields[c] == "true") {
            page.deleted.push(id);
            continue;
        }
        let fields: serde_json::Map<String, serde_json::Value> = header
            .iter()
            .zip(&row.fields)
            .filter(|(h, _)| h.as_str() != "IsDeleted")
            .map(|(h, v)| (h.clone(), if v.is_empty() { serde_json::Value::Null } else { v.clone().into() }))
            .collect();
        page.rows.push(CrmRow {
            id,
            fields_json: serde_json::Value::Object(fields).to_string(),
            system_modstamp: stamp_col.map(|c| row.fields[c].clone()).unwrap_or_default(),
        });
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_page_splits_rows_and_deletions() {
        let csv = "\"Id\",\"Name\",\"SystemModstamp\",\"IsDeleted\"\n\"001A\",\"Acme, \"\"Inc\"\"\",\"2025-01-02T00:00:00.000Z\",\"false\"\n\"001B\",,\"2025-01-03T00:00:00.000Z\",\"true\"\n";
        let page = parse_page("Account", csv).unwrap();
        assert_eq!(page.deleted, ["001B"]);
        assert_eq!(page.rows.len(), 1);
        let fields: serde_json::Value = serde_json::from_str(&page.rows[0].fields_json).unwrap();
        assert_eq!(fields["Name"], "Acme, \"Inc\"");
        assert!(fields.get("IsDeleted").is_none());
        assert_eq!(page.rows[0].system_modstamp, "2025-01-02T00:00:00.000Z");
    }

    #[test]
    fn parse_page_rejects_ragged_rows() {
        let err = parse_page("Lead", "\"Id\",\"Name\"\n\"00Q1\"\n").err().unwrap();
        assert!(err.to_string().contains("line 2 has 1 values for 2 columns"), "{err}");
    }
}
