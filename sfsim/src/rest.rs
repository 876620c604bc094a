//! REST endpoints under `/services/data` (docs/salesforce.md §3, §5): the versions list and
//! `/limits`, with Salesforce's error array shape and `Sforce-Limit-Info` on every call.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::error::SimError;
use crate::Sim;

/// The oldest and newest API versions served (Bulk API 2.0 query needs 47.0).
pub const MIN_VERSION: u32 = 47;
pub const MAX_VERSION: u32 = 66;
/// The org's rolling 24-hour API allowance.
pub const DAILY_API_LIMIT: u64 = 15_000;

/// The daily allowance in force (`POST /__sim/limits` changes it for tests).
pub fn daily_limit(sim: &Sim) -> u64 {
    sim.daily_limit.load(std::sync::atomic::Ordering::Relaxed)
}

/// A REST error: a JSON array of `{message, errorCode}`.
pub fn rest_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!([{ "message": message, "errorCode": code }]))).into_response()
}

/// A failure of the simulator itself: 500 with Salesforce's generic error, logged here.
pub fn internal_error(e: SimError) -> Response {
    tracing::error!(error = %e, "sfsim internal error");
    rest_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "UNKNOWN_EXCEPTION",
        "An unexpected error occurred. Please include this ErrorId if you contact support: sfsim",
    )
}

/// The authenticated caller of a REST request.
pub struct Caller {
    pub user_id: String,
}

/// Checks `Authorization: Bearer …`; a missing, unknown or revoked token gets the recorded
/// 401 `INVALID_SESSION_ID` with `WWW-Authenticate: Token`.
pub async fn authorize(sim: &Sim, headers: &HeaderMap) -> Result<Caller, Response> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("OAuth ")))
        .map(str::trim);
    let user = match token {
        Some(token) => sim.store.session_user(token).await.map_err(internal_error)?,
        None => None,
    };
    match user {
        Some(user_id) => Ok(Caller { user_id }),
        None => {
            let mut response = rest_error(StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID", "Session expired or invalid");
            response.headers_mut().insert("www-authenticate", HeaderValue::from_static("Token"));
            Err(response)
        }
    }
}

/// Counts the call against the daily limit and adds `Sforce-Limit-Info`.
pub async fn with_limit_info(sim: &Sim, mut response: Response) -> Response {
    match sim.store.count_api_call().await {
        Ok(used) => {
            if let Ok(value) = HeaderValue::from_str(&format!("api-usage={used}/{}", daily_limit(sim))) {
                response.headers_mut().insert("sforce-limit-info", value);
            }
            response
        }
        Err(e) => internal_error(e),
    }
}

/// Release label of an API version (47.0 = Winter '20, then Spring, Summer, Winter …).
fn release_label(version: u32) -> String {
    let steps = version.saturating_sub(MIN_VERSION);
    let season = ["Winter", "Spring", "Summer"][(steps % 3) as usize];
    format!("{season} '{}", 20 + steps / 3)
}

/// `GET /services/data/`: the versions this org serves, oldest first (no auth needed).
pub async fn versions() -> Response {
    let list: Vec<_> = (MIN_VERSION..=MAX_VERSION)
        .map(|v| json!({ "label": release_label(v), "url": format!("/services/data/v{v}.0"), "version": format!("{v}.0") }))
        .collect();
    Json(list).into_response()
}

/// The caller of a versioned REST request: an unknown API version answers 404 (as
/// Salesforce does) before the token is looked at, then [`authorize`].
pub async fn versioned_caller(sim: &Sim, version: &str, headers: &HeaderMap) -> Result<Caller, Response> {
    if !valid_version(version) {
        return Err(not_found().await);
    }
    authorize(sim, headers).await
}

/// `vNN.N` within the served range.
pub fn valid_version(segment: &str) -> bool {
    segment
        .strip_prefix('v')
        .and_then(|v| v.strip_suffix(".0"))
        .and_then(|v| v.parse::<u32>().ok())
        .is_some_and(|v| (MIN_VERSION..=MAX_VERSION).contains(&v))
}

/// `GET /services/data/vNN.N/limits`.
pub async fn limits(State(sim): State<Arc<Sim>>, Path(version): Path<String>, headers: HeaderMap) -> Response {
    if let Err(r) = crate::rest::versioned_caller(&sim, &version, &headers).await {
        return r;
    }
    let response = with_limit_info(&sim, StatusCode::OK.into_response()).await;
    let used: u64 = response
        .headers()
        .get("sforce-limit-info")
        .and_then(|v| v.to_str().ok())
        .and_then(crmsync::core::api::ApiUsage::from_limit_info)
        .map(|u| u.used)
        .unwrap_or(0);
    let (parts, _) = response.into_parts();
    let body = json!({
        "DailyApiRequests": { "Max": daily_limit(&sim), "Remaining": daily_limit(&sim).saturating_sub(used) },
        "DailyBulkV2QueryJobs": { "Max": 10000, "Remaining": 10000 },
        "DailyBulkV2QueryFileStorageMB": { "Max": 1000000, "Remaining": 1000000 },
    });
    (parts, Json(body)).into_response()
}

/// Anything unknown: 404 `NOT_FOUND` as recorded.
pub async fn not_found() -> Response {
    rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_label_follows_the_release_train() {
        assert_eq!(release_label(47), "Winter '20");
        assert_eq!(release_label(48), "Spring '20");
        assert_eq!(release_label(50), "Winter '21");
        assert_eq!(release_label(65), "Winter '26");
    }

    #[test]
    fn valid_version_checks_form_and_range() {
        assert!(valid_version("v60.0"));
        assert!(!valid_version("v46.0"));
        assert!(!valid_version("60.0"));
        assert!(!valid_version("v60"));
    }
}
