//! What activity write-back keeps: the activity queue and small org facts (seats and
//! each user's switch and opt-ins are in `seats`). The SQL is written once with `?` placeholders
//! and numbered (`$1`, `$2`, …) for PostgreSQL, so both backends run the same statements.

use async_trait::async_trait;
use crmsync::core::activity::{ActivityKind, ActivityState, CheckedActivity};

pub use super::seats::{Seat, WritebackUser};
use super::StoreError;

/// Where a stored activity stands. `Sending` is internal: a write is in flight or its
/// outcome is unknown (users see it as pending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueState {
    Unassigned,
    Pending,
    Sending,
    Written,
    Failed,
    /// An admin discarded it: never written, kept so the same id is not taken again.
    Discarded,
}

impl QueueState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unassigned => "unassigned",
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Written => "written",
            Self::Failed => "failed",
            Self::Discarded => "discarded",
        }
    }

    /// How users see this state (`sending` is still pending to them).
    pub fn public(self) -> ActivityState {
        match self {
            Self::Unassigned => ActivityState::Unassigned,
            Self::Pending | Self::Sending => ActivityState::Pending,
            Self::Written => ActivityState::Written,
            Self::Failed => ActivityState::Failed,
            Self::Discarded => ActivityState::Discarded,
        }
    }

    /// The stored states a state users name stands for.
    pub fn of_public(state: ActivityState) -> &'static [QueueState] {
        match state {
            ActivityState::Unassigned => &[Self::Unassigned],
            ActivityState::Pending => &[Self::Pending, Self::Sending],
            ActivityState::Written => &[Self::Written],
            ActivityState::Failed => &[Self::Failed],
            ActivityState::Discarded => &[Self::Discarded],
        }
    }

    /// Reads a stored name; one this build never writes is an error, not a guess.
    pub(super) fn parse(name: &str) -> Result<Self, StoreError> {
        match name {
            "unassigned" => Ok(Self::Unassigned),
            "pending" => Ok(Self::Pending),
            "sending" => Ok(Self::Sending),
            "written" => Ok(Self::Written),
            "failed" => Ok(Self::Failed),
            "discarded" => Ok(Self::Discarded),
            other => Err(StoreError::Unknown { what: "an activity state", value: other.to_string() }),
        }
    }
}

/// A stored activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredActivity {
    pub id: String,
    /// The rep (Salesforce User id) who logged it: the Task's owner.
    pub user_id: String,
    pub kind: ActivityKind,
    pub subject: String,
    pub body: String,
    pub occurred_at: String,
    pub profile_id: String,
    pub target: Option<String>,
    pub state: QueueState,
    pub attempts: i64,
    pub next_attempt_at_ms: i64,
    /// When the last write that may have landed was sent (notes in `Sending`).
    pub sent_at_ms: Option<i64>,
    pub salesforce_id: Option<String>,
    pub error: Option<String>,
    pub created_at_ms: i64,
    pub written_at_ms: Option<i64>,
}

/// What a write attempt decided for one activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// In Salesforce as this record.
    Written { salesforce_id: String },
    /// Refused for good, with Salesforce's message.
    Failed { error: String },
    /// A transient failure: try again at `next_attempt_at_ms`.
    Retry { error: String, next_attempt_at_ms: i64 },
}

/// Rows changed by an admin command or a user request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// The row was created or changed.
    Yes,
    /// Nothing to do (already so).
    No,
}

