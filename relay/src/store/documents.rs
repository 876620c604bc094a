//! Tracked document links and their views. One SQL text for both backends, `?` numbered
//! for PostgreSQL by the backend's `$sql`.

use async_trait::async_trait;

use super::writeback::Changed;
use super::StoreError;

/// A shared link as stored (the PDF's bytes are read apart, only when served).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: String,
    /// SHA-256 (hex) of the link's token.
    pub token_hash: String,
    /// The token sealed with the relay's key (to show the link again).
    pub token_sealed: String,
    pub user_id: String,
    /// The Lead or Contact it was shared for.
    pub record_id: String,
    pub title: String,
    /// `pdf` or `url`.
    pub kind: String,
    pub url: Option<String>,
    pub size: i64,
    pub created_at_ms: i64,
    pub expires_at_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
}

/// The documents' tables.
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// Stores a new link (with the PDF's bytes, if any).
    async fn create_document(&self, row: &DocumentRow, content: Option<&[u8]>) -> Result<(), StoreError>;
    /// The link whose token hashes to `token_hash`.
    async fn document_by_token(&self, token_hash: &str) -> Result<Option<DocumentRow>, StoreError>;
    /// A PDF's bytes.
    async fn document_content(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// A rep's links, newest first.
    async fn documents_of(&self, user_id: &str) -> Result<Vec<DocumentRow>, StoreError>;
    /// Revokes one of the rep's links.
    async fn revoke_document(&self, user_id: &str, id: &str, now_ms: i64) -> Result<Changed, StoreError>;
    /// Records a view; answers the link's view times (this one included), oldest first.
    async fn add_document_view(&self, id: &str, at_ms: i64) -> Result<Vec<i64>, StoreError>;
    /// The view times of a link, oldest first.
    async fn document_views(&self, id: &str) -> Result<Vec<i64>, StoreError>;
}

/// Columns of [`DocumentRow`].
pub(super) const DOCUMENT_COLUMNS: &str = "id, token_hash, token_sealed, user_id, record_id, title, kind, url, size, \
     created_at_ms, expires_at_ms, revoked_at_ms";

/// Implements [`DocumentStore`] for a backend whose struct has a `pool` field and a
/// `begin_write` (and the write-back store's `changed` in scope).
macro_rules! impl_document_store {
    ($store:ty, $row:ty, $sql:path) => {
        fn document_row(r: &$row) -> $crate::store::documents::DocumentRow {
            $crate::store::documents::DocumentRow {
                id: r.get(0),
                token_hash: r.get(1),
                token_sealed: r.get(2),
                user_id: r.get(3),
                record_id: r.get(4),
                title: r.get(5),
                kind: r.get(6),
                url: r.get(7),
                size: r.get(8),
                created_at_ms: r.get(9),
                expires_at_ms: r.get(10),
                revoked_at_ms: r.get(11),
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::documents::DocumentStore for $store {
            async fn create_document(
                &self,
                d: &$crate::store::documents::DocumentRow,
                content: Option<&[u8]>,
            ) -> Result<(), StoreError> {
                let sql = $sql(&format!(
                    "INSERT INTO documents ({}, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    $crate::store::documents::DOCUMENT_COLUMNS
                ));
                sqlx::query(&sql)
                    .bind(&d.id)
                    .bind(&d.token_hash)
                    .bind(&d.token_sealed)
                    .bind(&d.user_id)
                    .bind(&d.record_id)
                    .bind(&d.title)
                    .bind(&d.kind)
                    .bind(&d.url)
                    .bind(d.size)
                    .bind(d.created_at_ms)
                    .bind(d.expires_at_ms)
                    .bind(d.revoked_at_ms)
                    .bind(content)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("storing a shared document"))?;
                Ok(())
            }

            async fn document_by_token(
                &self,
                token_hash: &str,
            ) -> Result<Option<$crate::store::documents::DocumentRow>, StoreError> {
                let sql = $sql(&format!(
                    "SELECT {} FROM documents WHERE token_hash = ?",
                    $crate::store::documents::DOCUMENT_COLUMNS
                ));
                let row = sqlx::query(&sql)
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(query_err("reading a shared document"))?;
                Ok(row.as_ref().map(document_row))
            }

            async fn document_content(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
                let row = sqlx::query(&$sql("SELECT content FROM documents WHERE id = ?"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(query_err("reading a shared document's content"))?;
                Ok(row.and_then(|r| r.get::<Option<Vec<u8>>, _>(0)))
            }

            async fn documents_of(
                &self,
                user_id: &str,
            ) -> Result<Vec<$crate::store::documents::DocumentRow>, StoreError> {
                let sql = $sql(&format!(
                    "SELECT {} FROM documents WHERE user_id = ? ORDER BY created_at_ms DESC, id",
                    $crate::store::documents::DOCUMENT_COLUMNS
                ));
                let rows = sqlx::query(&sql)
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading shared documents"))?;
                Ok(rows.iter().map(document_row).collect())
            }

            async fn revoke_document(
                &self,
                user_id: &str,
                id: &str,
                now_ms: i64,
            ) -> Result<$crate::store::writeback::Changed, StoreError> {
                let done = sqlx::query(&$sql(
                    "UPDATE documents SET revoked_at_ms = ? WHERE id = ? AND user_id = ? AND revoked_at_ms IS NULL",
                ))
                .bind(now_ms)
                .bind(id)
                .bind(user_id)
                .execute(&self.pool)
                .await
                .map_err(query_err("revoking a shared document"))?;
                Ok(changed(done.rows_affected()))
            }

            async fn add_document_view(&self, id: &str, at_ms: i64) -> Result<Vec<i64>, StoreError> {
                let mut tx = self.begin_write().await.map_err(query_err("starting to record a view"))?;
                sqlx::query(&$sql("INSERT INTO document_views (document_id, viewed_at_ms) VALUES (?, ?)"))
                    .bind(id)
                    .bind(at_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(query_err("recording a view"))?;
                let rows = sqlx::query(&$sql(
                    "SELECT viewed_at_ms FROM document_views WHERE document_id = ? ORDER BY viewed_at_ms, id",
                ))
                .bind(id)
                .fetch_all(&mut *tx)
                .await
                .map_err(query_err("reading views"))?;
                tx.commit().await.map_err(query_err("committing a view"))?;
                Ok(rows.iter().map(|r| r.get(0)).collect())
            }

            async fn document_views(&self, id: &str) -> Result<Vec<i64>, StoreError> {
                let rows = sqlx::query(&$sql(
                    "SELECT viewed_at_ms FROM document_views WHERE document_id = ? ORDER BY viewed_at_ms, id",
                ))
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .map_err(query_err("reading views"))?;
                Ok(rows.iter().map(|r| r.get(0)).collect())
            }
        }
    };
}
pub(super) use impl_document_store;
