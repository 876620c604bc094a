//! Admin console views.

mod admin_panel;
mod connect_form;
mod connection_panel;
mod page_health_panel;
mod writeback_panel;

pub use admin_panel::AdminPanel;
pub use connect_form::ConnectForm;
pub use connection_panel::ConnectionPanel;
pub use page_health_panel::PageHealthPanel;
pub use writeback_panel::WritebackPanel;
