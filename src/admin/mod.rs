//! The admin console served by the relay at `/admin/`: the org connection, seats by
//! role, write-back per user and kind, the org's settings and queue, admins and the audit
//! log, and sync health.

#[cfg(feature = "web")]
mod app;
#[cfg(feature = "web")]
pub mod components;
#[cfg(feature = "web")]
mod http;
pub mod state;
pub mod users_view;

#[cfg(feature = "web")]
pub use app::AdminApp;

/// Renders the admin console into `root`.
#[cfg(feature = "web")]
pub fn mount(root: web_sys::Element) {
    yew::Renderer::<AdminApp>::with_root(root).render();
}
