//! Tracked document links: reps share a PDF or a web address for a lead or contact
//! (`POST /api/v1/documents`, a PDF at `POST /api/v1/documents/pdf`), list their links with views and revoke them; anyone with
//! a link opens it (`GET /d/<token>`), which records only the time of the view.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use crmsync::core::api::documents::{NewLink, SharedLink, SharedLinks};
use serde::Deserialize;

use super::rep_session::Rep;
use crate::documents::{self, Content, Opened, ShareError};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::security::origin::public_base;
use crate::state::{now_ms, AppState};

impl From<ShareError> for ApiError {
    fn from(e: ShareError) -> Self {
        match e {
            ShareError::Store(s) => ApiError::Store(s),
            ShareError::NotFound(what) => ApiError::NotFound(what),
            e => ApiError::BadRequest(e.to_string()),
        }
    }
}

/// `POST /api/v1/documents/pdf`: the link's details in the query.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PdfQuery {
    title: String,
    record: String,
    expires_in_days: Option<u32>,
}

/// `POST /api/v1/documents/pdf?title=&record=&expires_in_days=`: a PDF body (at most
/// 20 MB, checked by its content); 201 with the link.
pub async fn share_pdf(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let base = public_base(&state, &headers)?;
    let q: PdfQuery = crate::error::query(raw.as_deref()).map_err(|e| {
        ApiError::BadRequest(format!("a PDF upload names ?title= and ?record= (a Lead or Contact id): {e}"))
    })?;
    let link = documents::share(
        &state,
        &rep.user_id,
        &base,
        &q.title,
        &q.record,
        q.expires_in_days,
        Content::Pdf(body.to_vec()),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

/// `POST /api/v1/documents`: a web address as JSON `{title, record, url,
/// expires_in_days}`; 201 with the link.
pub async fn share_link(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    JsonBody(new): JsonBody<NewLink>,
) -> Result<Response, ApiError> {
    let base = public_base(&state, &headers)?;
    let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if kind.starts_with("application/pdf") {
        return Err(ApiError::BadRequest("a PDF is shared with POST /api/v1/documents/pdf?title=&record=".into()));
    }
    // A query here would be ignored, so it is refused.
    if raw.as_deref().is_some_and(|q| !q.is_empty()) {
        return Err(ApiError::BadRequest(
            "a link's details go in the JSON body; a query (?title=, ?record=) is a PDF upload's, \
             at POST /api/v1/documents/pdf"
                .into(),
        ));
    }
    let days = new.expiry_days().map_err(ApiError::BadRequest)?;
    let link =
        documents::share(&state, &rep.user_id, &base, &new.title, &new.record, days, Content::Url(new.url)).await?;
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

/// `GET /api/v1/documents`: the rep's links with their views.
pub async fn list(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    headers: HeaderMap,
) -> Result<Json<SharedLinks>, ApiError> {
    let base = public_base(&state, &headers)?;
    Ok(Json(documents::links_of(&state, &rep.user_id, &base).await?))
}

/// `POST /api/v1/documents/{id}/revoke`: the link stops opening (404 from then on).
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    rep: Rep,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<SharedLink>, ApiError> {
    let base = public_base(&state, &headers)?;
    documents::revoke(&state, &rep.user_id, &id, &base)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("document {id:?}")))
}

/// A file name for the download prompt: the title's letters, digits and a few marks.
fn file_name(title: &str) -> String {
    let name: String =
        title.chars().map(|c| if c.is_ascii_alphanumeric() || " -_.".contains(c) { c } else { '_' }).take(80).collect();
    format!("{}.pdf", name.trim())
}

/// `GET /d/{token}`: the PDF inline (as `application/pdf`, never sniffed, no script
/// allowed), or a redirect to the shared address; 404 for an unknown, revoked or expired
/// link. Nothing about the viewer is kept but the time; no cookie is set.
pub async fn open(State(state): State<Arc<AppState>>, Path(token): Path<String>) -> Result<Response, ApiError> {
    match documents::open(&state, token.trim(), now_ms()).await? {
        None => Err(ApiError::NotFound("this link (it may have been revoked or have expired), so it".into())),
        Some(Opened::Redirect(url)) => Ok(([(header::CACHE_CONTROL, "no-store")], Redirect::to(&url)).into_response()),
        Some(Opened::Pdf { title, bytes }) => Ok((
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (header::CONTENT_DISPOSITION, format!("inline; filename=\"{}\"", file_name(&title))),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response()),
    }
}
