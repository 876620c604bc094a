//! The ROI report as admins open it: reads the imported Opportunities, contact roles and
//! converted Leads, the written-back activities and the seat holders' saved-list entries,
//! and hands them to the core's rules (`core::rules::roi`), which decide what was
//! influenced and add it all up.

use std::collections::{HashMap, HashSet};

use crmsync::core::api::roi::{RoiOpportunities, RoiReport};
use crmsync::core::rules::roi::{
    self, cents, GroupBy, InfluencedOpportunity, Links, Rep, RoiOpportunity, RoiRow, Touch, Window, SAVED_LIST,
};
use crmsync::core::time::{unix_day, unix_ms_from_rfc3339};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::AdminError;
use crate::state::{now_ms, AppState};
use crate::store::{QueueFilter, QueueState, StoreError};

/// What the report is asked for (`?from=&to=&by=`, `crmsync roi --from --to --by`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoiQuery {
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    /// `rep` (default), `month` or `quarter`.
    pub by: Option<String>,
    /// `/roi/opportunities` only: `true` lists only influenced ones.
    pub influenced: Option<bool>,
}

fn fields(json: &str) -> Map<String, Value> {
    serde_json::from_str(json).unwrap_or_default()
}

fn text<'a>(f: &'a Map<String, Value>, name: &str) -> &'a str {
    f.get(name).and_then(Value::as_str).unwrap_or_default()
}

fn parse_day(name: &str, value: Option<&str>) -> Result<Option<i64>, AdminError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if v.len() == 10 => unix_day(v)
            .map(Some)
            .ok_or_else(|| AdminError::Invalid(format!("{name}: {v:?} is not a date (YYYY-MM-DD)"))),
        Some(v) => Err(AdminError::Invalid(format!("{name}: {v:?} is not a date (YYYY-MM-DD)"))),
    }
}

/// Everything the rules read, gathered once per request.
struct Inputs {
    opportunities: Vec<RoiOpportunity>,
    links: Links,
    touches: Vec<Touch>,
    reps: HashMap<String, Rep>,
}

async fn inputs(state: &AppState, revenue_field: &str) -> Result<Inputs, StoreError> {
    let store = state.store.as_ref();
    let mut opportunities = Vec::new();
    for row in store.rows("Opportunity").await? {
        let f = fields(&row.fields_json);
        let Some(created_day) = unix_day(text(&f, "CreatedDate")) else { continue };
        opportunities.push(RoiOpportunity {
            id: row.id.clone(),
            name: text(&f, "Name").to_string(),
            owner_id: text(&f, "OwnerId").to_string(),
            account_id: Some(text(&f, "AccountId").to_string()).filter(|a| !a.is_empty()),
            amount_cents: cents(text(&f, revenue_field)),
            created_day,
            close_day: unix_day(text(&f, "CloseDate")),
            is_closed: text(&f, "IsClosed").eq_ignore_ascii_case("true"),
            is_won: text(&f, "IsWon").eq_ignore_ascii_case("true"),
            stage: text(&f, "StageName").to_string(),
        });
    }
    let mut links = Links::default();
    for row in store.rows("OpportunityContactRole").await? {
        let f = fields(&row.fields_json);
        let (opp, contact) = (text(&f, "OpportunityId"), text(&f, "ContactId"));
        if !opp.is_empty() && !contact.is_empty() {
            links.contacts.entry(opp.to_string()).or_default().push(contact.to_string());
        }
    }
    for row in store.rows("Lead").await? {
        let f = fields(&row.fields_json);
        let Ok(lead) = crmsync::core::sf::SalesforceId::parse(&row.id) else { continue };
        if let Some(contact) = crmsync::core::sf::converted::converted_contact(&lead, |name| text(&f, name)) {
            links.converted_leads.entry(contact.to_string()).or_default().push(row.id.clone());
        }
    }
    let seats: HashSet<String> = store.seats().await?.into_iter().map(|s| s.user_id).collect();
    let filter = QueueFilter { states: vec![QueueState::Written], limit: i64::MAX, ..QueueFilter::default() };
    let (written, _) = store.queue(&filter).await?;
    let mut touches: Vec<Touch> = written
        .into_iter()
        .filter_map(|a| {
            let day = unix_ms_from_rfc3339(&a.occurred_at)?.div_euclid(86_400_000);
            Some(Touch {
                user_id: a.user_id,
                record_id: a.target?,
                kind: a.kind.as_str().to_string(),
                day,
                saved_for: None,
            })
        })
        .collect();
    touches.extend(store.all_entries().await?.into_iter().filter(|e| seats.contains(&e.user_id)).map(|e| Touch {
        day: e.saved_at_ms.div_euclid(86_400_000),
        saved_for: e.source_key.starts_with("006").then(|| e.source_key.clone()),
        user_id: e.user_id,
        record_id: e.entry_key,
        kind: SAVED_LIST.to_string(),
    }));
    let reps = crate::writeback::users::org_users(store)
        .await?
        .into_iter()
        .map(|u| (u.id, Rep { username: u.username, name: u.name }))
        .collect();
    Ok(Inputs { opportunities, links, touches, reps })
}