/// The activity queue and org facts.
#[async_trait]
pub trait WritebackStore: Send + Sync {
    /// Stores new activities of `user_id` in one transaction; ids already stored are left
    /// as they are. Returns each activity as stored, in request order.
    async fn insert_activities(
        &self,
        user_id: &str,
        activities: &[CheckedActivity],
        now_ms: i64,
    ) -> Result<Vec<StoredActivity>, StoreError>;
    /// One activity.
    async fn activity(&self, id: &str) -> Result<Option<StoredActivity>, StoreError>;
    /// A user's activities, newest first, optionally in some states only.
    async fn activities_of(&self, user_id: &str, states: &[QueueState]) -> Result<Vec<StoredActivity>, StoreError>;
    /// Points an unassigned or failed activity at `target` and queues it.
    async fn assign_activity(&self, id: &str, target: &str, now_ms: i64) -> Result<Changed, StoreError>;
    /// Assigns `user_id`'s unassigned activities about network profile `profile_id` to
    /// `target` (only notes when `notes_only`, for an account): that user matched the
    /// profile. Other users' activities are theirs to confirm.
    async fn assign_unassigned_of_profile(
        &self,
        user_id: &str,
        profile_id: &str,
        target: &str,
        notes_only: bool,
        now_ms: i64,
    ) -> Result<u64, StoreError>;
    /// Queues a failed activity again (after the admin fixed the cause).
    async fn retry_activity(&self, id: &str, now_ms: i64) -> Result<Changed, StoreError>;
    /// Pending activities due at `now_ms`, oldest first, after `after` (created_at_ms, id),
    /// at most `limit`: a flush pages with it, so it meets each activity once.
    async fn due_activities(
        &self,
        now_ms: i64,
        after: (i64, &str),
        limit: i64,
    ) -> Result<Vec<StoredActivity>, StoreError>;
    /// Activities whose write may have landed (`Sending`).
    async fn uncertain_activities(&self) -> Result<Vec<StoredActivity>, StoreError>;
    /// Claims pending activities for a write that is not idempotent: marks them `Sending`
    /// in one transaction and returns the ids claimed (another flush may have taken some).
    async fn mark_sending(&self, ids: &[String], now_ms: i64) -> Result<Vec<String>, StoreError>;
    /// Puts `Sending` activities back in the queue (their write surely did not land).
    async fn unmark_sending(&self, ids: &[String], now_ms: i64) -> Result<(), StoreError>;
    /// Applies write outcomes in one transaction.
    async fn record_outcomes(&self, outcomes: &[(String, Outcome)], now_ms: i64) -> Result<(), StoreError>;
    /// Activities per stored state.
    async fn activity_totals(&self) -> Result<Vec<(QueueState, u64)>, StoreError>;
    /// Salesforce ids already recorded for written activities among `ids`.
    async fn claimed_salesforce_ids(&self, salesforce_ids: &[String]) -> Result<Vec<String>, StoreError>;
    /// An org fact the relay learned (record type ids, …).
    async fn org_setting(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Records an org fact.
    async fn set_org_setting(&self, key: &str, value: &str) -> Result<(), StoreError>;
    /// Forgets every org fact (after a disconnect; a new org has other ids).
    async fn clear_org_settings(&self) -> Result<u64, StoreError>;
}

/// SQLite takes the `?` SQL as written.
pub(super) fn as_is(sql: &str) -> String {
    sql.to_string()
}

/// `?` placeholders as PostgreSQL's `$1, $2, …`.
pub(super) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Columns of [`StoredActivity`].
pub(super) const ACTIVITY_COLUMNS: &str = "id, user_id, kind, subject, body, occurred_at, profile_id, target, state, \
     attempts, next_attempt_at_ms, sent_at_ms, salesforce_id, error, created_at_ms, written_at_ms";

/// How an activity is given a target and queued afresh (assigned by hand or by a match).
pub(super) const ASSIGN_SET: &str =
    "UPDATE activities SET target = ?, state = 'pending', attempts = 0, next_attempt_at_ms = 0, error = NULL, \
     updated_at_ms = ?";

/// Kinds as stored: names joined by commas.
pub(super) fn kinds_text(kinds: &[ActivityKind]) -> String {
    let mut names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.join(",")
}

/// Stored kinds back; unknown names (none are written) are skipped.
pub(super) fn kinds_from_text(text: &str) -> Vec<ActivityKind> {
    text.split(',').filter_map(ActivityKind::parse).collect()
}

/// Implements [`WritebackStore`] for a backend whose struct has a `pool` field; `$sql`
/// turns the `?` SQL into the backend's dialect.
macro_rules! impl_writeback_store {
    ($store:ty, $row:ty, $sql:path) => {
        #[async_trait::async_trait]
        impl $crate::store::writeback::WritebackStore for $store {
            async fn insert_activities(
                &self,
                user_id: &str,
                activities: &[crmsync::core::activity::CheckedActivity],
                now_ms: i64,
            ) -> Result<Vec<$crate::store::writeback::StoredActivity>, StoreError> {
                let mut tx = self.begin_write().await.map_err(query_err("starting to store activities"))?;
                let insert = $sql(
                    "INSERT INTO activities (id, user_id, kind, subject, body, occurred_at, profile_id, target, state,
                        created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (id) DO NOTHING",
                );
                let select = $sql(&format!("SELECT {} FROM activities WHERE id = ?", $crate::store::writeback::ACTIVITY_COLUMNS));
                let mut stored = Vec::with_capacity(activities.len());
                for a in activities {
                    let state = if a.target.is_some() { "pending" } else { "unassigned" };
                    sqlx::query(&insert)
                        .bind(&a.id)
                        .bind(user_id)
                        .bind(a.kind.as_str())
                        .bind(&a.subject)
                        .bind(&a.body)
                        .bind(&a.occurred_at)
                        .bind(&a.profile_id)
                        .bind(&a.target)
                        .bind(state)
                        .bind(now_ms)
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await
                        .map_err(query_err("storing an activity"))?;
                    let row = sqlx::query(&select)
                        .bind(&a.id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(query_err("reading a stored activity"))?;
                    stored.push(activity_from_row(&row)?);
                }
                tx.commit().await.map_err(query_err("committing activities"))?;
                Ok(stored)
            }

            async fn activity(&self, id: &str) -> Result<Option<$crate::store::writeback::StoredActivity>, StoreError> {
                let select = $sql(&format!("SELECT {} FROM activities WHERE id = ?", $crate::store::writeback::ACTIVITY_COLUMNS));
                let row = sqlx::query(&select)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(query_err("reading an activity"))?;
                row.as_ref().map(activity_from_row).transpose()
            }

            async fn activities_of(
                &self,
                user_id: &str,
                states: &[$crate::store::writeback::QueueState],
            ) -> Result<Vec<$crate::store::writeback::StoredActivity>, StoreError> {
                let select = $sql(&format!(
                    "SELECT {} FROM activities WHERE user_id = ? ORDER BY created_at_ms DESC, id",
                    $crate::store::writeback::ACTIVITY_COLUMNS
                ));
                let rows = sqlx::query(&select)
                    .bind(user_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("listing activities"))?;
                let all = rows.iter().map(activity_from_row).collect::<Result<Vec<_>, _>>()?;
                Ok(all.into_iter().filter(|a| states.is_empty() || states.contains(&a.state)).collect())
            }

            async fn assign_activity(&self, id: &str, target: &str, now_ms: i64) -> Result<$crate::store::writeback::Changed, StoreError> {
                let sql = $sql(&format!(
                    "{} WHERE id = ? AND state IN ('unassigned', 'failed')",
                    $crate::store::writeback::ASSIGN_SET
                ));
                let done = sqlx::query(&sql)
                    .bind(target)
                    .bind(now_ms)
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("assigning an activity"))?;
                Ok(changed(done.rows_affected()))
            }

            async fn assign_unassigned_of_profile(
                &self,
                user_id: &str,
                profile_id: &str,
                target: &str,
                notes_only: bool,
                now_ms: i64,
            ) -> Result<u64, StoreError> {
                let sql = $sql(&format!(
                    "{} WHERE user_id = ? AND profile_id = ? AND state = 'unassigned' AND (kind = 'note' OR NOT ?)",
                    $crate::store::writeback::ASSIGN_SET
                ));
                let done = sqlx::query(&sql)
                    .bind(target)
                    .bind(now_ms)
                    .bind(user_id)
                    .bind(profile_id)
                    .bind(notes_only)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("assigning a profile's activities"))?;
                Ok(done.rows_affected())
            }

            async fn retry_activity(&self, id: &str, now_ms: i64) -> Result<$crate::store::writeback::Changed, StoreError> {
                let sql = $sql(
                    "UPDATE activities SET state = 'pending', attempts = 0, next_attempt_at_ms = 0, updated_at_ms = ?
                     WHERE id = ? AND state = 'failed'",
                );
                let done = sqlx::query(&sql)
                    .bind(now_ms)
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("queueing an activity again"))?;
                Ok(changed(done.rows_affected()))
            }

            async fn due_activities(
                &self,
                now_ms: i64,
                after: (i64, &str),
                limit: i64,
            ) -> Result<Vec<$crate::store::writeback::StoredActivity>, StoreError> {
                let select = $sql(&format!(
                    "SELECT {} FROM activities WHERE state = 'pending' AND next_attempt_at_ms <= ?
                        AND (created_at_ms > ? OR (created_at_ms = ? AND id > ?))
                     ORDER BY created_at_ms, id LIMIT ?",
                    $crate::store::writeback::ACTIVITY_COLUMNS
                ));
                let rows = sqlx::query(&select)
                    .bind(now_ms)
                    .bind(after.0)
                    .bind(after.0)
                    .bind(after.1)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading due activities"))?;
                rows.iter().map(activity_from_row).collect()
            }

            async fn uncertain_activities(&self) -> Result<Vec<$crate::store::writeback::StoredActivity>, StoreError> {
                let select = format!(
                    "SELECT {} FROM activities WHERE state = 'sending' ORDER BY created_at_ms, id",
                    $crate::store::writeback::ACTIVITY_COLUMNS
                );
                let rows = sqlx::query(&select)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("reading activities in flight"))?;
                rows.iter().map(activity_from_row).collect()
            }

