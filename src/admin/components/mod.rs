//! Admin console views.

mod admin_panel;
mod admins_panel;
mod connect_form;
mod connection_panel;
mod decisions_panel;
mod match_panel;
mod outcome;
mod page_health_panel;
mod quality_panel;
mod queue_panel;
mod roi_panel;
mod seats_panel;
mod settings_panel;
mod sync_panel;
mod writeback_panel;

pub use admin_panel::AdminPanel;
pub use admins_panel::AdminsPanel;
pub use connect_form::ConnectForm;
pub use connection_panel::ConnectionPanel;
pub use decisions_panel::DecisionsPanel;
pub use match_panel::MatchPanel;
pub use page_health_panel::PageHealthPanel;
pub use quality_panel::QualityPanel;
pub use queue_panel::QueuePanel;
pub use roi_panel::RoiPanel;
pub use seats_panel::SeatsPanel;
pub use settings_panel::SettingsPanel;
pub use sync_panel::SyncPanel;
pub use writeback_panel::WritebackPanel;
