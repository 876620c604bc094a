//! Storage behind one trait, so the relay runs on a SQLite file by default and on a
//! shared database when one machine is not enough. Backends are picked by URL scheme.

mod migrate;
mod sqlite;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;

pub use sqlite::SqliteStore;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened; check `DATABASE_URL` or the data folder.
    #[error("cannot open the database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    /// The data folder could not be created.
    #[error("cannot create the data folder {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    /// A migration failed; the database is left at the previous version.
    #[error("database migration {version} ({name}) failed: {source}")]
    Migration { version: i64, name: &'static str, source: sqlx::Error },
    /// `DATABASE_URL` names a backend this build does not have.
    #[error(
        "DATABASE_URL scheme {0:?} is not supported (use sqlite://PATH, or leave it unset for ./data/crmsync.sqlite)"
    )]
    UnsupportedScheme(String),
    /// Any other database failure, with the operation that hit it.
    #[error("database error while {context}: {source}")]
    Query { context: &'static str, source: sqlx::Error },
}

/// The org connection as stored: identity in clear, tokens sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConnection {
    pub login_url: String,
    pub instance_url: String,
    pub org_id: String,
    pub user_id: String,
    pub username: String,
    pub api_version: String,
    /// AES-GCM sealed access token (see `secrets`).
    pub access_token_sealed: String,
    pub refresh_token_sealed: Option<String>,
    pub connected_at_ms: i64,
}

/// Everything the relay persists. One implementation per database backend.
#[async_trait]
pub trait Store: Send + Sync {
    /// Replaces the org connection (there is one org per relay).
    async fn save_connection(&self, connection: &StoredConnection) -> Result<(), StoreError>;
    /// The current org connection, if connected.
    async fn connection(&self) -> Result<Option<StoredConnection>, StoreError>;
}

/// Opens the store `database_url` names, or `<data_dir>/crmsync.sqlite` when unset.
pub async fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Arc<dyn Store>, StoreError> {
    match database_url {
        None => Ok(Arc::new(SqliteStore::open_file(&data_dir.join("crmsync.sqlite")).await?)),
        Some(url) if url.starts_with("sqlite:") => Ok(Arc::new(SqliteStore::open_url(url).await?)),
        Some(url) => Err(StoreError::UnsupportedScheme(url.split(':').next().unwrap_or_default().to_string())),
    }
}
