//! Wire types shared by the relay, the widget, the admin console and the extension, so
//! each side serialises exactly what the other parses.

use serde::{Deserialize, Serialize};

use crate::core::matching::decisions::DecisionKind;
use crate::core::matching::Method;
use crate::core::pages::NetworkEntity;

pub mod admin;
pub mod documents;
pub mod lists;
pub mod match_report;
mod page;
pub mod roi;

pub use page::{PageAnswer, PageQuestion, WidgetLaunch};

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
    /// Activities left queued by write-back test mode (not on the test record).
    #[serde(default)]
    pub held_for_test_mode: u64,
}
