//! The org-wide matcher's state: each CRM record's outcome, the trained models and the
//! matching runs (the report's trend). One SQL text for both backends, `?` numbered for
//! PostgreSQL by the backend's `$sql`.

use async_trait::async_trait;

use super::StoreError;

/// One CRM record's stored outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchOutcomeRow {
    pub crm_id: String,
    /// `Lead`, `Contact` or `Account`.
    pub object: String,
    /// `auto`, `manual`, `candidate` or `none` (`OutcomeState`'s names).
    pub state: String,
    /// The linked profile or the best free candidate.
    pub network_id: Option<String>,
    pub probability: f64,
    pub match_weight: f64,
    pub explanation: String,
    pub model_version: i64,
    pub matched_at_ms: i64,
    /// The match run that last changed the row.
    pub seq: i64,
    /// A converted Lead standing as its Contact (this id) does.
    pub folded_into: Option<String>,
}

impl MatchOutcomeRow {
    /// True when what the row says, or the model that said it, differs (not only when it
    /// was said, nor by a rounding of its probability).
    pub fn differs(&self, other: &MatchOutcomeRow) -> bool {
        (&self.object, &self.state, &self.network_id, &self.explanation, self.model_version, &self.folded_into)
            != (
                &other.object,
                &other.state,
                &other.network_id,
                &other.explanation,
                other.model_version,
                &other.folded_into,
            )
            || (self.probability - other.probability).abs() > PROBABILITY_CHANGE
    }
}

/// A probability moving by less than this is not a change worth writing (term
/// frequencies shift a little with every profile the directory gains).
pub const PROBABILITY_CHANGE: f64 = 1e-4;

/// Trained parameters of one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchModelRow {
    pub version: i64,
    /// `person` or `company`.
    pub entity: String,
    pub params_json: String,
    /// False: the spec's defaults sized to the data (too little to train on).
    pub trained: bool,
    /// When it was trained (or sized).
    pub trained_at_ms: i64,
    /// CRM records and directory profiles it was trained on.
    pub records: i64,
    pub profiles: i64,
}

/// One matching pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRunRow {
    pub id: i64,
    pub started_at_ms: i64,
    pub finished_at_ms: Option<i64>,
    /// `import`, `full_import`, `directory`, `decision`, `command`.
    pub trigger: String,
    /// Records linked after the run.
    pub matched: i64,
    pub report_json: String,
}

/// The matcher's tables.
#[async_trait]
pub trait MatchStore: Send + Sync {
    /// Every stored outcome.
    async fn match_outcomes(&self) -> Result<Vec<MatchOutcomeRow>, StoreError>;
    /// One record's outcome.
    async fn match_outcome(&self, crm_id: &str) -> Result<Option<MatchOutcomeRow>, StoreError>;
    /// The records linked (auto or manual) to any of `network_ids`.
    async fn outcomes_linking(&self, network_ids: &[String]) -> Result<Vec<MatchOutcomeRow>, StoreError>;
    /// Outcomes changed by runs after `seq` (index deltas).
    async fn match_outcomes_since(&self, seq: i64) -> Result<Vec<MatchOutcomeRow>, StoreError>;
    /// Upserts `rows` and forgets `deleted` ids, in one transaction.
    async fn save_match_outcomes(&self, rows: &[MatchOutcomeRow], deleted: &[String]) -> Result<(), StoreError>;
    /// The newest model of `entity`.
    async fn latest_match_model(&self, entity: &str) -> Result<Option<MatchModelRow>, StoreError>;
    /// Stores a newly trained model; answers its version.
    async fn save_match_model(&self, model: &MatchModelRow) -> Result<i64, StoreError>;
    /// Starts a run; answers its id (the `seq` of the outcomes it writes).
    async fn start_match_run(&self, trigger: &str, at_ms: i64) -> Result<i64, StoreError>;
    /// Finishes a run with its figures.
    async fn finish_match_run(&self, id: i64, at_ms: i64, matched: i64, report_json: &str) -> Result<(), StoreError>;
    /// The last `limit` finished runs, oldest first.
    async fn match_runs(&self, limit: i64) -> Result<Vec<MatchRunRow>, StoreError>;
    /// The newest finished run's id.
    async fn last_match_run(&self) -> Result<Option<i64>, StoreError>;
    /// The newest run that changed an outcome (the badge index is rebuilt when it moves;
    /// a pass that changed nothing leaves it).
    async fn last_match_change(&self) -> Result<Option<i64>, StoreError>;
}

/// Rows written per statement: 11 values each stays under SQLite's and PostgreSQL's
/// limits on bound parameters.
pub(super) const ROWS_PER_STATEMENT: usize = 500;

