//! The org-wide directory over HTTP: reps' browsers send what they see (when the rep
//! consented in the extension), reps upload `Connections.csv`, and the widget searches
//! it for manual matching.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::Json;
use crmsync::core::api::DirectoryProfile;
use crmsync::core::badge::Observed;
use serde::Serialize;
use serde_json::Value;

use super::rep_session::Rep;
use crate::directory::observe::ObserveError;
use crate::directory::{connections_rows, directory_profile, profile_row, Source, MAX_OBSERVATIONS};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::{now_ms, AppState};

/// Most search results.
const SEARCH_LIMIT: i64 = 25;

/// What storing observations did.
#[derive(Debug, Serialize)]
pub struct DirectoryReport {
    /// Profiles seen for the first time.
    pub new: u64,
    /// Profiles whose name, headline, company or location changed.
    pub changed: u64,
    pub unchanged: u64,
    /// Rows left out, with why (the first few).
    pub skipped: usize,
    pub problems: Vec<String>,
}

impl From<ObserveError> for ApiError {
    fn from(e: ObserveError) -> Self {
        match e {
            ObserveError::Store(e) => ApiError::Store(e),
            ObserveError::Matcher(e) => e.into(),
        }
    }
}

/// `POST /api/v1/directory/profiles`: `{"profiles": [{url, name, headline, company,
/// location}, …]}` (or one object, or a list) as seen on network pages.
pub async fn observe(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    JsonBody(value): JsonBody<Value>,
) -> Result<Json<DirectoryReport>, ApiError> {
    let items = match value {
        Value::Object(mut map) if map.contains_key("profiles") => map.remove("profiles").unwrap_or_default(),
        other => other,
    };
    let items = match items {
        Value::Array(items) => items,
        one @ Value::Object(_) => vec![one],
        _ => return Err(ApiError::BadRequest("send {\"profiles\": [{\"url\": …, \"name\": …}, …]}".into())),
    };
    if items.len() > MAX_OBSERVATIONS {
        return Err(ApiError::BadRequest(format!(
            "{} profiles in one request; send at most {MAX_OBSERVATIONS}",
            items.len()
        )));
    }
    let now = now_ms();
    let mut rows = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let row = serde_json::from_value::<Observed>(item)
            .map_err(|e| format!("profiles[{i}]: {e}"))
            .and_then(|o| profile_row(&o, Source::Page, &rep.user_id, now).map_err(|e| format!("profiles[{i}]: {e}")));
        match row {
            Ok(row) => rows.push(row),
            Err(problem) => problems.push(problem),
        }
    }
    if rows.is_empty() && !problems.is_empty() {
        return Err(ApiError::BadRequest(problems.join("; ")));
    }
    let done = crate::directory::observe::observe(&state, &rows).await?;
    let skipped = problems.len();
    problems.truncate(20);
    Ok(Json(DirectoryReport { new: done.new, changed: done.changed, unchanged: done.unchanged, skipped, problems }))
}

/// `POST /api/v1/directory/connections` with the network's `Connections.csv` as the body.
pub async fn upload_connections(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    body: Bytes,
) -> Result<Json<DirectoryReport>, ApiError> {
    let text =
        std::str::from_utf8(&body).map_err(|e| ApiError::BadRequest(format!("the export is not UTF-8 text: {e}")))?;
    let (rows, skipped) =
        connections_rows(text, &rep.user_id, now_ms()).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let done = crate::directory::observe::observe(&state, &rows).await?;
    let problems = if skipped > 0 {
        vec![format!("{skipped} rows without a profile URL or a name were left out")]
    } else {
        Vec::new()
    };
    Ok(Json(DirectoryReport { new: done.new, changed: done.changed, unchanged: done.unchanged, skipped, problems }))
}

/// `GET /api/v1/directory/search?q=<name>[&entity=person|company]`: profiles whose name
/// contains the text, newest seen first.
pub async fn search(
    State(state): State<Arc<AppState>>,
    _rep: Rep,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Vec<DirectoryProfile>>, ApiError> {
    let q = params.get("q").map(|q| q.trim()).unwrap_or_default();
    if q.chars().count() < 2 {
        return Err(ApiError::BadRequest("q: type at least 2 characters of a name".into()));
    }
    let entity = match params.get("entity").map(String::as_str) {
        None | Some("person") => "person",
        Some("company") => "company",
        Some(other) => return Err(ApiError::BadRequest(format!("entity {other:?} must be person or company"))),
    };
    let rows = state.store.profiles_named(entity, q, SEARCH_LIMIT).await?;
    Ok(Json(rows.iter().map(directory_profile).collect()))
}
