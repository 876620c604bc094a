//! A small migration runner: numbered SQL files embedded in the binary, applied in order,
//! each in its own transaction, recorded in `_crmsync_migrations`. Applied migrations are
//! never edited; a change is a new file.

use sqlx::{Pool, Postgres, Sqlite};

use super::StoreError;

/// One embedded migration.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// SQLite migrations, oldest first.
pub const SQLITE: &[Migration] = &[
    Migration { version: 1, name: "connection", sql: include_str!("../../migrations/sqlite/0001_connection.sql") },
    Migration { version: 2, name: "crm_records", sql: include_str!("../../migrations/sqlite/0002_crm_records.sql") },
    Migration { version: 3, name: "auth", sql: include_str!("../../migrations/sqlite/0003_auth.sql") },
    Migration { version: 4, name: "writeback", sql: include_str!("../../migrations/sqlite/0004_writeback.sql") },
    Migration { version: 5, name: "directory", sql: include_str!("../../migrations/sqlite/0005_directory.sql") },
    Migration { version: 6, name: "page_health", sql: include_str!("../../migrations/sqlite/0006_page_health.sql") },
    Migration { version: 7, name: "deletions", sql: include_str!("../../migrations/sqlite/0007_deletions.sql") },
    Migration { version: 8, name: "relay_facts", sql: include_str!("../../migrations/sqlite/0008_relay_facts.sql") },
    Migration { version: 9, name: "admin", sql: include_str!("../../migrations/sqlite/0009_admin.sql") },
    Migration { version: 10, name: "locks", sql: include_str!("../../migrations/sqlite/0010_locks.sql") },
    Migration { version: 11, name: "matches", sql: include_str!("../../migrations/sqlite/0011_matches.sql") },
    Migration { version: 12, name: "saved_lists", sql: include_str!("../../migrations/sqlite/0012_saved_lists.sql") },
    Migration { version: 13, name: "documents", sql: include_str!("../../migrations/sqlite/0013_documents.sql") },
];

/// PostgreSQL migrations, oldest first (same numbers as SQLite's).
pub const POSTGRES: &[Migration] = &[
    Migration { version: 1, name: "connection", sql: include_str!("../../migrations/postgres/0001_connection.sql") },
    Migration { version: 2, name: "crm_records", sql: include_str!("../../migrations/postgres/0002_crm_records.sql") },
    Migration { version: 3, name: "auth", sql: include_str!("../../migrations/postgres/0003_auth.sql") },
    Migration { version: 4, name: "writeback", sql: include_str!("../../migrations/postgres/0004_writeback.sql") },
    Migration { version: 5, name: "directory", sql: include_str!("../../migrations/postgres/0005_directory.sql") },
    Migration { version: 6, name: "page_health", sql: include_str!("../../migrations/postgres/0006_page_health.sql") },
    Migration { version: 7, name: "deletions", sql: include_str!("../../migrations/postgres/0007_deletions.sql") },
    Migration { version: 8, name: "relay_facts", sql: include_str!("../../migrations/postgres/0008_relay_facts.sql") },
    Migration { version: 9, name: "admin", sql: include_str!("../../migrations/postgres/0009_admin.sql") },
    Migration { version: 10, name: "locks", sql: include_str!("../../migrations/postgres/0010_locks.sql") },
    Migration { version: 11, name: "matches", sql: include_str!("../../migrations/postgres/0011_matches.sql") },
    Migration { version: 12, name: "saved_lists", sql: include_str!("../../migrations/postgres/0012_saved_lists.sql") },
    Migration { version: 13, name: "documents", sql: include_str!("../../migrations/postgres/0013_documents.sql") },
];

/// Applies pending PostgreSQL migrations in one transaction, under an advisory lock so
/// that relay replicas starting together migrate once.
pub async fn run_postgres(pool: &Pool<Postgres>, migrations: &[Migration]) -> Result<(), StoreError> {
    let query_err = |context| move |source| StoreError::Query { context, source };
    let mut tx = pool.begin().await.map_err(query_err("starting the migration transaction"))?;
    sqlx::query("SELECT pg_advisory_xact_lock(724300001)")
        .execute(&mut *tx)
        .await
        .map_err(query_err("taking the migration lock"))?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS _crmsync_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .execute(&mut *tx)
    .await
    .map_err(query_err("creating the migrations table"))?;
    let current: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _crmsync_migrations")
        .fetch_one(&mut *tx)
        .await
        .map_err(query_err("reading the schema version"))?;
    for m in migrations.iter().filter(|m| m.version > current) {
        let fail = |source| StoreError::Migration { version: m.version, name: m.name, source };
        sqlx::raw_sql(m.sql).execute(&mut *tx).await.map_err(fail)?;
        sqlx::query("INSERT INTO _crmsync_migrations (version, name) VALUES ($1, $2)")
            .bind(m.version)
            .bind(m.name)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
    }
    tx.commit().await.map_err(query_err("committing migrations"))
}

/// Applies every migration in `migrations` newer than the database's version.
pub async fn run_sqlite(pool: &Pool<Sqlite>, migrations: &[Migration]) -> Result<(), StoreError> {
    let query_err = |context| move |source| StoreError::Query { context, source };
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS _crmsync_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    )
    .execute(pool)
    .await
    .map_err(query_err("creating the migrations table"))?;
    let current: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _crmsync_migrations")
        .fetch_one(pool)
        .await
        .map_err(query_err("reading the schema version"))?;
    for m in migrations.iter().filter(|m| m.version > current) {
        let fail = |source| StoreError::Migration { version: m.version, name: m.name, source };
        let mut tx = pool.begin().await.map_err(fail)?;
        sqlx::raw_sql(m.sql).execute(&mut *tx).await.map_err(fail)?;
        sqlx::query("INSERT INTO _crmsync_migrations (version, name) VALUES (?, ?)")
            .bind(m.version)
            .bind(m.name)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
    }
    Ok(())
}
