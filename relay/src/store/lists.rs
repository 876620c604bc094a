//! Saved lists: reps' manual lists, every list's entries, removals by hand (which the
//! auto-save rules honour), each rep's auto-save choices, and alerts on saved people.
//! One SQL text for both backends, `?` numbered for PostgreSQL by the backend's `$sql`.

use async_trait::async_trait;

use super::writeback::Changed;
use super::StoreError;

/// A list a rep made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub id: i64,
    pub user_id: String,
    pub name: String,
    pub created_at_ms: i64,
}

/// One saved entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    pub user_id: String,
    /// `accounts`, `people`, or a manual list's number.
    pub list_id: String,
    /// The CRM id, or the network id of a profile or company not in the CRM.
    pub entry_key: String,
    /// `Account`, `Contact`, `Lead`, or `person` / `company` for a network-only entry.
    pub object: String,
    /// The name when saved (the current imported name is shown while there is one).
    pub name: String,
    /// The profile named when saved by hand.
    pub network_id: Option<String>,
    pub reason: String,
    /// What saved it: an opportunity id, `owned`, or `hand`.
    pub source_key: String,
    pub saved_at_ms: i64,
    /// The import run that saved it (none: by hand).
    pub run: Option<i64>,
}

/// A rep's auto-save choices as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoSaveRow {
    pub user_id: String,
    pub enabled: bool,
    pub accounts_rule: String,
}

/// An alert on a saved person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRow {
    pub id: i64,
    pub user_id: String,
    pub crm_id: String,
    pub network_id: String,
    /// `company`, `title` or `location`.
    pub field: String,
    pub crm_value: String,
    pub network_value: String,
    pub created_at_ms: i64,
    pub read_at_ms: Option<i64>,
}

/// The saved lists' tables.
#[async_trait]
pub trait ListStore: Send + Sync {
    /// The lists `user_id` made, oldest first.
    async fn manual_lists(&self, user_id: &str) -> Result<Vec<ListRow>, StoreError>;
    /// Makes a list; `None` when the rep already has one of that name.
    async fn create_list(&self, user_id: &str, name: &str, now_ms: i64) -> Result<Option<i64>, StoreError>;
    /// Every entry of `user_id`, oldest first.
    async fn entries_of(&self, user_id: &str) -> Result<Vec<EntryRow>, StoreError>;
    /// Every entry (of any rep) whose key is one of `keys`.
    async fn entries_with_keys(&self, keys: &[String]) -> Result<Vec<EntryRow>, StoreError>;
    /// Every entry of every rep (the ROI report's saved-list influence).
    async fn all_entries(&self) -> Result<Vec<EntryRow>, StoreError>;
    /// Every entry's (user, list, key), for the auto-save rules.
    async fn entry_keys(&self) -> Result<Vec<(String, String, String)>, StoreError>;
    /// Every removal by hand's (user, list, key, source).
    async fn removals(&self) -> Result<Vec<(String, String, String, String)>, StoreError>;
    /// Adds entries not saved yet; answers how many were new.
    async fn add_entries(&self, rows: &[EntryRow]) -> Result<u64, StoreError>;
    /// Removes an entry by hand and remembers the removal for each of `sources`, at once.
    async fn remove_entry(
        &self,
        user_id: &str,
        list_id: &str,
        entry_key: &str,
        sources: &[String],
        now_ms: i64,
    ) -> Result<Changed, StoreError>;
    /// Entries saved by import `run`.
    async fn entries_saved_by(&self, run: i64) -> Result<i64, StoreError>;
    /// Every rep's stored choices.
    async fn autosave_rows(&self) -> Result<Vec<AutoSaveRow>, StoreError>;
    /// An admin's switch for one rep.
    async fn set_autosave_enabled(&self, user_id: &str, enabled: bool, now_ms: i64) -> Result<(), StoreError>;
    /// A rep's own accounts rule.
    async fn set_accounts_rule(&self, user_id: &str, rule: &str, now_ms: i64) -> Result<(), StoreError>;
    /// Stores alerts.
    async fn add_alerts(&self, rows: &[AlertRow]) -> Result<(), StoreError>;
    /// The newest `limit` alerts of `user_id`, newest first.
    async fn alerts_of(&self, user_id: &str, limit: i64) -> Result<Vec<AlertRow>, StoreError>;
    /// Marks one of the rep's alerts read.
    async fn mark_alert_read(&self, user_id: &str, id: i64, now_ms: i64) -> Result<Changed, StoreError>;
}

