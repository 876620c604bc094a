//! Offline commands of the `crmsync` binary: file in, file out, no server.

pub mod import_network;
pub mod index_files;
pub mod match_files;
