//! Relay integration tests: real sfsim and a real relay on port 0, over real sockets.

mod badge_index;
mod connect;
mod crash;
mod faults;
mod harness;
mod import;
mod incremental;
mod match_cli;
mod matching;
mod oauth;
mod security;
mod sfsim_dml;
mod sfsim_rest;
mod writeback;
mod writeback_crash;
