//! What the admin's half keeps: the admins, the audit log of their actions, how each seat
//! was given and when its holder last signed in, the org's whole activity queue with
//! filters, and daily API usage. One SQL text for both backends, `?` numbered for
//! PostgreSQL by the backend's `$sql`.

use async_trait::async_trait;

use super::writeback::{QueueState, StoredActivity};
use super::StoreError;

/// An admin kept in the store (configured admins are not stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRow {
    pub user_id: String,
    pub username: String,
    /// Who made them admin: a username, `connect` or `command line`.
    pub added_by: String,
    pub added_at_ms: i64,
}

/// One admin action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at_ms: i64,
    pub actor_id: String,
    pub actor_username: String,
    pub action: String,
    pub detail: String,
}

/// How a seat was given and its holder's last sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatDetail {
    pub user_id: String,
    /// The role whose grant gave the seat; `None` when given by hand.
    pub role_grant: Option<String>,
    pub last_sign_in_ms: Option<i64>,
}

/// Which activities of the org's queue to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// Empty: every state.
    pub states: Vec<QueueState>,
    pub user_id: Option<String>,
    pub kind: Option<String>,
    /// Logged at or after (ms).
    pub from_ms: Option<i64>,
    /// Logged before (ms).
    pub to_ms: Option<i64>,
    /// The CRM record (18 characters).
    pub target: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// The admin's store.
