//! Sync health for the console: per object its rows, last and next import, the last
//! run's duration and changes, fields the org lacks; the last import error with what to
//! check; and daily API usage.

use crmsync::core::api::admin::{ApiUsageDay, ObjectHealth, SyncHealth};
use crmsync::core::sf::schema::IMPORTED;
use crmsync::core::time::rfc3339_from_unix_ms;

use crate::jobs::import::ImportReport;
use crate::state::AppState;
use crate::store::StoreError;

/// `relay_facts` key: the last import's error, if the last import failed.
pub const LAST_IMPORT_ERROR: &str = "last_import_error";

/// Days of API usage the console charts.
const USAGE_DAYS: i64 = 30;

/// The org's sync health.
pub async fn health(state: &AppState) -> Result<SyncHealth, StoreError> {
    let counts = state.store.object_counts().await?;
    let syncs = state.store.sync_states().await?;
    let report: Option<ImportReport> = state.store.last_run_report().await?.and_then(|r| serde_json::from_str(&r).ok());
    let every_ms = (state.settings.import_interval_hours * 3_600_000.0) as i64;
    let objects = IMPORTED
        .iter()
        .map(|(object, _)| {
            let sync = syncs.iter().find(|s| s.object == *object);
            let last = report.as_ref().and_then(|r| r.objects.iter().find(|o| o.object == *object));
            let missing = sync
                .map(|s| s.missing_fields.split(',').filter(|f| !f.is_empty()).map(String::from).collect())
                .unwrap_or_default();
            ObjectHealth {
                object: object.to_string(),
                rows: counts.iter().find(|(o, _)| o == object).map_or(0, |(_, n)| *n),
                last_import: sync.and_then(|s| s.last_sync_at_ms).map(rfc3339_from_unix_ms),
                next_import: sync.and_then(|s| s.last_sync_at_ms).map(|ms| rfc3339_from_unix_ms(ms + every_ms)),
                duration_ms: last.map(|o| o.duration_ms),
                added: last.map(|o| o.added.max(0) as u64),
                changed: last.map(|o| o.changed.max(0) as u64),
                deleted: last.map(|o| o.deleted.max(0) as u64),
                missing_fields: missing,
            }
        })
        .collect();
    let api_usage = state
        .store
        .api_usage_history(USAGE_DAYS)
        .await?
        .into_iter()
        .map(|(day, used, max)| ApiUsageDay { day, used, max })
        .collect();
    Ok(SyncHealth { objects, last_error: state.store.fact(LAST_IMPORT_ERROR).await?, api_usage })
}
