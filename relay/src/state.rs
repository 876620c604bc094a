//! What every handler and job shares: settings, the store, the secret box, the HTTP
//! client, and the live view of the Salesforce connection.

use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use crmsync::core::api::ApiUsage;

use crate::config::Settings;
use crate::salesforce::http_client;
use crate::secrets::SecretBox;
use crate::store::{self, Store};
use crate::LaunchError;

/// The last failed attempt to connect, shown by the admin console until one succeeds.
#[derive(Debug, Clone)]
pub struct ConnectFailure {
    pub error: String,
    pub at_ms: i64,
}

/// State shared by the router and background jobs.
pub struct AppState {
    pub settings: Settings,
    pub store: Arc<dyn Store>,
    pub secrets: SecretBox,
    pub http: reqwest::Client,
    pub last_failure: RwLock<Option<ConnectFailure>>,
    pub api_usage: RwLock<Option<ApiUsage>>,
    /// Held by an import and by disconnect, so a purge never races an import's writes.
    pub import_lock: tokio::sync::Mutex<()>,
    /// Wakes the import schedule (after a connect).
    pub import_now: tokio::sync::Notify,
    /// Held by a write-back flush, so two never overlap in one relay.
    pub flush_lock: tokio::sync::Mutex<()>,
    /// One matching pass at a time in this relay.
    pub match_lock: tokio::sync::Mutex<()>,
    /// What the last matching pass read, for the next one.
    pub matcher_cache: crate::matching::cache::MatcherCache,
    /// Wakes the write-back schedule (the admin's "flush now").
    pub flush_now: tokio::sync::Notify,
    /// The browser's badge index, built after each import.
    pub badge_index: crate::badge_index::IndexCache,
    /// Per-caller request budgets.
    pub rate_limits: crate::security::rate_limit::RateLimits,
}

impl AppState {
    /// Opens the store and the secret key named by `settings`.
    pub async fn open(settings: Settings) -> Result<Self, LaunchError> {
        let store = store::open(settings.database_url.as_deref(), &settings.data_dir).await?;
        let secrets = SecretBox::load(settings.secret_key.as_deref(), &settings.data_dir)?;
        Ok(Self {
            settings,
            store,
            secrets,
            http: http_client()?,
            last_failure: RwLock::new(None),
            api_usage: RwLock::new(None),
            import_lock: tokio::sync::Mutex::new(()),
            import_now: tokio::sync::Notify::new(),
            badge_index: crate::badge_index::IndexCache::default(),
            flush_lock: tokio::sync::Mutex::new(()),
            match_lock: tokio::sync::Mutex::new(()),
            matcher_cache: Default::default(),
            flush_now: tokio::sync::Notify::new(),
            rate_limits: Default::default(),
        })
    }

    /// Remembers (or clears) the last connection failure.
    pub fn set_failure(&self, failure: Option<ConnectFailure>) {
        if let Ok(mut slot) = self.last_failure.write() {
            *slot = failure;
        }
    }

    /// The last connection failure, if the latest attempt failed.
    pub fn failure(&self) -> Option<ConnectFailure> {
        self.last_failure.read().ok().and_then(|f| f.clone())
    }

    /// Records the org's API usage as last reported by Salesforce.
    pub fn set_api_usage(&self, usage: Option<ApiUsage>) {
        if let (Some(usage), Ok(mut slot)) = (usage, self.api_usage.write()) {
            *slot = Some(usage);
        }
    }

    /// The org's API usage as last reported.
    pub fn api_usage(&self) -> Option<ApiUsage> {
        self.api_usage.read().ok().and_then(|u| *u)
    }
}

/// Milliseconds since the Unix epoch, the relay's one clock reading.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
