//! The ROI report for admins (the console's ROI page): `GET /api/v1/admin/roi`, its CSV,
//! and the opportunities with what influenced each. Reading only: the admin cookie is
//! enough.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::Json;

use super::admin_session::Admin;
use crate::admin::roi::{self, RoiQuery};
use crate::error::ApiError;
use crate::extract::QueryOf;
use crate::state::AppState;
use crmsync::core::api::roi::{RoiOpportunities, RoiReport};

/// `GET /api/v1/admin/roi?from=&to=&by=rep|month|quarter`.
pub async fn report(
    State(state): State<Arc<AppState>>,
    _admin: Admin,
    QueryOf(q): QueryOf<RoiQuery>,
) -> Result<Json<RoiReport>, ApiError> {
    Ok(Json(roi::report(&state, &q).await?))
}

/// `GET /api/v1/admin/roi.csv?from=&to=&by=`: the rows, then the totals.
pub async fn report_csv(
    State(state): State<Arc<AppState>>,
    _admin: Admin,
    QueryOf(q): QueryOf<RoiQuery>,
) -> Result<Response, ApiError> {
    let report = roi::report(&state, &q).await?;
    Ok(super::match_report::csv_download("crmsync-roi.csv", roi::csv_text(&report)))
}

/// `GET /api/v1/admin/roi/opportunities?from=&to=&influenced=true`.
pub async fn opportunities(
    State(state): State<Arc<AppState>>,
    _admin: Admin,
    QueryOf(q): QueryOf<RoiQuery>,
) -> Result<Json<RoiOpportunities>, ApiError> {
    Ok(Json(roi::opportunities(&state, &q).await?))
}
