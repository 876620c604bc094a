//! Reading a network page: the content script sends raw material (the JSON-LD blocks, the
//! top card's visible text runs with what encloses them, the experience section's first
//! entries, the tab title) and the core decides who or what the page is about.
//!
//! Every rule lives here, once, so both browsers read pages alike and the rules are unit
//! tested on real saved pages (`tests/it/reading/`). Nothing in the material is trusted to be well formed: a
//! value that is missing, an array or an object never makes reading fail.

mod experience;
mod json_ld;
mod material;
mod text;
mod top_card;

pub use material::{PageMaterial, ResultMaterial, TextPiece};

use crate::core::badge::Observed;
use crate::core::pages::{NetworkEntity, NetworkPage, PageUrl};

/// What `material` says about the person or company of `page` (any field may be empty
/// while the page renders); `None` when the page says it has no subject ("profile not
/// found"), so it gets no badge at all.
pub fn read_page(page: &NetworkPage, url: &str, material: &PageMaterial) -> Option<Observed> {
    if text::says_not_found(&material.title) || top_card::heading_says_not_found(&material.top_card) {
        return None;
    }
    let structured = json_ld::subject(&material.json_ld, page);
    let card = top_card::read(&material.top_card, page.entity);
    let title_name = text::name_from_title(&material.title);
    let name = [card.name.as_str(), structured.name.as_str(), title_name.as_str()]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or_default()
        .to_string();
    let company = match page.entity {
        NetworkEntity::Person => [
            card.labelled_company.clone(),
            structured.current_employer.clone(),
            card.linked_company.clone(),
            experience::current_company(&material.experience),
        ]
        .into_iter()
        .find(|c| !c.is_empty())
        .unwrap_or_default(),
        NetworkEntity::Company => String::new(),
    };
    Some(Observed {
        url: url.to_string(),
        name,
        headline: card.headline,
        company,
        location: first_non_empty(&card.location, &structured.location),
        website: match page.entity {
            NetworkEntity::Company => first_non_empty(&structured.website, &card.website),
            NetworkEntity::Person => String::new(),
        },
    })
}

/// What one search or list result shows, read like a small top card; `None` when its link
/// is not a person or company page or it names nobody.
pub fn read_result(result: &ResultMaterial) -> Option<Observed> {
    let page = NetworkPage::from_url(&PageUrl::parse(&result.url)?)?;
    let card = top_card::read_result(&result.pieces, &result.url, page.entity);
    if card.name.is_empty() {
        return None;
    }
    Some(Observed {
        url: result.url.clone(),
        name: card.name,
        headline: card.headline,
        company: first_non_empty(&card.labelled_company, &card.linked_company),
        location: card.location,
        website: String::new(),
    })
}

fn first_non_empty(a: &str, b: &str) -> String {
    if a.is_empty() { b } else { a }.to_string()
}
