//! The org-wide directory of network profiles and companies, and users' matching
//! decisions. The SQL is written once and implemented for both backends by
//! [`impl_directory_store`].

use async_trait::async_trait;

use super::StoreError;

/// One observation of a network profile or company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRow {
    /// The public slug or Sales Navigator id (what decisions and badges key on).
    pub network_id: String,
    /// `person` or `company`.
    pub entity: String,
    pub url: String,
    pub name: String,
    pub headline: String,
    pub company: String,
    pub location: String,
    /// `page` (seen in a browser) or `connections_csv` (uploaded export).
    pub source: String,
    pub observed_by: String,
    pub observed_at_ms: i64,
}

impl ProfileRow {
    /// True when the visible facts differ (history keeps only changes).
    pub(super) fn differs(&self, other: &ProfileRow) -> bool {
        (&self.name, &self.headline, &self.company, &self.location)
            != (&other.name, &other.headline, &other.company, &other.location)
    }
}

/// What storing observations did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Observed {
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
}

/// A stored matching decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub id: i64,
    pub crm_id: String,
    pub network_id: String,
    /// `match`, `not_match` or `unmatch`.
    pub kind: String,
    pub decided_by: String,
    pub decided_at_ms: i64,
}

/// The directory and the decisions.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Stores the latest observation of each profile (an older one than stored is only
    /// kept in history if it differs) and appends changes to the history, atomically.
    async fn observe_profiles(&self, rows: &[ProfileRow]) -> Result<Observed, StoreError>;
    /// One profile by its network id.
    async fn profile(&self, network_id: &str) -> Result<Option<ProfileRow>, StoreError>;
    /// Profiles of `entity` whose name contains `text` (case-insensitive), newest first.
    async fn profiles_named(&self, entity: &str, text: &str, limit: i64) -> Result<Vec<ProfileRow>, StoreError>;
    /// Every profile of `entity` (the org-wide matcher's network side), by network id.
    async fn profiles_of(&self, entity: &str) -> Result<Vec<ProfileRow>, StoreError>;
    /// Profiles stored per entity.
    async fn profile_counts(&self) -> Result<Vec<(String, i64)>, StoreError>;
    /// Records a decision; answers its id.
    async fn add_decision(&self, decision: &DecisionRow) -> Result<i64, StoreError>;
    /// Every decision, oldest first.
    async fn decisions(&self) -> Result<Vec<DecisionRow>, StoreError>;
    /// The newest decision's id (the badge index is rebuilt when it moves).
    async fn last_decision_id(&self) -> Result<Option<i64>, StoreError>;
}

/// Columns of [`ProfileRow`].
pub(super) const PROFILE_COLUMNS: &str =
    "network_id, entity, url, name, headline, company, location, source, observed_by, observed_at_ms";

