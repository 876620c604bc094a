//! The match-rate report and the decisions' audit trail for admins (the console's
//! Matching panel): `GET /api/v1/admin/match-report`, its full CSV export, and
//! `GET /api/v1/admin/decisions`. Reading only, so the admin cookie is enough.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use crmsync::core::api::match_report::{MatchReport, DECISION_COLUMNS, MATCH_REPORT_COLUMNS};
use crmsync::core::csv;
use serde::Deserialize;

use super::admin_session::Admin;
use crate::error::ApiError;
use crate::extract::QueryOf;
use crate::matching::report::{self, DecisionFilter};
use crate::state::AppState;

/// `GET /api/v1/admin/match-report`.
pub async fn match_report(State(state): State<Arc<AppState>>, _admin: Admin) -> Result<Json<MatchReport>, ApiError> {
    Ok(Json(report::match_report(state.store.as_ref()).await?))
}

/// A CSV download.
pub(crate) fn csv_download(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

/// `GET /api/v1/admin/match-report.csv`: every unmatched and low-confidence record.
pub async fn match_report_csv(State(state): State<Arc<AppState>>, _admin: Admin) -> Result<Response, ApiError> {
    let rows = report::export_rows(state.store.as_ref()).await?;
    Ok(csv_download("crmsync-match-report.csv", match_report_text(&rows)))
}

/// The export as CSV text (also `crmsync match-report --csv`).
pub fn match_report_text(rows: &[crmsync::core::api::match_report::MatchReportRow]) -> String {
    let mut out = csv::line(&MATCH_REPORT_COLUMNS);
    for r in rows {
        out.push_str(&csv::line(&r.fields()));
    }
    out
}

/// The audit trail's query.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionsQuery {
    /// The decider: username or user id.
    pub user: Option<String>,
    /// The CRM record id.
    pub record: Option<String>,
    /// `json` (default) or `csv` (every matching decision).
    pub format: Option<String>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// Most decisions one JSON page answers.
const MAX_PAGE: usize = 1_000;

/// `GET /api/v1/admin/decisions[?user=&record=&format=json|csv&limit=&offset=]`, newest first.
pub async fn decisions(
    State(state): State<Arc<AppState>>,
    _admin: Admin,
    QueryOf(q): QueryOf<DecisionsQuery>,
) -> Result<Response, ApiError> {
    let csv_wanted = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => return Err(ApiError::BadRequest(format!("format {other:?} is not json or csv"))),
    };
    let limit = q.limit.unwrap_or(100);
    if !csv_wanted && !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::BadRequest(format!("limit must be 1 to {MAX_PAGE}, got {limit}")));
    }
    let filter = DecisionFilter {
        user: q.user.filter(|u| !u.is_empty()),
        record: q.record.filter(|r| !r.is_empty()),
        limit: if csv_wanted { usize::MAX } else { limit },
        offset: if csv_wanted { 0 } else { q.offset.unwrap_or(0) },
    };
    let page = report::decisions(state.store.as_ref(), &filter).await?;
    if csv_wanted {
        let mut out = csv::line(&DECISION_COLUMNS);
        for d in &page.decisions {
            out.push_str(&csv::line(&d.fields()));
        }
        return Ok(csv_download("crmsync-decisions.csv", out));
    }
    Ok(Json(page).into_response())
}
