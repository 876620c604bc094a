//! What a content script read off a network page about one person or company (the page
//! itself, or one search result), and the badge the index answers for it.

use serde::{Deserialize, Serialize};

use super::index::{BadgeHit, BadgeIndex};
use super::{Badge, BadgeState};
use crate::core::matching::record::{CompanyInput, CompanyRecord, PersonInput, PersonRecord};
use crate::core::matching::Method;
use crate::core::normalize::{company_from_headline, title_from_headline};
use crate::core::pages::{network_entity_label, NetworkEntity, NetworkPage, PageUrl};
use crate::core::sf::links::record_url;

/// Visible facts about one person or company; any may be empty. The URL is what
/// identifies it (the page's, or the result's link); the text feeds the matcher.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    pub url: String,
    #[serde(default)]
    pub name: String,
    /// A person's headline ("Head of Sales at Acme"): the company when none is shown.
    #[serde(default)]
    pub headline: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub location: String,
    /// A company's website.
    #[serde(default)]
    pub website: String,
}

impl Observed {
    /// The network page this observation is about, when its URL names one.
    pub fn page(&self) -> Option<NetworkPage> {
        NetworkPage::from_url(&PageUrl::parse(&self.url)?)
    }

    /// The person as the matcher compares it, keyed by its network id (slug).
    pub fn person_record(&self) -> Option<PersonRecord> {
        self.page().filter(|p| p.entity == NetworkEntity::Person).map(|p| self.person(&p))
    }

    /// The company as the matcher compares it, keyed by its network id.
    pub fn company_record(&self) -> Option<CompanyRecord> {
        self.page().filter(|p| p.entity == NetworkEntity::Company).map(|p| self.company(&p))
    }

    fn person(&self, page: &NetworkPage) -> PersonRecord {
        let company = self.shown_company();
        let input = PersonInput {
            full_name: &self.name,
            company,
            title: title_from_headline(&self.headline),
            location_text: &self.location,
            ..PersonInput::default()
        };
        PersonRecord::new(page.slug.as_str().into(), None, &input)
    }

    /// The employer the page shows: its company field, else the headline's "at …".
    fn shown_company(&self) -> &str {
        let company = self.company.trim();
        if company.is_empty() {
            company_from_headline(&self.headline).trim()
        } else {
            company
        }
    }

    fn company(&self, page: &NetworkPage) -> CompanyRecord {
        let input = CompanyInput {
            name: &self.name,
            website: &self.website,
            location_text: &self.location,
            ..CompanyInput::default()
        };
        CompanyRecord::new(page.slug.as_str().into(), &input)
    }

    /// The badge for this observation, looked up in `index` (none loaded: says so);
    /// record links open on `instance_url`'s Lightning domain. `None` when the URL is
    /// not a person or company page, or nothing but the URL was read and it is not matched.
    pub fn badge(&self, index: Option<&BadgeIndex>, instance_url: &str) -> Option<Badge> {
        let page = self.page()?;
        let Some(index) = index else { return Some(Badge::without_index(&page)) };
        let hit = match page.entity {
            NetworkEntity::Person => index.lookup_person(&page.slug, &self.person(&page)),
            NetworkEntity::Company => index.lookup_company(&page.slug, &self.company(&page)),
        };
        match hit {
            Some(hit) => {
                let company = self.shown_company();
                let moved = (hit.company_differs && !company.is_empty()).then(|| format!("now at {company}"));
                Some(in_crm(hit, instance_url, moved))
            }
            // Nothing read yet (the page is still rendering): no verdict rather than a wrong one.
            None if self.name.trim().is_empty() => None,
            None => Some(not_in_crm(&page)),
        }
    }
}

fn in_crm(hit: BadgeHit, instance_url: &str, out_of_date: Option<String>) -> Badge {
    let owner = if hit.label.owner.is_empty() { String::new() } else { format!(" · {}", hit.label.owner) };
    let why = match hit.method {
        Method::Manual => "matched by hand (an org-wide decision)".to_string(),
        _ => {
            let fields = hit.explanation.compact();
            format!(
                "{:.0} % likely, from {}",
                hit.probability * 100.0,
                if fields.is_empty() { "the name" } else { &fields }
            )
        }
    };
    let (stale, note) = match &out_of_date {
        Some(what) => {
            (" · out of date", format!(" Out of date: the profile says {what}; the CRM has another company."))
        }
        None => ("", String::new()),
    };
    Badge {
        state: BadgeState::InCrm,
        text: format!("In CRM · {}{owner}{stale}", hit.object),
        title: format!(
            "{} — {} {}; {why}.{note} Opens the record in Salesforce.",
            hit.label.name, hit.object, hit.crm_id
        ),
        link: (!instance_url.is_empty()).then(|| record_url(instance_url, &hit.object, &hit.crm_id)),
        crm_id: Some(hit.crm_id),
        object: Some(hit.object),
        out_of_date,
    }
}

