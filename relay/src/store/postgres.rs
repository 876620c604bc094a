//! The shared store: PostgreSQL, when one machine is not enough and several relays
//! serve one org. PostgreSQL-only features (advisory locks, later `SKIP LOCKED`) stay here.

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

impl PostgresStore {
    /// Deletes `deleted` rows of `object` in one statement and records the deletions for
    /// index deltas (`ANY` and `UNNEST` over one array: PostgreSQL's own batch form).
    async fn forget_deleted(
        tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
        object: &str,
        run: i64,
        deleted: &[String],
    ) -> Result<(), StoreError> {
        if !deleted.is_empty() {
            sqlx::query("DELETE FROM crm_records WHERE object = $1 AND id = ANY($2)")
                .bind(object)
                .bind(deleted)
                .execute(&mut **tx)
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
            .execute(&mut **tx)
            .await
            .map_err(query_err("recording deletions"))?;
        }
        Ok(())
    }
}

super::store_sql::impl_store!(PostgresStore, sqlx::Postgres, super::writeback::numbered);

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
super::matches::impl_match_store!(PostgresStore, sqlx::postgres::PgRow, super::writeback::numbered);
super::lists::impl_list_store!(PostgresStore, sqlx::postgres::PgRow, super::writeback::numbered);
super::documents::impl_document_store!(PostgresStore, sqlx::postgres::PgRow, super::writeback::numbered);
