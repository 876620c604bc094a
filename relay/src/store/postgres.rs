//! The shared store: PostgreSQL, when one machine is not enough and several relays
//! serve one org. PostgreSQL-only features (advisory locks, later `SKIP LOCKED`) stay here.

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Row;

use super::{migrate, AuthFlow, CrmRow, Store, StoreError, StoredConnection, SyncState, WebSession};

/// PostgreSQL-backed [`Store`].
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// A write transaction (PostgreSQL's row locks need nothing more).
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    /// Connects to `postgres://…` and migrates the schema.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect(url)
            .await
            .map_err(|source| StoreError::Open { url: redact(url), source })?;
        migrate::run_postgres(&pool, migrate::POSTGRES).await?;
        Ok(Self { pool })
    }
}

/// The URL without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, rest)), Some(_)) => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
            let user = rest.split(['@', ':']).next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    }
}

fn query_err(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { context, source }
}

#[async_trait]
impl Store for PostgresStore {
    async fn save_connection(&self, c: &StoredConnection) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO connection (id, login_url, instance_url, org_id, user_id, username, api_version,
                access_token_sealed, refresh_token_sealed, connected_at_ms, auth_flow)
             VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (id) DO UPDATE SET login_url = excluded.login_url, instance_url = excluded.instance_url,
                org_id = excluded.org_id, user_id = excluded.user_id, username = excluded.username,
                api_version = excluded.api_version, access_token_sealed = excluded.access_token_sealed,
                refresh_token_sealed = excluded.refresh_token_sealed, connected_at_ms = excluded.connected_at_ms,
                auth_flow = excluded.auth_flow",
        )
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
        let row = sqlx::query(
            "SELECT login_url, instance_url, org_id, user_id, username, api_version,
                access_token_sealed, refresh_token_sealed, connected_at_ms, auth_flow FROM connection WHERE id = 1",
        )
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

    async fn delete_connection(&self) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await.map_err(query_err("starting to forget the connection"))?;
        sqlx::query("DELETE FROM web_sessions")
            .execute(&mut *tx)
            .await
            .map_err(query_err("ending browser sessions"))?;
        let done = sqlx::query("DELETE FROM connection")
            .execute(&mut *tx)
            .await
            .map_err(query_err("forgetting the connection"))?;
        tx.commit().await.map_err(query_err("committing the disconnect"))?;
        Ok(done.rows_affected())
    }

    async fn update_access_token(&self, access_token_sealed: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE connection SET access_token_sealed = $1 WHERE id = 1")
            .bind(access_token_sealed)
            .execute(&self.pool)
            .await
            .map_err(query_err("saving the renewed access token"))?;
        Ok(())
    }

    async fn create_web_session(&self, w: &WebSession) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO web_sessions (token_hash, kind, user_id, username, created_at_ms, expires_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
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
        let row = sqlx::query(
            "SELECT token_hash, kind, user_id, username, created_at_ms, expires_at_ms FROM web_sessions
             WHERE token_hash = $1 AND expires_at_ms > $2",
        )
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
        sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
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
        sqlx::query("DELETE FROM relay_facts WHERE key = 'data_org_id' OR key LIKE 'setting:%'")
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
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<CrmRow> = rows.by_ref().take(1_000).collect();
            let mut insert: sqlx::QueryBuilder<sqlx::Postgres> =
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
        if !deleted.is_empty() {
            sqlx::query("DELETE FROM crm_records WHERE object = $1 AND id = ANY($2)")
                .bind(object)
                .bind(deleted)
                .execute(&mut *tx)
                .await
                .map_err(query_err("deleting imported rows"))?;
            sqlx::query(
                "INSERT INTO crm_deletions (object, id, run) \
                 SELECT DISTINCT $1::text, u.id, $3::bigint FROM UNNEST($2::text[]) AS u(id) \
                 ON CONFLICT (object, id) DO UPDATE SET run = excluded.run",
            )
            .bind(object)
            .bind(deleted)
            .bind(run)
            .execute(&mut *tx)
            .await
            .map_err(query_err("recording deletions"))?;
        }
        tx.commit().await.map_err(query_err("committing a page"))
    }

    async fn delete_unseen(&self, object: &str, run: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM crm_records WHERE object = $1 AND seen_run <> $2")
            .bind(object)
            .bind(run)
            .execute(&self.pool)
            .await
            .map_err(query_err("deleting rows the org no longer has"))?;
        Ok(done.rows_affected())
    }

    async fn object_count(&self, object: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM crm_records WHERE object = $1")
            .bind(object)
            .fetch_one(&self.pool)
            .await
            .map_err(query_err("counting imported rows"))?;
        Ok(row.get(0))
    }

    async fn object_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query("SELECT object, COUNT(*) FROM crm_records GROUP BY object ORDER BY object")
            .fetch_all(&self.pool)
            .await
            .map_err(query_err("counting imported rows"))?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn rows(&self, object: &str) -> Result<Vec<CrmRow>, StoreError> {
        let rows = sqlx::query("SELECT id, fields, system_modstamp FROM crm_records WHERE object = $1 ORDER BY id")
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
            sqlx::query("SELECT object, watermark, last_sync_at_ms, missing_fields FROM sync_state ORDER BY object")
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
        sqlx::query(
            "INSERT INTO sync_state (object, watermark, last_sync_at_ms, missing_fields) VALUES ($1, $2, $3, $4)
             ON CONFLICT (object) DO UPDATE SET watermark = excluded.watermark,
                last_sync_at_ms = excluded.last_sync_at_ms, missing_fields = excluded.missing_fields",
        )
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
        sqlx::query_scalar("INSERT INTO sync_runs (started_at_ms, full_import) VALUES ($1, $2) RETURNING id")
            .bind(at_ms)
            .bind(full)
            .fetch_one(&self.pool)
            .await
            .map_err(query_err("starting a sync-log entry"))
    }

    async fn last_run_report(&self) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT report FROM sync_runs WHERE finished_at_ms IS NOT NULL ORDER BY id DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(query_err("reading the sync log"))
            .map(Option::flatten)
    }

    async fn finish_run(&self, run: i64, at_ms: i64, report_json: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE sync_runs SET finished_at_ms = $1, report = $2 WHERE id = $3")
            .bind(at_ms)
            .bind(report_json)
            .bind(run)
            .execute(&self.pool)
            .await
            .map_err(query_err("finishing a sync-log entry"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_the_password() {
        assert_eq!(redact("postgres://crm:s3cret@db:5432/crmsync"), "postgres://crm:***@db:5432/crmsync");
        assert_eq!(redact("postgres://db/crmsync"), "postgres://db/crmsync");
    }
}

super::writeback::impl_writeback_store!(PostgresStore, sqlx::postgres::PgRow, super::writeback::numbered);
super::records::impl_record_store!(PostgresStore, super::writeback::numbered);
super::directory::impl_directory_store!(PostgresStore, sqlx::postgres::PgRow, super::writeback::numbered);
super::facts::impl_fact_store!(PostgresStore, super::writeback::numbered);
super::admin::impl_admin_store!(PostgresStore, super::writeback::numbered);
super::seats::impl_seat_store!(PostgresStore, super::writeback::numbered);
