//! The ROI report on the wire: what `GET /api/v1/admin/roi` answers (and `crmsync roi
//! --json` prints), for the console's ROI page.

use serde::{Deserialize, Serialize};

use crate::core::rules::roi::{GroupBy, InfluencedOpportunity, RoiRow};

/// The report: one row per rep, month or quarter, and the totals (the sum of the rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoiReport {
    pub from: Option<String>,
    pub to: Option<String>,
    pub by: GroupBy,
    /// The Opportunity currency field summed.
    pub revenue_field: String,
    pub lookback_days: i64,
    pub rows: Vec<RoiRow>,
    pub totals: RoiRow,
}

/// `GET /api/v1/admin/roi/opportunities`: each opportunity with what influenced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoiOpportunities {
    pub opportunities: Vec<InfluencedOpportunity>,
}
