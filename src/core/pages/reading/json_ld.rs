//! schema.org data a page embeds (`<script type="application/ld+json">`). Pages put
//! values as strings, arrays or nested objects and nest nodes in `@graph`; anything
//! unexpected is skipped, never an error.

use serde_json::Value;

use super::text::clean;
use crate::core::pages::{NetworkEntity, NetworkPage, PageUrl};

/// The facts a page's structured data gives about its subject; empty when none.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Structured {
    pub name: String,
    pub location: String,
    /// A person's current employer: the first `worksFor` without an end date.
    pub current_employer: String,
    /// A company's own website (not its network page).
    pub website: String,
}

/// The structured facts about `page`'s subject. A node that names another page (the
/// viewer, a colleague) is never taken: when nodes carry URLs, one must be this page's.
pub fn subject(blocks: &[String], page: &NetworkPage) -> Structured {
    let nodes: Vec<Value> =
        blocks.iter().filter_map(|b| serde_json::from_str::<Value>(b).ok()).flat_map(flatten).collect();
    let candidates: Vec<&Value> = nodes.iter().filter(|n| has_type(n, page.entity)).collect();
    let about_page = |n: &&&Value| urls(n).iter().any(|u| names_page(u, page));
    let chosen = match candidates.iter().find(about_page) {
        Some(node) => Some(*node),
        None if candidates.len() == 1 && urls(candidates[0]).iter().all(|u| !is_network_url(u)) => Some(candidates[0]),
        None => None,
    };
    let Some(node) = chosen else { return Structured::default() };
    Structured {
        name: clean(&text(&node["name"])),
        location: location(&node["address"]),
        current_employer: match page.entity {
            NetworkEntity::Person => current_employer(&node["worksFor"]),
            NetworkEntity::Company => String::new(),
        },
        website: match page.entity {
            NetworkEntity::Company => urls(node).into_iter().find(|u| !is_network_url(u)).unwrap_or_default(),
            NetworkEntity::Person => String::new(),
        },
    }
}

/// The nodes of one block: itself, array items and `@graph` members, recursively.
fn flatten(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.into_iter().flat_map(flatten).collect(),
        Value::Object(mut map) => {
            let graph = map.remove("@graph").map(flatten).unwrap_or_default();
            std::iter::once(Value::Object(map)).chain(graph).collect()
        }
        _ => Vec::new(),
    }
}

fn has_type(node: &Value, entity: NetworkEntity) -> bool {
    let wanted: &[&str] = match entity {
        NetworkEntity::Person => &["Person"],
        NetworkEntity::Company => &["Organization", "Corporation", "LocalBusiness", "OnlineBusiness", "NGO"],
    };
    strings(&node["@type"]).iter().any(|t| wanted.contains(&t.trim_start_matches("http://schema.org/")))
}

/// A value as text: a string, a number, the first non-empty item of an array, or an
/// object's `@value` / `name`.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(text).find(|t| !t.trim().is_empty()).unwrap_or_default(),
        Value::Object(map) => map.get("@value").or_else(|| map.get("name")).map(text).unwrap_or_default(),
        _ => String::new(),
    }
}

/// Every string a value holds (a string or an array of them).
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

fn urls(node: &Value) -> Vec<String> {
    strings(&node["url"]).into_iter().chain(strings(&node["sameAs"])).filter(|u| u.starts_with("http")).collect()
}

fn is_network_url(url: &str) -> bool {
    PageUrl::parse(url).is_some_and(|u| u.host_is_under("linkedin.com"))
}

fn names_page(url: &str, page: &NetworkPage) -> bool {
    PageUrl::parse(url).and_then(|u| NetworkPage::from_url(&u)).is_some_and(|p| p.slug == page.slug)
}

/// "Locality, Region" from a PostalAddress (object, array or plain text).
fn location(address: &Value) -> String {
    match address {
        Value::Array(items) => items.iter().map(location).find(|l| !l.is_empty()).unwrap_or_default(),
        Value::Object(_) => {
            let locality = clean(&text(&address["addressLocality"]));
            let region = clean(&text(&address["addressRegion"]));
            match (locality.is_empty(), region.is_empty() || region == locality) {
                (false, true) => locality,
                (false, false) => format!("{locality}, {region}"),
                (true, _) => region,
            }
        }
        other => clean(&text(other)),
    }
}

fn current_employer(works_for: &Value) -> String {
    let orgs: Vec<&Value> = match works_for {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        one => vec![one],
    };
    let ended = |org: &Value| [&org["member"], org].iter().any(|m| !text(&m["endDate"]).trim().is_empty());
    orgs.into_iter().filter(|o| !ended(o)).map(|o| clean(&text(o))).find(|n| !n.is_empty()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(slug: &str) -> NetworkPage {
        NetworkPage { entity: NetworkEntity::Person, slug: slug.into(), sales_navigator: false }
    }

    #[test]
    fn arrays_objects_and_graphs_are_read() {
        let block = r#"{"@context":"http://schema.org","@graph":[
            {"@type":"WebPage","url":"https://se.linkedin.com/in/ada"},
            {"@type":["Person"],"name":["Ada Lovelace"],"url":"https://se.linkedin.com/in/ada",
             "address":{"@type":"PostalAddress","addressLocality":"London","addressCountry":"GB"},
             "jobTitle":["Engineer"],
             "worksFor":[{"name":"Old Co","member":{"endDate":"2020-01"}},{"@type":"Organization","name":{"@value":"Analytical Engines"}}]}]}"#;
        let s = subject(&[block.to_string()], &person("ada"));
        assert_eq!(s.name, "Ada Lovelace");
        assert_eq!(s.location, "London");
        assert_eq!(s.current_employer, "Analytical Engines");
    }

    #[test]
    fn another_persons_node_or_garbage_is_not_the_subject() {
        let viewer = r#"{"@type":"Person","name":"The Viewer","url":"https://www.linkedin.com/in/viewer"}"#;
        assert_eq!(
            subject(&[viewer.into(), "{not json".into(), "[1,2]".into(), "null".into()], &person("ada")),
            Structured::default()
        );
        let odd = r#"{"@type":"Person","name":{"first":"x"},"address":[["x"]],"worksFor":"Acme","url":7}"#;
        let s = subject(&[odd.into()], &person("ada"));
        assert_eq!((s.name.as_str(), s.current_employer.as_str()), ("", "Acme"));
    }

    #[test]
    fn a_company_website_is_not_its_network_page() {
        let block = r#"{"@type":"Organization","name":"Audiense","url":"https://uk.linkedin.com/company/audiense",
            "sameAs":["https://audiense.com"],"address":{"addressLocality":"London","addressRegion":"Greater London"}}"#;
        let page = NetworkPage { entity: NetworkEntity::Company, slug: "audiense".into(), sales_navigator: false };
        let s = subject(&[block.into()], &page);
        assert_eq!(
            (s.name.as_str(), s.website.as_str(), s.location.as_str()),
            ("Audiense", "https://audiense.com", "London, Greater London")
        );
    }
}
