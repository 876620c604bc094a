//! The match-rate report for admins: per object how many records are linked (auto,
//! manual), low confidence or unmatched, the directory's size, the model and the trend;
//! the full export of every unmatched and low-confidence record; the decisions' audit
//! trail. Each record is classed by the core's one rule (`rules::match_rates`).

use std::collections::{BTreeMap, HashMap};

use crmsync::core::api::match_report::{
    DecisionView, DecisionsPage, DirectoryCounts, MatchReport, MatchReportRow, MatchRunPoint, ModelInfo,
    ObjectMatchCounts,
};
use crmsync::core::matching::batch::OutcomeState;
use crmsync::core::matching::DEFAULT_THRESHOLD;
use crmsync::core::rules::match_rates::{classify, count, MatchClass};
use crmsync::core::time::rfc3339_from_unix_ms;
use serde_json::{Map, Value};

use super::sides::{CrmSide, DirectorySide};
use super::MatcherError;
use crate::badge_index::{for_pages, Names};
use crate::store::{MatchOutcomeRow, Store};

/// Objects the report counts, in order.
pub const OBJECTS: [&str; 3] = ["Lead", "Contact", "Account"];
/// Runs shown in the trend.
const HISTORY: i64 = 30;

/// A stored outcome as the rule reads it; a state this build never writes is an error.
fn class_of(row: Option<&MatchOutcomeRow>) -> Result<MatchClass, MatcherError> {
    let outcome = match row {
        None => None,
        Some(r) => Some((
            OutcomeState::parse(&r.state)
                .ok_or_else(|| MatcherError::Damaged(format!("match state {:?} of {}", r.state, r.crm_id)))?,
            r.probability,
        )),
    };
    Ok(classify(outcome, DEFAULT_THRESHOLD))
}

/// The report (`GET /api/v1/admin/match-report`, `crmsync match-report --json`).
pub async fn match_report(store: &dyn Store) -> Result<MatchReport, MatcherError> {
    let mut objects: BTreeMap<String, ObjectMatchCounts> = BTreeMap::new();
    let outcomes = store.match_outcomes().await?;
    let counts: HashMap<String, i64> = store.object_counts().await?.into_iter().collect();
    for object in OBJECTS {
        let mut c = ObjectMatchCounts::default();
        let records = counts.get(object).copied().unwrap_or_default().max(0) as u64;
        for row in outcomes.iter().filter(|r| r.object == object) {
            count(&mut c, class_of(Some(row))?);
        }
        // Records no pass has scored yet are unmatched.
        for _ in c.records..records {
            count(&mut c, MatchClass::Unmatched);
        }
        objects.insert(object.to_string(), c);
    }
    let profiles: HashMap<String, i64> = store.profile_counts().await?.into_iter().collect();
    let directory = DirectoryCounts {
        people: profiles.get("person").copied().unwrap_or_default() as u64,
        companies: profiles.get("company").copied().unwrap_or_default() as u64,
    };
    let mut model = ModelInfo::default();
    for entity in ["person", "company"] {
        if let Some(m) = store.latest_match_model(entity).await? {
            if m.trained {
                let at = rfc3339_from_unix_ms(m.trained_at_ms);
                if model.trained_at.as_ref().is_none_or(|t| *t < at) {
                    model.trained_at = Some(at);
                }
            }
            model.records += m.records as u64;
            model.profiles += m.profiles as u64;
        }
    }
    let history = store
        .match_runs(HISTORY)
        .await?
        .into_iter()
        .map(|r| MatchRunPoint {
            run: r.id,
            at: rfc3339_from_unix_ms(r.finished_at_ms.unwrap_or(r.started_at_ms)),
            matched: r.matched as u64,
        })
        .collect();
    Ok(MatchReport { objects, directory, model, history })
}

