//! Browsers report what they could not find on network pages (a heading, a name, result
//! rows): the network changed its markup. Counted per day; the admin sees the last week
//! in the status (`crmsync status`, the console; `admin::status`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use crmsync::core::api::PageProblem;
use serde::Serialize;

use super::rep_session::Rep;
use crate::admin::status::day_of;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::{now_ms, AppState};

/// The serde name of a unit enum value (how it is stored).
fn name_of(value: impl Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// `POST /api/v1/health/pages` `{"page": "profile"|"company"|"results", "missing":
/// "heading"|"name"|"results"}`.
pub async fn report(
    State(state): State<Arc<AppState>>,
    _rep: Rep,
    JsonBody(problem): JsonBody<PageProblem>,
) -> Result<StatusCode, ApiError> {
    state.store.count_page_problem(&day_of(now_ms()), &name_of(problem.page), &name_of(problem.missing)).await?;
    tracing::info!(page = ?problem.page, missing = ?problem.missing, "a browser reported a network page problem");
    Ok(StatusCode::NO_CONTENT)
}
