//! The simulator's SQLite file: the org, issued sessions and API usage, so a restarted
//! sfsim still honours the tokens it gave out (as Salesforce sessions outlive a client).

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};

use std::collections::BTreeMap;

use crate::demo_data::SimRecord;
use crate::error::SimError;
use crate::org::DemoOrg;

/// A stored record as queries see it.
pub struct StoredRecord {
    pub fields: BTreeMap<String, Option<String>>,
    pub deleted: bool,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS org (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    access_token TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    issued_at_ms INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS records (
    object TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    modstamp TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (object, id)
);
CREATE INDEX IF NOT EXISTS records_by_modstamp ON records (object, modstamp);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS session_parents (access_token TEXT PRIMARY KEY, refresh_token TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS connected_app (id INTEGER PRIMARY KEY CHECK (id = 1), jwt_certificate TEXT);
CREATE TABLE IF NOT EXISTS api_usage (id INTEGER PRIMARY KEY CHECK (id = 1), used INTEGER NOT NULL);
INSERT OR IGNORE INTO api_usage (id, used) VALUES (1, 0);
";

/// Handle to `sfsim.sqlite`.
pub struct SimStore {
    pool: SqlitePool,
}

fn store_err(context: &'static str) -> impl FnOnce(sqlx::Error) -> SimError {
    move |source| SimError::Store { context, source }
}

impl SimStore {
    /// Opens or creates `<dir>/sfsim.sqlite`.
    pub async fn open(dir: &Path) -> Result<Self, SimError> {
        std::fs::create_dir_all(dir).map_err(|source| SimError::DataDir { path: dir.display().to_string(), source })?;
        let options = SqliteConnectOptions::new()
            .filename(dir.join("sfsim.sqlite"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal);
        let pool =
            SqlitePoolOptions::new().max_connections(4).connect_with(options).await.map_err(store_err("open"))?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await.map_err(store_err("create schema"))?;
        Ok(Self { pool })
    }

    /// The persisted org, if this folder has been seeded before.
    pub async fn load_org(&self) -> Result<Option<DemoOrg>, SimError> {
        let row = sqlx::query("SELECT body FROM org WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(store_err("load org"))?;
        Ok(row.and_then(|r| serde_json::from_str(r.get::<&str, _>(0)).ok()))
    }

    /// Persists a freshly generated org.
    pub async fn save_org(&self, org: &DemoOrg) -> Result<(), SimError> {
        let body = serde_json::to_string(org).unwrap_or_default();
        sqlx::query("INSERT OR REPLACE INTO org (id, body) VALUES (1, ?)")
            .bind(body)
            .execute(&self.pool)
            .await
            .map_err(store_err("save org"))?;
        Ok(())
    }

    /// Records a session token issued to `user_id`.
    pub async fn insert_session(
        &self,
        token: &str,
        user_id: &str,
        client_id: &str,
        issued_at_ms: i64,
    ) -> Result<(), SimError> {
        sqlx::query("INSERT INTO sessions (access_token, user_id, client_id, issued_at_ms) VALUES (?, ?, ?, ?)")
            .bind(token)
            .bind(user_id)
            .bind(client_id)
            .bind(issued_at_ms)
            .execute(&self.pool)
            .await
            .map_err(store_err("insert session"))?;
        Ok(())
    }

    /// The user a live (not revoked) session token belongs to.
    pub async fn session_user(&self, token: &str) -> Result<Option<String>, SimError> {
        let row = sqlx::query("SELECT user_id FROM sessions WHERE access_token = ? AND revoked = 0")
            .bind(token)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_err("look up session"))?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Inserts or replaces records, in one transaction.
    pub async fn put_records(&self, records: &[SimRecord]) -> Result<(), SimError> {
        let mut tx = self.pool.begin().await.map_err(store_err("begin"))?;
        for r in records {
            sqlx::query("INSERT OR REPLACE INTO records (object, id, body, modstamp, deleted) VALUES (?, ?, ?, ?, 0)")
                .bind(r.object)
                .bind(&r.id)
                .bind(serde_json::to_string(&r.fields).unwrap_or_default())
                .bind(r.get("SystemModstamp").unwrap_or_default())
                .execute(&mut *tx)
                .await
                .map_err(store_err("insert record"))?;
        }
        tx.commit().await.map_err(store_err("commit records"))
    }

    /// How many records the org holds.
    pub async fn count_records(&self) -> Result<i64, SimError> {
        sqlx::query_scalar("SELECT COUNT(*) FROM records")
            .fetch_one(&self.pool)
            .await
            .map_err(store_err("count records"))
    }

    /// Records of `object` changed after `since` (all when `None`), oldest change first;
    /// deleted ones only when `include_deleted` (queryAll).
    pub async fn records(
        &self,
        object: &str,
        since: Option<&str>,
        include_deleted: bool,
    ) -> Result<Vec<StoredRecord>, SimError> {
        let rows = sqlx::query(
            "SELECT body, deleted FROM records WHERE object = ? AND modstamp > ? AND (deleted = 0 OR ?) ORDER BY modstamp, id",
        )
        .bind(object)
        .bind(since.unwrap_or(""))
        .bind(include_deleted)
        .fetch_all(&self.pool)
        .await
        .map_err(store_err("query records"))?;
        Ok(rows
            .into_iter()
            .map(|r| StoredRecord {
                fields: serde_json::from_str(r.get::<&str, _>(0)).unwrap_or_default(),
                deleted: r.get::<i64, _>(1) != 0,
            })
            .collect())
    }

    /// Changes, adds (copies with new ids) and deletes records of `object`, stamping them
    /// `now`; returns the ids touched in each group.
    pub async fn mutate(
        &self,
        object: &str,
        changed: usize,
        added: usize,
        deleted: usize,
        now: &str,
    ) -> Result<(Vec<String>, Vec<String>, Vec<String>), SimError> {
        let live = self.records(object, None, false).await?;
        let mut tx = self.pool.begin().await.map_err(store_err("begin mutation"))?;
        let mut out = (Vec::new(), Vec::new(), Vec::new());
        let prefix: String = live
            .first()
            .and_then(|r| r.fields.get("Id").cloned().flatten())
            .unwrap_or_default()
            .chars()
            .take(3)
            .collect();
        let next: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE object = ?")
            .bind(object)
            .fetch_one(&mut *tx)
            .await
            .map_err(store_err("count for new ids"))?;
        let stamped = |mut fields: BTreeMap<String, Option<String>>| {
            fields.insert("SystemModstamp".into(), Some(now.to_string()));
            fields.insert("LastModifiedDate".into(), Some(now.to_string()));
            fields
        };
        for r in live.iter().take(changed) {
            let mut fields = stamped(r.fields.clone());
            let key = if fields.contains_key("Title") { "Title" } else { "Name" };
            fields.insert(key.into(), Some(format!("Changed at {now}")));
            let id = fields.get("Id").cloned().flatten().unwrap_or_default();
            sqlx::query("UPDATE records SET body = ?, modstamp = ? WHERE object = ? AND id = ?")
                .bind(serde_json::to_string(&fields).unwrap_or_default())
                .bind(now)
                .bind(object)
                .bind(&id)
                .execute(&mut *tx)
                .await
                .map_err(store_err("change record"))?;
            out.0.push(id);
        }
        for (n, r) in live.iter().skip(changed).take(added).enumerate() {
            let id = crate::ids::make_id(&prefix, 1_000_000 + next as u64 + n as u64);
            let mut fields = stamped(r.fields.clone());
            fields.insert("Id".into(), Some(id.clone()));
            fields.insert("CreatedDate".into(), Some(now.to_string()));
            sqlx::query("INSERT INTO records (object, id, body, modstamp, deleted) VALUES (?, ?, ?, ?, 0)")
                .bind(object)
                .bind(&id)
                .bind(serde_json::to_string(&fields).unwrap_or_default())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(store_err("add record"))?;
            out.1.push(id);
        }
        for r in live.iter().rev().take(deleted) {
            let id = r.fields.get("Id").cloned().flatten().unwrap_or_default();
            sqlx::query("UPDATE records SET deleted = 1, modstamp = ? WHERE object = ? AND id = ?")
                .bind(now)
                .bind(object)
                .bind(&id)
                .execute(&mut *tx)
                .await
                .map_err(store_err("delete record"))?;
            out.2.push(id);
        }
        tx.commit().await.map_err(store_err("commit mutation"))?;
        Ok(out)
    }

    /// Revokes one session; false when it was unknown or already revoked.
    pub async fn revoke_session(&self, token: &str) -> Result<bool, SimError> {
        let done = sqlx::query("UPDATE sessions SET revoked = 1 WHERE access_token = ? AND revoked = 0")
            .bind(token)
            .execute(&self.pool)
            .await
            .map_err(store_err("revoke session"))?;
        Ok(done.rows_affected() > 0)
    }

    /// Records a refresh token issued to `user_id` with the scope granted.
    pub async fn insert_refresh_token(&self, token: &str, user_id: &str, scope: &str) -> Result<(), SimError> {
        sqlx::query("INSERT INTO refresh_tokens (token, user_id, scope) VALUES (?, ?, ?)")
            .bind(token)
            .bind(user_id)
            .bind(scope)
            .execute(&self.pool)
            .await
            .map_err(store_err("insert refresh token"))?;
        Ok(())
    }

    /// Notes that `access_token` was issued from `refresh_token`, so revoking the latter
    /// revokes the former.
    pub async fn link_session(&self, access_token: &str, refresh_token: &str) -> Result<(), SimError> {
        sqlx::query("INSERT OR REPLACE INTO session_parents (access_token, refresh_token) VALUES (?, ?)")
            .bind(access_token)
            .bind(refresh_token)
            .execute(&self.pool)
            .await
            .map_err(store_err("link session"))?;
        Ok(())
    }

    /// The user and scope of a live refresh token.
    pub async fn refresh_token_grant(&self, token: &str) -> Result<Option<(String, String)>, SimError> {
        let row = sqlx::query("SELECT user_id, scope FROM refresh_tokens WHERE token = ? AND revoked = 0")
            .bind(token)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_err("look up refresh token"))?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    /// Revokes a refresh token and every access token issued from it; false when it was
    /// not a live refresh token.
    pub async fn revoke_refresh_token(&self, token: &str) -> Result<bool, SimError> {
        let mut tx = self.pool.begin().await.map_err(store_err("begin revoke"))?;
        let done = sqlx::query("UPDATE refresh_tokens SET revoked = 1 WHERE token = ? AND revoked = 0")
            .bind(token)
            .execute(&mut *tx)
            .await
            .map_err(store_err("revoke refresh token"))?;
        sqlx::query(
            "UPDATE sessions SET revoked = 1 WHERE access_token IN \
             (SELECT access_token FROM session_parents WHERE refresh_token = ?)",
        )
        .bind(token)
        .execute(&mut *tx)
        .await
        .map_err(store_err("revoke sessions of refresh token"))?;
        tx.commit().await.map_err(store_err("commit revoke"))?;
        Ok(done.rows_affected() > 0)
    }

    /// The connected app's certificate for the JWT bearer flow (PEM), if one was uploaded.
    pub async fn jwt_certificate(&self) -> Result<Option<String>, SimError> {
        let row = sqlx::query("SELECT jwt_certificate FROM connected_app WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(store_err("read certificate"))?;
        Ok(row.and_then(|r| r.get(0)))
    }

    /// Uploads the connected app's certificate (PEM).
    pub async fn set_jwt_certificate(&self, pem: &str) -> Result<(), SimError> {
        sqlx::query("INSERT OR REPLACE INTO connected_app (id, jwt_certificate) VALUES (1, ?)")
            .bind(pem)
            .execute(&self.pool)
            .await
            .map_err(store_err("save certificate"))?;
        Ok(())
    }

    /// Expires every issued session (clients must log in again).
    pub async fn revoke_all_sessions(&self) -> Result<(), SimError> {
        sqlx::query("UPDATE sessions SET revoked = 1")
            .execute(&self.pool)
            .await
            .map_err(store_err("revoke sessions"))?;
        Ok(())
    }

    /// API calls counted so far.
    pub async fn api_calls(&self) -> Result<u64, SimError> {
        let row = sqlx::query("SELECT used FROM api_usage WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(store_err("read api usage"))?;
        Ok(row.get::<i64, _>(0).max(0) as u64)
    }

    /// Sets the API calls counted (tests rewind or exhaust the daily allowance).
    pub async fn set_api_calls(&self, used: u64) -> Result<(), SimError> {
        sqlx::query("UPDATE api_usage SET used = ? WHERE id = 1")
            .bind(used as i64)
            .execute(&self.pool)
            .await
            .map_err(store_err("set api usage"))?;
        Ok(())
    }

    /// Counts one API call and returns the new total.
    pub async fn count_api_call(&self) -> Result<u64, SimError> {
        let row = sqlx::query("UPDATE api_usage SET used = used + 1 WHERE id = 1 RETURNING used")
            .fetch_one(&self.pool)
            .await
            .map_err(store_err("count api call"))?;
        Ok(row.get::<i64, _>(0).max(0) as u64)
    }
}
