//! Recognising the page a user is on from its URL, so the extension knows whether to
//! mount the widget (a Salesforce record page) or draw a badge (a network profile).
//!
//! The content scripts send the URL as they see it; every decision about what the URL
//! means is made here, once, for both browsers.

mod network;
mod salesforce;
mod url;

use serde::{Deserialize, Serialize};

pub use network::{network_entity_label, NetworkEntity, NetworkPage};
pub use salesforce::SalesforceRecordPage;
pub use url::{percent_decode, PageUrl};

/// What a URL shows, as far as crmsync is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Page {
    /// A Salesforce record page (Lightning or Classic): the widget goes here.
    SalesforceRecord(SalesforceRecordPage),
    /// A network page that identifies a person or company: a badge goes here.
    Network(NetworkPage),
    /// Anything else: crmsync draws nothing.
    Other,
}

impl Page {
    /// Classifies an absolute URL; malformed or foreign URLs are `Other`, never an error,
    /// because content scripts run on every page of the matched hosts.
    pub fn classify(url: &str) -> Self {
        let Some(parsed) = PageUrl::parse(url) else {
            return Page::Other;
        };
        if let Some(record) = SalesforceRecordPage::from_url(&parsed) {
            return Page::SalesforceRecord(record);
        }
        if let Some(network) = NetworkPage::from_url(&parsed) {
            return Page::Network(network);
        }
        Page::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_foreign_or_broken_urls_is_other() {
        assert_eq!(Page::classify("https://example.com/in/jane/"), Page::Other);
        assert_eq!(Page::classify("not a url"), Page::Other);
        assert_eq!(Page::classify(""), Page::Other);
    }

    #[test]
    fn classify_serialises_with_kind_tag() {
        let page = Page::classify("https://www.linkedin.com/in/jane-doe/");
        let json = serde_json::to_value(&page).unwrap();
        assert_eq!(json["kind"], "network");
        assert_eq!(json["slug"], "jane-doe");
    }
}
