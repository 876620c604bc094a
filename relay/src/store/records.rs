//! Reading imported CRM data back one record at a time, the stamp that says which import
//! the data comes from (the browser's badge index is versioned by it), and the page
//! health counts browsers report. The SQL is written once and implemented for both
//! backends by [`impl_record_store`].

use async_trait::async_trait;

use super::{CrmRow, StoreError};

/// Point reads of imported CRM data.
#[async_trait]
pub trait RecordStore: Send + Sync {
    /// One imported record of `object` by its 18-character id.
    async fn crm_row(&self, object: &str, id: &str) -> Result<Option<CrmRow>, StoreError>;
    /// The id of the last finished import run: it changes exactly when the imported
    /// data may have changed (`None` before the first import and after a purge).
    async fn last_finished_run(&self) -> Result<Option<i64>, StoreError>;
    /// Up to `limit` rows of `object` with ids after `after`, in id order (paging
    /// through a large object without holding it all).
    async fn rows_after(&self, object: &str, after: &str, limit: i64) -> Result<Vec<CrmRow>, StoreError>;
    /// Rows of `object` an import run after `run` wrote (changed or added).
    async fn rows_seen_since(&self, object: &str, run: i64) -> Result<Vec<CrmRow>, StoreError>;
    /// Ids incremental imports after `run` deleted.
    async fn deletions_since(&self, run: i64) -> Result<Vec<String>, StoreError>;
    /// Whether a full import started after `run` (it rewrites every row: no delta then).
    async fn full_import_since(&self, run: i64) -> Result<bool, StoreError>;
    /// Counts one report of something missing on a network page, on `day` (YYYY-MM-DD).
    async fn count_page_problem(&self, day: &str, page: &str, missing: &str) -> Result<(), StoreError>;
    /// Page problems from `since_day` on: (day, page, missing, count), newest first.
    async fn page_problems(&self, since_day: &str) -> Result<Vec<(String, String, String, i64)>, StoreError>;
}

/// Implements [`RecordStore`] for a backend whose struct has a `pool` field; `$sql`
/// turns the `?` SQL into the backend's dialect.
macro_rules! impl_record_store {
    ($store:ty, $sql:path) => {
        #[async_trait::async_trait]
        impl $crate::store::records::RecordStore for $store {
            async fn crm_row(&self, object: &str, id: &str) -> Result<Option<CrmRow>, StoreError> {
                let row = sqlx::query(&$sql(
                    "SELECT id, fields, system_modstamp FROM crm_records WHERE object = ? AND id = ?",
                ))
                .bind(object)
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(query_err("reading an imported record"))?;
                Ok(row.map(|r| CrmRow { id: r.get(0), fields_json: r.get(1), system_modstamp: r.get(2) }))
            }

            async fn last_finished_run(&self) -> Result<Option<i64>, StoreError> {
                let row = sqlx::query("SELECT MAX(id) FROM sync_runs WHERE finished_at_ms IS NOT NULL")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(query_err("reading the last import run"))?;
                Ok(row.get::<Option<i64>, _>(0))
            }

            async fn rows_after(&self, object: &str, after: &str, limit: i64) -> Result<Vec<CrmRow>, StoreError> {
                let rows = sqlx::query(&$sql(
                    "SELECT id, fields, system_modstamp FROM crm_records WHERE object = ? AND id > ? ORDER BY id LIMIT ?",
                ))
                .bind(object)
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(query_err("reading a page of imported rows"))?;
                Ok(rows.iter().map(|r| CrmRow { id: r.get(0), fields_json: r.get(1), system_modstamp: r.get(2) }).collect())
            }

            async fn rows_seen_since(&self, object: &str, run: i64) -> Result<Vec<CrmRow>, StoreError> {
                let rows = sqlx::query(&$sql(
                    "SELECT id, fields, system_modstamp FROM crm_records WHERE object = ? AND seen_run > ? ORDER BY id",
                ))
                .bind(object)
                .bind(run)
                .fetch_all(&self.pool)
                .await
                .map_err(query_err("reading rows changed since a run"))?;
                Ok(rows
                    .iter()
                    .map(|r| CrmRow { id: r.get(0), fields_json: r.get(1), system_modstamp: r.get(2) })
                    .collect())
            }

            async fn deletions_since(&self, run: i64) -> Result<Vec<String>, StoreError> {
                let rows = sqlx::query(&$sql("SELECT id FROM crm_deletions WHERE run > ? ORDER BY id"))
                    .bind(run)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading deletions since a run"))?;
                Ok(rows.iter().map(|r| r.get(0)).collect())
            }

            async fn full_import_since(&self, run: i64) -> Result<bool, StoreError> {
                let row = sqlx::query(&$sql("SELECT COUNT(*) FROM sync_runs WHERE id > ? AND full_import = ?"))
                    .bind(run)
                    .bind(true)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(query_err("looking for full imports"))?;
                Ok(row.get::<i64, _>(0) > 0)
            }

            async fn count_page_problem(&self, day: &str, page: &str, missing: &str) -> Result<(), StoreError> {
                sqlx::query(&$sql(
                    "INSERT INTO page_health (day, page, missing, count) VALUES (?, ?, ?, 1) \
                     ON CONFLICT (day, page, missing) DO UPDATE SET count = page_health.count + 1",
                ))
                .bind(day)
                .bind(page)
                .bind(missing)
                .execute(&self.pool)
                .await
                .map_err(query_err("counting a page problem"))?;
                Ok(())
            }

            async fn page_problems(&self, since_day: &str) -> Result<Vec<(String, String, String, i64)>, StoreError> {
                let rows = sqlx::query(&$sql(
                    "SELECT day, page, missing, count FROM page_health WHERE day >= ? \
                     ORDER BY day DESC, count DESC, page, missing",
                ))
                .bind(since_day)
                .fetch_all(&self.pool)
                .await
                .map_err(query_err("reading page problems"))?;
                Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect())
            }
        }
    };
}
pub(super) use impl_record_store;
