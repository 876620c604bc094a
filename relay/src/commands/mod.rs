//! Command-line pieces of the `crmsync` binary: the offline commands (file in, file out,
//! no server) and the import's progress bars.

pub mod import_network;
pub mod index_files;
pub mod match_files;
pub mod progress;
