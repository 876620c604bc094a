//! Wire types shared by the relay, the widget, the admin console and the extension, so
//! each side serialises exactly what the other parses.

use serde::{Deserialize, Serialize};

use crate::core::badge::{Badge, BadgeIndex, Observed};
use crate::core::matching::decisions::DecisionKind;
use crate::core::matching::Method;
use crate::core::pages::reading::{self, PageMaterial, ResultMaterial};
use crate::core::pages::NetworkEntity;
use crate::core::pages::{percent_decode, Page};

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

/// Encodes everything but unreserved characters (RFC 3986).
fn percent_encode(input: &str) -> String {
    input
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
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

/// CRM contact details of one matched record, fetched from the relay when a rep asks
/// on a network page (never part of the badge index). Empty fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmContactInfo {
    pub id: String,
    /// `Lead`, `Contact` or `Account`.
    pub object: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Opens the record in Salesforce.
    pub link: String,
}

/// A person or company in the org's directory (what reps saw, or uploaded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryProfile {
    /// The public slug or Sales Navigator id.
    pub network_id: String,
    pub entity: NetworkEntity,
    /// Opens the profile on the network (empty for uploaded rows without one).
    pub url: String,
    pub name: String,
    pub headline: String,
    pub company: String,
    pub location: String,
    /// When it was last seen (Unix milliseconds).
    pub observed_at_ms: i64,
}

/// The network profile a CRM record is linked to, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchedProfile {
    pub profile: DirectoryProfile,
    pub method: Method,
    pub probability: f64,
    /// Field by field: `first_name=exact(+5.8); …`.
    pub explanation: String,
    /// Who matched it by hand, and when (manual matches).
    pub decided_by: Option<String>,
    pub decided_at_ms: Option<i64>,
}

/// A CRM record as the widget shows it: its match, and the profiles users rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordMatch {
    pub crm_id: String,
    /// `Lead`, `Contact` or `Account`.
    pub object: String,
    pub name: String,
    pub matched: Option<MatchedProfile>,
    /// Network ids users said are "not this one".
    pub rejected: Vec<String>,
}

/// A user's matching decision (`POST /api/v1/matches`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchDecisionRequest {
    pub crm_id: String,
    pub network_id: String,
    pub kind: DecisionKind,
}

/// The signed-in rep and their org, as `GET /api/v1/me` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepIdentity {
    /// 18-character Salesforce User id.
    pub user_id: String,
    pub username: String,
    /// The connected org's id; `None` while no org is connected.
    pub org_id: Option<String>,
    /// Where record links open (`https://<org>.my.salesforce.com`).
    pub instance_url: Option<String>,
    /// The org's own origins (Lightning, Classic, Setup, Visualforce hosts): the extension
    /// mounts the widget on record pages there only.
    #[serde(default)]
    pub org_origins: Vec<String>,
}

/// The relay's connection to the Salesforce org, as the admin console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// No Salesforce settings and no stored connection.
    NotConfigured,
    /// The connected app is configured but no org is connected: an admin connects from
    /// the admin page; `login_url` is the configured login host.
    NotConnected { login_url: String },
    /// Connected: the org, the user the relay acts as and when the token was obtained.
    Connected {
        /// `client_credentials`, `jwt` or `web_server`.
        #[serde(default)]
        auth_flow: String,
        org_id: String,
        user_id: String,
        username: String,
        instance_url: String,
        api_version: String,
        connected_at: String,
    },
    /// Settings exist but the last attempt failed; `error` says why.
    Failed { error: String, at: String },
}

impl ConnectionStatus {
    /// The `state` tag alone (`not_configured`, `not_connected`, `connected`, `failed`).
    pub fn state_name(&self) -> &'static str {
        match self {
            Self::NotConfigured => "not_configured",
            Self::NotConnected { .. } => "not_connected",
            Self::Connected { .. } => "connected",
            Self::Failed { .. } => "failed",
        }
    }
}

/// `GET /api/v1/status` without an admin session: the connection's state and whether the
/// relay is healthy, nothing about the org (ids, users, hosts, counts, errors).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicStatus {
    pub connection: PublicConnection,
    /// `ok`, or `failing` when the last attempt to connect failed.
    pub health: String,
}

/// The connection as anyone may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicConnection {
    /// The [`ConnectionStatus`] tag.
    pub state: String,
}

impl PublicStatus {
    /// What an anonymous caller may learn of `status`.
    pub fn of(status: &RelayStatus) -> Self {
        let state = status.connection.state_name();
        Self {
            connection: PublicConnection { state: state.to_string() },
            health: if state == "failed" { "failing" } else { "ok" }.to_string(),
        }
    }

    /// The full shape with every detail left empty, for a console not signed in.
    pub fn to_relay_status(&self) -> RelayStatus {
        let connection = match self.connection.state.as_str() {
            "not_connected" => ConnectionStatus::NotConnected { login_url: String::new() },
            "connected" => ConnectionStatus::Connected {
                auth_flow: String::new(),
                org_id: String::new(),
                user_id: String::new(),
                username: String::new(),
                instance_url: String::new(),
                api_version: String::new(),
                connected_at: String::new(),
            },
            "failed" => ConnectionStatus::Failed { error: String::new(), at: String::new() },
            _ => ConnectionStatus::NotConfigured,
        };
        RelayStatus {
            connection,
            api_usage: None,
            objects: Default::default(),
            activities: Default::default(),
            page_problems: Vec::new(),
        }
    }
}

/// API calls used out of the org's rolling 24-hour allowance (`Sforce-Limit-Info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiUsage {
    pub used: u64,
    pub max: u64,
}

