//! Integration tests of the core crate: one binary, a file per concept.

mod reading;
mod sf_ids;