            async fn mark_sending(&self, ids: &[String], now_ms: i64) -> Result<Vec<String>, StoreError> {
                let sql = $sql(
                    "UPDATE activities SET state = 'sending', sent_at_ms = ?, updated_at_ms = ?
                     WHERE id = ? AND state = 'pending'",
                );
                let mut tx = self.begin_write().await.map_err(query_err("starting a send"))?;
                let mut claimed = Vec::with_capacity(ids.len());
                for id in ids {
                    let done = sqlx::query(&sql)
                        .bind(now_ms)
                        .bind(now_ms)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(query_err("marking an activity in flight"))?;
                    if done.rows_affected() > 0 {
                        claimed.push(id.clone());
                    }
                }
                tx.commit().await.map_err(query_err("committing a send"))?;
                Ok(claimed)
            }

            async fn unmark_sending(&self, ids: &[String], now_ms: i64) -> Result<(), StoreError> {
                let sql = $sql("UPDATE activities SET state = 'pending', updated_at_ms = ? WHERE id = ? AND state = 'sending'");
                let mut tx = self.begin_write().await.map_err(query_err("starting a requeue"))?;
                for id in ids {
                    sqlx::query(&sql)
                        .bind(now_ms)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(query_err("requeueing an activity"))?;
                }
                tx.commit().await.map_err(query_err("committing a requeue"))
            }

