//! Recognising the page a user is on from its URL, so the extension knows whether to
//! mount the widget (a Salesforce record page) or draw a badge (a network profile).
//!
//! The content scripts send the URL as they see it; every decision about what the URL
//! means is made here, once, for both browsers.

mod network;
pub mod reading;
mod salesforce;
mod url;

use serde::{Deserialize, Serialize};

pub use network::{network_entity_label, NetworkEntity, NetworkPage};
pub use salesforce::SalesforceRecordPage;
pub use url::{percent_decode, percent_encode, PageUrl};

/// A network search for a record not matched yet ("find on the network").
pub fn search_url(entity: NetworkEntity, keywords: &str) -> String {
    let kind = match entity {
        NetworkEntity::Person => "people",
        NetworkEntity::Company => "companies",
    };
    format!("https://www.linkedin.com/search/results/{kind}/?keywords={}", percent_encode(keywords.trim()))
}

/// What a URL shows, as far as crmsync is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Page {
    /// A Salesforce record page (Lightning or Classic): the widget goes here.
    SalesforceRecord(SalesforceRecordPage),
    /// A network page that identifies a person or company: a badge goes here.
    Network(NetworkPage),
    /// A network page listing people or companies (search results, Sales Navigator
    /// searches and lists): a badge per result and the in-CRM filter go here.
    NetworkResults,
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
        if network::is_results_page(&parsed) {
            return Page::NetworkResults;
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
    fn classify_search_and_list_pages_as_results() {
        for url in [
            "https://www.linkedin.com/search/results/people/?keywords=ada",
            "https://www.linkedin.com/search/results/companies/?keywords=acme",
            "https://www.linkedin.com/sales/search/people?query=x",
            "https://www.linkedin.com/sales/lists/people/7000?sortCriteria=CREATED_TIME",
        ] {
            assert_eq!(Page::classify(url), Page::NetworkResults, "{url}");
        }
        assert_eq!(Page::classify("https://www.linkedin.com/search/"), Page::Other);
        assert_eq!(Page::classify("https://www.linkedin.com/feed/"), Page::Other);
    }

    #[test]
    fn classify_serialises_with_kind_tag() {
        let page = Page::classify("https://www.linkedin.com/in/jane-doe/");
        let json = serde_json::to_value(&page).unwrap();
        assert_eq!(json["kind"], "network");
        assert_eq!(json["slug"], "jane-doe");
    }
}
