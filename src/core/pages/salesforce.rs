//! Salesforce record pages: Lightning `/lightning/r/<SObject>/<id>/view` (also console
//! URLs with query strings) and Classic `/<15 or 18-char id>` on `*.my.salesforce.com`.

use serde::{Deserialize, Serialize};

use super::url::PageUrl;
use crate::core::sf::SalesforceId;

/// Which Salesforce UI the page belongs to; the widget is framed the same way in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SalesforceUi {
    Lightning,
    Classic,
}

/// A record page: the org host it was seen on and the record as the URL names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesforceRecordPage {
    pub ui: SalesforceUi,
    /// The org's host, e.g. `acme.lightning.force.com`.
    pub host: String,
    /// API name of the object; from the URL in Lightning, from the key prefix in Classic.
    pub object: Option<String>,
    /// The id exactly as it appears in the URL (15 or 18 characters).
    pub record_id: String,
}

impl SalesforceRecordPage {
    /// Recognises a record page; list views, setup and home pages are not record pages.
    pub fn from_url(url: &PageUrl) -> Option<Self> {
        let seg: Vec<&str> = url.segments.iter().map(String::as_str).collect();
        if url.host_is_under("lightning.force.com") {
            // /lightning/r/<SObject>/<id>/view[/...] or /lightning/r/<id>/view
            let (object, raw) = match seg.as_slice() {
                ["lightning", "r", object, id, "view", ..] => (Some(*object), *id),
                ["lightning", "r", id, "view", ..] => (None, *id),
                _ => return None,
            };
            let id = SalesforceId::parse(raw).ok()?;
            let object = object.map(str::to_string).or_else(|| id.object_type().map(|t| t.api_name().to_string()));
            return Some(Self {
                ui: SalesforceUi::Lightning,
                host: url.host.clone(),
                object,
                record_id: raw.to_string(),
            });
        }
        if url.host_is_under("my.salesforce.com") {
            let [raw] = seg.as_slice() else { return None };
            let id = SalesforceId::parse(raw).ok()?;
            return Some(Self {
                ui: SalesforceUi::Classic,
                host: url.host.clone(),
                object: id.object_type().map(|t| t.api_name().to_string()),
                record_id: raw.to_string(),
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str) -> Option<SalesforceRecordPage> {
        SalesforceRecordPage::from_url(&PageUrl::parse(url)?)
    }

    #[test]
    fn from_url_lightning_contact() {
        let p = page("https://acme.lightning.force.com/lightning/r/Contact/0037e00001WZ30qAAD/view").unwrap();
        assert_eq!(p.ui, SalesforceUi::Lightning);
        assert_eq!(p.object.as_deref(), Some("Contact"));
        assert_eq!(p.record_id, "0037e00001WZ30qAAD");
    }

    #[test]
    fn from_url_lightning_console_with_query() {
        let p = page("https://acme--dev.sandbox.lightning.force.com/lightning/r/Lead/00Qg5000008th4XEAQ/view?ws=%2Flightning%2Fr%2FAccount").unwrap();
        assert_eq!(p.object.as_deref(), Some("Lead"));
        assert_eq!(p.host, "acme--dev.sandbox.lightning.force.com");
    }

    #[test]
    fn from_url_classic_15_char_id() {
        let p = page("https://acme.my.salesforce.com/0015Y00002ZbgP3").unwrap();
        assert_eq!(p.ui, SalesforceUi::Classic);
        assert_eq!(p.object.as_deref(), Some("Account"));
        assert_eq!(p.record_id, "0015Y00002ZbgP3");
    }

    #[test]
    fn from_url_non_record_pages_are_none() {
        assert!(page("https://acme.lightning.force.com/lightning/o/Contact/list").is_none());
        assert!(page("https://acme.lightning.force.com/lightning/r/Contact/7986gEXAMPLE4X2OPT/view").is_none());
        assert!(page("https://acme.my.salesforce.com/home/home.jsp").is_none());
        assert!(page("https://www.linkedin.com/0015Y00002ZbgP3").is_none());
    }
}
