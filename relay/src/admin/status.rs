//! The relay's status, as the console (`GET /api/v1/status`) and `crmsync status` show
//! it: the org connection (or why it failed), API usage, per object its rows and last
//! import, the activity queue's totals, and the network page problems browsers reported.

use std::collections::BTreeMap;

use crmsync::core::activity::{ActivityState, ActivityTotals};
use crmsync::core::api::{ConnectionStatus, ObjectStatus, PageProblemCount, RelayStatus};
use crmsync::core::time::rfc3339_from_unix_ms;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::state::{now_ms, AppState};
use crate::store::StoreError;

/// How far back the status looks for page problems.
const RECENT_DAYS: i64 = 7;

/// The UTC day (`YYYY-MM-DD`) of a moment, as page problems are counted.
pub fn day_of(ms: i64) -> String {
    rfc3339_from_unix_ms(ms).chars().take(10).collect()
}

fn parse<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(Value::String(name.to_string())).ok()
}

/// The relay's status (also `crmsync status`); a failure newer than the stored connection
/// is shown over it; API usage falls back to the last import's report.
pub async fn relay_status(state: &AppState) -> Result<RelayStatus, StoreError> {
    let stored = state.store.connection().await?;
    let failure = state.failure().filter(|f| stored.as_ref().is_none_or(|c| f.at_ms >= c.connected_at_ms));
    let connection = match (stored, failure) {
        (_, Some(f)) => ConnectionStatus::Failed { error: f.error, at: rfc3339_from_unix_ms(f.at_ms) },
        (Some(c), None) => ConnectionStatus::Connected {
            auth_flow: c.auth_flow.as_str().to_string(),
            org_id: c.org_id,
            user_id: c.user_id,
            username: c.username,
            instance_url: c.instance_url,
            api_version: c.api_version,
            connected_at: rfc3339_from_unix_ms(c.connected_at_ms),
        },
        (None, None) => match &state.settings.salesforce {
            Some(sf) => ConnectionStatus::NotConnected { login_url: sf.login_url.clone() },
            None => ConnectionStatus::NotConfigured,
        },
    };
    let counts = state.store.object_counts().await?;
    let mut objects = BTreeMap::new();
    for s in state.store.sync_states().await? {
        let rows = counts.iter().find(|(o, _)| *o == s.object).map_or(0, |(_, n)| *n);
        objects.insert(
            s.object.clone(),
            ObjectStatus { rows, last_sync: s.last_sync_at_ms.map(rfc3339_from_unix_ms), watermark: s.watermark },
        );
    }
    let api_usage = match state.api_usage() {
        Some(u) => Some(u),
        None => state
            .store
            .last_run_report()
            .await?
            .and_then(|r| serde_json::from_str::<crate::jobs::import::ImportReport>(&r).ok())
            .and_then(|r| r.api_usage),
    };
    let mut activities: ActivityTotals = ActivityState::ALL.iter().map(|s| (*s, 0)).collect();
    for (stored, n) in state.store.activity_totals().await? {
        *activities.entry(stored.public()).or_default() += n;
    }
    let page_problems = recent_page_problems(state).await?;
    Ok(RelayStatus { connection, api_usage, objects, activities, page_problems })
}

/// The last week's reports, newest first.
pub async fn recent_page_problems(state: &AppState) -> Result<Vec<PageProblemCount>, StoreError> {
    let since = day_of(now_ms() - RECENT_DAYS * 86_400_000);
    Ok(state
        .store
        .page_problems(&since)
        .await?
        .into_iter()
        .filter_map(|(day, page, missing, count)| {
            Some(PageProblemCount { day, page: parse(&page)?, missing: parse(&missing)?, count })
        })
        .collect())
}
