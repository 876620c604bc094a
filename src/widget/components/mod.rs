//! Widget views: small components fed by props.

mod activity_panel;
mod match_panel;
mod record_card;

pub use activity_panel::ActivityPanel;
pub use match_panel::MatchPanel;
pub use record_card::RecordCard;
