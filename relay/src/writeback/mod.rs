//! Activity write-back (docs/ARCHITECTURE.md "Activity write-back rules", docs/salesforce.md §4–§6):
//! who may write, what the org needs, how an activity becomes a Task or a Note, and the
//! flush that writes the queue exactly once.

pub mod activities;
pub mod backfill;
pub mod flush;
pub mod prefs_body;
pub mod records;
pub mod setup;
pub mod users;

pub use flush::{flush, FlushReport};
pub use setup::{setup, SetupReport};

use crate::connect::{renew, stored_client, ConnectError};
use crate::salesforce::{SalesforceClient, SalesforceError};
use crate::state::AppState;
use crate::store::StoreError;

/// Whether `user_id` may log activities of `kind` now: a seat, write-back enabled by an
/// admin, the kind opted in by the rep and written by the org (the core's rule).
pub async fn may_log(
    state: &AppState,
    user_id: &str,
    kind: crmsync::core::activity::ActivityKind,
) -> Result<Result<(), crmsync::core::rules::writeback::WriteRefusal>, StoreError> {
    use crmsync::core::rules::writeback::{may_write, RepStanding};
    let prefs = state.store.writeback_user(user_id).await?;
    let seated = state.store.seat(user_id).await?.is_some();
    let org = crate::admin::settings::load(state).await?;
    let standing = RepStanding { seated, enabled: prefs.enabled, kinds: &prefs.kinds, org_kinds: &org.writeback_kinds };
    Ok(may_write(standing, kind, true))
}

/// Why setup or a flush stopped (per-activity failures are not errors: they are states).
#[derive(Debug, thiserror::Error)]
pub enum WritebackError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Salesforce refused a whole call; the activities stay queued.
    #[error("{source}{}", setup_hint(source))]
    Salesforce {
        #[from]
        source: SalesforceError,
    },
}

/// Points at `crmsync setup` when the org lacks what write-back needs.
fn setup_hint(e: &SalesforceError) -> &'static str {
    match e {
        SalesforceError::Rest { code, .. } if code == "NOT_FOUND" || code == "INVALID_FIELD" => {
            "; the org may lack the write-back setup: run `crmsync setup`"
        }
        _ => "",
    }
}

/// The org's API session for one setup or flush: renewed once when Salesforce says it
/// expired, then a second expiry is an error.
pub struct OrgSession {
    pub client: SalesforceClient,
    renewed: bool,
    /// Calls made by clients this session replaced.
    earlier_calls: u64,
}

impl OrgSession {
    /// The stored connection's session.
    pub async fn open(state: &AppState) -> Result<Self, ConnectError> {
        Ok(Self { client: stored_client(state).await?, renewed: false, earlier_calls: 0 })
    }

    /// API calls made through this session, renewals included.
    pub fn calls(&self) -> u64 {
        self.earlier_calls + self.client.calls()
    }

    /// After `error`: renews the session and returns true if a retry makes sense.
    pub async fn renew_after(&mut self, state: &AppState, error: &SalesforceError) -> Result<bool, ConnectError> {
        if self.renewed || !error.is_invalid_session() {
            return Ok(false);
        }
        let renewed = renew(state).await?;
        self.earlier_calls += self.client.calls();
        self.client = renewed;
        self.renewed = true;
        Ok(true)
    }
}

/// Runs `call` with the session, renewing it once on an expired session.
#[macro_export]
macro_rules! with_session {
    ($state:expr, $session:expr, |$client:ident| $call:expr) => {{
        loop {
            let $client = &$session.client;
            match $call.await {
                Err(e) if $session.renew_after($state, &e).await? => continue,
                other => break other,
            }
        }
    }};
}
