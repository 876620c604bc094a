//! The default store: one SQLite file in WAL mode.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::ConnectOptions as _;
use sqlx::{Row, SqlitePool};

use super::{migrate, AuthFlow, CrmRow, Store, StoreError, StoredConnection, SyncState, WebSession};

/// SQLite-backed [`Store`].
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// A write transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`), so
    /// concurrent writers wait for each other (busy timeout) instead of failing with
    /// "database is locked" when a read lock cannot be upgraded.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Opens (creating if needed) the database file at `path` and migrates it.
    pub async fn open_file(path: &Path) -> Result<Self, StoreError> {
        let data_dir_err = |dir: &Path| {
            let path = dir.display().to_string();
            move |source| StoreError::DataDir { path, source }
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::security::private_dir(dir).map_err(data_dir_err(dir))?;
        }
        let store = Self::open_with(SqliteConnectOptions::new().filename(path), &path.display().to_string()).await?;
        // The database and its WAL files: the owner's only, whatever the umask.
        for suffix in ["", "-wal", "-shm"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            crate::security::private_file(&file).map_err(data_dir_err(&file))?;
        }
        Ok(store)
    }

    /// Opens a `sqlite://…` URL and migrates it.
    pub async fn open_url(url: &str) -> Result<Self, StoreError> {
        let options =
            SqliteConnectOptions::from_str(url).map_err(|source| StoreError::Open { url: url.to_string(), source })?;
        Self::open_with(options, url).await
    }

    async fn open_with(options: SqliteConnectOptions, label: &str) -> Result<Self, StoreError> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(30))
            // 64 MiB of page cache (default 2 MiB): a large import re-reads index pages
            // from the OS otherwise. Allocated only as used.
            .page_size(16384)
            .pragma("cache_size", "-65536")
            // A whole-object statement over a million rows legitimately takes a second:
            // not worth a warning in an operator's terminal.
            .log_slow_statements(log::LevelFilter::Debug, std::time::Duration::from_secs(1));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open { url: label.to_string(), source })?;
        migrate::run_sqlite(&pool, migrate::SQLITE).await?;
        Ok(Self { pool })
    }
}

fn query_err(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { context, source }
}

impl SqliteStore {
    /// Deletes `deleted` rows of `object` and records the deletions for index deltas.
    async fn forget_deleted(
        tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
        object: &str,
        run: i64,
        deleted: &[String],
    ) -> Result<(), StoreError> {
        for id in deleted {
            sqlx::query("DELETE FROM crm_records WHERE object = ? AND id = ?")
                .bind(object)
                .bind(id)
                .execute(&mut **tx)
                .await
                .map_err(query_err("deleting an imported row"))?;
            sqlx::query(
                "INSERT INTO crm_deletions (object, id, run) VALUES (?, ?, ?) \
                 ON CONFLICT (object, id) DO UPDATE SET run = excluded.run",
            )
            .bind(object)
            .bind(id)
            .bind(run)
            .execute(&mut **tx)
            .await
            .map_err(query_err("recording a deletion"))?;
        }
        Ok(())
    }
}

super::store_sql::impl_store!(SqliteStore, sqlx::Sqlite, super::writeback::as_is);

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredConnection {
        StoredConnection {
            auth_flow: AuthFlow::WebServer,
            login_url: "https://login.salesforce.com".into(),
            instance_url: "https://acme.my.salesforce.com".into(),
            org_id: "00D5S0000003RxZUAU".into(),
            user_id: "0055S0000000001QAA".into(),
            username: "integration@acme.example".into(),
            api_version: "66.0".into(),
            access_token_sealed: "sealed".into(),
            refresh_token_sealed: None,
            connected_at_ms: 1,
        }
    }

    #[tokio::test]
    async fn save_connection_replaces_and_survives_reopen() {
        let dir = std::env::temp_dir().join(format!("crmsync-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("crmsync.sqlite");
        let store = SqliteStore::open_file(&path).await.unwrap();
        assert_eq!(store.connection().await.unwrap(), None);
        store.save_connection(&sample()).await.unwrap();
        let mut second = sample();
        second.api_version = "65.0".into();
        store.save_connection(&second).await.unwrap();
        drop(store);
        let reopened = SqliteStore::open_file(&path).await.unwrap();
        assert_eq!(reopened.connection().await.unwrap(), Some(second));
    }
}

super::writeback::impl_writeback_store!(SqliteStore, sqlx::sqlite::SqliteRow, super::writeback::as_is);
super::records::impl_record_store!(SqliteStore, super::writeback::as_is);
super::directory::impl_directory_store!(SqliteStore, sqlx::sqlite::SqliteRow, super::writeback::as_is);
super::facts::impl_fact_store!(SqliteStore, super::writeback::as_is);
super::admin::impl_admin_store!(SqliteStore, super::writeback::as_is);
super::seats::impl_seat_store!(SqliteStore, super::writeback::as_is);
super::matches::impl_match_store!(SqliteStore, sqlx::sqlite::SqliteRow, super::writeback::as_is);
super::lists::impl_list_store!(SqliteStore, sqlx::sqlite::SqliteRow, super::writeback::as_is);
super::documents::impl_document_store!(SqliteStore, sqlx::sqlite::SqliteRow, super::writeback::as_is);
