//! What reps' browsers read of the imported CRM data: the badge index (a snapshot with a
//! strong ETag, so an unchanged index costs one 304) and, on demand, one record's
//! contact details, which the index never holds in clear text.

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use crmsync::core::api::CrmContactInfo;

use super::rep_session::Rep;
use crate::badge_index::delta::{delta_since, DeltaAnswer};
use crate::error::ApiError;
use crate::state::AppState;

/// Header carrying the index version (the import run it reflects).
pub const VERSION_HEADER: &str = "x-crmsync-index-version";
/// Header carrying the newest match decision the index includes (0: none).
pub const DECISIONS_HEADER: &str = "x-crmsync-index-decisions";
/// The org-wide matcher's run whose links the index carries (the delta's `matches`).
pub const MATCHES_HEADER: &str = "x-crmsync-index-matches";

fn build_error(e: crate::badge_index::IndexBuildError) -> ApiError {
    match e {
        crate::badge_index::IndexBuildError::Store(e) => ApiError::Store(e),
        other => ApiError::Internal(format!("the CRM index could not be built: {other}")),
    }
}

/// `GET /api/v1/index`: the org's badge index (binary, gzip-encoded when the client
/// accepts it). `If-None-Match` with the current ETag answers 304 without a body.
pub async fn index(State(state): State<Arc<AppState>>, rep: Rep, headers: HeaderMap) -> Result<Response, ApiError> {
    let owners = crate::admin::visibility::owners_for(&state, &rep.user_id).await?;
    let served = state.badge_index.current(&state, owners).await.map_err(build_error)?;
    let Some(served) = served else {
        return Err(ApiError::Conflict(
            "no CRM data has been imported yet; the index is served after the first import".into(),
        ));
    };
    let etag = format!("\"{}\"", served.etag);
    let mut response = if if_none_match(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if accepts_gzip(&headers) {
        let mut response = served.gzip.clone().into_response();
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        response
    } else {
        let mut encoded = Vec::with_capacity(served.encoded_len);
        flate2::read::GzDecoder::new(served.gzip.as_slice())
            .read_to_end(&mut encoded)
            .map_err(|e| ApiError::Internal(format!("the cached CRM index is damaged: {e}")))?;
        encoded.into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(VERSION_HEADER, HeaderValue::from(served.version));
    h.insert(DECISIONS_HEADER, HeaderValue::from(served.last_decision.unwrap_or(0)));
    h.insert(MATCHES_HEADER, HeaderValue::from(served.match_run.unwrap_or(0)));
    Ok(response)
}

/// `GET /api/v1/index/delta?since=<version>&decisions=<id>&matches=<run>`: what changed
/// since the index a browser holds (its version, newest decision and matching run, from
/// the snapshot's headers):
/// 200 with a binary delta (gzip-encoded when accepted) and the new version and decision
/// in the same headers, 204 when nothing changed, 410 when a snapshot is needed.
pub async fn index_delta(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let number = |name: &str, required: bool| -> Result<i64, ApiError> {
        let bad = || ApiError::BadRequest(format!("{name}: expected a whole number, from the index's headers"));
        match params.get(name) {
            None if required => Err(ApiError::BadRequest(format!("{name}: missing; send the index's version"))),
            None => Ok(0),
            Some(v) => v.parse::<u64>().ok().and_then(|n| i64::try_from(n).ok()).ok_or_else(bad),
        }
    };
    let (since, decisions, matches) = (number("since", true)?, number("decisions", false)?, number("matches", false)?);
    let owners = crate::admin::visibility::owners_for(&state, &rep.user_id).await?;
    match delta_since(&state, since, decisions, matches, owners).await.map_err(build_error)? {
        DeltaAnswer::UpToDate => Ok(StatusCode::NO_CONTENT.into_response()),
        DeltaAnswer::Snapshot(why) => Err(ApiError::Gone(format!("download the index again: {why}"))),
        DeltaAnswer::Delta { bytes, version, last_decision, match_run } => {
            let mut response = if accepts_gzip(&headers) {
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                let body = gz
                    .write_all(&bytes)
                    .and_then(|()| gz.finish())
                    .map_err(|e| ApiError::Internal(format!("compressing an index delta failed: {e}")))?;
                let mut response = body.into_response();
                response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                response
            } else {
                bytes.into_response()
            };
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            h.insert(VERSION_HEADER, HeaderValue::from(version));
            h.insert(DECISIONS_HEADER, HeaderValue::from(last_decision));
            h.insert(MATCHES_HEADER, HeaderValue::from(match_run));
            Ok(response)
        }
    }
}

fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == etag || tag.trim() == "*")
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| p.trim().replace(' ', "") == "q=0");
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        },
    )
}

/// `GET /api/v1/crm/{id}/contact`: e-mail, phones and the like of one imported Lead,
/// Contact or Account, for the rep looking at the matching network page.
pub async fn contact(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    Path(id): Path<String>,
) -> Result<Json<CrmContactInfo>, ApiError> {
    use crate::contact_info::{contact_details, ContactError};
    match contact_details(&state, &rep.user_id, &id).await {
        Ok(info) => Ok(Json(info)),
        Err(ContactError::Store(e)) => Err(ApiError::Store(e)),
        Err(e @ (ContactError::BadId(..) | ContactError::NotAPerson(_))) => Err(ApiError::BadRequest(e.to_string())),
        Err(ContactError::NotFound(object, id)) => Err(ApiError::NotFound(format!("{object} {id}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_sent_unless_refused() {
        let mut h = HeaderMap::new();
        assert!(!accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate, br"));
        assert!(accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br, gzip;q=0"));
        assert!(!accepts_gzip(&h));
    }

    #[test]
    fn if_none_match_takes_lists_and_star() {
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"a\", \"b\""));
        assert!(if_none_match(&h, "\"b\""));
        assert!(!if_none_match(&h, "\"c\""));
    }
}
