//! The admin console served by the relay at `/admin/`: the org connection and API usage
//! today; seats, write-back and reports join it as their issues land.

mod app;
pub mod components;
pub mod state;

pub use app::AdminApp;

/// Renders the admin console into `root`.
pub fn mount(root: web_sys::Element) {
    yew::Renderer::<AdminApp>::with_root(root).render();
}
