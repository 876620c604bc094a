//! Wire types of the admin's half (`/api/v1/admin/…`), shared by the relay, the console
//! and the command line's `--json` output.

use serde::{Deserialize, Serialize};

use crate::core::activity::{ActivityKind, ActivityView};
use crate::core::rules::roles::RoleNode;
use crate::core::rules::seats::RoleGrant;
use crate::core::rules::visibility::BadgeVisibility;

/// A user's write-back as the admin sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserWriteback {
    /// The admin's switch.
    pub enabled: bool,
    /// The kinds the user opted in to.
    pub kinds: Vec<ActivityKind>,
}

/// One imported Salesforce user with their seat (`GET /api/v1/admin/users`,
/// `crmsync seats list --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatUser {
    pub user_id: String,
    pub username: String,
    pub name: String,
    pub email: String,
    pub title: String,
    /// The role's name; `None` for a user without a role.
    pub role: Option<String>,
    pub role_id: Option<String>,
    pub is_active: bool,
    pub seat: bool,
    /// `manual`, `role` (given by a role grant) or `None` without a seat.
    pub seat_source: Option<String>,
    /// A seat given by a role grant whose holder is no longer in a granted role: kept
    /// until an admin removes it.
    pub outside_grant: bool,
    pub admin: bool,
    /// RFC 3339 time of the last sign-in, if any.
    pub last_sign_in: Option<String>,
    pub writeback: UserWriteback,
    /// Whether auto-save fills the user's lists (on until an admin switches it off).
    #[serde(default)]
    pub autosave: bool,
}

/// The role tree (`GET /api/v1/admin/roles`, `crmsync roles --json`).
pub type RoleTreeView = Vec<RoleNode>;

/// Which users an admin action is about: listed ids (or usernames), or a role (name or
/// id), alone or with its subtree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSelection {
    #[serde(default)]
    pub user_ids: Vec<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub subtree: bool,
}

/// `POST /api/v1/admin/seats`: give (`add`) or take (`remove`) seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatChange {
    /// `add` or `remove`.
    pub action: String,
    #[serde(flatten)]
    pub who: UserSelection,
    /// With a role and `add`: keep giving seats to the role's users at each import.
    #[serde(default)]
    pub keep_granting: bool,
}

/// `POST /api/v1/admin/writeback/users`: switch write-back on or off for users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WritebackChange {
    pub enabled: bool,
    #[serde(flatten)]
    pub who: UserSelection,
}

/// What an admin action changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeReport {
    /// Users changed.
    pub changed: Vec<String>,
    /// Users already so.
    pub unchanged: Vec<String>,
    /// Users skipped, each with why (inactive, …).
    pub skipped: Vec<Skipped>,
}

/// A user an action skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub user_id: String,
    pub reason: String,
}

/// The org's settings (`GET`/`PUT /api/v1/admin/settings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSettings {
    pub badge_visibility: BadgeVisibility,
    /// The kinds the org writes back at all.
    pub writeback_kinds: Vec<ActivityKind>,
    /// Test mode: only activities on this record are written.
    pub writeback_test_record: Option<String>,
    /// Roles that give seats at each import.
    pub seat_role_grants: Vec<RoleGrant>,
    /// The seat limit (`CRMSYNC_SEAT_LIMIT`), read-only.
    pub seat_limit: Option<usize>,
    /// Auto-save applies to open opportunities at or past this stage (none: any stage).
    #[serde(default)]
    pub autosave_min_stage: Option<String>,
    /// The org's Opportunity stages in order (read at each import), read-only.
    #[serde(default)]
    pub autosave_stages: Vec<String>,
    /// Entries the last import saved to reps' lists, read-only.
    #[serde(default)]
    pub autosave_last_import: Option<i64>,
    /// The Opportunity currency field the ROI report sums (`Amount` by default).
    #[serde(default)]
    pub roi_revenue_field: String,
    /// Days before an opportunity's creation that network work still influences it.
    #[serde(default)]
    pub roi_lookback_days: i64,
}

