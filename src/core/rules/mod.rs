//! Org rules as pure functions over plain data, unit-tested natively; the relay only
//! gathers the data and acts on the answer.

pub mod auto_save;
pub mod documents;
pub mod framing;
pub mod match_rates;
pub mod profile_changes;
pub mod roi;
pub mod roles;
pub mod seats;
pub mod visibility;
pub mod writeback;
