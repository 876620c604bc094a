//! Admin console views.

mod connection_panel;

pub use connection_panel::ConnectionPanel;
