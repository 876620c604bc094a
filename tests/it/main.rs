//! Integration tests of the core crate: one binary, a file per concept.

mod sf_ids;