async fn run(state: &AppState, q: &RoiQuery) -> Result<(RoiReport, Vec<InfluencedOpportunity>), AdminError> {
    let by = match q.by.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        None => GroupBy::Rep,
        Some(b) => {
            GroupBy::parse(b).ok_or_else(|| AdminError::Invalid(format!("by: {b:?} is not rep, month or quarter")))?
        }
    };
    let (from, to) = (parse_day("from", q.from.as_deref())?, parse_day("to", q.to.as_deref())?);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(AdminError::Invalid("from: the window starts after it ends (to)".into()));
        }
    }
    let revenue_field = super::settings::revenue_field(state).await?;
    let lookback_days = super::settings::lookback_days(state).await?;
    let data = inputs(state, &revenue_field).await?;
    let window = Window { from, to, by, lookback_days, today: now_ms().div_euclid(86_400_000) };
    let (rows, totals, listed) = roi::report(&data.opportunities, &data.links, &data.touches, &data.reps, &window);
    let report = RoiReport { from: q.from.clone(), to: q.to.clone(), by, revenue_field, lookback_days, rows, totals };
    Ok((report, listed))
}

/// The report.
pub async fn report(state: &AppState, q: &RoiQuery) -> Result<RoiReport, AdminError> {
    Ok(run(state, q).await?.0)
}

/// The opportunities of the window with what influenced each (only the influenced ones
/// when asked), largest first.
pub async fn opportunities(state: &AppState, q: &RoiQuery) -> Result<RoiOpportunities, AdminError> {
    let mut listed = run(state, q).await?.1;
    if q.influenced == Some(true) {
        listed.retain(|o| o.influenced);
    }
    listed.sort_by(|a, b| b.amount.total_cmp(&a.amount).then(a.id.cmp(&b.id)));
    Ok(RoiOpportunities { opportunities: listed })
}

/// The report as CSV: the rows, then the totals.
pub fn csv_text(report: &RoiReport) -> String {
    let mut out = crmsync::core::csv::line(&RoiRow::COLUMNS);
    for r in report.rows.iter().chain(std::iter::once(&report.totals)) {
        out.push_str(&crmsync::core::csv::line(&r.fields()));
    }
    out
}

/// Checks that `field` is a currency field of the org's Opportunity; answers its name as
/// the org spells it (imported from the next import on).
pub async fn check_revenue_field(state: &AppState, field: &str) -> Result<String, AdminError> {
    let client = crate::connect::stored_client(state).await.map_err(|e| {
        AdminError::Invalid(format!("roi_revenue_field: cannot ask Salesforce which fields exist: {e}"))
    })?;
    let found = crate::salesforce::bulk::field_of(&client, "Opportunity", field)
        .await
        .map_err(|e| AdminError::Invalid(format!("roi_revenue_field: cannot describe Opportunity: {e}")))?;
    match found {
        Some((name, kind)) if kind == "currency" => Ok(name),
        Some((name, kind)) => Err(AdminError::Invalid(format!(
            "roi_revenue_field: Opportunity.{name} is a {kind} field, not a currency field"
        ))),
        None => Err(AdminError::Invalid(format!("roi_revenue_field: the org's Opportunity has no field {field:?}"))),
    }
}
