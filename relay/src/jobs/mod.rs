//! Background and on-demand jobs of the relay.

pub mod import;
pub mod lease;
pub mod results_page;
