//! The store trait's one implementation for both backends: the SQL is written once with
//! `?` placeholders (numbered for PostgreSQL by the backend's `$sql`), `RETURNING` where a
//! statement answers a value; only what the dialects do differently (a batch of deleted
//! ids) is the backend's own `forget_deleted`.

/// Implements [`super::Store`] for a backend struct with a `pool` field, a `begin_write`
/// and a `forget_deleted`, on database `$db`.
macro_rules! impl_store {
    ($store:ty, $db:ty, $sql:path) => {
        #[async_trait::async_trait]
        impl Store for $store {
            async fn delete_connection(&self) -> Result<u64, StoreError> {
                let mut tx = self.begin_write().await.map_err(query_err("starting to forget the connection"))?;
                sqlx::query(&$sql("DELETE FROM web_sessions"))
                    .execute(&mut *tx)
                    .await
                    .map_err(query_err("ending browser sessions"))?;
                let done = sqlx::query(&$sql("DELETE FROM connection"))
                    .execute(&mut *tx)
                    .await
                    .map_err(query_err("forgetting the connection"))?;
                tx.commit().await.map_err(query_err("committing the disconnect"))?;
                Ok(done.rows_affected())
            }

            async fn update_access_token(&self, access_token_sealed: &str) -> Result<(), StoreError> {
                sqlx::query(&$sql("UPDATE connection SET access_token_sealed = ? WHERE id = 1"))
                    .bind(access_token_sealed)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("saving the renewed access token"))?;
                Ok(())
            }

            async fn create_web_session(&self, w: &WebSession) -> Result<(), StoreError> {
                sqlx::query(&$sql("INSERT INTO web_sessions (token_hash, kind, user_id, username, created_at_ms, expires_at_ms)
                     VALUES (?, ?, ?, ?, ?, ?)"))
                .bind(&w.token_hash)
                .bind(&w.kind)
                .bind(&w.user_id)
                .bind(&w.username)
                .bind(w.created_at_ms)
                .bind(w.expires_at_ms)
                .execute(&self.pool)
                .await
                .map_err(query_err("saving a browser session"))?;
                Ok(())
            }

            async fn web_session(&self, token_hash: &str, now_ms: i64) -> Result<Option<WebSession>, StoreError> {
                let row = sqlx::query(&$sql("SELECT token_hash, kind, user_id, username, created_at_ms, expires_at_ms FROM web_sessions
                     WHERE token_hash = ? AND expires_at_ms > ?"))
                .bind(token_hash)
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await
                .map_err(query_err("reading a browser session"))?;
                Ok(row.map(|r| WebSession {
                    token_hash: r.get(0),
                    kind: r.get(1),
                    user_id: r.get(2),
                    username: r.get(3),
                    created_at_ms: r.get(4),
                    expires_at_ms: r.get(5),
                }))
            }

            async fn delete_web_session(&self, token_hash: &str) -> Result<(), StoreError> {
                sqlx::query(&$sql("DELETE FROM web_sessions WHERE token_hash = ?"))
                    .bind(token_hash)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("ending a browser session"))?;
                Ok(())
            }

            async fn purge_crm_data(&self) -> Result<Vec<(String, u64)>, StoreError> {
                let mut tx = self.begin_write().await.map_err(query_err("starting the purge"))?;
                let mut report = Vec::new();
                for table in super::facts::PURGED_TABLES {
                    let done = sqlx::query(&format!("DELETE FROM {table}"))
                        .execute(&mut *tx)
                        .await
                        .map_err(query_err("purging CRM data"))?;
                    report.push((table.to_string(), done.rows_affected()));
                }
                sqlx::query(&$sql("DELETE FROM relay_facts WHERE key = 'data_org_id' OR key LIKE 'setting:%'"))
                    .execute(&mut *tx)
                    .await
                    .map_err(query_err("forgetting whose data was stored"))?;
                tx.commit().await.map_err(query_err("committing the purge"))?;
                Ok(report)
            }

            async fn apply_page(
                &self,
                object: &str,
                run: i64,
                rows: Vec<CrmRow>,
                deleted: &[String],
            ) -> Result<(), StoreError> {
                let mut tx = self.begin_write().await.map_err(query_err("starting a page transaction"))?;
                // Multi-row statements: one round trip per 1,000 rows instead of one per row.
                let mut rows = rows.into_iter().peekable();
                while rows.peek().is_some() {
                    let chunk: Vec<CrmRow> = rows.by_ref().take(1_000).collect();
                    let mut insert: sqlx::QueryBuilder<$db> =
                        sqlx::QueryBuilder::new("INSERT INTO crm_records (object, id, fields, system_modstamp, seen_run) ");
                    insert.push_values(chunk, |mut row, r| {
                        row.push_bind(object)
                            .push_bind(r.id)
                            .push_bind(r.fields_json)
                            .push_bind(r.system_modstamp)
                            .push_bind(run);
                    });
                    insert.push(
                        " ON CONFLICT (object, id) DO UPDATE SET fields = excluded.fields,
                            system_modstamp = excluded.system_modstamp, seen_run = excluded.seen_run",
                    );
                    insert.build().execute(&mut *tx).await.map_err(query_err("upserting imported rows"))?;
                }
                Self::forget_deleted(&mut tx, object, run, deleted).await?;
                tx.commit().await.map_err(query_err("committing a page"))
            }

            async fn delete_unseen(&self, object: &str, run: i64) -> Result<u64, StoreError> {
                let done = sqlx::query(&$sql("DELETE FROM crm_records WHERE object = ? AND seen_run <> ?"))
                    .bind(object)
                    .bind(run)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("deleting rows the org no longer has"))?;
                Ok(done.rows_affected())
            }

            async fn object_count(&self, object: &str) -> Result<i64, StoreError> {
                let row = sqlx::query(&$sql("SELECT COUNT(*) FROM crm_records WHERE object = ?"))
                    .bind(object)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(query_err("counting imported rows"))?;
                Ok(row.get(0))
            }

            async fn object_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
                let rows = sqlx::query(&$sql("SELECT object, COUNT(*) FROM crm_records GROUP BY object ORDER BY object"))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("counting imported rows"))?;
                Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
            }

            async fn rows(&self, object: &str) -> Result<Vec<CrmRow>, StoreError> {
                let rows = sqlx::query(&$sql("SELECT id, fields, system_modstamp FROM crm_records WHERE object = ? ORDER BY id"))
                    .bind(object)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading imported rows"))?;
                Ok(rows
                    .into_iter()
                    .map(|r| CrmRow { id: r.get(0), fields_json: r.get(1), system_modstamp: r.get(2) })
                    .collect())
            }

            async fn sync_states(&self) -> Result<Vec<SyncState>, StoreError> {
                let rows =
                    sqlx::query(&$sql("SELECT object, watermark, last_sync_at_ms, missing_fields FROM sync_state ORDER BY object"))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(query_err("reading the sync state"))?;
                Ok(rows
                    .into_iter()
                    .map(|r| SyncState {
                        object: r.get(0),
                        watermark: r.get(1),
                        last_sync_at_ms: r.get(2),
                        missing_fields: r.get(3),
                    })
                    .collect())
            }

            async fn save_sync_state(&self, s: &SyncState) -> Result<(), StoreError> {
                sqlx::query(&$sql("INSERT INTO sync_state (object, watermark, last_sync_at_ms, missing_fields) VALUES (?, ?, ?, ?)
                     ON CONFLICT (object) DO UPDATE SET watermark = excluded.watermark,
                        last_sync_at_ms = excluded.last_sync_at_ms, missing_fields = excluded.missing_fields"))
                .bind(&s.object)
                .bind(&s.watermark)
                .bind(s.last_sync_at_ms)
                .bind(&s.missing_fields)
                .execute(&self.pool)
                .await
                .map_err(query_err("saving the sync state"))?;
                Ok(())
            }

            async fn start_run(&self, full: bool, at_ms: i64) -> Result<i64, StoreError> {
                sqlx::query_scalar(&$sql("INSERT INTO sync_runs (started_at_ms, full_import) VALUES (?, ?) RETURNING id"))
                    .bind(at_ms)
                    .bind(full)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(query_err("starting a sync-log entry"))
            }

            async fn last_run_report(&self) -> Result<Option<String>, StoreError> {
                sqlx::query_scalar(&$sql("SELECT report FROM sync_runs WHERE finished_at_ms IS NOT NULL ORDER BY id DESC LIMIT 1"))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(query_err("reading the sync log"))
                    .map(Option::flatten)
            }

            async fn finish_run(&self, run: i64, at_ms: i64, report_json: &str) -> Result<(), StoreError> {
                sqlx::query(&$sql("UPDATE sync_runs SET finished_at_ms = ?, report = ? WHERE id = ?"))
                    .bind(at_ms)
                    .bind(report_json)
                    .bind(run)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("finishing a sync-log entry"))?;
                Ok(())
            }

            async fn save_connection(&self, c: &StoredConnection) -> Result<(), StoreError> {
                sqlx::query(&$sql("INSERT INTO connection (id, login_url, instance_url, org_id, user_id, username, api_version,
                        access_token_sealed, refresh_token_sealed, connected_at_ms, auth_flow)
                     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (id) DO UPDATE SET login_url = excluded.login_url, instance_url = excluded.instance_url,
                        org_id = excluded.org_id, user_id = excluded.user_id, username = excluded.username,
                        api_version = excluded.api_version, access_token_sealed = excluded.access_token_sealed,
                        refresh_token_sealed = excluded.refresh_token_sealed, connected_at_ms = excluded.connected_at_ms,
                        auth_flow = excluded.auth_flow"))
                .bind(&c.login_url)
                .bind(&c.instance_url)
                .bind(&c.org_id)
                .bind(&c.user_id)
                .bind(&c.username)
                .bind(&c.api_version)
                .bind(&c.access_token_sealed)
                .bind(&c.refresh_token_sealed)
                .bind(c.connected_at_ms)
                .bind(c.auth_flow.as_str())
                .execute(&self.pool)
                .await
                .map_err(query_err("saving the org connection"))?;
                Ok(())
            }

            async fn connection(&self) -> Result<Option<StoredConnection>, StoreError> {
                let row = sqlx::query(&$sql("SELECT login_url, instance_url, org_id, user_id, username, api_version,
                        access_token_sealed, refresh_token_sealed, connected_at_ms, auth_flow FROM connection WHERE id = 1"))
                .fetch_optional(&self.pool)
                .await
                .map_err(query_err("reading the org connection"))?;
                row.map(|r| {
                    Ok(StoredConnection {
                        auth_flow: AuthFlow::parse(r.get::<&str, _>(9))?,
                        login_url: r.get(0),
                        instance_url: r.get(1),
                        org_id: r.get(2),
                        user_id: r.get(3),
                        username: r.get(4),
                        api_version: r.get(5),
                        access_token_sealed: r.get(6),
                        refresh_token_sealed: r.get(7),
                        connected_at_ms: r.get(8),
                    })
                })
                .transpose()
            }
        }
    };
}
pub(super) use impl_store;
