//! Matching as users see and steer it from the widget, over HTTP: a CRM record's matched
//! profile with the explanation, and org-wide decisions (match or re-match, "not this
//! one", unmatch), done by [`crate::directory::decisions`].

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use crmsync::core::api::{MatchDecisionRequest, RecordMatch};
use crmsync::core::sf::SalesforceId;

use super::rep_session::Rep;
use crate::directory::decisions;
use crate::directory::matching::MatchError;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;

impl From<MatchError> for ApiError {
    fn from(e: MatchError) -> Self {
        match e {
            MatchError::Store(e) => ApiError::Store(e),
            MatchError::Matcher(e) => e.into(),
            e @ MatchError::NotMatchable(_) => ApiError::BadRequest(e.to_string()),
            MatchError::NotFound(object, id) => ApiError::NotFound(format!("{object} {id}")),
            // The answer reads "… does not exist".
            MatchError::NotInDirectory(network_id) => ApiError::NotFound(format!(
                "network_id {network_id:?} is not in the directory (pick a profile from the directory search), so it"
            )),
        }
    }
}

fn parse_id(id: &str) -> Result<SalesforceId, ApiError> {
    SalesforceId::parse(id.trim()).map_err(|e| ApiError::BadRequest(format!("crm_id {id:?}: {e}")))
}

/// `GET /api/v1/matches/{crm_id}`: the record's matched profile (or none) and the
/// profiles users rejected for it.
pub async fn get_match(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Path(crm_id): Path<String>,
) -> Result<Json<RecordMatch>, ApiError> {
    let id = parse_id(&crm_id)?;
    Ok(Json(decisions::match_for(&state, &rep.user_id, &id).await?))
}

/// `POST /api/v1/matches` `{crm_id, network_id, kind: match|not_match|unmatch}`: stores
/// the decision and answers the record's match as it now stands.
pub async fn decide(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    JsonBody(request): JsonBody<MatchDecisionRequest>,
) -> Result<Json<RecordMatch>, ApiError> {
    let id = parse_id(&request.crm_id)?;
    Ok(Json(decisions::decide(&state, &rep.user_id, &id, &request).await?))
}
