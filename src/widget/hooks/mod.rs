//! Browser plumbing for the widget, as hooks.

mod use_location_hash;

pub use use_location_hash::use_location_hash;
