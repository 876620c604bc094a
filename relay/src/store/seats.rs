//! Who may sign in and whose activities are written: seats, and each user's write-back
//! switch (an admin's) and opted-in kinds (the user's own). One SQL text for both
//! backends, `?` numbered for PostgreSQL by the backend's `$sql`.

use async_trait::async_trait;
use crmsync::core::activity::ActivityKind;

use super::writeback::Changed;
use super::StoreError;

/// A Salesforce user allowed to sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    /// 18-character User id.
    pub user_id: String,
    pub username: String,
    pub added_at_ms: i64,
}

/// A user's write-back switch (an admin's) and opted-in kinds (the user's own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WritebackUser {
    pub enabled: bool,
    pub kinds: Vec<ActivityKind>,
}

/// Seats and write-back switches.
#[async_trait]
pub trait SeatStore: Send + Sync {
    /// Gives `seat` a seat.
    async fn add_seat(&self, seat: &Seat) -> Result<Changed, StoreError>;
    /// Takes a seat away and ends the user's sessions.
    async fn remove_seat(&self, user_id: &str) -> Result<Changed, StoreError>;
    /// Every seat, by username.
    async fn seats(&self) -> Result<Vec<Seat>, StoreError>;
    /// The seat of `user_id`, if any.
    async fn seat(&self, user_id: &str) -> Result<Option<Seat>, StoreError>;
    /// An admin's switch for one user.
    async fn set_writeback_enabled(&self, user_id: &str, enabled: bool, now_ms: i64) -> Result<Changed, StoreError>;
    /// A user's opt-ins, replaced whole.
    async fn set_writeback_kinds(&self, user_id: &str, kinds: &[ActivityKind], now_ms: i64) -> Result<(), StoreError>;
    /// A user's switch and opt-ins (off and none when never set).
    async fn writeback_user(&self, user_id: &str) -> Result<WritebackUser, StoreError>;
}

/// Implements [`SeatStore`] for a backend whose struct has a `pool` field (and the
/// write-back store's `changed` in scope).
macro_rules! impl_seat_store {
    ($store:ty, $sql:path) => {
        #[async_trait::async_trait]
        impl $crate::store::seats::SeatStore for $store {
            async fn add_seat(&self, seat: &$crate::store::seats::Seat) -> Result<$crate::store::writeback::Changed, StoreError> {
                let sql = $sql("INSERT INTO seats (user_id, username, added_at_ms) VALUES (?, ?, ?) ON CONFLICT (user_id) DO NOTHING");
                let done = sqlx::query(&sql)
                    .bind(&seat.user_id)
                    .bind(&seat.username)
                    .bind(seat.added_at_ms)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("adding a seat"))?;
                Ok(changed(done.rows_affected()))
            }

            async fn remove_seat(&self, user_id: &str) -> Result<$crate::store::writeback::Changed, StoreError> {
                let mut tx = self.begin_write().await.map_err(query_err("starting a seat removal"))?;
                let done = sqlx::query(&$sql("DELETE FROM seats WHERE user_id = ?"))
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(query_err("removing a seat"))?;
                sqlx::query(&$sql("DELETE FROM web_sessions WHERE user_id = ? AND kind <> 'admin'"))
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(query_err("ending the sessions of a removed seat"))?;
                tx.commit().await.map_err(query_err("committing a seat removal"))?;
                Ok(changed(done.rows_affected()))
            }

            async fn seats(&self) -> Result<Vec<$crate::store::seats::Seat>, StoreError> {
                let rows = sqlx::query("SELECT user_id, username, added_at_ms FROM seats ORDER BY username")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("listing seats"))?;
                Ok(rows
                    .iter()
                    .map(|r| $crate::store::seats::Seat { user_id: r.get(0), username: r.get(1), added_at_ms: r.get(2) })
                    .collect())
            }

            async fn seat(&self, user_id: &str) -> Result<Option<$crate::store::seats::Seat>, StoreError> {
                let row = sqlx::query(&$sql("SELECT user_id, username, added_at_ms FROM seats WHERE user_id = ?"))
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(query_err("reading a seat"))?;
                Ok(row.map(|r| $crate::store::seats::Seat { user_id: r.get(0), username: r.get(1), added_at_ms: r.get(2) }))
            }

            async fn set_writeback_enabled(
                &self,
                user_id: &str,
                enabled: bool,
                now_ms: i64,
            ) -> Result<$crate::store::writeback::Changed, StoreError> {
                let sql = $sql(
                    "INSERT INTO writeback_users (user_id, enabled, kinds, updated_at_ms) VALUES (?, ?, '', ?)
                     ON CONFLICT (user_id) DO UPDATE SET enabled = excluded.enabled, updated_at_ms = excluded.updated_at_ms
                     WHERE writeback_users.enabled <> excluded.enabled",
                );
                let done = sqlx::query(&sql)
                    .bind(user_id)
                    .bind(i64::from(enabled))
                    .bind(now_ms)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("switching write-back"))?;
                Ok(changed(done.rows_affected()))
            }

            async fn set_writeback_kinds(
                &self,
                user_id: &str,
                kinds: &[crmsync::core::activity::ActivityKind],
                now_ms: i64,
            ) -> Result<(), StoreError> {
                let sql = $sql(
                    "INSERT INTO writeback_users (user_id, enabled, kinds, updated_at_ms) VALUES (?, 0, ?, ?)
                     ON CONFLICT (user_id) DO UPDATE SET kinds = excluded.kinds, updated_at_ms = excluded.updated_at_ms",
                );
                sqlx::query(&sql)
                    .bind(user_id)
                    .bind($crate::store::writeback::kinds_text(kinds))
                    .bind(now_ms)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("saving write-back opt-ins"))?;
                Ok(())
            }

            async fn writeback_user(&self, user_id: &str) -> Result<$crate::store::seats::WritebackUser, StoreError> {
                let row = sqlx::query(&$sql("SELECT enabled, kinds FROM writeback_users WHERE user_id = ?"))
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(query_err("reading write-back settings"))?;
                Ok(row
                    .map(|r| $crate::store::seats::WritebackUser {
                        enabled: r.get::<i64, _>(0) != 0,
                        kinds: $crate::store::writeback::kinds_from_text(&r.get::<String, _>(1)),
                    })
                    .unwrap_or_default())
            }

        }
    };
}
pub(super) use impl_seat_store;
