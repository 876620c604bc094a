//! Facts about the relay itself that outlive one connection (`relay_facts`): which org
//! the stored data belongs to, and the sealed one-time setup code. Also the session
//! clean-up that security needs. One SQL text for both backends, `?` numbered for
//! PostgreSQL by the backend's `$sql`.

use async_trait::async_trait;

use super::StoreError;

/// `relay_facts` key: the 18-character id of the org whose data the store holds.
pub const DATA_ORG_ID: &str = "data_org_id";
/// `relay_facts` key: the sealed one-time setup code for the first connect.
pub const SETUP_CODE: &str = "setup_code";
/// The connected org's My Domain URL, as its identity named it at the last connect.
pub const MY_DOMAIN_URL: &str = "my_domain_url";

/// Every table a disconnect with clean-up empties, in the order it does so: imported rows
/// and what derives from them, the directory and its history, the activity queue and the
/// org's users' seats and switches (a later org has other users), page health reports.
pub const PURGED_TABLES: &[&str] = &[
    "crm_records",
    "crm_deletions",
    "sync_state",
    "sync_runs",
    "match_decisions",
    "crm_matches",
    "match_models",
    "match_runs",
    "saved_lists",
    "saved_entries",
    "saved_removals",
    "autosave_users",
    "list_alerts",
    "documents",
    "document_views",
    "network_profiles",
    "network_profile_history",
    "activities",
    "writeback_users",
    "seats",
    "page_health",
    "web_sessions",
    "admins",
    "audit_log",
    "api_usage",
];

/// Relay facts and session housekeeping.
#[async_trait]
pub trait FactStore: Send + Sync {
    /// The fact stored under `key`.
    async fn fact(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Stores (or replaces) a fact.
    async fn set_fact(&self, key: &str, value: &str) -> Result<(), StoreError>;
    /// Forgets a fact; true when one was stored.
    async fn delete_fact(&self, key: &str) -> Result<bool, StoreError>;
    /// Ends every browser and API session (the org changed, or a disconnect).
    async fn delete_all_sessions(&self) -> Result<u64, StoreError>;
    /// Deletes sessions that expired before `now_ms`.
    async fn delete_expired_sessions(&self, now_ms: i64) -> Result<u64, StoreError>;
    /// Takes the lease `name` for `holder` until `expires_at_ms` when nobody holds it (or
    /// the holder's lease ran out, or `holder` holds it already: then it is extended);
    /// false when another holder has it.
    async fn try_lock(&self, name: &str, holder: &str, now_ms: i64, expires_at_ms: i64) -> Result<bool, StoreError>;
    /// Gives the lease back (only `holder`'s).
    async fn unlock(&self, name: &str, holder: &str) -> Result<(), StoreError>;
    /// Who holds the lease `name`, and until when.
    async fn lock_holder(&self, name: &str) -> Result<Option<(String, i64)>, StoreError>;
    /// Moves the lease from `from` (a holder known to be gone) to `to`; false when `from`
    /// no longer holds it.
    async fn take_over_lock(&self, name: &str, from: &str, to: &str, expires_at_ms: i64) -> Result<bool, StoreError>;
    /// Forgets leases that ran out before `now_ms` (a run-out lease is free either way).
    async fn delete_expired_locks(&self, now_ms: i64) -> Result<u64, StoreError>;
}

/// Implements [`FactStore`] for a backend whose struct has a `pool` field.
macro_rules! impl_fact_store {
    ($store:ty, $sql:path) => {
        #[async_trait::async_trait]
        impl $crate::store::facts::FactStore for $store {
            async fn fact(&self, key: &str) -> Result<Option<String>, StoreError> {
                let row = sqlx::query(&$sql("SELECT value FROM relay_facts WHERE key = ?"))
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(query_err("reading a relay fact"))?;
                Ok(row.map(|r| r.get(0)))
            }

            async fn set_fact(&self, key: &str, value: &str) -> Result<(), StoreError> {
                let sql = $sql(
                    "INSERT INTO relay_facts (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                );
                sqlx::query(&sql)
                    .bind(key)
                    .bind(value)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("saving a relay fact"))?;
                Ok(())
            }

            async fn delete_fact(&self, key: &str) -> Result<bool, StoreError> {
                let done = sqlx::query(&$sql("DELETE FROM relay_facts WHERE key = ?"))
                    .bind(key)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("forgetting a relay fact"))?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_all_sessions(&self) -> Result<u64, StoreError> {
                let done = sqlx::query("DELETE FROM web_sessions")
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("ending every session"))?;
                Ok(done.rows_affected())
            }

            async fn try_lock(
                &self,
                name: &str,
                holder: &str,
                now_ms: i64,
                expires_at_ms: i64,
            ) -> Result<bool, StoreError> {
                let sql = $sql(
                    "INSERT INTO locks (name, holder, expires_at_ms) VALUES (?, ?, ?) \
                     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms \
                     WHERE locks.expires_at_ms < ? OR locks.holder = excluded.holder",
                );
                let done = sqlx::query(&sql)
                    .bind(name)
                    .bind(holder)
                    .bind(expires_at_ms)
                    .bind(now_ms)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("taking a lease"))?;
                Ok(done.rows_affected() > 0)
            }

            async fn unlock(&self, name: &str, holder: &str) -> Result<(), StoreError> {
                sqlx::query(&$sql("DELETE FROM locks WHERE name = ? AND holder = ?"))
                    .bind(name)
                    .bind(holder)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("giving a lease back"))?;
                Ok(())
            }

            async fn lock_holder(&self, name: &str) -> Result<Option<(String, i64)>, StoreError> {
                let row = sqlx::query(&$sql("SELECT holder, expires_at_ms FROM locks WHERE name = ?"))
                    .bind(name)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(query_err("reading a lease"))?;
                Ok(row.map(|r| (r.get(0), r.get(1))))
            }

            async fn take_over_lock(
                &self,
                name: &str,
                from: &str,
                to: &str,
                expires_at_ms: i64,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(&$sql("UPDATE locks SET holder = ?, expires_at_ms = ? WHERE name = ? AND holder = ?"))
                    .bind(to)
                    .bind(expires_at_ms)
                    .bind(name)
                    .bind(from)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("taking over a lease"))?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_expired_locks(&self, now_ms: i64) -> Result<u64, StoreError> {
                let done = sqlx::query(&$sql("DELETE FROM locks WHERE expires_at_ms < ?"))
                    .bind(now_ms)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("deleting run-out leases"))?;
                Ok(done.rows_affected())
            }

            async fn delete_expired_sessions(&self, now_ms: i64) -> Result<u64, StoreError> {
                let done = sqlx::query(&$sql("DELETE FROM web_sessions WHERE expires_at_ms <= ?"))
                    .bind(now_ms)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("deleting expired sessions"))?;
                Ok(done.rows_affected())
            }
        }
    };
}
pub(super) use impl_fact_store;
