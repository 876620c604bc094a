//! Browsers report what they could not find on network pages (a heading, a name, result
//! rows): the network changed its markup. Counted per day; the admin sees the last week
//! in the status (`crmsync status`, the console).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use crmsync::core::api::{PageProblem, PageProblemCount};
use crmsync::core::time::rfc3339_from_unix_ms;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::rep_session::Rep;
use crate::error::ApiError;
use crate::state::{now_ms, AppState};
use crate::store::StoreError;

/// How far back the status looks.
const RECENT_DAYS: i64 = 7;

fn day_of(ms: i64) -> String {
    rfc3339_from_unix_ms(ms).chars().take(10).collect()
}

/// The serde name of a unit enum value (how it is stored).
fn name_of(value: impl Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn parse<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(Value::String(name.to_string())).ok()
}

/// `POST /api/v1/health/pages` `{"page": "profile"|"company"|"results", "missing":
/// "heading"|"name"|"results"}`.
pub async fn report(State(state): State<Arc<AppState>>, _rep: Rep, body: Bytes) -> Result<StatusCode, ApiError> {
    let problem: PageProblem = crate::error::json_body(&body)?;
    state.store.count_page_problem(&day_of(now_ms()), &name_of(problem.page), &name_of(problem.missing)).await?;
    tracing::info!(page = ?problem.page, missing = ?problem.missing, "a browser reported a network page problem");
    Ok(StatusCode::NO_CONTENT)
}

/// The last week's reports, newest first.
pub async fn recent(state: &AppState) -> Result<Vec<PageProblemCount>, StoreError> {
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
