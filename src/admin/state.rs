//! Admin console state: each remote resource is `Loading` or `Loaded(Result)`. Plain
//! Rust (the Yew `Reducible` glue is behind `web`), so its tests run natively.

use std::rc::Rc;

use crate::core::api::{AdminIdentity, DisconnectReport, FlushReport, RelayStatus, SetupReport};

pub use crate::load::Load;

/// Everything the console shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminState {
    pub status: Load<RelayStatus>,
    /// The signed-in admin; `Loaded(Ok(None))` when nobody is signed in.
    pub admin: Load<Option<AdminIdentity>>,
    /// An error the relay sent back on the page address (`?error=…`) after a login.
    pub login_error: Option<String>,
    /// The last disconnect's outcome.
    pub disconnect: Option<Result<DisconnectReport, String>>,
    /// The last write-back button's outcome.
    pub writeback: Option<Result<WritebackOutcome, String>>,
    /// A write-back button was pressed and has not answered yet.
    pub writeback_busy: bool,
}

/// What a write-back button answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WritebackOutcome {
    Setup(SetupReport),
    Flush(FlushReport),
}

impl Default for AdminState {
    fn default() -> Self {
        Self {
            status: Load::Loading,
            admin: Load::Loading,
            login_error: None,
            disconnect: None,
            writeback: None,
            writeback_busy: false,
        }
    }
}

/// What can happen in the console.
pub enum AdminAction {
    /// `GET /api/v1/status` answered (or failed with a message).
    StatusLoaded(Result<RelayStatus, String>),
    /// `GET /api/v1/admin/me` answered.
    AdminLoaded(Result<Option<AdminIdentity>, String>),
    /// The page was opened with `?error=…`.
    LoginError(String),
    /// A disconnect finished; the status is reloaded after it.
    Disconnected(Result<DisconnectReport, String>),
    /// "Set up write-back" or "Flush now" was pressed.
    WritebackStarted,
    /// The write-back button answered.
    WritebackDone(Result<WritebackOutcome, String>),
}

#[cfg(feature = "web")]
impl yew::Reducible for AdminState {
    type Action = AdminAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        self.next(action)
    }
}

impl AdminState {
    /// The state after `action`.
    pub fn next(self: Rc<Self>, action: AdminAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            AdminAction::StatusLoaded(result) => next.status = Load::Loaded(result),
            AdminAction::AdminLoaded(result) => next.admin = Load::Loaded(result),
            AdminAction::LoginError(message) => next.login_error = Some(message),
            AdminAction::Disconnected(result) => {
                if result.is_ok() {
                    next.admin = Load::Loaded(Ok(None));
                }
                next.disconnect = Some(result);
            }
            AdminAction::WritebackStarted => next.writeback_busy = true,
            AdminAction::WritebackDone(result) => {
                next.writeback_busy = false;
                next.writeback = Some(result);
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_successful_disconnect_signs_the_admin_out() {
        let signed_in = AdminIdentity { user_id: "005".into(), username: "ada@x".into() };
        let state = Rc::new(AdminState::default()).next(AdminAction::AdminLoaded(Ok(Some(signed_in))));
        let report = DisconnectReport { revoked: true, purged: vec![] };
        let state = state.next(AdminAction::Disconnected(Ok(report.clone())));
        assert_eq!(state.admin, Load::Loaded(Ok(None)));
        assert_eq!(state.disconnect, Some(Ok(report)));
    }

    #[test]
    fn a_writeback_button_is_busy_until_it_answers() {
        let state = Rc::new(AdminState::default()).next(AdminAction::WritebackStarted);
        assert!(state.writeback_busy);
        let report = FlushReport { written: 3, ..Default::default() };
        let state = state.next(AdminAction::WritebackDone(Ok(WritebackOutcome::Flush(report.clone()))));
        assert!(!state.writeback_busy);
        assert_eq!(state.writeback, Some(Ok(WritebackOutcome::Flush(report))));
    }

    #[test]
    fn a_failed_disconnect_keeps_the_admin() {
        let signed_in = AdminIdentity { user_id: "005".into(), username: "ada@x".into() };
        let state = Rc::new(AdminState::default()).next(AdminAction::AdminLoaded(Ok(Some(signed_in.clone()))));
        let state = state.next(AdminAction::Disconnected(Err("HTTP 502".into())));
        assert_eq!(state.admin, Load::Loaded(Ok(Some(signed_in))));
    }
}
