//! HTTP handlers, one file per resource.

pub mod activities;
pub mod admin;
pub mod admin_session;
pub mod connect;
pub mod cors;
pub mod crm_data;
pub mod directory;
pub mod documents;
pub mod lists;
pub mod match_report;
pub mod matches;
pub mod openapi;
pub mod page_health;
pub mod rep_session;
pub mod roi;
pub mod session_token;
pub mod static_files;
pub mod status;
pub mod writeback_admin;