            async fn record_outcomes(
                &self,
                outcomes: &[(String, $crate::store::writeback::Outcome)],
                now_ms: i64,
            ) -> Result<(), StoreError> {
                use $crate::store::writeback::Outcome;
                let written = $sql(
                    "UPDATE activities SET state = 'written', salesforce_id = ?, error = NULL, written_at_ms = ?,
                        updated_at_ms = ? WHERE id = ?",
                );
                let failed = $sql(
                    "UPDATE activities SET state = 'failed', error = ?, attempts = attempts + 1, updated_at_ms = ?
                     WHERE id = ? AND state <> 'written'",
                );
                let retry = $sql(
                    "UPDATE activities SET state = 'pending', error = ?, attempts = attempts + 1, next_attempt_at_ms = ?,
                        updated_at_ms = ? WHERE id = ? AND state <> 'written'",
                );
                let mut tx = self.begin_write().await.map_err(query_err("starting to record write outcomes"))?;
                for (id, outcome) in outcomes {
                    let query = match outcome {
                        Outcome::Written { salesforce_id } => {
                            sqlx::query(&written).bind(salesforce_id).bind(now_ms).bind(now_ms).bind(id)
                        }
                        Outcome::Failed { error } => sqlx::query(&failed).bind(error).bind(now_ms).bind(id),
                        Outcome::Retry { error, next_attempt_at_ms } => {
                            sqlx::query(&retry).bind(error).bind(*next_attempt_at_ms).bind(now_ms).bind(id)
                        }
                    };
                    query.execute(&mut *tx).await.map_err(query_err("recording a write outcome"))?;
                }
                tx.commit().await.map_err(query_err("committing write outcomes"))
            }

