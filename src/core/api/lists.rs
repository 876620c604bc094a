//! Saved lists on the wire: what `GET /api/v1/lists` answers (and `crmsync lists show
//! --json` prints), and what the popup sends to make a list or save an entry.

use serde::{Deserialize, Serialize};

use crate::core::rules::auto_save::ListKind;

/// A rep's lists: the two automatic ones first, then the rep's own, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedLists {
    pub lists: Vec<SavedList>,
    /// The rep's accounts rule (`open_opportunities` or `owned`).
    #[serde(default)]
    pub accounts_rule: String,
    /// Whether auto-save is on for the rep (an admin's switch).
    #[serde(default)]
    pub auto_save: bool,
}

/// One list with its entries, newest saved last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedList {
    /// `accounts`, `people`, or the number of a list the rep made.
    pub id: String,
    pub name: String,
    pub kind: ListKind,
    pub entries: Vec<SavedEntry>,
}

/// One saved record (or network profile or company not in the CRM).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedEntry {
    /// None for a profile or company saved by hand that is not in the CRM.
    pub crm_id: Option<String>,
    /// `Account`, `Contact`, `Lead`, or `person` / `company` when not in the CRM.
    pub object: String,
    pub name: String,
    /// `auto: open opportunity <name>`, `auto: account owner` or `by hand`.
    pub reason: String,
    /// RFC 3339.
    pub saved_at: String,
    /// The matched network profile or company; None: not yet matched.
    pub network_id: Option<String>,
    /// Opens the record in Salesforce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm_url: Option<String>,
    /// Opens the profile, or (not yet matched) a network search for the record.
    pub network_url: String,
}

/// `POST /api/v1/lists`: a new list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewList {
    pub name: String,
}

/// `POST /api/v1/lists/{id}/entries`: a record, or a network profile or company (with
/// the name the page shows), saved by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    #[serde(default)]
    pub crm_id: Option<String>,
    #[serde(default)]
    pub network_id: Option<String>,
    /// The name to show for a profile not in the CRM.
    #[serde(default)]
    pub name: Option<String>,
}

/// `PUT /api/v1/me/lists`: the rep's own auto-save choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListPrefs {
    /// `open_opportunities` (default) or `owned`.
    pub accounts_rule: String,
}

/// An alert on a saved person (`GET /api/v1/alerts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListAlert {
    pub id: i64,
    pub crm_id: String,
    pub network_id: String,
    /// `company`, `title` or `location`.
    pub field: String,
    pub crm_value: String,
    pub network_value: String,
    /// "now at Globex (CRM says Acme)".
    pub message: String,
    /// RFC 3339.
    pub created_at: String,
    pub read: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm_url: Option<String>,
    pub network_url: String,
}

/// A rep's alerts, newest first, and how many are unread.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListAlerts {
    pub alerts: Vec<ListAlert>,
    pub unread: usize,
}

/// One row of the data-quality report: a matched person whose profile disagrees with
/// the CRM about their company or title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityRow {
    pub crm_id: String,
    pub object: String,
    pub name: String,
    pub owner: String,
    pub network_id: String,
    pub field: String,
    pub crm_value: String,
    pub network_value: String,
}

/// `GET /api/v1/admin/data-quality`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityReport {
    /// Matched people compared.
    pub compared: usize,
    pub rows: Vec<QualityRow>,
}

/// The data-quality CSV's header.
pub const QUALITY_COLUMNS: [&str; 8] =
    ["crm_id", "object", "name", "owner", "network_id", "field", "crm_value", "network_value"];

impl QualityRow {
    /// The row's fields in [`QUALITY_COLUMNS`] order.
    pub fn fields(&self) -> [&str; 8] {
        [
            &self.crm_id,
            &self.object,
            &self.name,
            &self.owner,
            &self.network_id,
            &self.field,
            &self.crm_value,
            &self.network_value,
        ]
    }
}
