//! The page question a content script asks and the service worker's answer (what the
//! page is, what to draw, the widget's launch fragment), decided once for both browsers.

use serde::{Deserialize, Serialize};

use crate::core::badge::{Badge, BadgeIndex, Observed};
use crate::core::pages::reading::{self, PageMaterial, ResultMaterial};
use crate::core::pages::{percent_decode, percent_encode, Page};

/// What the widget iframe is launched with, carried in its URL fragment so that an
/// in-page navigation on the host page only changes the fragment (no reload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetLaunch {
    /// The record id as the host page named it (15 or 18 characters, unvalidated).
    pub record_id: String,
    /// API name of the record's object, when the page said it.
    pub object: Option<String>,
}

impl WidgetLaunch {
    /// `record=<id>&object=<name>`, percent-encoded.
    pub fn to_fragment(&self) -> String {
        let mut out = format!("record={}", percent_encode(&self.record_id));
        if let Some(object) = &self.object {
            out.push_str("&object=");
            out.push_str(&percent_encode(object));
        }
        out
    }

    /// Reads a fragment (with or without the leading `#`); `None` without a record.
    pub fn from_fragment(fragment: &str) -> Option<Self> {
        let mut record_id = None;
        let mut object = None;
        for pair in fragment.trim_start_matches('#').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "record" => record_id = Some(percent_decode(value)),
                "object" if !value.is_empty() => object = Some(percent_decode(value)),
                _ => {}
            }
        }
        Some(Self { record_id: record_id?, object })
    }
}

/// The service worker's answer to a content script: what the page is and what to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageAnswer {
    pub page: Page,
    /// For record pages: the fragment to open the widget iframe with.
    pub widget_fragment: Option<String>,
    /// For network pages: the badge to draw.
    pub badge: Option<Badge>,
    /// One badge per search or list result asked about, in order.
    #[serde(default)]
    pub results: Vec<Option<Badge>>,
    /// Who or what the core read the page to be (shared with the org's directory when
    /// the rep allows it); `None` until a name is read.
    #[serde(default)]
    pub read: Option<Observed>,
    /// What each result was read as, in order.
    #[serde(default)]
    pub read_results: Vec<Option<Observed>>,
}

/// What a content script asks about its page: the URL, the raw material it collected
/// there, and the results listed on it. The service worker adds the org's instance URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageQuestion {
    pub url: String,
    /// What the page shows about its own person or company, unjudged.
    #[serde(default)]
    pub material: Option<PageMaterial>,
    /// Search or list results, each with its own link.
    #[serde(default)]
    pub results: Vec<ResultMaterial>,
    /// Where record links open (`https://<org>.my.salesforce.com`); empty: no links.
    #[serde(default)]
    pub instance_url: String,
    /// The signed-in rep's org origins (`/api/v1/me`): the widget mounts on record pages of
    /// these hosts only; none (signed out) means no widget.
    #[serde(default)]
    pub org_origins: Vec<String>,
}

impl PageAnswer {
    /// Classifies `url` and decides what the content script should show there.
    pub fn for_url(url: &str) -> Self {
        let page = Page::classify(url);
        let widget_fragment = match &page {
            Page::SalesforceRecord(record) => {
                Some(WidgetLaunch { record_id: record.record_id.clone(), object: record.object.clone() }.to_fragment())
            }
            _ => None,
        };
        let badge = match &page {
            Page::Network(network) => Some(Badge::without_index(network)),
            _ => None,
        };
        Self { page, widget_fragment, badge, results: Vec::new(), read: None, read_results: Vec::new() }
    }

