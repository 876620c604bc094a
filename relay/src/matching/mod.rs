//! The org-wide matcher in the relay: after every import and every directory change or
//! decision, the core's trained one-to-one matcher links the org's people and accounts
//! to the directory (incrementally where it can), and the outcomes are stored — what
//! badges, the widget and the match-rate report all read.

pub mod cache;
pub mod report;
pub mod run;
pub mod sides;
pub mod slots;

pub use run::{run, MatchRunReport, Trigger};

use crate::store::StoreError;

/// Why a pass or a report failed.
#[derive(Debug, thiserror::Error)]
pub enum MatcherError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the matching worker stopped unexpectedly: {0}")]
    Worker(String),
    #[error("the stored matcher state is damaged: {0}")]
    Damaged(String),
    /// The pass's store-wide lease ran out (another relay's pass may hold it); nothing of
    /// this pass was written, the next one redoes it.
    #[error("the matching pass stopped: its lease on the store ran out before it wrote")]
    LeaseLost,
}
