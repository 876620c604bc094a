//! When a matched person's network profile and the CRM disagree: the profile's current
//! company, title (read from the headline) or location is not what the CRM says. Alerts
//! fire for what a newer observation changed; the data-quality report lists every
//! disagreement. Compared folded (case, accents, company suffixes), so "ACME Inc." and
//! "Acme" agree.

use serde::{Deserialize, Serialize};

use crate::core::normalize::company::company_key;
use crate::core::normalize::text::{fold, tokens};

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Company,
    Title,
    Location,
}

impl Field {
    /// The stored (and shown) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Company => "company",
            Self::Title => "title",
            Self::Location => "location",
        }
    }
}

/// A person's facts on either side (empty: not known there).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub company: String,
    /// The CRM's title; on the network side the headline ("CTO at Acme").
    pub title: String,
    pub location: String,
}

/// One disagreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    pub field: Field,
    pub crm: String,
    pub network: String,
}

impl Difference {
    /// What the rep reads: "now at Globex (CRM says Acme)".
    pub fn message(&self) -> String {
        let crm = if self.crm.is_empty() { "nothing" } else { &self.crm };
        match self.field {
            Field::Company => format!("now at {} (CRM says {crm})", self.network),
            Field::Title => format!("now \"{}\" (CRM says {crm})", self.network),
            Field::Location => format!("now in {} (CRM says {crm})", self.network),
        }
    }
}

fn same_company(a: &str, b: &str) -> bool {
    company_key(a) == company_key(b)
}

/// The headline names the title when every word of the title is a word of it (folded):
/// "CTO at Acme" names "CTO"; "Director" does not.
fn headline_has_title(headline: &str, title: &str) -> bool {
    let words = tokens(headline);
    tokens(title).iter().all(|t| words.contains(t))
}

/// The location agrees when either names the other's first part ("Boston" and
/// "Boston, Massachusetts, United States").
fn same_place(a: &str, b: &str) -> bool {
    let first = |s: &str| fold(s.split(',').next().unwrap_or_default());
    let (fa, fb) = (fold(a), fold(b));
    fa.contains(&first(b)) || fb.contains(&first(a))
}

/// Where the profile disagrees with the CRM; a side that does not know a fact never
/// disagrees about it.
pub fn differences(crm: &Facts, network: &Facts) -> Vec<Difference> {
    let mut out = Vec::new();
    let known = |a: &str, b: &str| !a.trim().is_empty() && !b.trim().is_empty();
    let mut push = |field, crm: &str, network: &str| {
        out.push(Difference { field, crm: crm.trim().to_string(), network: network.trim().to_string() })
    };
    if known(&crm.company, &network.company) && !same_company(&crm.company, &network.company) {
        push(Field::Company, &crm.company, &network.company);
    }
    if known(&crm.title, &network.title) && !headline_has_title(&network.title, &crm.title) {
        push(Field::Title, &crm.title, &network.title);
    }
    if known(&crm.location, &network.location) && !same_place(&crm.location, &network.location) {
        push(Field::Location, &crm.location, &network.location);
    }
    out
}

/// The disagreements a newer observation brought: those about a fact the observation
/// changed (an unchanged fact already alerted, or was accepted, before).
pub fn new_differences(crm: &Facts, before: Option<&Facts>, after: &Facts) -> Vec<Difference> {
    differences(crm, after)
        .into_iter()
        .filter(|d| match (d.field, before) {
            (_, None) => false,
            (Field::Company, Some(b)) => !same_company(&b.company, &after.company),
            (Field::Title, Some(b)) => fold(&b.title) != fold(&after.title),
            (Field::Location, Some(b)) => fold(&b.location) != fold(&after.location),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(company: &str, title: &str, location: &str) -> Facts {
        Facts { company: company.into(), title: title.into(), location: location.into() }
    }

    #[test]
    fn a_new_employer_differs_and_suffixes_and_case_do_not() {
        let crm = facts("Acme Inc.", "CTO", "Boston");
        assert!(differences(&crm, &facts("ACME", "CTO at Acme", "Boston, Massachusetts")).is_empty());
        let d = differences(&crm, &facts("Globex", "VP Engineering at Globex", "Denver, Colorado"));
        assert_eq!(d.iter().map(|d| d.field).collect::<Vec<_>>(), [Field::Company, Field::Title, Field::Location]);
        assert_eq!(d[0].message(), "now at Globex (CRM says Acme Inc.)");
        assert!(differences(&facts("", "", ""), &facts("Globex", "x", "y")).is_empty());
        assert_eq!(differences(&facts("", "CTO", ""), &facts("", "Director", ""))[0].field, Field::Title);
    }

    #[test]
    fn alerts_only_for_what_the_observation_changed() {
        let crm = facts("Acme", "CTO", "Boston");
        let before = facts("Acme", "CTO at Acme", "Boston");
        let after = facts("Globex", "CTO at Globex", "Boston");
        let d = new_differences(&crm, Some(&before), &after);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].field, Field::Company);
        // Seen again unchanged: no new alert; first seen: none either (the report lists it).
        assert!(new_differences(&crm, Some(&after), &after).is_empty());
        assert!(new_differences(&crm, None, &after).is_empty());
    }
}
