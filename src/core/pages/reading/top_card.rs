//! The top card of a person or company page, and the small card of one search result:
//! which of its text runs is the name, the headline, the location and the company.
//!
//! The rules lean on what the page means rather than on class names, which change every
//! year: the name is the main heading; a person's location is the plain text just before
//! the "Contact info" link; the headline is the plain text between the name and the
//! location; companies and schools are buttons or links; Sales Navigator marks its
//! fields with `data-anonymize`, which wins when present.

use super::material::TextPiece;
use super::text::{self, clean};
use crate::core::pages::{NetworkEntity, NetworkPage, PageUrl};

/// What a card shows; any part may be empty.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Card {
    pub name: String,
    pub headline: String,
    pub location: String,
    /// The employer an element's label names ("Current company: Acme") or a Sales
    /// Navigator `company-name` field.
    pub labelled_company: String,
    /// The first company page the card links to.
    pub linked_company: String,
    /// The first link off the network (a company's website).
    pub website: String,
}

/// True when the card's main heading says there is no such profile.
pub fn heading_says_not_found(pieces: &[TextPiece]) -> bool {
    let heading: Vec<&str> = pieces.iter().filter(|p| p.heading == "h1").map(|p| p.text.as_str()).collect();
    text::says_not_found(&heading.join(" "))
}

/// Reads a page's top card.
pub fn read(pieces: &[TextPiece], entity: NetworkEntity) -> Card {
    let start = pieces.iter().position(|p| p.heading == "h1");
    let name = start.map(|i| clean(&pieces[i].text)).unwrap_or_default();
    let after = start.map_or(0, |i| i + 1);
    let mut card = Card { name, ..labelled(pieces) };
    let rest = &pieces[after.min(pieces.len())..];
    let facts: Vec<(usize, String)> =
        rest.iter().enumerate().filter(|(_, p)| is_fact(p, &card.name)).map(|(i, p)| (i, clean(&p.text))).collect();
    match entity {
        NetworkEntity::Person => {
            let contact = rest.iter().position(|p| text::is_contact_info(&clean(&p.text)));
            let (headline, location) = match contact {
                // The location sits right before "Contact info"; the headline before it.
                Some(c) => {
                    let before: Vec<&(usize, String)> = facts.iter().filter(|(i, _)| *i < c).collect();
                    let location = before.last().map(|(_, t)| t.clone()).unwrap_or_default();
                    let headline = if before.len() >= 2 { before[0].1.clone() } else { String::new() };
                    (headline, location)
                }
                None => (
                    facts.first().map(|(_, t)| t.clone()).unwrap_or_default(),
                    facts.get(1).map(|(_, t)| t.clone()).unwrap_or_default(),
                ),
            };
            card.headline = headline;
            card.location = location;
        }
        NetworkEntity::Company => {
            card.headline = facts.first().map(|(_, t)| t.clone()).unwrap_or_default();
            card.location = facts.iter().map(|(_, t)| t).find(|t| looks_like_place(t)).cloned().unwrap_or_default();
        }
    }
    fill_from_fields(&mut card, pieces, entity);
    card.linked_company = linked_company(pieces);
    card.website = pieces
        .iter()
        .filter(|p| p.interactive)
        .find(|p| {
            p.href.starts_with("http") && PageUrl::parse(&p.href).is_some_and(|u| !u.host_is_under("linkedin.com"))
        })
        .map(|p| p.href.clone())
        .unwrap_or_default();
    card
}

/// Reads one search or list result whose main link is `url`.
pub fn read_result(pieces: &[TextPiece], url: &str, entity: NetworkEntity) -> Card {
    let target = PageUrl::parse(url).and_then(|u| NetworkPage::from_url(&u));
    let same_page = |href: &str| {
        PageUrl::parse(href).and_then(|u| NetworkPage::from_url(&u)).is_some_and(|p| Some(&p) == target.as_ref())
    };
    let named = pieces.iter().position(|p| same_page(&p.href) && is_name_text(&clean(&p.text)));
    let name = named.map(|i| clean(&pieces[i].text)).unwrap_or_default();
    let rest = &pieces[named.map_or(0, |i| i + 1)..];
    let facts: Vec<String> = rest.iter().filter(|p| is_fact(p, &name)).map(|p| clean(&p.text)).collect();
    let mut card = Card {
        name,
        headline: facts.first().cloned().unwrap_or_default(),
        location: facts.get(1).cloned().unwrap_or_default(),
        ..labelled(pieces)
    };
    fill_from_fields(&mut card, pieces, entity);
    card.linked_company = linked_company(pieces);
    card
}

/// A plain text that can be a headline or a location (not the name, a count, an action).
fn is_fact(piece: &TextPiece, name: &str) -> bool {
    let t = clean(&piece.text);
    !t.is_empty()
        && !piece.interactive
        && piece.heading != "h1"
        && t != name
        && !text::is_pronouns(&t)
        && !text::is_degree(&t)
        && !text::is_count(&t)
        && !text::is_contact_info(&t)
        && t.chars().any(char::is_alphabetic)
}

/// A link text that names someone rather than an action ("View Ada's profile").
fn is_name_text(t: &str) -> bool {
    let lower = t.to_lowercase();
    let action = lower.starts_with("view ") && lower.ends_with("profile");
    !(t.is_empty() || text::is_degree(t) || action)
}

/// A company's location: "London, England", "Berlin, Germany" (a place list, not a sentence).
fn looks_like_place(t: &str) -> bool {
    t.contains(", ") && !t.ends_with('.') && t.split_whitespace().count() <= 8
}

fn labelled(pieces: &[TextPiece]) -> Card {
    let labelled_company = pieces.iter().find_map(|p| text::labelled_company(&p.label)).unwrap_or_default();
    Card { labelled_company, ..Card::default() }
}

fn linked_company(pieces: &[TextPiece]) -> String {
    pieces
        .iter()
        .filter(|p| p.interactive && text::is_company_link(&p.href))
        .map(|p| clean(&p.text))
        .find(|t| !t.is_empty() && !text::is_count(t))
        .unwrap_or_default()
}

/// Sales Navigator's `data-anonymize` fields override what the layout suggested.
fn fill_from_fields(card: &mut Card, pieces: &[TextPiece], entity: NetworkEntity) {
    let field = |names: &[&str]| {
        pieces.iter().filter(|p| names.contains(&p.field.as_str())).map(|p| clean(&p.text)).find(|t| !t.is_empty())
    };
    let name_field = match entity {
        NetworkEntity::Person => "person-name",
        NetworkEntity::Company => "company-name",
    };
    if let Some(name) = field(&[name_field]) {
        card.name = name;
    }
    if let Some(headline) = field(&["headline", "title", "job-title"]) {
        card.headline = headline;
    }
    if let Some(location) = field(&["location"]) {
        card.location = location;
    }
    if entity == NetworkEntity::Person {
        if let Some(company) = field(&["company-name"]) {
            card.labelled_company = company;
        }
    }
}