fn not_in_crm(page: &NetworkPage) -> Badge {
    let what = network_entity_label(page.entity);
    Badge {
        state: BadgeState::NotInCrm,
        text: "Not in CRM".to_string(),
        title: format!("No lead, contact or account in the org's index matches this {what}."),
        link: None,
        crm_id: None,
        object: None,
        out_of_date: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::badge::Label;
    use crate::core::matching::comparison::{COMPANY_COMPARISONS, PERSON_COMPARISONS};
    use crate::core::matching::decisions::{Decision, DecisionKind};
    use crate::core::matching::params::Params;
    use crate::core::matching::record::CrmKind;

    fn index(decisions: Vec<Decision>) -> BadgeIndex {
        let ada = PersonRecord::new(
            "0037e00001WZ30qAAD".into(),
            Some(CrmKind::Contact),
            &PersonInput {
                first_name: "Ada",
                last_name: "Lovelace",
                company: "Analytical Engines Ltd",
                city: "London",
                country: "GB",
                ..PersonInput::default()
            },
        );
        let acme = CompanyRecord::new(
            "0015Y00002ZbgP3QAJ".into(),
            &CompanyInput { name: "Acme Corporation", website: "https://acme.example", ..CompanyInput::default() },
        );
        let label = |name: &str| Label { name: name.into(), owner: "Grace Hopper".into() };
        BadgeIndex::build(
            1,
            [7; 16],
            vec![(ada, label("Ada Lovelace"))],
            vec![(acme, label("Acme Corporation"))],
            (Params::defaults(&PERSON_COMPARISONS), Params::defaults(&COMPANY_COMPARISONS)),
            decisions,
        )
    }

    fn seen(url: &str, name: &str, headline: &str) -> Observed {
        Observed { url: url.into(), name: name.into(), headline: headline.into(), ..Observed::default() }
    }

    #[test]
    fn a_person_in_the_index_gets_an_in_crm_badge_with_a_lightning_link() {
        let index = index(vec![]);
        let observed = seen(
            "https://www.linkedin.com/in/ada-lovelace-1815/",
            "Ada Lovelace",
            "Mathematician at Analytical Engines Ltd",
        );
        let badge = observed.badge(Some(&index), "https://acme.my.salesforce.com").unwrap();
        assert_eq!(badge.state, BadgeState::InCrm);
        assert_eq!(badge.text, "In CRM · Contact · Grace Hopper");
        assert_eq!(
            badge.link.as_deref(),
            Some("https://acme.lightning.force.com/lightning/r/Contact/0037e00001WZ30qAAD/view")
        );
        assert!(badge.title.starts_with("Ada Lovelace — Contact 0037e00001WZ30qAAD;"), "{}", badge.title);
    }

    #[test]
    fn a_matched_person_at_another_employer_is_out_of_date() {
        let manual =
            Decision { crm_id: "0037e00001WZ30qAAD".into(), network_id: "ada-moved".into(), kind: DecisionKind::Match };
        let index = index(vec![manual]);
        let moved = seen("https://www.linkedin.com/in/ada-moved/", "Ada Lovelace", "Mathematician at Globex Corp");
        let badge = moved.badge(Some(&index), "").unwrap();
        assert_eq!(badge.text, "In CRM · Contact · Grace Hopper · out of date");
        assert_eq!(badge.out_of_date.as_deref(), Some("now at Globex Corp"));
        assert!(badge.title.contains("the profile says now at Globex Corp"), "{}", badge.title);
        // The same employer (another spelling), or none shown: not out of date.
        let same = seen("https://www.linkedin.com/in/ada-moved/", "Ada Lovelace", "CEO at ANALYTICAL ENGINES LTD.");
        assert_eq!(same.badge(Some(&index), "").unwrap().out_of_date, None);
        let none = seen("https://www.linkedin.com/in/ada-moved/", "Ada Lovelace", "Mathematician");
        assert_eq!(none.badge(Some(&index), "").unwrap().out_of_date, None);
    }

    #[test]
    fn someone_else_is_not_in_crm_and_other_pages_get_no_badge() {
        let index = index(vec![]);
        let badge = seen("https://www.linkedin.com/in/jane-doe/", "Jane Doe", "Engineer at Initech")
            .badge(Some(&index), "https://acme.my.salesforce.com")
            .unwrap();
        assert_eq!(badge.state, BadgeState::NotInCrm);
        assert_eq!(badge.link, None);
        assert_eq!(seen("https://www.linkedin.com/feed/", "Ada Lovelace", "").badge(Some(&index), ""), None);
        assert_eq!(seen("https://www.linkedin.com/in/jane-doe/", " ", "").badge(Some(&index), ""), None);
    }

    #[test]
    fn companies_match_accounts_and_manual_decisions_win() {
        let company = Observed {
            url: "https://www.linkedin.com/company/acme-corp/".into(),
            name: "Acme Corporation".into(),
            website: "acme.example".into(),
            ..Observed::default()
        };
        let badge = company.badge(Some(&index(vec![])), "").unwrap();
        assert_eq!((badge.state, badge.object.as_deref()), (BadgeState::InCrm, Some("Account")));
        assert_eq!(badge.link, None, "no instance known: no link");

        let manual = Decision {
            crm_id: "0037e00001WZ30qAAD".into(),
            network_id: "someone-else".into(),
            kind: DecisionKind::Match,
        };
        let badge = seen("https://www.linkedin.com/in/someone-else/", "Not Ada", "")
            .badge(Some(&index(vec![manual])), "")
            .unwrap();
        assert_eq!(badge.crm_id.as_deref(), Some("0037e00001WZ30qAAD"));
        assert!(badge.title.contains("matched by hand"), "{}", badge.title);
    }

    #[test]
    fn without_an_index_the_badge_says_so() {
        let badge = seen("https://www.linkedin.com/in/ada/", "Ada", "").badge(None, "").unwrap();
        assert_eq!(badge.state, BadgeState::NoIndex);
    }
}
