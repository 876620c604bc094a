//! The raw material a content script collects from a network page. It is the same in
//! both browsers and decides nothing: which texts are the name or the location is the
//! core's call ([`super::read_page`]).

use serde::{Deserialize, Serialize};

/// One run of visible text, with what encloses it on the page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextPiece {
    /// The text, whitespace collapsed.
    pub text: String,
    /// The nearest enclosing heading (`h1`, `h2`, `h3`), empty when none.
    #[serde(default)]
    pub heading: String,
    /// True inside a link or a button (names of schools and companies, actions).
    #[serde(default)]
    pub interactive: bool,
    /// The `aria-label` of the enclosing link or button ("Current company: Acme. …").
    #[serde(default)]
    pub label: String,
    /// The absolute `href` of the enclosing link.
    #[serde(default)]
    pub href: String,
    /// The nearest `data-anonymize` value: Sales Navigator marks its fields so
    /// (`person-name`, `headline`, `title`, `company-name`, `location`).
    #[serde(default)]
    pub field: String,
}

/// Everything read off one person or company page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMaterial {
    /// The tab title ("Ada Lovelace | LinkedIn").
    #[serde(default)]
    pub title: String,
    /// The text of each `<script type="application/ld+json">` block, unparsed.
    #[serde(default)]
    pub json_ld: Vec<String>,
    /// The top card (the section holding the page's main heading), in document order.
    #[serde(default)]
    pub top_card: Vec<TextPiece>,
    /// The first entries of the experience section, each as its text runs.
    #[serde(default)]
    pub experience: Vec<Vec<TextPiece>>,
}

/// One search or list result: its main link and its text runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultMaterial {
    /// The result's person or company link (absolute).
    pub url: String,
    #[serde(default)]
    pub pieces: Vec<TextPiece>,
}
