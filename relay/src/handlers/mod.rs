//! HTTP handlers, one file per resource.

pub mod admin_session;
pub mod connect;
pub mod static_files;
pub mod status;
