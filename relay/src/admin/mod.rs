//! The admin's half as services between the handlers (and commands) and the store: who
//! is admin, seats by user and role, write-back per user and kind, the org's settings, its
//! activity queue and its sync health. Each action is checked here, once, and written to
//! the audit log with who did it.

pub mod admins;
pub mod health;
pub mod queue;
pub mod roi;
pub mod seats;
pub mod settings;
pub mod status;
pub mod visibility;

use crate::error::ApiError;
use crate::store::StoreError;
use crate::writeback::users::UserError;

/// Who performs an admin action, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub username: String,
}

impl Actor {
    /// An action run on the relay's host (`crmsync seats …`): the operator is not a
    /// Salesforce user.
    pub fn command_line() -> Self {
        Self { user_id: String::new(), username: "command line".into() }
    }
}

/// Why an admin action was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The request is wrong; the message says how.
    #[error("{0}")]
    Invalid(String),
    /// The action conflicts with the org's state (the last admin, the seat limit).
    #[error("{0}")]
    Conflict(String),
    /// A named user or role does not exist.
    #[error(transparent)]
    User(#[from] UserError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Invalid(m) => ApiError::BadRequest(m),
            AdminError::Conflict(m) => ApiError::Conflict(m),
            AdminError::User(UserError::Store(s)) | AdminError::Store(s) => ApiError::Store(s),
            AdminError::User(u) => ApiError::BadRequest(u.to_string()),
        }
    }
}

/// Appends an action to the audit log.
pub async fn audit(
    state: &crate::state::AppState,
    actor: &Actor,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    state.store.audit(crate::state::now_ms(), &actor.user_id, &actor.username, action, detail).await
}