impl ApiUsage {
    /// Parses `api-usage=75/15000` (possibly followed by `;per-app-api-usage=…`).
    pub fn from_limit_info(header: &str) -> Option<Self> {
        let item = header.split(';').map(str::trim).find_map(|part| part.strip_prefix("api-usage="))?;
        let (used, max) = item.split_once('/')?;
        Some(Self { used: used.trim().parse().ok()?, max: max.trim().parse().ok()? })
    }
}

/// One imported object's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectStatus {
    pub rows: i64,
    /// When its last import finished (RFC 3339).
    pub last_sync: Option<String>,
    /// The incremental watermark: the newest `SystemModstamp` imported.
    pub watermark: Option<String>,
}

/// `GET /api/v1/status`: the relay's health as the admin console and `crmsync status` see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayStatus {
    pub connection: ConnectionStatus,
    pub api_usage: Option<ApiUsage>,
    /// sObject name → its import state.
    #[serde(default)]
    pub objects: std::collections::BTreeMap<String, ObjectStatus>,
    /// Logged activities per state (every state listed, zero included).
    #[serde(default)]
    pub activities: super::activity::ActivityTotals,
    /// What browsers could not find on network pages in the last 7 days.
    #[serde(default)]
    pub page_problems: Vec<PageProblemCount>,
}

/// Which network page a problem was seen on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemPage {
    Profile,
    Company,
    Results,
}

/// What the extension could not find there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingAnchor {
    /// The heading the badge goes next to.
    Heading,
    /// The person's or company's name.
    Name,
    /// Result rows on a search or list page.
    Results,
}

/// A browser's report (`POST /api/v1/health/pages`): the network changed a page so the
/// extension no longer finds something. Badges still show (they fall back), but the
/// admin should know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageProblem {
    pub page: ProblemPage,
    pub missing: MissingAnchor,
}

/// Reports of one problem on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageProblemCount {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub page: ProblemPage,
    pub missing: MissingAnchor,
    pub count: i64,
}

impl RelayStatus {
    /// When the newest object import finished: the console's "last sync".
    pub fn last_sync(&self) -> Option<&str> {
        self.objects.values().filter_map(|o| o.last_sync.as_deref()).max()
    }
}

/// The admin signed in to the console (`GET /api/v1/admin/me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminIdentity {
    pub user_id: String,
    pub username: String,
}

/// What a disconnect did (`crmsync disconnect`, `POST /api/v1/connection/disconnect`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisconnectReport {
    /// Whether Salesforce confirmed a token revoked (false when all were already invalid).
    pub revoked: bool,
    /// With clean-up: `[table, rows deleted]` per table.
    pub purged: Vec<(String, u64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_sync_is_the_newest_object_sync() {
        let object = |at: Option<&str>| ObjectStatus { rows: 1, last_sync: at.map(String::from), watermark: None };
        let mut status = RelayStatus {
            connection: ConnectionStatus::NotConfigured,
            api_usage: None,
            objects: Default::default(),
            activities: Default::default(),
            page_problems: Vec::new(),
        };
        assert_eq!(status.last_sync(), None);
        status.objects.insert("Lead".into(), object(Some("2026-01-02T00:00:00Z")));
        status.objects.insert("Contact".into(), object(Some("2026-01-03T00:00:00Z")));
        status.objects.insert("User".into(), object(None));
        assert_eq!(status.last_sync(), Some("2026-01-03T00:00:00Z"));
    }

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

    #[test]
    fn api_usage_parses_limit_info() {
        assert_eq!(ApiUsage::from_limit_info("api-usage=75/15000"), Some(ApiUsage { used: 75, max: 15000 }));
        assert_eq!(
            ApiUsage::from_limit_info("api-usage=150/15000;per-app-api-usage=50/5000(appName=x)"),
            Some(ApiUsage { used: 150, max: 15000 })
        );
        assert_eq!(ApiUsage::from_limit_info("api-usage=x/1"), None);
        assert_eq!(ApiUsage::from_limit_info(""), None);
    }

    #[test]
    fn connection_status_is_tagged_by_state() {
        let json = serde_json::to_value(ConnectionStatus::NotConfigured).unwrap();
        assert_eq!(json, serde_json::json!({"state": "not_configured"}));
    }
}

/// How one write-back setup step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetupStepStatus {
    /// The org already had it.
    Present,
    /// Setup created it.
    Created,
    /// Setup could not create it; the step's `detail` says what the admin does instead.
    Failed,
}

/// One thing activity write-back needs in the org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupStep {
    pub what: String,
    pub status: SetupStepStatus,
    pub detail: String,
}

/// What `crmsync setup` (`POST /api/v1/admin/writeback/setup`) checked and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupReport {
    pub steps: Vec<SetupStep>,
}

impl SetupReport {
    /// True when nothing is left for the admin to do.
    pub fn complete(&self) -> bool {
        self.steps.iter().all(|s| s.status != SetupStepStatus::Failed)
    }
}

/// What one write-back flush did (`crmsync flush`, `POST /api/v1/admin/writeback/flush`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlushReport {
    /// Activities now in Salesforce.
    pub written: u64,
    /// Activities Salesforce refused for good.
    pub failed: u64,
    /// Activities that hit a transient error and wait for a retry.
    pub retrying: u64,
    /// Note inserts with a lost answer that were found already written.
    pub recovered: u64,
    /// Salesforce API calls this flush made.
    pub api_calls: u64,
    /// Kinds left queued because the org lacks their record type (run setup).
    pub waiting_for_setup: Vec<String>,
}
