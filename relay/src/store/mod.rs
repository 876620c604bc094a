//! Storage behind one trait, so the relay runs on a SQLite file by default and on a
//! shared database when one machine is not enough. Backends are picked by URL scheme.

pub mod admin;
pub mod directory;
pub mod documents;
pub mod facts;
pub mod lists;
pub mod matches;
mod migrate;
mod postgres;
pub mod records;
pub mod seats;
mod sqlite;
mod store_sql;
pub mod writeback;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;

pub use admin::{AdminRow, AdminStore, AuditEntry, QueueFilter, SeatDetail};
pub use directory::{DecisionRow, DirectoryStore, ProfileRow};
pub use documents::{DocumentRow, DocumentStore};
pub use facts::FactStore;
pub use lists::{AlertRow, AutoSaveRow, EntryRow, ListRow, ListStore};
pub use matches::{MatchModelRow, MatchOutcomeRow, MatchRunRow, MatchStore};
pub use postgres::PostgresStore;
pub use records::RecordStore;
pub use seats::SeatStore;
pub use sqlite::SqliteStore;
pub use writeback::{Changed, Outcome, QueueState, Seat, StoredActivity, WritebackStore, WritebackUser};

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
    /// A stored value this build never writes (a damaged database, or one a newer build
    /// wrote): refused rather than read as some default.
    #[error(
        "the database holds {what} {value:?}, which this build does not know; restore a backup or upgrade crmsync"
    )]
    Unknown { what: &'static str, value: String },
}

/// How the connection was obtained, which decides how an expired session is renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFlow {
    /// The connected app's Run-As user; renewed by asking again.
    ClientCredentials,
    /// A JWT signed with the relay's key for a named user; renewed by signing a new one.
    Jwt,
    /// An admin logged in from the admin page; renewed with the refresh token.
    WebServer,
}

impl AuthFlow {
    /// The stored (and shown) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientCredentials => "client_credentials",
            Self::Jwt => "jwt",
            Self::WebServer => "web_server",
        }
    }

    /// Reads a stored name (the migration's default is `client_credentials`).
    pub fn parse(name: &str) -> Result<Self, StoreError> {
        match name {
            "client_credentials" => Ok(Self::ClientCredentials),
            "jwt" => Ok(Self::Jwt),
            "web_server" => Ok(Self::WebServer),
            other => Err(StoreError::Unknown { what: "the connection's auth flow", value: other.to_string() }),
        }
    }
}

/// The org connection as stored: identity in clear, tokens sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConnection {
    pub auth_flow: AuthFlow,
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

/// A browser session the relay issued after a Salesforce login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// SHA-256 (hex) of the bearer token; the token itself is never stored.
    pub token_hash: String,
    /// `admin` for the admin console.
    pub kind: String,
    pub user_id: String,
    pub username: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// One imported row: id, fields as a JSON object text, SystemModstamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrmRow {
    pub id: String,
    pub fields_json: String,
    pub system_modstamp: String,
}

/// Where an object's import stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncState {
    pub object: String,
    pub watermark: Option<String>,
    pub last_sync_at_ms: Option<i64>,
    /// Wanted fields the org lacks, comma-separated.
    pub missing_fields: String,
}

/// Everything the relay persists. One implementation per database backend.
#[async_trait]
pub trait Store:
    WritebackStore
    + SeatStore
    + AdminStore
    + RecordStore
    + DirectoryStore
    + FactStore
    + MatchStore
    + ListStore
    + DocumentStore
    + Send
    + Sync
{
    /// Forgets the org connection (tokens included) and every browser session.
    async fn delete_connection(&self) -> Result<u64, StoreError>;
    /// Replaces the sealed access token after a renewal (the rest of the connection stays).
    async fn update_access_token(&self, access_token_sealed: &str) -> Result<(), StoreError>;
    /// Records a browser session.
    async fn create_web_session(&self, session: &WebSession) -> Result<(), StoreError>;
    /// The unexpired session with this token hash.
    async fn web_session(&self, token_hash: &str, now_ms: i64) -> Result<Option<WebSession>, StoreError>;
    /// Ends a session (sign-out).
    async fn delete_web_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Deletes every imported CRM row and everything derived from it (the tables of
    /// [`facts::PURGED_TABLES`], and which org the data was of); rows deleted per table.
    async fn purge_crm_data(&self) -> Result<Vec<(String, u64)>, StoreError>;
    /// Upserts `rows` and deletes `deleted` ids of `object` in one transaction, stamping
    /// the rows with `run`.
    async fn apply_page(&self, object: &str, run: i64, rows: Vec<CrmRow>, deleted: &[String])
        -> Result<(), StoreError>;
    /// After a full import: deletes rows of `object` the run did not see.
    async fn delete_unseen(&self, object: &str, run: i64) -> Result<u64, StoreError>;
    /// Rows stored of one object.
    async fn object_count(&self, object: &str) -> Result<i64, StoreError>;
    /// Rows stored per object.
    async fn object_counts(&self) -> Result<Vec<(String, i64)>, StoreError>;
    /// All rows of `object` (id → fields JSON), for checks and exports.
    async fn rows(&self, object: &str) -> Result<Vec<CrmRow>, StoreError>;
    /// Sync state of every object imported so far.
    async fn sync_states(&self) -> Result<Vec<SyncState>, StoreError>;
    /// Records an object's finished import.
    async fn save_sync_state(&self, state: &SyncState) -> Result<(), StoreError>;
    /// Starts a sync-log entry and returns its run id.
    async fn start_run(&self, full: bool, at_ms: i64) -> Result<i64, StoreError>;
    /// The report (JSON) of the last finished run, if any.
    async fn last_run_report(&self) -> Result<Option<String>, StoreError>;
    /// Finishes a sync-log entry with its report (JSON).
    async fn finish_run(&self, run: i64, at_ms: i64, report_json: &str) -> Result<(), StoreError>;
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
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(PostgresStore::open(url).await?))
        }
        Some(url) => Err(StoreError::UnsupportedScheme(url.split(':').next().unwrap_or_default().to_string())),
    }
}
