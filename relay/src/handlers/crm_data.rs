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
use crmsync::core::sf::links::record_url;
use crmsync::core::sf::{SObjectType, SalesforceId};
use serde_json::{Map, Value};

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
    let parsed = SalesforceId::parse(&id).map_err(|e| ApiError::BadRequest(format!("the record id {id:?}: {e}")))?;
    let object = match parsed.object_type() {
        Some(o @ (SObjectType::Lead | SObjectType::Contact | SObjectType::Account)) => o.api_name(),
        _ => {
            return Err(ApiError::BadRequest(format!(
                "the record id {id:?} is not a Lead, Contact or Account id; contact details exist only for those"
            )))
        }
    };
    let id18 = parsed.to_string();
    // Under role-hierarchy visibility a record the rep may not see does not exist for them.
    if !crate::admin::visibility::may_see(&state, &rep.user_id, object, &id18).await? {
        return Err(ApiError::NotFound(format!("{object} {id18}")));
    }
    let row =
        state.store.crm_row(object, &id18).await?.ok_or_else(|| ApiError::NotFound(format!("{object} {id18}")))?;
    let instance_url = state.store.connection().await?.map(|c| c.instance_url).unwrap_or_default();
    let fields: Map<String, Value> = serde_json::from_str(&row.fields_json).unwrap_or_default();
    let mut info = contact_info(object, &id18, &fields, &instance_url);
    if object == "Contact" {
        if let Some(account_id) = info_text(&fields, "AccountId") {
            let account = state.store.crm_row("Account", &account_id).await?;
            info.company = account
                .and_then(|a| serde_json::from_str::<Map<String, Value>>(&a.fields_json).ok())
                .and_then(|f| info_text(&f, "Name"));
        }
    }
    tracing::info!(user = %rep.user_id, record = %id18, "CRM contact details read");
    Ok(Json(info))
}

fn info_text(fields: &Map<String, Value>, name: &str) -> Option<String> {
    fields.get(name).and_then(Value::as_str).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// The contact details of an imported record's fields.
fn contact_info(object: &str, id: &str, fields: &Map<String, Value>, instance_url: &str) -> CrmContactInfo {
    let get = |name: &str| info_text(fields, name);
    let name = crmsync::core::sf::display::person_name(
        &get("FirstName").unwrap_or_default(),
        &get("LastName").unwrap_or_default(),
        &get("Name").unwrap_or_default(),
    );
    CrmContactInfo {
        id: id.to_string(),
        object: object.to_string(),
        name,
        title: get("Title"),
        company: get("Company"),
        email: get("Email"),
        phone: get("Phone"),
        mobile_phone: get("MobilePhone"),
        website: get("Website"),
        link: record_url(instance_url, object, id),
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

    #[test]
    fn contact_info_names_and_links_the_record() {
        let fields: Map<String, Value> = serde_json::from_str(
            r#"{"FirstName":"Ada","LastName":"Lovelace","Email":"ada@example.com","Phone":" ","Company":"AE"}"#,
        )
        .unwrap();
        let info = contact_info("Lead", "00Q000000000001AAA", &fields, "https://acme.my.salesforce.com");
        assert_eq!(info.name, "Ada Lovelace");
        assert_eq!(info.email.as_deref(), Some("ada@example.com"));
        assert_eq!(info.phone, None, "blank values are left out");
        assert_eq!(info.link, "https://acme.lightning.force.com/lightning/r/Lead/00Q000000000001AAA/view");
    }
}
