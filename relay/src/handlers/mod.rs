//! HTTP handlers, one file per resource.

pub mod static_files;
pub mod status;