            async fn activity_totals(&self) -> Result<Vec<($crate::store::writeback::QueueState, u64)>, StoreError> {
                let rows = sqlx::query("SELECT state, COUNT(*) FROM activities GROUP BY state")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(query_err("counting activities"))?;
                rows.iter()
                    .map(|r| {
                        let state: String = r.get(0);
                        let count: i64 = r.get(1);
                        Ok(($crate::store::writeback::QueueState::parse(&state)?, count.max(0) as u64))
                    })
                    .collect()
            }

            async fn claimed_salesforce_ids(&self, salesforce_ids: &[String]) -> Result<Vec<String>, StoreError> {
                let sql = $sql("SELECT salesforce_id FROM activities WHERE salesforce_id = ?");
                let mut claimed = Vec::new();
                for id in salesforce_ids {
                    let row = sqlx::query(&sql)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(query_err("checking written records"))?;
                    claimed.extend(row.map(|r| r.get::<String, _>(0)));
                }
                Ok(claimed)
            }

            async fn org_setting(&self, key: &str) -> Result<Option<String>, StoreError> {
                let row = sqlx::query(&$sql("SELECT value FROM org_settings WHERE key = ?"))
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(query_err("reading an org setting"))?;
                Ok(row.map(|r| r.get(0)))
            }

            async fn set_org_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
                let sql = $sql(
                    "INSERT INTO org_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                );
                sqlx::query(&sql)
                    .bind(key)
                    .bind(value)
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("saving an org setting"))?;
                Ok(())
            }

            async fn clear_org_settings(&self) -> Result<u64, StoreError> {
                let done = sqlx::query("DELETE FROM org_settings")
                    .execute(&self.pool)
                    .await
                    .map_err(query_err("forgetting org settings"))?;
                Ok(done.rows_affected())
            }
        }

        fn activity_from_row(r: &$row) -> Result<$crate::store::writeback::StoredActivity, StoreError> {
            let kind: String = r.get("kind");
            let state: String = r.get("state");
            Ok($crate::store::writeback::StoredActivity {
                id: r.get("id"),
                user_id: r.get("user_id"),
                kind: crmsync::core::activity::ActivityKind::parse(&kind)
                    .ok_or(StoreError::Unknown { what: "an activity kind", value: kind })?,
                subject: r.get("subject"),
                body: r.get("body"),
                occurred_at: r.get("occurred_at"),
                profile_id: r.get("profile_id"),
                target: r.get("target"),
                state: $crate::store::writeback::QueueState::parse(&state)?,
                attempts: r.get("attempts"),
                next_attempt_at_ms: r.get("next_attempt_at_ms"),
                sent_at_ms: r.get("sent_at_ms"),
                salesforce_id: r.get("salesforce_id"),
                error: r.get("error"),
                created_at_ms: r.get("created_at_ms"),
                written_at_ms: r.get("written_at_ms"),
            })
        }

        fn changed(rows: u64) -> $crate::store::writeback::Changed {
            if rows > 0 {
                $crate::store::writeback::Changed::Yes
            } else {
                $crate::store::writeback::Changed::No
            }
        }
    };
}
pub(super) use impl_writeback_store;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_counts_placeholders_in_order() {
        assert_eq!(numbered("a = ? AND b IN (?, ?)"), "a = $1 AND b IN ($2, $3)");
    }

    #[test]
    fn kinds_text_is_sorted_and_round_trips() {
        let kinds = [ActivityKind::Note, ActivityKind::Call, ActivityKind::Note];
        assert_eq!(kinds_text(&kinds), "call,note");
        assert_eq!(kinds_from_text("call,note,bogus"), vec![ActivityKind::Call, ActivityKind::Note]);
        assert_eq!(kinds_from_text(""), vec![]);
    }
}
