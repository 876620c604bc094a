//! Command-line pieces of the `crmsync` binary: the offline commands (file in, file out,
//! no server), the import's progress bars, and the admin commands for seats and write-back.

pub mod admin;
pub mod import_network;
pub mod index_files;
pub mod lists;
pub mod match_files;
pub mod match_report;
pub mod progress;
pub mod roi;
pub mod writeback;
