//! crmsync: the shared core of the relay, the extension and the widget.
//!
//! `core` is pure Rust (no I/O, no clock, no randomness) and is linked natively by the
//! relay and compiled to wasm for the browser. The `web` feature adds the Yew widget,
//! the admin console and the `#[wasm_bindgen]` surface in `wasm`.
#![forbid(unsafe_code)]

pub mod core;

pub mod admin;
pub mod load;
#[cfg(feature = "web")]
pub mod local_time;
#[cfg(feature = "web")]
pub mod wasm;
pub mod widget;
