//! The record widget shown inside Salesforce record pages (in an extension iframe, or
//! `www/widget.html` for admins who embed it themselves). State lives in `state.rs`,
//! views in `components/`, browser plumbing in `hooks/`.

mod app;
pub mod components;
pub mod hooks;
pub mod state;

pub use app::WidgetApp;

/// Renders the widget into `root`.
pub fn mount(root: web_sys::Element) {
    yew::Renderer::<WidgetApp>::with_root(root).render();
}
