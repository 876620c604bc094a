//! Tracked document links: a rep shares a PDF (kept by the relay) or a web address for a
//! lead or contact and gets an unguessable `/d/<token>` link; each opening is recorded
//! (its time only) and the first of each day becomes a `document_view` activity for the
//! rep on that record, written back like any other. The rules are the core's
//! (`core::rules::documents`).

use crmsync::core::activity::{ActivityKind, NewActivity};
use crmsync::core::api::documents::{SharedLink, SharedLinks};
use crmsync::core::rules::documents::{self, DocumentError};
use crmsync::core::sf::SalesforceId;
use crmsync::core::time::rfc3339_from_unix_ms;

use crate::secrets::{random_token, token_hash, Secret};
use crate::state::{now_ms, AppState};
use crate::store::{DocumentRow, StoreError};

/// The link's path prefix.
pub const LINK_PATH: &str = "/d/";
/// Longest expiry a rep may set.
const MAX_EXPIRY_DAYS: u32 = 3650;

/// Why a share was refused.
#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    #[error(transparent)]
    Invalid(#[from] DocumentError),
    #[error("{0}")]
    Bad(String),
    #[error("{0} is not found")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a rep shares.
pub enum Content {
    Pdf(Vec<u8>),
    Url(String),
}

/// Shares a document for `record`; answers the link.
pub async fn share(
    state: &AppState,
    user_id: &str,
    base: &str,
    title: &str,
    record: &str,
    expires_in_days: Option<u32>,
    content: Content,
) -> Result<SharedLink, ShareError> {
    let title = documents::check_title(title)?;
    let id = SalesforceId::parse(record.trim()).map_err(|e| ShareError::Bad(format!("record {record:?}: {e}")))?;
    let object = match crate::directory::matching::matchable_object(&id) {
        Some(o @ ("Lead" | "Contact")) => o,
        _ => return Err(ShareError::Bad(format!("record {id}: documents are shared with a Lead or Contact"))),
    };
    if state.store.crm_row(object, id.as_str()).await?.is_none()
        || !crate::admin::visibility::may_see(state, user_id, object, id.as_str()).await?
    {
        return Err(ShareError::NotFound(format!("{object} {id}")));
    }
    if expires_in_days.is_some_and(|d| d == 0 || d > MAX_EXPIRY_DAYS) {
        return Err(ShareError::Bad(format!("expires_in_days: give 1 to {MAX_EXPIRY_DAYS} days, or none")));
    }
    let (kind, url, bytes) = match content {
        Content::Pdf(bytes) => {
            documents::check_pdf(&bytes)?;
            ("pdf", None, Some(bytes))
        }
        Content::Url(url) => ("url", Some(documents::check_url(&url)?), None),
    };
    let now = now_ms();
    let token = random_token(24);
    let row = DocumentRow {
        id: state.secrets.keyed_uuid(&format!("document:{}", random_token(16))),
        token_hash: token_hash(&token),
        token_sealed: state.secrets.seal(&Secret::new(token)),
        user_id: user_id.to_string(),
        record_id: id.to_string(),
        title,
        kind: kind.to_string(),
        url,
        size: bytes.as_ref().map_or(0, |b| b.len() as i64),
        created_at_ms: now,
        expires_at_ms: expires_in_days.map(|d| now + i64::from(d) * 86_400_000),
        revoked_at_ms: None,
    };
    state.store.create_document(&row, bytes.as_deref()).await?;
    tracing::info!(user = %user_id, record = %row.record_id, kind, "document shared");
    Ok(view(state, base, &row, &[]))
}

fn view(state: &AppState, base: &str, d: &DocumentRow, views: &[i64]) -> SharedLink {
    let token = state.secrets.open(&d.token_sealed).map(|t| t.expose().to_string()).unwrap_or_default();
    SharedLink {
        id: d.id.clone(),
        title: d.title.clone(),
        kind: d.kind.clone(),
        record: d.record_id.clone(),
        link: format!("{}{LINK_PATH}{token}", base.trim_end_matches('/')),
        url: d.url.clone(),
        size: d.size,
        created_at: rfc3339_from_unix_ms(d.created_at_ms),
        expires_at: d.expires_at_ms.map(rfc3339_from_unix_ms),
        revoked: d.revoked_at_ms.is_some(),
        live: documents::is_live(d.expires_at_ms, d.revoked_at_ms, now_ms()),
        views: views.len(),
        viewed_at: views.iter().map(|v| rfc3339_from_unix_ms(*v)).collect(),
    }
}

/// The rep's links with their views, newest first.
pub async fn links_of(state: &AppState, user_id: &str, base: &str) -> Result<SharedLinks, StoreError> {
    let mut out = Vec::new();
    for d in state.store.documents_of(user_id).await? {
        let views = state.store.document_views(&d.id).await?;
        out.push(view(state, base, &d, &views));
    }
    Ok(SharedLinks { documents: out })
}

/// Revokes one of the rep's links; answers it, or `None` when it is not the rep's.
pub async fn revoke(state: &AppState, user_id: &str, id: &str, base: &str) -> Result<Option<SharedLink>, StoreError> {
    let Some(d) = state.store.documents_of(user_id).await?.into_iter().find(|d| d.id == id) else { return Ok(None) };
    state.store.revoke_document(user_id, id, now_ms()).await?;
    Ok(links_of(state, user_id, base).await?.documents.into_iter().find(|l| l.id == d.id))
}

/// What an opened link serves.
pub enum Opened {
    Pdf { title: String, bytes: Vec<u8> },
    Redirect(String),
}

/// Opens the link `token` at `at_ms`: records the view and, for the first view of the
/// day, queues the rep's `document_view` activity; `None` for an unknown, revoked or
/// expired link (which records nothing).
pub async fn open(state: &AppState, token: &str, at_ms: i64) -> Result<Option<Opened>, StoreError> {
    let Some(d) = state.store.document_by_token(&token_hash(token)).await? else { return Ok(None) };
    if !documents::is_live(d.expires_at_ms, d.revoked_at_ms, at_ms) {
        return Ok(None);
    }
    let opened = match (d.kind.as_str(), &d.url) {
        ("url", Some(url)) => Opened::Redirect(url.clone()),
        _ => match state.store.document_content(&d.id).await? {
            Some(bytes) => Opened::Pdf { title: d.title.clone(), bytes },
            None => return Ok(None),
        },
    };
    let views = state.store.add_document_view(&d.id, at_ms).await?;
    let earlier: Vec<i64> = views.iter().copied().filter(|v| *v < at_ms).collect();
    if documents::first_of_day(&earlier, at_ms) {
        queue_activity(state, &d, at_ms, views.len()).await?;
    }
    Ok(Some(opened))
}

/// The first view of a day as the rep's `document_view` activity on the record (its id
/// derives from the link and the day, so a second first-view can never add another),
/// when the rep writes document views back; otherwise only the view is counted.
async fn queue_activity(state: &AppState, d: &DocumentRow, at_ms: i64, number: usize) -> Result<(), StoreError> {
    if let Err(refusal) = crate::writeback::may_log(state, &d.user_id, ActivityKind::DocumentView).await? {
        tracing::info!(user = %d.user_id, document = %d.id, %refusal, "document viewed; not logged as an activity");
        return Ok(());
    }
    let day = documents::day_of(at_ms);
    let new = NewActivity {
        id: state.secrets.keyed_uuid(&format!("document-view:{}:{day}", d.id)),
        kind: ActivityKind::DocumentView.as_str().to_string(),
        subject: documents::subject(&d.title),
        body: documents::description(at_ms, number),
        occurred_at: rfc3339_from_unix_ms(at_ms),
        profile_id: format!("document:{}", d.id),
        target: Some(d.record_id.clone()),
    };
    match new.check() {
        Ok(checked) => {
            state.store.insert_activities(&d.user_id, &[checked], now_ms()).await?;
        }
        Err(e) => tracing::warn!(document = %d.id, error = %e, "a document view could not become an activity"),
    }
    Ok(())
}
