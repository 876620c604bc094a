//! Widget views: small components fed by props.

mod record_card;

pub use record_card::RecordCard;