#[async_trait]
pub trait AdminStore: Send + Sync {
    /// Stored admins, by username.
    async fn admins(&self) -> Result<Vec<AdminRow>, StoreError>;
    /// Makes a user admin (`No` when they were).
    async fn add_admin(&self, admin: &AdminRow) -> Result<super::Changed, StoreError>;
    /// Removes an admin, only while more than `keep` stored admins would remain besides
    /// (`keep` = 1 when no admin is configured: never the last one). `No` when refused
    /// or not an admin.
    async fn remove_admin(&self, user_id: &str, keep: i64) -> Result<super::Changed, StoreError>;
    /// Appends an admin action to the audit log.
    async fn audit(
        &self,
        at_ms: i64,
        actor_id: &str,
        actor_username: &str,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError>;
    /// The newest `limit` audit entries, newest first.
    async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError>;
    /// How every seat was given.
    async fn seat_details(&self) -> Result<Vec<SeatDetail>, StoreError>;
    /// Marks a seat as given by `role` (or by hand with `None`).
    async fn set_seat_grant(&self, user_id: &str, role: Option<&str>) -> Result<(), StoreError>;
    /// Stamps a seat holder's sign-in.
    async fn record_sign_in(&self, user_id: &str, at_ms: i64) -> Result<(), StoreError>;
    /// The org's activities matching `filter`, newest first, and how many match in all.
    async fn queue(&self, filter: &QueueFilter) -> Result<(Vec<StoredActivity>, i64), StoreError>;
    /// Discards activities not yet written (unassigned, pending, failed): they stay stored
    /// as `discarded`, so the same id sent again is not written either. Ids discarded.
    async fn discard_activities(&self, ids: &[String], now_ms: i64) -> Result<Vec<String>, StoreError>;
    /// Records the day's API usage (the last sample of a day wins).
    async fn record_api_usage(&self, day: &str, used: i64, max: i64) -> Result<(), StoreError>;
    /// The last `days` samples, oldest first.
    async fn api_usage_history(&self, days: i64) -> Result<Vec<(String, i64, i64)>, StoreError>;
}

/// The WHERE clause and its text binds for a queue filter (numbers are bound separately).
pub(super) fn queue_where(filter: &QueueFilter) -> (String, Vec<String>, Vec<i64>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut texts = Vec::new();
    let mut numbers = Vec::new();
    if !filter.states.is_empty() {
        let marks = vec!["?"; filter.states.len()].join(", ");
        clauses.push(format!("state IN ({marks})"));
        texts.extend(filter.states.iter().map(|s| s.as_str().to_string()));
    }
    for (column, value) in [("user_id", &filter.user_id), ("kind", &filter.kind), ("target", &filter.target)] {
        if let Some(v) = value {
            clauses.push(format!("{column} = ?"));
            texts.push(v.clone());
        }
    }
    let mut where_sql = if clauses.is_empty() { "1 = 1".to_string() } else { clauses.join(" AND ") };
    if let Some(from) = filter.from_ms {
        where_sql.push_str(" AND created_at_ms >= ?");
        numbers.push(from);
    }
    if let Some(to) = filter.to_ms {
        where_sql.push_str(" AND created_at_ms < ?");
        numbers.push(to);
    }
    (where_sql, texts, numbers)
}

/// Implements [`AdminStore`] for a backend whose struct has a `pool` field (and the
/// write-back store's `activity_from_row` in scope).
macro_rules! impl_admin_store {
    ($store:ty, $sql:path) => {
        #[async_trait::async_trait]
        impl $crate::store::admin::AdminStore for $store {
            async fn admins(&self) -> Result<Vec<$crate::store::admin::AdminRow>, StoreError> {
                let rows = sqlx::query("SELECT user_id, username, added_by, added_at_ms FROM admins ORDER BY username")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("listing admins"))?;
                Ok(rows
                    .iter()
                    .map(|r| $crate::store::admin::AdminRow {
                        user_id: r.get(0),
                        username: r.get(1),
                        added_by: r.get(2),
                        added_at_ms: r.get(3),
                    })
                    .collect())
            }

            async fn add_admin(&self, admin: &$crate::store::admin::AdminRow) -> Result<$crate::store::Changed, StoreError> {
                let sql = $sql(
                    "INSERT INTO admins (user_id, username, added_by, added_at_ms) VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO NOTHING",
                );
                let done = sqlx::query(&sql)
                    .bind(&admin.user_id)
                    .bind(&admin.username)
                    .bind(&admin.added_by)
                    .bind(admin.added_at_ms)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("adding an admin"))?;
                Ok(changed(done.rows_affected()))
            }

            async fn remove_admin(&self, user_id: &str, keep: i64) -> Result<$crate::store::Changed, StoreError> {
                let sql = $sql("DELETE FROM admins WHERE user_id = ? AND (SELECT COUNT(*) FROM admins) > ?");
                let done = sqlx::query(&sql)
                    .bind(user_id)
                    .bind(keep)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("removing an admin"))?;
                if done.rows_affected() > 0 {
                    sqlx::query(&$sql("DELETE FROM web_sessions WHERE user_id = ? AND kind = 'admin'"))
                        .bind(user_id)
                        .execute(&self.pool)
                        .await
                        .map_err(query_err("ending a removed admin's console sessions"))?;
                }
                Ok(changed(done.rows_affected()))
            }

