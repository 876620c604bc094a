//! The simulator's SQLite file: the org, issued sessions and API usage, so a restarted
//! sfsim still honours the tokens it gave out (as Salesforce sessions outlive a client).

mod sessions;
use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};

use std::collections::BTreeMap;

use crate::demo_data::SimRecord;
use crate::error::SimError;
use crate::org::DemoOrg;

/// A stored record as queries see it.
pub struct StoredRecord {
    pub fields: BTreeMap<String, Option<String>>,
    pub deleted: bool,
    /// Its `SystemModstamp` (for deleted records: when it was deleted).
    pub modstamp: String,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS org (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    access_token TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    issued_at_ms INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS records (
    object TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    modstamp TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (object, id)
);
DROP INDEX IF EXISTS records_by_modstamp;
CREATE INDEX IF NOT EXISTS records_by_object_modstamp_id ON records (object, modstamp, id);
CREATE INDEX IF NOT EXISTS records_by_id ON records (id);
CREATE TABLE IF NOT EXISTS custom_fields (object TEXT NOT NULL, field TEXT NOT NULL, PRIMARY KEY (object, field));
-- Custom field values (external ids among them), indexed so an upsert finds its match
-- without reading every record.
CREATE TABLE IF NOT EXISTS custom_values (object TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS custom_values_by_value ON custom_values (object, field, value);
CREATE INDEX IF NOT EXISTS custom_values_by_record ON custom_values (object, id);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS session_parents (access_token TEXT PRIMARY KEY, refresh_token TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS connected_app (id INTEGER PRIMARY KEY CHECK (id = 1), jwt_certificate TEXT);
CREATE TABLE IF NOT EXISTS api_usage (id INTEGER PRIMARY KEY CHECK (id = 1), used INTEGER NOT NULL);
INSERT OR IGNORE INTO api_usage (id, used) VALUES (1, 0);
";

/// A record body's fields in order, borrowed from the JSON text (a score of fields: a
/// list beats a hash map). Fails on values with escapes; the caller then parses owned.
struct BorrowedFields<'a>(Vec<(&'a str, Option<&'a str>)>);

impl<'de> serde::Deserialize<'de> for BorrowedFields<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> serde::de::Visitor<'de> for Pairs {
            type Value = BorrowedFields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of strings or nulls")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(24));
                while let Some(pair) = map.next_entry::<&'de str, Option<&'de str>>()? {
                    pairs.push(pair);
                }
                Ok(BorrowedFields(pairs))
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

/// One record body (JSON of field → string or null) as a Bulk CSV line of `fields`.
fn csv_line(body: &str, deleted: bool, fields: &[String]) -> String {
    let mut line = String::with_capacity(body.len());
    let mut push = |i: usize, value: Option<&str>| {
        if i > 0 {
            line.push(',');
        }
        if let Some(v) = value {
            line.push('"');
            if v.contains('"') {
                line.push_str(&v.replace('"', "\"\""));
            } else {
                line.push_str(v);
            }
            line.push('"');
        }
    };
    let flag = if deleted { "true" } else { "false" };
    // Fast path: values without JSON escapes are borrowed straight from the body.
    if let Ok(BorrowedFields(pairs)) = serde_json::from_str::<BorrowedFields>(body) {
        let get = |name: &str| pairs.iter().find(|(k, _)| *k == name).and_then(|(_, v)| *v);
        for (i, f) in fields.iter().enumerate() {
            push(i, if f == "IsDeleted" { Some(flag) } else { get(f) });
        }
    } else {
        let map: BTreeMap<String, Option<String>> = serde_json::from_str(body).unwrap_or_default();
        for (i, f) in fields.iter().enumerate() {
            push(i, if f == "IsDeleted" { Some(flag) } else { map.get(f).and_then(|v| v.as_deref()) });
        }
    }
    line.push('\n');
    line
}

/// Handle to `sfsim.sqlite`.
pub struct SimStore {
    pool: SqlitePool,
}

fn store_err(context: &'static str) -> impl FnOnce(sqlx::Error) -> SimError {
    move |source| SimError::Store { context, source }
}

impl SimStore {
    /// Opens or creates `<dir>/sfsim.sqlite`.
    pub async fn open(dir: &Path) -> Result<Self, SimError> {
        std::fs::create_dir_all(dir).map_err(|source| SimError::DataDir { path: dir.display().to_string(), source })?;
        let options = SqliteConnectOptions::new()
            .filename(dir.join("sfsim.sqlite"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal);
        let pool =
            SqlitePoolOptions::new().max_connections(16).connect_with(options).await.map_err(store_err("open"))?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await.map_err(store_err("create schema"))?;
        Ok(Self { pool })
    }

    /// The persisted org, if this folder has been seeded before.
    pub async fn load_org(&self) -> Result<Option<DemoOrg>, SimError> {
        let row = sqlx::query("SELECT body FROM org WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(store_err("load org"))?;
        Ok(row.and_then(|r| serde_json::from_str(r.get::<&str, _>(0)).ok()))
    }

    /// Persists a freshly generated org.
    pub async fn save_org(&self, org: &DemoOrg) -> Result<(), SimError> {
        let body = serde_json::to_string(org).unwrap_or_default();
        sqlx::query("INSERT OR REPLACE INTO org (id, body) VALUES (1, ?)")
            .bind(body)
            .execute(&self.pool)
            .await
            .map_err(store_err("save org"))?;
        Ok(())
    }

    /// Inserts or replaces records, in one transaction.
    pub async fn put_records(&self, records: &[SimRecord]) -> Result<(), SimError> {
        let mut tx = self.pool.begin().await.map_err(store_err("begin"))?;
        for r in records {
            sqlx::query("INSERT OR REPLACE INTO records (object, id, body, modstamp, deleted) VALUES (?, ?, ?, ?, 0)")
                .bind(r.object)
                .bind(&r.id)
                .bind(serde_json::to_string(&r.fields).unwrap_or_default())
                .bind(r.get("SystemModstamp").unwrap_or_default())
                .execute(&mut *tx)
                .await
                .map_err(store_err("insert record"))?;
            // Only the writable objects carry custom fields; the CRM records seeded by the
            // million skip this bookkeeping.
            if !crate::dml::writable(r.object) {
                continue;
            }
            sqlx::query("DELETE FROM custom_values WHERE object = ? AND id = ?")
                .bind(r.object)
                .bind(&r.id)
                .execute(&mut *tx)
                .await
                .map_err(store_err("replace custom values"))?;
            for (field, value) in r.fields.iter().filter(|(f, _)| f.ends_with("__c")) {
                let Some(value) = value else { continue };
                sqlx::query("INSERT INTO custom_values (object, field, value, id) VALUES (?, ?, ?, ?)")
                    .bind(r.object)
                    .bind(field)
                    .bind(value)
                    .bind(&r.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_err("insert custom value"))?;
            }
        }
        tx.commit().await.map_err(store_err("commit records"))
    }

    /// The object of the record with this 18-character id, and whether it is deleted.
    pub async fn record_object(&self, id: &str) -> Result<Option<(String, bool)>, SimError> {
        let row = sqlx::query("SELECT object, deleted FROM records WHERE id = ? LIMIT 1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_err("look up a record"))?;
        Ok(row.map(|r| (r.get(0), r.get::<i64, _>(1) != 0)))
    }

    /// The record with this 18-character id and its object, deleted or not.
    pub async fn record(&self, id: &str) -> Result<Option<(String, StoredRecord)>, SimError> {
        let row = sqlx::query("SELECT object, body, deleted, modstamp FROM records WHERE id = ? LIMIT 1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_err("read a record"))?;
        Ok(row.map(|r| {
            let record = StoredRecord {
                fields: serde_json::from_str(r.get::<&str, _>(1)).unwrap_or_default(),
                deleted: r.get::<i64, _>(2) != 0,
                modstamp: r.get(3),
            };
            (r.get(0), record)
        }))
    }

    /// Moves a record to the recycle bin: `IsDeleted`, stamped `now` (queryAll and
    /// getDeleted see it, query does not).
    pub async fn delete_record(&self, id: &str, now: &str) -> Result<(), SimError> {
        let Some((_, record)) = self.record(id).await? else { return Ok(()) };
        let mut fields = record.fields;
        fields.insert("SystemModstamp".into(), Some(now.to_string()));
        fields.insert("LastModifiedDate".into(), Some(now.to_string()));
        sqlx::query("UPDATE records SET deleted = 1, modstamp = ?, body = ? WHERE id = ?")
            .bind(now)
            .bind(serde_json::to_string(&fields).unwrap_or_default())
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(store_err("delete a record"))?;
        Ok(())
    }

    /// Live records of `object` whose `field` equals `value` (external-id matches).
    pub async fn find_by_field(
        &self,
        object: &str,
        field: &str,
        value: &str,
    ) -> Result<Vec<BTreeMap<String, Option<String>>>, SimError> {
        let sql = if field.ends_with("__c") {
            "SELECT r.body FROM custom_values v JOIN records r ON r.object = v.object AND r.id = v.id \
             WHERE v.object = ? AND v.field = ? AND v.value = ? AND r.deleted = 0"
        } else {
            "SELECT body FROM records WHERE object = ?1 AND deleted = 0 AND json_extract(body, '$.' || ?2) = ?3"
        };
        let rows = sqlx::query(sql)
            .bind(object)
            .bind(field)
            .bind(value)
            .fetch_all(&self.pool)
            .await
            .map_err(store_err("find by external id"))?;
        Ok(rows.into_iter().map(|r| serde_json::from_str(r.get::<&str, _>(0)).unwrap_or_default()).collect())
    }

    /// Adds a custom field to `object` (Tooling API).
    pub async fn add_custom_field(&self, object: &str, field: &str) -> Result<(), SimError> {
        sqlx::query("INSERT OR IGNORE INTO custom_fields (object, field) VALUES (?, ?)")
            .bind(object)
            .bind(field)
            .execute(&self.pool)
            .await
            .map_err(store_err("add custom field"))?;
        Ok(())
    }

    /// Custom fields added to `object`.
    pub async fn custom_fields(&self, object: &str) -> Result<Vec<String>, SimError> {
        let rows = sqlx::query("SELECT field FROM custom_fields WHERE object = ? ORDER BY field")
            .bind(object)
            .fetch_all(&self.pool)
            .await
            .map_err(store_err("read custom fields"))?;
        Ok(rows.into_iter().map(|r| r.get(0)).collect())
    }

    /// How many records the org holds.
    pub async fn count_records(&self) -> Result<i64, SimError> {
        sqlx::query_scalar("SELECT COUNT(*) FROM records")
            .fetch_one(&self.pool)
            .await
            .map_err(store_err("count records"))
    }

    /// The live (not deleted) records of `object`, oldest change first.
    pub async fn live_records(&self, object: &str) -> Result<Vec<StoredRecord>, SimError> {
        self.records_changed(object, "", false).await
    }

    /// Records of `object` changed after `since` ("" for all), oldest change first;
    /// deleted ones too when `include_deleted` (queryAll, getDeleted).
    pub async fn records_changed(
        &self,
        object: &str,
        since: &str,
        include_deleted: bool,
    ) -> Result<Vec<StoredRecord>, SimError> {
        let rows = sqlx::query(
            "SELECT body, deleted, modstamp FROM records WHERE object = ? AND modstamp > ? AND (deleted = 0 OR ?) \
             ORDER BY modstamp, id",
        )
        .bind(object)
        .bind(since)
        .bind(include_deleted)
        .fetch_all(&self.pool)
        .await
        .map_err(store_err("query records"))?;
        Ok(rows
            .into_iter()
            .map(|r| StoredRecord {
                fields: serde_json::from_str(r.get::<&str, _>(0)).unwrap_or_default(),
                deleted: r.get::<i64, _>(1) != 0,
                modstamp: r.get(2),
            })
            .collect())
    }

    /// The records a Bulk query returns, each rendered once as its CSV line (every value
    /// double-quoted, nulls empty, `IsDeleted` as `true`/`false`), oldest change first.
    /// Rows are streamed from SQLite and projected on the fly: only the lines are kept.
    pub async fn csv_lines(
        &self,
        object: &str,
        since: Option<&str>,
        include_deleted: bool,
        fields: &[String],
    ) -> Result<Vec<String>, SimError> {
        // Rows come in batches joined by SQLite itself (unit and record separators cannot
        // occur in JSON, ids or timestamps): one message per batch instead of per row.
        const BATCH: i64 = 2_000;
        let mut lines = Vec::new();
        // Keyset paging on (modstamp, id); the first batch starts after `since` itself
        // ("~" sorts after every id, which are alphanumeric).
        let (mut after_stamp, mut after_id) = (since.unwrap_or("").to_string(), "~".to_string());
        loop {
            let row = sqlx::query(
                "SELECT group_concat(modstamp || char(30) || id || char(30) || deleted || char(30) || body, char(31)) \
                 FROM (SELECT modstamp, id, deleted, body FROM records WHERE object = ?1 AND (deleted = 0 OR ?2) \
                       AND modstamp >= ?3 AND (modstamp > ?3 OR id > ?4) ORDER BY modstamp, id LIMIT ?5)",
            )
            .bind(object)
            .bind(include_deleted)
            .bind(&after_stamp)
            .bind(&after_id)
            .bind(BATCH)
            .fetch_one(&self.pool)
            .await
            .map_err(store_err("query records"))?;
            let Some(batch) = row.get::<Option<&str>, _>(0) else { break };
            let before = lines.len();
            for record in batch.split('\u{1f}') {
                let mut parts = record.splitn(4, '\u{1e}');
                let (Some(stamp), Some(id), Some(deleted), Some(body)) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    continue;
                };
                lines.push(csv_line(body, deleted == "1", fields));
                (after_stamp, after_id) = (stamp.to_string(), id.to_string());
            }
            if (lines.len() - before) < BATCH as usize {
                break;
            }
            // Let requests in between batches.
            tokio::task::yield_now().await;
        }
        Ok(lines)
    }

    /// Changes, adds (copies with new ids) and deletes records of `object`, stamping them
    /// `now`; returns the ids touched in each group.
    pub async fn mutate(
        &self,
        object: &str,
        changed: usize,
        added: usize,
        deleted: usize,
        now: &str,
    ) -> Result<(Vec<String>, Vec<String>, Vec<String>), SimError> {
        let live = self.live_records(object).await?;
        let mut tx = self.pool.begin().await.map_err(store_err("begin mutation"))?;
        let mut out = (Vec::new(), Vec::new(), Vec::new());
        let prefix: String = live
            .first()
            .and_then(|r| r.fields.get("Id").cloned().flatten())
            .unwrap_or_default()
            .chars()
            .take(3)
            .collect();
        let next: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE object = ?")
            .bind(object)
            .fetch_one(&mut *tx)
            .await
            .map_err(store_err("count for new ids"))?;
        let stamped = |mut fields: BTreeMap<String, Option<String>>| {
            fields.insert("SystemModstamp".into(), Some(now.to_string()));
            fields.insert("LastModifiedDate".into(), Some(now.to_string()));
            fields
        };
        for r in live.iter().take(changed) {
            let mut fields = stamped(r.fields.clone());
            let key = if fields.contains_key("Title") { "Title" } else { "Name" };
            fields.insert(key.into(), Some(format!("Changed at {now}")));
            let id = fields.get("Id").cloned().flatten().unwrap_or_default();
            sqlx::query("UPDATE records SET body = ?, modstamp = ? WHERE object = ? AND id = ?")
                .bind(serde_json::to_string(&fields).unwrap_or_default())
                .bind(now)
                .bind(object)
                .bind(&id)
                .execute(&mut *tx)
                .await
                .map_err(store_err("change record"))?;
            out.0.push(id);
        }
        for (n, r) in live.iter().skip(changed).take(added).enumerate() {
            let id = crate::ids::make_id(&prefix, 1_000_000 + next as u64 + n as u64);
            let mut fields = stamped(r.fields.clone());
            fields.insert("Id".into(), Some(id.clone()));
            fields.insert("CreatedDate".into(), Some(now.to_string()));
            sqlx::query("INSERT INTO records (object, id, body, modstamp, deleted) VALUES (?, ?, ?, ?, 0)")
                .bind(object)
                .bind(&id)
                .bind(serde_json::to_string(&fields).unwrap_or_default())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(store_err("add record"))?;
            out.1.push(id);
        }
        for r in live.iter().rev().take(deleted) {
            let id = r.fields.get("Id").cloned().flatten().unwrap_or_default();
            sqlx::query("UPDATE records SET deleted = 1, modstamp = ? WHERE object = ? AND id = ?")
                .bind(now)
                .bind(object)
                .bind(&id)
                .execute(&mut *tx)
                .await
                .map_err(store_err("delete record"))?;
            out.2.push(id);
        }
        tx.commit().await.map_err(store_err("commit mutation"))?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_line_quotes_values_escapes_quotes_and_flags_deletion() {
        let fields: Vec<String> = ["Id", "Name", "Phone", "IsDeleted"].iter().map(|f| f.to_string()).collect();
        let body = r#"{"Id":"001","Name":"Acme \"Inc\"","Phone":null}"#;
        assert_eq!(csv_line(body, true, &fields), "\"001\",\"Acme \"\"Inc\"\"\",,\"true\"\n");
        let plain = r#"{"Id":"001","Name":"Acme, Ltd"}"#;
        assert_eq!(csv_line(plain, false, &fields), "\"001\",\"Acme, Ltd\",,\"false\"\n");
    }
}
