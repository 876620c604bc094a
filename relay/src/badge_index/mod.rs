//! The browser's badge index as the relay serves it: built from the store after each
//! import (versioned by that import run's id) with the users' matching decisions, kept
//! gzipped in memory, rebuilt when a newer import finished or a decision was made — also
//! by another process or another relay on the same database, since both are read from the
//! store on every request.

mod build;
pub mod delta;

use std::io::Write as _;
use std::sync::Arc;

use std::collections::{HashMap, HashSet};

use crmsync::core::badge::keyed_hash::HashKey;
use crmsync::core::badge::{IndexWriter, RelayMatch, RelayMatches};
use crmsync::core::matching::decisions::Decision;
use crmsync::core::matching::params::Params;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

pub use build::{default_params, labelled, Labelled, Names};

use crate::secrets::random_token;
use crate::state::AppState;
use crate::store::{CrmRow, Store, StoreError};

/// `org_settings` key of the secret that keys the index's hashed e-mails and phones.
/// Cleared with the other org settings on disconnect, so another org gets another key.
const HASH_KEY_SETTING: &str = "badge_index_hash_key";

/// One built index, ready to send.
#[derive(Debug)]
pub struct ServedIndex {
    /// The import run the index reflects.
    pub version: u64,
    /// The newest decision it includes.
    pub last_decision: Option<i64>,
    /// The newest matching run whose changes it carries.
    pub match_run: Option<i64>,
    /// Strong validator: hex SHA-256 of the encoded index (first 16 bytes).
    pub etag: String,
    /// The encoded index, gzipped.
    pub gzip: Vec<u8>,
    /// Size before compression.
    pub encoded_len: usize,
    pub people: usize,
    pub companies: usize,
}

/// Why the index could not be built.
#[derive(Debug, thiserror::Error)]
pub enum IndexBuildError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("building the badge index stopped unexpectedly: {0}")]
    Worker(String),
    #[error("compressing the badge index failed: {0}")]
    Compress(std::io::Error),
    #[error("the stored match model is damaged: {0}")]
    Model(String),
}

/// The indexes built, one per visibility group (`all` under the `everyone` policy, else
/// one per set of visible owners), shared by requests; building holds the lock, so
/// concurrent requests after an import wait for one build instead of starting their own.
#[derive(Default)]
pub struct IndexCache {
    current: tokio::sync::Mutex<HashMap<String, Arc<ServedIndex>>>,
}

/// Most visibility groups kept built at once; past it the cache starts afresh.
const MAX_GROUPS: usize = 256;

/// The cache key of a visibility group.
fn group_key(owners: Option<&HashSet<String>>) -> String {
    match owners {
        None => "all".into(),
        Some(owners) => {
            let mut sorted: Vec<&String> = owners.iter().collect();
            sorted.sort();
            let digest = Sha256::digest(sorted.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",").as_bytes());
            digest[..16].iter().map(|b| format!("{b:02x}")).collect()
        }
    }
}

impl IndexCache {
    /// The index for the latest finished import as `owners` may see it (`None`: every
    /// record), built if needed; `None` before the first import.
    #[tracing::instrument(name = "badge_index", skip_all)]
    pub async fn current(
        &self,
        state: &AppState,
        owners: Option<HashSet<String>>,
    ) -> Result<Option<Arc<ServedIndex>>, IndexBuildError> {
        let Some(run) = state.store.last_finished_run().await? else {
            return Ok(None);
        };
        let version = u64::try_from(run).unwrap_or_default();
        let last_decision = state.store.last_decision_id().await?;
        let match_run = state.store.last_match_change().await?;
        let key = group_key(owners.as_ref());
        let mut current = self.current.lock().await;
        let fresh = |s: &&Arc<ServedIndex>| {
            s.version == version && s.last_decision == last_decision && s.match_run == match_run
        };
        if let Some(served) = current.get(&key).filter(fresh) {
            return Ok(Some(served.clone()));
        }
        let started = std::time::Instant::now();
        let limited = owners.is_some();
        let (writer, shown) =
            collect(state.store.as_ref(), IndexWriter::new(version, hash_key(state).await?), owners).await?;
        let decisions = state.store.decisions().await?;
        let last_decision = decisions.last().map(|d| d.id);
        // A rep who may not see a record gets no decision about it either.
        let decisions: Vec<Decision> = decisions
            .iter()
            .filter(|d| !limited || shown.contains(&d.crm_id))
            .filter_map(crate::directory::matching::decision_of)
            .collect();
        let matches = relay_matches(state.store.as_ref(), None, limited.then_some(&shown)).await?;
        let params = current_params(state.store.as_ref()).await?;
        let served =
            tokio::task::spawn_blocking(move || serve(&writer, version, &params, &decisions, last_decision, &matches))
                .await
                .map_err(|e| IndexBuildError::Worker(e.to_string()))?
                .map_err(IndexBuildError::Compress)?;
        tracing::info!(
            version,
            group = %key,
            people = served.people,
            companies = served.companies,
            bytes = served.encoded_len,
            gzip_bytes = served.gzip.len(),
            seconds = started.elapsed().as_secs_f64(),
            "badge index built"
        );
        let served = Arc::new(served);
        if current.len() >= MAX_GROUPS || current.values().any(|s| s.version != version) {
            current.clear();
        }
        current.insert(key, served.clone());
        Ok(Some(served))
    }

    /// Drops the cached indexes (the org was disconnected and its data purged, or the
    /// visibility setting changed).
    pub async fn clear(&self) {
        self.current.lock().await.clear();
    }
}

