//! Admin console state: each remote resource is `Loading` or `Loaded(Result)`.

use std::rc::Rc;

use yew::Reducible;

use crate::core::api::RelayStatus;

/// A value fetched from the relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Load<T> {
    Loading,
    Loaded(Result<T, String>),
}

/// Everything the console shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminState {
    pub status: Load<RelayStatus>,
}

impl Default for AdminState {
    fn default() -> Self {
        Self { status: Load::Loading }
    }
}

/// What can happen in the console.
pub enum AdminAction {
    /// `GET /api/v1/status` answered (or failed with a message).
    StatusLoaded(Result<RelayStatus, String>),
}

impl Reducible for AdminState {
    type Action = AdminAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        match action {
            AdminAction::StatusLoaded(result) => Rc::new(Self { status: Load::Loaded(result) }),
        }
    }
}
