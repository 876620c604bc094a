//! Wire types of the match-rate report and the decisions' audit trail
//! (`GET /api/v1/admin/match-report`, `GET /api/v1/admin/decisions`,
//! `crmsync match-report --json`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How one object's records stand; the four counts add up to `records`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectMatchCounts {
    pub records: u64,
    pub matched_auto: u64,
    pub matched_manual: u64,
    /// Best candidate with 0.5 ≤ p < the display threshold.
    pub low_confidence: u64,
    pub unmatched: u64,
}

/// What the org's directory holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryCounts {
    pub people: u64,
    pub companies: u64,
}

/// The model the matches were scored with (`null` fields before the first training).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// RFC 3339.
    pub trained_at: Option<String>,
    /// CRM records and directory profiles it was trained on (people and companies).
    pub records: u64,
    pub profiles: u64,
}

/// One matching run in the trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchRunPoint {
    pub run: i64,
    /// RFC 3339.
    pub at: String,
    /// Records linked (auto and manual) after the run.
    pub matched: u64,
}

/// The match-rate report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchReport {
    /// `Lead`, `Contact`, `Account`.
    pub objects: BTreeMap<String, ObjectMatchCounts>,
    pub directory: DirectoryCounts,
    pub model: ModelInfo,
    /// Oldest first, the last runs.
    pub history: Vec<MatchRunPoint>,
}

/// One row of the full export: an unmatched or low-confidence record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchReportRow {
    pub crm_id: String,
    pub object: String,
    pub name: String,
    pub company: String,
    pub owner: String,
    /// `unmatched` or `low_confidence`.
    pub state: String,
    pub best_network_id: String,
    pub best_name: String,
    /// Of the best candidate (empty without one).
    pub probability: Option<f64>,
    pub explanation: String,
}

/// The export's columns, in order.
pub const MATCH_REPORT_COLUMNS: [&str; 10] = [
    "crm_id",
    "object",
    "name",
    "company",
    "owner",
    "state",
    "best_network_id",
    "best_name",
    "probability",
    "explanation",
];

impl MatchReportRow {
    /// The row's fields in [`MATCH_REPORT_COLUMNS`] order.
    pub fn fields(&self) -> [String; 10] {
        [
            self.crm_id.clone(),
            self.object.clone(),
            self.name.clone(),
            self.company.clone(),
            self.owner.clone(),
            self.state.clone(),
            self.best_network_id.clone(),
            self.best_name.clone(),
            self.probability.map(|p| format!("{p:.4}")).unwrap_or_default(),
            self.explanation.clone(),
        ]
    }
}

/// One matching decision in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    pub id: i64,
    /// RFC 3339.
    pub at: String,
    /// The user's username.
    pub user: String,
    /// `match` (also a re-match), `not_match`, `unmatch`.
    pub kind: String,
    pub crm_id: String,
    pub object: String,
    pub record_name: String,
    pub network_id: String,
    pub profile_name: String,
}

/// The audit trail's columns (`?format=csv`).
pub const DECISION_COLUMNS: [&str; 9] =
    ["id", "at", "user", "kind", "crm_id", "object", "record_name", "network_id", "profile_name"];

impl DecisionView {
    /// The row's fields in [`DECISION_COLUMNS`] order.
    pub fn fields(&self) -> [String; 9] {
        [
            self.id.to_string(),
            self.at.clone(),
            self.user.clone(),
            self.kind.clone(),
            self.crm_id.clone(),
            self.object.clone(),
            self.record_name.clone(),
            self.network_id.clone(),
            self.profile_name.clone(),
        ]
    }
}

/// A page of the audit trail, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionsPage {
    pub decisions: Vec<DecisionView>,
    /// All decisions the filter matches.
    pub total: u64,
}