/// Columns of [`EntryRow`].
pub(super) const ENTRY_COLUMNS: &str =
    "user_id, list_id, entry_key, object, name, network_id, reason, source_key, saved_at_ms, run";
/// Columns of [`AlertRow`].
pub(super) const ALERT_COLUMNS: &str =
    "id, user_id, crm_id, network_id, field, crm_value, network_value, created_at_ms, read_at_ms";
/// Entries written per statement (10 values each, under both backends' parameter limits).
pub(super) const ENTRIES_PER_STATEMENT: usize = 500;

/// Implements [`ListStore`] for a backend whose struct has a `pool` field and a
/// `begin_write` (and the write-back store's `changed` in scope).
macro_rules! impl_list_store {
    ($store:ty, $row:ty, $sql:path) => {
        fn entry_row(r: &$row) -> $crate::store::lists::EntryRow {
            $crate::store::lists::EntryRow {
                user_id: r.get(0),
                list_id: r.get(1),
                entry_key: r.get(2),
                object: r.get(3),
                name: r.get(4),
                network_id: r.get(5),
                reason: r.get(6),
                source_key: r.get(7),
                saved_at_ms: r.get(8),
                run: r.get(9),
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::lists::ListStore for $store {
            async fn manual_lists(&self, user_id: &str) -> Result<Vec<$crate::store::lists::ListRow>, StoreError> {
                let rows = sqlx::query(&$sql(
                    "SELECT id, user_id, name, created_at_ms FROM saved_lists WHERE user_id = ? ORDER BY id",
                ))
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(query_err("reading saved lists"))?;
                Ok(rows
                    .iter()
                    .map(|r| $crate::store::lists::ListRow {
                        id: r.get(0),
                        user_id: r.get(1),
                        name: r.get(2),
                        created_at_ms: r.get(3),
                    })
                    .collect())
            }

            async fn create_list(&self, user_id: &str, name: &str, now_ms: i64) -> Result<Option<i64>, StoreError> {
                let row = sqlx::query(&$sql(
                    "INSERT INTO saved_lists (user_id, name, created_at_ms) VALUES (?, ?, ?) \
                     ON CONFLICT (user_id, name) DO NOTHING RETURNING id",
                ))
                .bind(user_id)
                .bind(name)
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await
                .map_err(query_err("making a saved list"))?;
                Ok(row.map(|r| r.get(0)))
            }

            async fn entries_of(&self, user_id: &str) -> Result<Vec<$crate::store::lists::EntryRow>, StoreError> {
                let sql = $sql(&format!(
                    "SELECT {} FROM saved_entries WHERE user_id = ? ORDER BY saved_at_ms, list_id, entry_key",
                    $crate::store::lists::ENTRY_COLUMNS
                ));
                let rows =
                    sqlx::query(&sql).bind(user_id).fetch_all(&self.pool).await.map_err(query_err("reading saved entries"))?;
                Ok(rows.iter().map(entry_row).collect())
            }

            async fn entries_with_keys(&self, keys: &[String]) -> Result<Vec<$crate::store::lists::EntryRow>, StoreError> {
                let mut out = Vec::new();
                for chunk in keys.chunks($crate::store::lists::ENTRIES_PER_STATEMENT) {
                    let sql = $sql(&format!(
                        "SELECT {} FROM saved_entries WHERE entry_key IN ({}) ORDER BY user_id, list_id, entry_key",
                        $crate::store::lists::ENTRY_COLUMNS,
                        vec!["?"; chunk.len()].join(", ")
                    ));
                    let mut query = sqlx::query(&sql);
                    for k in chunk {
                        query = query.bind(k);
                    }
                    let rows = query.fetch_all(&self.pool).await.map_err(query_err("reading saved entries"))?;
                    out.extend(rows.iter().map(entry_row));
                }
                Ok(out)
            }

            async fn all_entries(&self) -> Result<Vec<$crate::store::lists::EntryRow>, StoreError> {
                let sql = format!("SELECT {} FROM saved_entries ORDER BY user_id, list_id, entry_key", $crate::store::lists::ENTRY_COLUMNS);
                let rows = sqlx::query(&sql).fetch_all(&self.pool).await.map_err(query_err("reading saved entries"))?;
                Ok(rows.iter().map(entry_row).collect())
            }

            async fn entry_keys(&self) -> Result<Vec<(String, String, String)>, StoreError> {
                let rows = sqlx::query("SELECT user_id, list_id, entry_key FROM saved_entries")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading saved entries"))?;
                Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
            }

            async fn removals(&self) -> Result<Vec<(String, String, String, String)>, StoreError> {
                let rows = sqlx::query("SELECT user_id, list_id, entry_key, source_key FROM saved_removals")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading removed entries"))?;
                Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect())
            }

            async fn add_entries(&self, rows: &[$crate::store::lists::EntryRow]) -> Result<u64, StoreError> {
                let mut tx = self.begin_write().await.map_err(query_err("starting to save entries"))?;
                let one = format!("({})", vec!["?"; 10].join(", "));
                let mut added = 0;
                for chunk in rows.chunks($crate::store::lists::ENTRIES_PER_STATEMENT) {
                    let insert = $sql(&format!(
                        "INSERT INTO saved_entries ({}) VALUES {} ON CONFLICT (user_id, list_id, entry_key) DO NOTHING",
                        $crate::store::lists::ENTRY_COLUMNS,
                        vec![one.as_str(); chunk.len()].join(", ")
                    ));
                    let mut query = sqlx::query(&insert);
                    for e in chunk {
                        query = query
                            .bind(&e.user_id)
                            .bind(&e.list_id)
                            .bind(&e.entry_key)
                            .bind(&e.object)
                            .bind(&e.name)
                            .bind(&e.network_id)
                            .bind(&e.reason)
                            .bind(&e.source_key)
                            .bind(e.saved_at_ms)
                            .bind(e.run);
                    }
                    added += query.execute(&mut *tx).await.map_err(query_err("saving entries"))?.rows_affected();
                }
                tx.commit().await.map_err(query_err("committing saved entries"))?;
                Ok(added)
            }

            async fn remove_entry(
                &self,
                user_id: &str,
                list_id: &str,
                entry_key: &str,
                sources: &[String],
                now_ms: i64,
            ) -> Result<$crate::store::writeback::Changed, StoreError> {
                let mut tx = self.begin_write().await.map_err(query_err("starting to remove an entry"))?;
                let done = sqlx::query(&$sql(
                    "DELETE FROM saved_entries WHERE user_id = ? AND list_id = ? AND entry_key = ?",
                ))
                .bind(user_id)
                .bind(list_id)
                .bind(entry_key)
                .execute(&mut *tx)
                .await
                .map_err(query_err("removing an entry"))?;
                for source in sources {
                    sqlx::query(&$sql(
                        "INSERT INTO saved_removals (user_id, list_id, entry_key, source_key, removed_at_ms) \
                         VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, list_id, entry_key, source_key) DO NOTHING",
                    ))
                    .bind(user_id)
                    .bind(list_id)
                    .bind(entry_key)
                    .bind(source)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(query_err("remembering a removed entry"))?;
                }
                tx.commit().await.map_err(query_err("committing a removed entry"))?;
                Ok(changed(done.rows_affected()))
            }

            async fn entries_saved_by(&self, run: i64) -> Result<i64, StoreError> {
                let row = sqlx::query(&$sql("SELECT COUNT(*) FROM saved_entries WHERE run = ?"))
                    .bind(run)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(query_err("counting auto-saved entries"))?;
                Ok(row.get(0))
            }

            async fn autosave_rows(&self) -> Result<Vec<$crate::store::lists::AutoSaveRow>, StoreError> {
                let rows = sqlx::query("SELECT user_id, enabled, accounts_rule FROM autosave_users ORDER BY user_id")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading auto-save choices"))?;
                Ok(rows
                    .iter()
                    .map(|r| $crate::store::lists::AutoSaveRow {
                        user_id: r.get(0),
                        enabled: r.get::<i64, _>(1) != 0,
                        accounts_rule: r.get(2),
                    })
                    .collect())
            }

            async fn set_autosave_enabled(&self, user_id: &str, enabled: bool, now_ms: i64) -> Result<(), StoreError> {
                sqlx::query(&$sql(
                    "INSERT INTO autosave_users (user_id, enabled, updated_at_ms) VALUES (?, ?, ?) \
                     ON CONFLICT (user_id) DO UPDATE SET enabled = excluded.enabled, updated_at_ms = excluded.updated_at_ms",
                ))
                .bind(user_id)
                .bind(i64::from(enabled))
                .bind(now_ms)
                .execute(&self.pool)
                .await
                .map_err(query_err("switching auto-save"))?;
                Ok(())
            }

            async fn set_accounts_rule(&self, user_id: &str, rule: &str, now_ms: i64) -> Result<(), StoreError> {
                sqlx::query(&$sql(
                    "INSERT INTO autosave_users (user_id, accounts_rule, updated_at_ms) VALUES (?, ?, ?) \
                     ON CONFLICT (user_id) DO UPDATE SET accounts_rule = excluded.accounts_rule, \
                     updated_at_ms = excluded.updated_at_ms",
                ))
                .bind(user_id)
                .bind(rule)
                .bind(now_ms)
                .execute(&self.pool)
                .await
                .map_err(query_err("choosing the accounts rule"))?;
                Ok(())
            }

            async fn add_alerts(&self, rows: &[$crate::store::lists::AlertRow]) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(query_err("starting to store alerts"))?;
                for a in rows {
                    sqlx::query(&$sql(
                        "INSERT INTO list_alerts (user_id, crm_id, network_id, field, crm_value, network_value, \
                         created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ))
                    .bind(&a.user_id)
                    .bind(&a.crm_id)
                    .bind(&a.network_id)
                    .bind(&a.field)
                    .bind(&a.crm_value)
                    .bind(&a.network_value)
                    .bind(a.created_at_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(query_err("storing an alert"))?;
                }
                tx.commit().await.map_err(query_err("committing alerts"))?;
                Ok(())
            }

            async fn alerts_of(&self, user_id: &str, limit: i64) -> Result<Vec<$crate::store::lists::AlertRow>, StoreError> {
                let sql = $sql(&format!(
                    "SELECT {} FROM list_alerts WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                    $crate::store::lists::ALERT_COLUMNS
                ));
                let rows = sqlx::query(&sql)
                    .bind(user_id)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading alerts"))?;
                Ok(rows
                    .iter()
                    .map(|r| $crate::store::lists::AlertRow {
                        id: r.get(0),
                        user_id: r.get(1),
                        crm_id: r.get(2),
                        network_id: r.get(3),
                        field: r.get(4),
                        crm_value: r.get(5),
                        network_value: r.get(6),
                        created_at_ms: r.get(7),
                        read_at_ms: r.get(8),
                    })
                    .collect())
            }

            async fn mark_alert_read(
                &self,
                user_id: &str,
                id: i64,
                now_ms: i64,
            ) -> Result<$crate::store::writeback::Changed, StoreError> {
                let done = sqlx::query(&$sql(
                    "UPDATE list_alerts SET read_at_ms = ? WHERE id = ? AND user_id = ? AND read_at_ms IS NULL",
                ))
                .bind(now_ms)
                .bind(id)
                .bind(user_id)
                .execute(&self.pool)
                .await
                .map_err(query_err("marking an alert read"))?;
                Ok(changed(done.rows_affected()))
            }
        }
    };
}
pub(super) use impl_list_store;
