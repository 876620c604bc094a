//! Network pages that identify one person or company: profiles `/in/<slug>/`, company
//! pages `/company/<slug>/` and their Sales Navigator forms.

use serde::{Deserialize, Serialize};

use super::url::{percent_decode, PageUrl};

/// Whether the page is about a person or a company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkEntity {
    Person,
    Company,
}

/// The word users read for an entity ("profile", "company").
pub fn network_entity_label(entity: NetworkEntity) -> &'static str {
    match entity {
        NetworkEntity::Person => "profile",
        NetworkEntity::Company => "company",
    }
}

/// A network page and the key that identifies its person or company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkPage {
    pub entity: NetworkEntity,
    /// The public slug (decoded, lower-cased) or the Sales Navigator id.
    pub slug: String,
    /// True for Sales Navigator pages, whose ids are not public slugs.
    pub sales_navigator: bool,
}

impl NetworkPage {
    /// Recognises a person or company page on the network's hosts.
    pub fn from_url(url: &PageUrl) -> Option<Self> {
        if !url.host_is_under("linkedin.com") {
            return None;
        }
        let seg: Vec<&str> = url.segments.iter().map(String::as_str).collect();
        let (entity, raw, sales_navigator) = match seg.as_slice() {
            ["in", slug, ..] => (NetworkEntity::Person, *slug, false),
            ["company", slug, ..] => (NetworkEntity::Company, *slug, false),
            // Only the first comma-separated part of a lead id names the person.
            ["sales", "lead", id, ..] => (NetworkEntity::Person, id.split(',').next()?, true),
            ["sales", "company", id, ..] => (NetworkEntity::Company, *id, true),
            _ => return None,
        };
        let decoded = percent_decode(raw);
        let slug = if sales_navigator { decoded } else { decoded.to_lowercase() };
        if slug.trim().is_empty() {
            return None;
        }
        Some(Self { entity, slug, sales_navigator })
    }
}

/// People or company search results and Sales Navigator searches and lists.
pub fn is_results_page(url: &PageUrl) -> bool {
    if !url.host_is_under("linkedin.com") {
        return false;
    }
    let seg: Vec<&str> = url.segments.iter().map(String::as_str).collect();
    matches!(seg.as_slice(), ["search", "results", _, ..] | ["sales", "search", _, ..] | ["sales", "lists", _, ..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str) -> Option<NetworkPage> {
        NetworkPage::from_url(&PageUrl::parse(url)?)
    }

    #[test]
    fn from_url_profile_decodes_slug() {
        let p = page("https://www.linkedin.com/in/J%C3%BCrgen-M%C3%BCller-1a2b3c/").unwrap();
        assert_eq!(p.entity, NetworkEntity::Person);
        assert_eq!(p.slug, "jürgen-müller-1a2b3c");
        assert!(!p.sales_navigator);
    }

    #[test]
    fn from_url_sales_lead_keeps_first_segment() {
        let p = page("https://www.linkedin.com/sales/lead/ACwAAA123,NAME_SEARCH,xYz").unwrap();
        assert_eq!(p.slug, "ACwAAA123");
        assert!(p.sales_navigator);
    }

    #[test]
    fn from_url_company_pages() {
        assert_eq!(page("https://www.linkedin.com/company/acme-corp/about/").unwrap().entity, NetworkEntity::Company);
        assert_eq!(page("https://www.linkedin.com/sales/company/1234").unwrap().slug, "1234");
    }

    #[test]
    fn from_url_other_pages_are_none() {
        assert!(page("https://www.linkedin.com/feed/").is_none());
        assert!(page("https://www.linkedin.com/in/").is_none());
        assert!(page("https://www.linkedin.com/in/%20/").is_none());
        assert!(page("https://example.com/in/jane/").is_none());
    }
}