/// Columns of [`MatchOutcomeRow`].
pub(super) const OUTCOME_COLUMNS: &str =
    "crm_id, object, state, network_id, probability, match_weight, explanation, model_version, matched_at_ms, seq, \
     folded_into";

/// Implements [`MatchStore`] for a backend whose struct has a `pool` field; `$sql` turns
/// the `?` SQL into the backend's dialect.
macro_rules! impl_match_store {
    ($store:ty, $row:ty, $sql:path) => {
        #[async_trait::async_trait]
        impl $crate::store::matches::MatchStore for $store {
            async fn match_outcomes(&self) -> Result<Vec<$crate::store::matches::MatchOutcomeRow>, StoreError> {
                let sql = format!("SELECT {} FROM crm_matches ORDER BY crm_id", $crate::store::matches::OUTCOME_COLUMNS);
                let rows = sqlx::query(&sql).fetch_all(&self.pool).await.map_err(query_err("reading match outcomes"))?;
                Ok(rows.iter().map(outcome_row).collect())
            }

            async fn match_outcome(
                &self,
                crm_id: &str,
            ) -> Result<Option<$crate::store::matches::MatchOutcomeRow>, StoreError> {
                let sql = $sql(&format!(
                    "SELECT {} FROM crm_matches WHERE crm_id = ?",
                    $crate::store::matches::OUTCOME_COLUMNS
                ));
                let row = sqlx::query(&sql)
                    .bind(crm_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(query_err("reading a match outcome"))?;
                Ok(row.as_ref().map(outcome_row))
            }

            async fn outcomes_linking(
                &self,
                network_ids: &[String],
            ) -> Result<Vec<$crate::store::matches::MatchOutcomeRow>, StoreError> {
                let mut out = Vec::new();
                for chunk in network_ids.chunks($crate::store::matches::ROWS_PER_STATEMENT) {
                    let sql = $sql(&format!(
                        "SELECT {} FROM crm_matches WHERE state IN ('auto', 'manual') AND network_id IN ({})",
                        $crate::store::matches::OUTCOME_COLUMNS,
                        vec!["?"; chunk.len()].join(", ")
                    ));
                    let mut query = sqlx::query(&sql);
                    for id in chunk {
                        query = query.bind(id);
                    }
                    let rows =
                        query.fetch_all(&self.pool).await.map_err(query_err("reading the records linked to profiles"))?;
                    out.extend(rows.iter().map(outcome_row));
                }
                Ok(out)
            }

            async fn match_outcomes_since(
                &self,
                seq: i64,
            ) -> Result<Vec<$crate::store::matches::MatchOutcomeRow>, StoreError> {
                let sql = $sql(&format!(
                    "SELECT {} FROM crm_matches WHERE seq > ? ORDER BY crm_id",
                    $crate::store::matches::OUTCOME_COLUMNS
                ));
                let rows = sqlx::query(&sql)
                    .bind(seq)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading changed match outcomes"))?;
                Ok(rows.iter().map(outcome_row).collect())
            }

            async fn save_match_outcomes(
                &self,
                rows: &[$crate::store::matches::MatchOutcomeRow],
                deleted: &[String],
            ) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(query_err("starting a match update"))?;
                let one = format!("({})", vec!["?"; 11].join(", "));
                for chunk in rows.chunks($crate::store::matches::ROWS_PER_STATEMENT) {
                    let upsert = $sql(&format!(
                        "INSERT INTO crm_matches ({}) VALUES {} ON CONFLICT (crm_id) DO UPDATE SET \
                         object = excluded.object, state = excluded.state, network_id = excluded.network_id, \
                         probability = excluded.probability, match_weight = excluded.match_weight, \
                         explanation = excluded.explanation, model_version = excluded.model_version, \
                         matched_at_ms = excluded.matched_at_ms, seq = excluded.seq, folded_into = excluded.folded_into",
                        $crate::store::matches::OUTCOME_COLUMNS,
                        vec![one.as_str(); chunk.len()].join(", ")
                    ));
                    let mut query = sqlx::query(&upsert);
                    for r in chunk {
                        query = query
                            .bind(&r.crm_id)
                            .bind(&r.object)
                            .bind(&r.state)
                            .bind(&r.network_id)
                            .bind(r.probability)
                            .bind(r.match_weight)
                            .bind(&r.explanation)
                            .bind(r.model_version)
                            .bind(r.matched_at_ms)
                            .bind(r.seq)
                            .bind(&r.folded_into);
                    }
                    query.execute(&mut *tx).await.map_err(query_err("storing match outcomes"))?;
                }
                for chunk in deleted.chunks($crate::store::matches::ROWS_PER_STATEMENT) {
                    let delete = $sql(&format!(
                        "DELETE FROM crm_matches WHERE crm_id IN ({})",
                        vec!["?"; chunk.len()].join(", ")
                    ));
                    let mut query = sqlx::query(&delete);
                    for id in chunk {
                        query = query.bind(id);
                    }
                    query.execute(&mut *tx).await.map_err(query_err("forgetting match outcomes"))?;
                }
                tx.commit().await.map_err(query_err("committing a match update"))?;
                Ok(())
            }

            async fn latest_match_model(
                &self,
                entity: &str,
            ) -> Result<Option<$crate::store::matches::MatchModelRow>, StoreError> {
                let sql = $sql(
                    "SELECT version, entity, params_json, trained, trained_at_ms, records, profiles FROM match_models \
                     WHERE entity = ? ORDER BY version DESC LIMIT 1",
                );
                let row = sqlx::query(&sql)
                    .bind(entity)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(query_err("reading the match model"))?;
                Ok(row.map(|r| $crate::store::matches::MatchModelRow {
                    version: r.get(0),
                    entity: r.get(1),
                    params_json: r.get(2),
                    trained: r.get::<i64, _>(3) != 0,
                    trained_at_ms: r.get(4),
                    records: r.get(5),
                    profiles: r.get(6),
                }))
            }

            async fn save_match_model(&self, m: &$crate::store::matches::MatchModelRow) -> Result<i64, StoreError> {
                let sql = $sql(
                    "INSERT INTO match_models (entity, params_json, trained, trained_at_ms, records, profiles) \
                     VALUES (?, ?, ?, ?, ?, ?) RETURNING version",
                );
                let row = sqlx::query(&sql)
                    .bind(&m.entity)
                    .bind(&m.params_json)
                    .bind(i64::from(m.trained))
                    .bind(m.trained_at_ms)
                    .bind(m.records)
                    .bind(m.profiles)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(query_err("storing a match model"))?;
                Ok(row.get(0))
            }

            async fn start_match_run(&self, trigger: &str, at_ms: i64) -> Result<i64, StoreError> {
                let sql = $sql("INSERT INTO match_runs (started_at_ms, trigger) VALUES (?, ?) RETURNING id");
                let row = sqlx::query(&sql)
                    .bind(at_ms)
                    .bind(trigger)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(query_err("starting a match run"))?;
                Ok(row.get(0))
            }

            async fn finish_match_run(
                &self,
                id: i64,
                at_ms: i64,
                matched: i64,
                report_json: &str,
            ) -> Result<(), StoreError> {
                let sql = $sql("UPDATE match_runs SET finished_at_ms = ?, matched = ?, report_json = ? WHERE id = ?");
                sqlx::query(&sql)
                    .bind(at_ms)
                    .bind(matched)
                    .bind(report_json)
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("finishing a match run"))?;
                Ok(())
            }

            async fn match_runs(&self, limit: i64) -> Result<Vec<$crate::store::matches::MatchRunRow>, StoreError> {
                let sql = $sql(
                    "SELECT id, started_at_ms, finished_at_ms, trigger, matched, report_json FROM match_runs \
                     WHERE finished_at_ms IS NOT NULL ORDER BY id DESC LIMIT ?",
                );
                let rows =
                    sqlx::query(&sql).bind(limit).fetch_all(&self.pool).await.map_err(query_err("reading match runs"))?;
                let mut runs: Vec<_> = rows
                    .iter()
                    .map(|r| $crate::store::matches::MatchRunRow {
                        id: r.get(0),
                        started_at_ms: r.get(1),
                        finished_at_ms: r.get(2),
                        trigger: r.get(3),
                        matched: r.get(4),
                        report_json: r.get(5),
                    })
                    .collect();
                runs.reverse();
                Ok(runs)
            }

            async fn last_match_change(&self) -> Result<Option<i64>, StoreError> {
                let row = sqlx::query("SELECT MAX(seq) FROM crm_matches")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(query_err("reading the last match change"))?;
                Ok(row.get::<Option<i64>, _>(0))
            }

            async fn last_match_run(&self) -> Result<Option<i64>, StoreError> {
                let row = sqlx::query("SELECT MAX(id) FROM match_runs WHERE finished_at_ms IS NOT NULL")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(query_err("reading the last match run"))?;
                Ok(row.get::<Option<i64>, _>(0))
            }
        }

        fn outcome_row(r: &$row) -> $crate::store::matches::MatchOutcomeRow {
            $crate::store::matches::MatchOutcomeRow {
                crm_id: r.get(0),
                object: r.get(1),
                state: r.get(2),
                network_id: r.get(3),
                probability: r.get(4),
                match_weight: r.get(5),
                explanation: r.get(6),
                model_version: r.get(7),
                matched_at_ms: r.get(8),
                seq: r.get(9),
                folded_into: r.get(10),
            }
        }
    };
}
pub(super) use impl_match_store;
