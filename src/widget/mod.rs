//! The record widget shown inside Salesforce record pages (in an extension iframe, or
//! `www/widget.html` for admins who embed it themselves). State lives in `state.rs`,
//! views in `components/`, browser plumbing in `hooks/`.

#[cfg(feature = "web")]
mod app;
#[cfg(feature = "web")]
pub mod components;
#[cfg(feature = "web")]
pub mod hooks;
#[cfg(feature = "web")]
pub mod relay;
pub mod state;

#[cfg(feature = "web")]
pub use app::WidgetApp;

/// Renders the widget into `root`; it reaches the relay through `relay_api`.
#[cfg(feature = "web")]
pub fn mount(root: web_sys::Element, relay_api: js_sys::Function) {
    yew::Renderer::<WidgetApp>::with_root_and_props(root, app::WidgetAppProps { relay: relay::RelayApi(relay_api) })
        .render();
}