            async fn audit(
                &self,
                at_ms: i64,
                actor_id: &str,
                actor_username: &str,
                action: &str,
                detail: &str,
            ) -> Result<(), StoreError> {
                let sql = $sql(
                    "INSERT INTO audit_log (at_ms, actor_id, actor_username, action, detail) VALUES (?, ?, ?, ?, ?)",
                );
                sqlx::query(&sql)
                    .bind(at_ms)
                    .bind(actor_id)
                    .bind(actor_username)
                    .bind(action)
                    .bind(detail)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("writing the audit log"))?;
                Ok(())
            }

            async fn audit_log(&self, limit: i64) -> Result<Vec<$crate::store::admin::AuditEntry>, StoreError> {
                let sql = $sql(
                    "SELECT id, at_ms, actor_id, actor_username, action, detail FROM audit_log ORDER BY id DESC LIMIT ?",
                );
                let rows = sqlx::query(&sql)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading the audit log"))?;
                Ok(rows
                    .iter()
                    .map(|r| $crate::store::admin::AuditEntry {
                        id: r.get(0),
                        at_ms: r.get(1),
                        actor_id: r.get(2),
                        actor_username: r.get(3),
                        action: r.get(4),
                        detail: r.get(5),
                    })
                    .collect())
            }

            async fn seat_details(&self) -> Result<Vec<$crate::store::admin::SeatDetail>, StoreError> {
                let rows = sqlx::query("SELECT user_id, role_grant, last_sign_in_ms FROM seats")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading seat details"))?;
                Ok(rows
                    .iter()
                    .map(|r| $crate::store::admin::SeatDetail {
                        user_id: r.get(0),
                        role_grant: r.get(1),
                        last_sign_in_ms: r.get(2),
                    })
                    .collect())
            }

            async fn set_seat_grant(&self, user_id: &str, role: Option<&str>) -> Result<(), StoreError> {
                sqlx::query(&$sql("UPDATE seats SET role_grant = ? WHERE user_id = ?"))
                    .bind(role)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("recording how a seat was given"))?;
                Ok(())
            }

            async fn record_sign_in(&self, user_id: &str, at_ms: i64) -> Result<(), StoreError> {
                sqlx::query(&$sql("UPDATE seats SET last_sign_in_ms = ? WHERE user_id = ?"))
                    .bind(at_ms)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("stamping a sign-in"))?;
                Ok(())
            }

            async fn queue(
                &self,
                filter: &$crate::store::admin::QueueFilter,
            ) -> Result<(Vec<$crate::store::writeback::StoredActivity>, i64), StoreError> {
                let (where_sql, texts, numbers) = $crate::store::admin::queue_where(filter);
                let count_sql = $sql(&format!("SELECT COUNT(*) FROM activities WHERE {where_sql}"));
                let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
                for t in &texts {
                    count = count.bind(t);
                }
                for n in &numbers {
                    count = count.bind(n);
                }
                let total = count.fetch_one(&self.pool).await.map_err(query_err("counting the queue"))?;
                let select = $sql(&format!(
                    "SELECT {} FROM activities WHERE {where_sql} ORDER BY created_at_ms DESC, id LIMIT ? OFFSET ?",
                    $crate::store::writeback::ACTIVITY_COLUMNS
                ));
                let mut query = sqlx::query(&select);
                for t in &texts {
                    query = query.bind(t);
                }
                for n in &numbers {
                    query = query.bind(n);
                }
                let rows = query
                    .bind(filter.limit)
                    .bind(filter.offset)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("listing the queue"))?;
                Ok((rows.iter().map(activity_from_row).collect::<Result<Vec<_>, _>>()?, total))
            }

            async fn discard_activities(&self, ids: &[String], now_ms: i64) -> Result<Vec<String>, StoreError> {
                let mut tx = self.begin_write().await.map_err(query_err("starting a discard"))?;
                let mut done = Vec::new();
                for id in ids {
                    let sql = $sql(
                        "UPDATE activities SET state = 'discarded', updated_at_ms = ? WHERE id = ? AND state IN ('unassigned', 'pending', 'failed')",
                    );
                    let r = sqlx::query(&sql)
                        .bind(now_ms)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(query_err("discarding an activity"))?;
                    if r.rows_affected() > 0 {
                        done.push(id.clone());
                    }
                }
                tx.commit().await.map_err(query_err("committing a discard"))?;
                Ok(done)
            }

            async fn record_api_usage(&self, day: &str, used: i64, max: i64) -> Result<(), StoreError> {
                let sql = $sql(
                    "INSERT INTO api_usage (day, used, max) VALUES (?, ?, ?) ON CONFLICT (day) DO UPDATE SET used = excluded.used, max = excluded.max",
                );
                sqlx::query(&sql)
                    .bind(day)
                    .bind(used)
                    .bind(max)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("recording API usage"))?;
                Ok(())
            }

            async fn api_usage_history(&self, days: i64) -> Result<Vec<(String, i64, i64)>, StoreError> {
                let rows = sqlx::query(&$sql("SELECT day, used, max FROM api_usage ORDER BY day DESC LIMIT ?"))
                    .bind(days)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading API usage"))?;
                let mut out: Vec<(String, i64, i64)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
                out.reverse();
                Ok(out)
            }
        }
    };
}
pub(super) use impl_admin_store;
