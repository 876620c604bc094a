//! The CRM badge drawn on network pages, and the index the browser answers it from.
//! Until an index is loaded the badge says so plainly rather than guessing "Not in CRM".

pub mod codec;
pub mod index;
pub mod keyed_hash;
pub mod observed;

pub use index::{BadgeHit, BadgeIndex, IndexDelta, IndexError, IndexWriter, Label, RelayMatch, RelayMatches};
pub use observed::Observed;

use serde::{Deserialize, Serialize};

use crate::core::pages::network_entity_label;
use crate::core::pages::NetworkPage;

/// What the badge knows about the page's person or company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadgeState {
    /// No CRM index is loaded in this browser yet, so nothing can be said.
    NoIndex,
    /// A lead, contact or account matches.
    InCrm,
    /// Nothing in the index matches.
    NotInCrm,
}

/// A badge ready to draw: the content script renders `text` and `title` verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Badge {
    pub state: BadgeState,
    /// Short label shown on the page.
    pub text: String,
    /// Longer explanation for the tooltip.
    pub title: String,
    /// Opens the CRM record (in CRM, when the org's instance is known).
    pub link: Option<String>,
    /// The matched record's 18-character id (in CRM).
    pub crm_id: Option<String>,
    /// `Lead`, `Contact` or `Account` (in CRM).
    pub object: Option<String>,
    /// What the profile says that the CRM record does not ("now at Globex"): the record
    /// is out of date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_date: Option<String>,
}

impl Badge {
    /// The badge for a page seen before any CRM index is available.
    pub fn without_index(page: &NetworkPage) -> Self {
        let what = network_entity_label(page.entity);
        Self {
            state: BadgeState::NoIndex,
            text: format!("crmsync · {what} {} · CRM index not loaded", page.slug),
            title: format!("crmsync recognised this {what} page but has no CRM index to look it up in yet."),
            link: None,
            crm_id: None,
            object: None,
            out_of_date: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::pages::{NetworkEntity, NetworkPage};

    #[test]
    fn without_index_names_the_slug_and_entity() {
        let page = NetworkPage { entity: NetworkEntity::Company, slug: "acme".into(), sales_navigator: false };
        let badge = Badge::without_index(&page);
        assert_eq!(badge.state, BadgeState::NoIndex);
        assert_eq!(badge.text, "crmsync · company acme · CRM index not loaded");
    }
}
