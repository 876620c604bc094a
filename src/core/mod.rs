//! The pure core: every decision the product makes lives here, so the relay (natively)
//! and the browser (in wasm) can never disagree.

pub mod activity;
pub mod api;
pub mod badge;
pub mod csv;
pub mod matching;
pub mod network_export;
pub mod network_messages;
pub mod normalize;
pub mod pages;
pub mod rep_sign_in;
pub mod rng;
pub mod rules;
pub mod sf;
pub mod time;