/// Every unmatched and low-confidence record (never a sample), by object then id.
pub async fn export_rows(store: &dyn Store) -> Result<Vec<MatchReportRow>, MatcherError> {
    let crm = CrmSide::load(store).await?;
    let directory = DirectorySide::load(store).await?;
    let outcomes: HashMap<String, MatchOutcomeRow> =
        store.match_outcomes().await?.into_iter().map(|r| (r.crm_id.clone(), r)).collect();
    let companies = display_companies(store).await?;
    let mut rows = Vec::new();
    let mut add = |crm_id: &str, object: &str, name: &str, company: &str, owner: &str| -> Result<(), MatcherError> {
        let outcome = outcomes.get(crm_id);
        let Some(state) = class_of(outcome)?.export_state() else { return Ok(()) };
        let best = outcome.filter(|o| o.state == "candidate").and_then(|o| o.network_id.clone()).unwrap_or_default();
        rows.push(MatchReportRow {
            crm_id: crm_id.to_string(),
            object: object.to_string(),
            name: name.to_string(),
            company: company.to_string(),
            owner: owner.to_string(),
            state: state.to_string(),
            best_name: directory.names.get(&best).cloned().unwrap_or_default(),
            probability: outcome.filter(|_| !best.is_empty()).map(|o| o.probability),
            explanation: outcome.filter(|_| !best.is_empty()).map(|o| o.explanation.clone()).unwrap_or_default(),
            best_network_id: best,
        });
        Ok(())
    };
    for (record, label) in crm.people.iter().zip(&crm.people_labels) {
        let company = companies.get(record.id.as_str()).map(String::as_str).unwrap_or_default();
        add(&record.id, CrmSide::person_object(record), &label.name, company, &label.owner)?;
    }
    for (record, label) in crm.companies.iter().zip(&crm.company_labels) {
        add(&record.id, "Account", &label.name, &label.name, &label.owner)?;
    }
    let by_id: HashMap<&str, (&str, &str)> = crm
        .people
        .iter()
        .zip(&crm.people_labels)
        .map(|(r, l)| (r.id.as_str(), (l.name.as_str(), l.owner.as_str())))
        .collect();
    for (lead, contact) in &crm.folded {
        let (name, owner) = by_id.get(contact.as_str()).copied().unwrap_or_default();
        let company = companies.get(contact).map(String::as_str).unwrap_or_default();
        add(lead, "Lead", name, company, owner)?;
    }
    rows.sort_by(|a, b| (a.object.as_str(), a.crm_id.as_str()).cmp(&(b.object.as_str(), b.crm_id.as_str())));
    Ok(rows)
}

/// People's companies as the CRM shows them: a Contact's Account name, a Lead's Company.
async fn display_companies(store: &dyn Store) -> Result<HashMap<String, String>, MatcherError> {
    let mut names = Names::of_users(&[]);
    for_pages(store, "Account", |rows| names.add_accounts(rows)).await?;
    let mut out = HashMap::new();
    let fields = |json: &str| serde_json::from_str::<Map<String, Value>>(json).unwrap_or_default();
    let text = |f: &Map<String, Value>, name: &str| f.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
    for_pages(store, "Contact", |rows| {
        for r in rows {
            out.insert(r.id.clone(), names.account_name(&text(&fields(&r.fields_json), "AccountId")).to_string());
        }
    })
    .await?;
    for_pages(store, "Lead", |rows| {
        for r in rows {
            out.insert(r.id.clone(), text(&fields(&r.fields_json), "Company"));
        }
    })
    .await?;
    Ok(out)
}

/// Who filters the audit trail.
#[derive(Debug, Clone, Default)]
pub struct DecisionFilter {
    /// Username or user id of the decider.
    pub user: Option<String>,
    /// The CRM record (15 or 18 characters).
    pub record: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

/// The decisions' audit trail, newest first.
pub async fn decisions(store: &dyn Store, filter: &DecisionFilter) -> Result<DecisionsPage, MatcherError> {
    let rows = store.decisions().await?;
    let users: HashMap<String, String> = store
        .rows("User")
        .await?
        .into_iter()
        .filter_map(|u| {
            let f: Map<String, Value> = serde_json::from_str(&u.fields_json).ok()?;
            Some((u.id, f.get("Username").and_then(Value::as_str).unwrap_or_default().to_string()))
        })
        .collect();
    let record = filter.record.as_deref().map(|r| r.get(..15).unwrap_or(r).to_string());
    let matching: Vec<_> = rows
        .iter()
        .rev()
        .filter(|d| {
            filter.user.as_deref().is_none_or(|u| {
                d.decided_by == u || users.get(&d.decided_by).is_some_and(|name| name.eq_ignore_ascii_case(u))
            })
        })
        .filter(|d| record.as_deref().is_none_or(|r| d.crm_id.starts_with(r)))
        .collect();
    let mut decisions = Vec::new();
    for d in matching.iter().skip(filter.offset).take(filter.limit) {
        let object = crmsync::core::sf::SalesforceId::parse(&d.crm_id)
            .ok()
            .and_then(|id| crate::directory::matching::matchable_object(&id))
            .unwrap_or_default();
        let record_name = match store.crm_row(object, &d.crm_id).await? {
            Some(row) => record_name(&row.fields_json),
            None => String::new(),
        };
        let profile_name = store.profile(&d.network_id).await?.map(|p| p.name).unwrap_or_default();
        decisions.push(DecisionView {
            id: d.id,
            at: rfc3339_from_unix_ms(d.decided_at_ms),
            user: users.get(&d.decided_by).cloned().unwrap_or_else(|| d.decided_by.clone()),
            kind: d.kind.clone(),
            crm_id: d.crm_id.clone(),
            object: object.to_string(),
            record_name,
            network_id: d.network_id.clone(),
            profile_name,
        });
    }
    Ok(DecisionsPage { decisions, total: matching.len() as u64 })
}

fn record_name(json: &str) -> String {
    let f: Map<String, Value> = serde_json::from_str(json).unwrap_or_default();
    let text = |n: &str| f.get(n).and_then(Value::as_str).unwrap_or_default();
    crmsync::core::sf::display::person_name(text("FirstName"), text("LastName"), text("Name"))
}