/// Rows read per query while building (each page is normalised, then dropped).
const PAGE: i64 = 5_000;

/// Calls `each` with every row of `object`, a page at a time.
pub(crate) async fn for_pages(
    store: &dyn Store,
    object: &str,
    mut each: impl FnMut(&[CrmRow]),
) -> Result<(), StoreError> {
    let mut after = String::new();
    loop {
        let page = store.rows_after(object, &after, PAGE).await?;
        let Some(last) = page.last() else { return Ok(()) };
        after = last.id.clone();
        each(&page);
        if (page.len() as i64) < PAGE {
            return Ok(());
        }
    }
}

/// The org's accounts, contacts and leads that `owners` may see (all with `None`),
/// normalised, labelled and hashed into `writer`, reading the store a page at a time
/// (accounts first: contacts take their names); also the ids of the records written, when
/// limited, for filtering decisions.
async fn collect(
    store: &dyn Store,
    mut writer: IndexWriter,
    owners: Option<HashSet<String>>,
) -> Result<(IndexWriter, HashSet<String>), StoreError> {
    let limited = owners.is_some();
    let mut names = Names::of_users(&store.rows("User").await?).only_owned_by(owners);
    let mut shown: HashSet<String> = HashSet::new();
    let mut keep = |ids: &[CrmRow], hidden: &[String]| {
        if limited {
            let hidden: HashSet<&String> = hidden.iter().collect();
            shown.extend(ids.iter().filter(|r| !hidden.contains(&r.id)).map(|r| r.id.clone()));
        }
    };
    for_pages(store, "Account", |rows| {
        names.add_accounts(rows);
        let l = labelled(&names, rows, &[], &[], |_| false);
        keep(rows, &l.hidden);
        for (record, label) in l.companies {
            writer.add_company(record, label);
        }
    })
    .await?;
    let mut contact_ids: HashSet<String> = HashSet::new();
    for_pages(store, "Contact", |rows| {
        contact_ids.extend(rows.iter().map(|r| r.id.clone()));
        let l = labelled(&names, &[], rows, &[], |_| false);
        keep(rows, &l.hidden);
        for (record, label) in l.people {
            writer.add_person(record, label);
        }
    })
    .await?;
    for_pages(store, "Lead", |rows| {
        let l = labelled(&names, &[], &[], rows, |id| contact_ids.contains(id));
        keep(rows, &l.hidden);
        for (record, label) in l.people {
            writer.add_person(record, label);
        }
    })
    .await?;
    Ok((writer, shown))
}

/// The parameters browsers score with: the org-wide matcher's current models (the spec's
/// defaults before the first pass).
pub(crate) async fn current_params(store: &dyn Store) -> Result<(Params, Params), IndexBuildError> {
    let (mut person, mut company) = default_params();
    for (entity, params) in [("person", &mut person), ("company", &mut company)] {
        if let Some(m) = store.latest_match_model(entity).await? {
            *params = serde_json::from_str(&m.params_json)
                .map_err(|e| IndexBuildError::Model(format!("model {} of {entity}: {e}", m.version)))?;
        }
    }
    Ok((person, company))
}

/// The matcher's automatic links for the index: all of them (`since` = `None`), or those
/// changed after matching run `since` (a record no longer linked comes with an empty
/// profile); only records in `shown` when given. Converted leads standing as their
/// contact are left out: the contact carries the link.
pub(crate) async fn relay_matches(
    store: &dyn Store,
    since: Option<i64>,
    shown: Option<&HashSet<String>>,
) -> Result<RelayMatches, StoreError> {
    let seq = store.last_match_change().await?.unwrap_or(0);
    let rows = match since {
        Some(since) => store.match_outcomes_since(since).await?,
        None => store.match_outcomes().await?,
    };
    let links = rows
        .into_iter()
        .filter(|r| r.folded_into.is_none() && shown.is_none_or(|s| s.contains(&r.crm_id)))
        .filter_map(|r| {
            let linked = r.state == "auto" && r.network_id.is_some();
            (linked || since.is_some()).then(|| RelayMatch {
                network_id: if linked { r.network_id.unwrap_or_default() } else { String::new() },
                probability: if linked { r.probability } else { 0.0 },
                crm_id: r.crm_id,
            })
        })
        .collect();
    Ok(RelayMatches { seq: u64::try_from(seq).unwrap_or_default(), links })
}

fn serve(
    writer: &IndexWriter,
    version: u64,
    params: &(Params, Params),
    decisions: &[Decision],
    last_decision: Option<i64>,
    matches: &RelayMatches,
) -> std::io::Result<ServedIndex> {
    let encoded = writer.encode((&params.0, &params.1), decisions, matches);
    let digest = Sha256::digest(&encoded);
    let etag = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let mut gz = GzEncoder::new(Vec::with_capacity(encoded.len() / 3), flate2::Compression::default());
    gz.write_all(&encoded)?;
    let gzip = gz.finish()?;
    let (people, companies) = writer.len();
    let match_run = (matches.seq > 0).then_some(matches.seq as i64);
    Ok(ServedIndex { version, last_decision, match_run, etag, gzip, encoded_len: encoded.len(), people, companies })
}

/// The org's index hash key, made on first use.
pub(crate) async fn hash_key(state: &AppState) -> Result<HashKey, StoreError> {
    let secret = match state.store.org_setting(HASH_KEY_SETTING).await? {
        Some(secret) => secret,
        None => {
            let secret = random_token(16);
            state.store.set_org_setting(HASH_KEY_SETTING, &secret).await?;
            secret
        }
    };
    let digest = Sha256::digest(secret.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    Ok(key)
}