/// `PUT /api/v1/admin/settings`: the settings to change; absent ones stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminSettingsChange {
    #[serde(default)]
    pub badge_visibility: Option<String>,
    #[serde(default)]
    pub writeback_kinds: Option<Vec<String>>,
    /// A record id to start test mode, `""` to end it.
    #[serde(default)]
    pub writeback_test_record: Option<String>,
    #[serde(default)]
    pub seat_role_grants: Option<Vec<RoleGrant>>,
    /// A stage name, `""` for any stage.
    #[serde(default)]
    pub autosave_min_stage: Option<String>,
    /// A currency field of the org's Opportunity (checked by describe).
    #[serde(default)]
    pub roi_revenue_field: Option<String>,
    /// 0 to 730.
    #[serde(default)]
    pub roi_lookback_days: Option<i64>,
}

/// One activity of the org's queue (`GET /api/v1/admin/activities`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminActivity {
    /// The rep who logged it.
    pub user_id: String,
    pub username: String,
    #[serde(flatten)]
    pub activity: ActivityView,
}

/// A page of the org's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminActivities {
    pub activities: Vec<AdminActivity>,
    /// Activities matching the filter in all.
    pub total: i64,
}

/// `POST /api/v1/admin/activities/actions`: retry, re-target or discard activities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueAction {
    /// `retry`, `retarget` or `discard`.
    pub action: String,
    pub ids: Vec<String>,
    /// For `retarget`: the Lead, Contact (or Account, for notes) to point them at.
    #[serde(default)]
    pub target: Option<String>,
}

/// What a queue action did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueActionReport {
    pub done: Vec<String>,
    /// Ids not changed, each with why.
    pub refused: Vec<Skipped>,
}

/// An admin of the relay (`GET /api/v1/admin/admins`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminView {
    pub user_id: String,
    pub username: String,
    /// `store` (made admin in the console or on the command line) or `config`
    /// (`CRMSYNC_ADMIN_USERNAMES`, removed only there).
    pub source: String,
    pub added_by: String,
    pub added_at: Option<String>,
}

/// `POST /api/v1/admin/admins`: make a user admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminAdd {
    /// Salesforce user id or username.
    pub user: String,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

/// One object's import health (`GET /api/v1/admin/sync`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectHealth {
    pub object: String,
    pub rows: i64,
    pub last_import: Option<String>,
    pub next_import: Option<String>,
    pub duration_ms: Option<u64>,
    pub added: Option<u64>,
    pub changed: Option<u64>,
    pub deleted: Option<u64>,
    /// Fields the org lacks.
    pub missing_fields: Vec<String>,
}

/// The org's sync health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncHealth {
    pub objects: Vec<ObjectHealth>,
    /// The last import's error and the setting to check, if it failed.
    pub last_error: Option<String>,
    /// Daily API usage, oldest first: (day, used, max).
    pub api_usage: Vec<ApiUsageDay>,
}

/// One day's API usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiUsageDay {
    pub day: String,
    pub used: i64,
    pub max: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_take_their_fields_and_refuse_unknown_ones() {
        let c: SeatChange = serde_json::from_str(r#"{"action": "add", "role": "VP Sales", "subtree": true}"#).unwrap();
        assert_eq!((c.who.role.as_deref(), c.who.subtree, c.keep_granting), (Some("VP Sales"), true, false));
        let c: SeatChange = serde_json::from_str(r#"{"action": "remove", "user_ids": ["a", "b"]}"#).unwrap();
        assert_eq!(c.who.user_ids, ["a", "b"]);
        let err = serde_json::from_str::<SeatChange>(r#"{"action": "add", "roles": "x"}"#).unwrap_err().to_string();
        assert!(err.contains("roles"), "{err}");
        let err = serde_json::from_str::<WritebackChange>(r#"{"enabled": true, "user": "x"}"#).unwrap_err().to_string();
        assert!(err.contains("user"), "{err}");
        assert!(serde_json::from_str::<AdminSettingsChange>(r#"{"visibility": "everyone"}"#).is_err());
    }
}