    /// Answers `question` from `index` (`None`: no index loaded in this browser).
    pub fn answer(question: &PageQuestion, index: Option<&BadgeIndex>) -> Self {
        let mut answer = Self::for_url(&question.url);
        if let Page::SalesforceRecord(record) = &answer.page {
            // Another org's record page (or no session): nothing of this org goes there.
            let origin = format!("https://{}", record.host);
            if !question.org_origins.contains(&origin) {
                answer.widget_fragment = None;
            }
        }
        if let Page::Network(network) = &answer.page {
            let material = question.material.clone().unwrap_or_default();
            match reading::read_page(network, &question.url, &material) {
                Some(seen) => {
                    answer.badge = seen.badge(index, &question.instance_url);
                    answer.read = (!seen.name.is_empty()).then_some(seen);
                }
                // The page says there is nobody here: no badge at all.
                None => answer.badge = None,
            }
        }
        answer.read_results = question.results.iter().map(reading::read_result).collect();
        answer.results = answer
            .read_results
            .iter()
            .map(|r| r.as_ref().and_then(|seen| seen.badge(index, &question.instance_url)))
            .collect();
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widget_fragment_round_trips_odd_characters() {
        let launch = WidgetLaunch { record_id: "003 &=#x".into(), object: Some("My_Obj__c".into()) };
        let fragment = launch.to_fragment();
        assert!(!fragment.contains(' ') && !fragment.contains('#'));
        assert_eq!(WidgetLaunch::from_fragment(&format!("#{fragment}")), Some(launch));
    }

    #[test]
    fn widget_fragment_without_record_is_none() {
        assert_eq!(WidgetLaunch::from_fragment("#object=Contact"), None);
        assert_eq!(WidgetLaunch::from_fragment(""), None);
    }

    #[test]
    fn page_answer_for_record_page_has_fragment_only() {
        let answer =
            PageAnswer::for_url("https://acme.lightning.force.com/lightning/r/Contact/0037e00001WZ30qAAD/view");
        assert_eq!(answer.widget_fragment.as_deref(), Some("record=0037e00001WZ30qAAD&object=Contact"));
        assert!(answer.badge.is_none());
    }

    #[test]
    fn page_question_without_index_answers_no_index_for_page_and_results() {
        use crate::core::pages::reading::TextPiece;
        let question = PageQuestion {
            url: "https://www.linkedin.com/search/results/people/?keywords=ada".into(),
            results: vec![
                ResultMaterial {
                    url: "https://www.linkedin.com/in/ada/".into(),
                    pieces: vec![TextPiece {
                        text: "Ada".into(),
                        interactive: true,
                        href: "https://www.linkedin.com/in/ada/".into(),
                        ..TextPiece::default()
                    }],
                },
                ResultMaterial { url: "https://www.linkedin.com/feed/".into(), pieces: Vec::new() },
            ],
            ..PageQuestion::default()
        };
        let answer = PageAnswer::answer(&question, None);
        assert_eq!(answer.badge, None, "a search page is not a profile");
        assert_eq!(answer.results.len(), 2);
        assert_eq!(answer.results[0].as_ref().map(|b| b.state), Some(crate::core::badge::BadgeState::NoIndex));
        assert_eq!(answer.results[1], None);
        assert_eq!(answer.read_results[0].as_ref().map(|r| r.name.as_str()), Some("Ada"));
    }

    #[test]
    fn a_page_that_says_nobody_is_there_gets_no_badge() {
        let material = PageMaterial { title: "Profile Not Found | LinkedIn".into(), ..PageMaterial::default() };
        let question = PageQuestion {
            url: "https://www.linkedin.com/in/gone/".into(),
            material: Some(material),
            ..PageQuestion::default()
        };
        let answer = PageAnswer::answer(&question, None);
        assert_eq!((answer.badge, answer.read), (None, None));
    }

    #[test]
    fn the_widget_mounts_only_on_the_signed_in_orgs_hosts() {
        let url = "https://acme.lightning.force.com/lightning/r/Contact/0037e00001WZ30qAAD/view";
        let ask = |origins: &[&str]| PageQuestion {
            url: url.into(),
            org_origins: origins.iter().map(|o| o.to_string()).collect(),
            ..PageQuestion::default()
        };
        let own = crate::core::rules::framing::org_origins("https://acme.my.salesforce.com", None);
        let own: Vec<&str> = own.iter().map(String::as_str).collect();
        assert!(PageAnswer::answer(&ask(&own), None).widget_fragment.is_some());
        let other = crate::core::rules::framing::org_origins("https://globex.my.salesforce.com", None);
        let other: Vec<&str> = other.iter().map(String::as_str).collect();
        assert_eq!(PageAnswer::answer(&ask(&other), None).widget_fragment, None, "another org's page");
        assert_eq!(PageAnswer::answer(&ask(&[]), None).widget_fragment, None, "signed out");
    }

    #[test]
    fn page_answer_for_profile_has_badge_only() {
        let answer = PageAnswer::for_url("https://www.linkedin.com/in/jane-doe/");
        assert!(answer.widget_fragment.is_none());
        assert!(answer.badge.unwrap().text.contains("jane-doe"));
    }
}
