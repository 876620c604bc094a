//! The admin console served by the relay at `/admin/`: the org connection and API usage
//! today; seats, write-back and reports join it as their issues land.

#[cfg(feature = "web")]
mod app;
#[cfg(feature = "web")]
pub mod components;
pub mod state;

#[cfg(feature = "web")]
pub use app::AdminApp;

/// Renders the admin console into `root`.
#[cfg(feature = "web")]
pub fn mount(root: web_sys::Element) {
    yew::Renderer::<AdminApp>::with_root(root).render();
}