/// Implements [`DirectoryStore`] for a backend whose struct has a `pool` field; `$sql`
/// turns the `?` SQL into the backend's dialect.
macro_rules! impl_directory_store {
    ($store:ty, $row:ty, $sql:path) => {
        #[async_trait::async_trait]
        impl $crate::store::directory::DirectoryStore for $store {
            async fn observe_profiles(
                &self,
                rows: &[$crate::store::directory::ProfileRow],
            ) -> Result<$crate::store::directory::Observed, StoreError> {
                use $crate::store::directory::{Observed, PROFILE_COLUMNS};
                let mut done = Observed::default();
                let mut tx = self.begin_write().await.map_err(query_err("starting a directory update"))?;
                let select = $sql(&format!("SELECT {PROFILE_COLUMNS} FROM network_profiles WHERE network_id = ?"));
                let upsert = $sql(&format!(
                    "INSERT INTO network_profiles ({PROFILE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                     ON CONFLICT (network_id) DO UPDATE SET entity = excluded.entity, url = excluded.url, \
                     name = excluded.name, headline = excluded.headline, company = excluded.company, \
                     location = excluded.location, source = excluded.source, observed_by = excluded.observed_by, \
                     observed_at_ms = excluded.observed_at_ms"
                ));
                let history = $sql(
                    "INSERT INTO network_profile_history (network_id, name, headline, company, location, observed_by, \
                     observed_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                );
                for row in rows {
                    let stored = sqlx::query(&select)
                        .bind(&row.network_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(query_err("reading a directory profile"))?
                        .map(|r: $row| profile_row(&r));
                    let newer = stored.as_ref().is_none_or(|s| s.observed_at_ms <= row.observed_at_ms);
                    let changed = stored.as_ref().is_none_or(|s| s.differs(row));
                    match &stored {
                        None => done.new += 1,
                        Some(_) if changed => done.changed += 1,
                        Some(_) => done.unchanged += 1,
                    }
                    if newer {
                        sqlx::query(&upsert)
                            .bind(&row.network_id)
                            .bind(&row.entity)
                            .bind(&row.url)
                            .bind(&row.name)
                            .bind(&row.headline)
                            .bind(&row.company)
                            .bind(&row.location)
                            .bind(&row.source)
                            .bind(&row.observed_by)
                            .bind(row.observed_at_ms)
                            .execute(&mut *tx)
                            .await
                            .map_err(query_err("storing a directory profile"))?;
                    }
                    if changed {
                        sqlx::query(&history)
                            .bind(&row.network_id)
                            .bind(&row.name)
                            .bind(&row.headline)
                            .bind(&row.company)
                            .bind(&row.location)
                            .bind(&row.observed_by)
                            .bind(row.observed_at_ms)
                            .execute(&mut *tx)
                            .await
                            .map_err(query_err("recording a profile change"))?;
                    }
                }
                tx.commit().await.map_err(query_err("committing a directory update"))?;
                Ok(done)
            }

            async fn profile(
                &self,
                network_id: &str,
            ) -> Result<Option<$crate::store::directory::ProfileRow>, StoreError> {
                let sql = $sql(&format!(
                    "SELECT {} FROM network_profiles WHERE network_id = ?",
                    $crate::store::directory::PROFILE_COLUMNS
                ));
                let row = sqlx::query(&sql)
                    .bind(network_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(query_err("reading a directory profile"))?;
                Ok(row.map(|r: $row| profile_row(&r)))
            }

            async fn profiles_named(
                &self,
                entity: &str,
                text: &str,
                limit: i64,
            ) -> Result<Vec<$crate::store::directory::ProfileRow>, StoreError> {
                let sql = $sql(&format!(
                    "SELECT {} FROM network_profiles WHERE entity = ? AND lower(name) LIKE ? ESCAPE '\\' \
                     ORDER BY observed_at_ms DESC, network_id LIMIT ?",
                    $crate::store::directory::PROFILE_COLUMNS
                ));
                let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                let rows = sqlx::query(&sql)
                    .bind(entity)
                    .bind(format!("%{escaped}%"))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("searching the directory"))?;
                Ok(rows.iter().map(|r: &$row| profile_row(r)).collect())
            }

            async fn profiles_of(&self, entity: &str) -> Result<Vec<$crate::store::directory::ProfileRow>, StoreError> {
                let sql = $sql(&format!(
                    "SELECT {} FROM network_profiles WHERE entity = ? ORDER BY network_id",
                    $crate::store::directory::PROFILE_COLUMNS
                ));
                let rows = sqlx::query(&sql)
                    .bind(entity)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading the directory"))?;
                Ok(rows.iter().map(|r: &$row| profile_row(r)).collect())
            }

            async fn profile_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
                let rows = sqlx::query("SELECT entity, COUNT(*) FROM network_profiles GROUP BY entity")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("counting the directory"))?;
                Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
            }

            async fn add_decision(&self, d: &$crate::store::directory::DecisionRow) -> Result<i64, StoreError> {
                let sql = $sql(
                    "INSERT INTO match_decisions (crm_id, network_id, kind, decided_by, decided_at_ms) \
                     VALUES (?, ?, ?, ?, ?) RETURNING id",
                );
                let row = sqlx::query(&sql)
                    .bind(&d.crm_id)
                    .bind(&d.network_id)
                    .bind(&d.kind)
                    .bind(&d.decided_by)
                    .bind(d.decided_at_ms)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(query_err("storing a match decision"))?;
                Ok(row.get(0))
            }

            async fn decisions(&self) -> Result<Vec<$crate::store::directory::DecisionRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, crm_id, network_id, kind, decided_by, decided_at_ms FROM match_decisions ORDER BY id",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(query_err("reading match decisions"))?;
                Ok(rows
                    .iter()
                    .map(|r| $crate::store::directory::DecisionRow {
                        id: r.get(0),
                        crm_id: r.get(1),
                        network_id: r.get(2),
                        kind: r.get(3),
                        decided_by: r.get(4),
                        decided_at_ms: r.get(5),
                    })
                    .collect())
            }

            async fn last_decision_id(&self) -> Result<Option<i64>, StoreError> {
                let row = sqlx::query("SELECT MAX(id) FROM match_decisions")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(query_err("reading the last match decision"))?;
                Ok(row.get::<Option<i64>, _>(0))
            }
        }

        fn profile_row(r: &$row) -> $crate::store::directory::ProfileRow {
            $crate::store::directory::ProfileRow {
                network_id: r.get(0),
                entity: r.get(1),
                url: r.get(2),
                name: r.get(3),
                headline: r.get(4),
                company: r.get(5),
                location: r.get(6),
                source: r.get(7),
                observed_by: r.get(8),
                observed_at_ms: r.get(9),
            }
        }
    };
}
pub(super) use impl_directory_store;
