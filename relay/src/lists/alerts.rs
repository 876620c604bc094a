//! Alerts on saved people, and the admin's data-quality report. When a newer observation
//! of a profile linked to a saved record shows a new company, title or location that the
//! CRM does not have, the rep who saved it gets an alert; the report lists every matched
//! person whose profile disagrees with the CRM. What disagrees is the core's
//! (`core::rules::profile_changes`).

use std::collections::HashMap;

use crmsync::core::api::lists::{ListAlert, ListAlerts, QualityReport, QualityRow};
use crmsync::core::normalize::company_from_headline;
use crmsync::core::rules::profile_changes::{differences, new_differences, Facts, Field};
use crmsync::core::sf::links::record_url;
use serde_json::{Map, Value};

use crate::state::{now_ms, AppState};
use crate::store::{AlertRow, ProfileRow, StoreError};

/// Most alerts shown at once.
const SHOWN: i64 = 200;

/// A person's facts as the CRM has them (a Contact's company is its Account's name).
async fn crm_facts(
    state: &AppState,
    object: &str,
    crm_id: &str,
) -> Result<Option<(Facts, Map<String, Value>)>, StoreError> {
    let Some(row) = state.store.crm_row(object, crm_id).await? else { return Ok(None) };
    let fields: Map<String, Value> = serde_json::from_str(&row.fields_json).unwrap_or_default();
    let text = |f: &str| fields.get(f).and_then(Value::as_str).unwrap_or_default().to_string();
    let facts = match object {
        "Lead" => Facts { company: text("Company"), title: text("Title"), location: text("City") },
        "Contact" => {
            let account = text("AccountId");
            let company = match state.store.crm_row("Account", &account).await? {
                Some(a) => serde_json::from_str::<Map<String, Value>>(&a.fields_json)
                    .ok()
                    .and_then(|f| f.get("Name").and_then(Value::as_str).map(String::from))
                    .unwrap_or_default(),
                None => String::new(),
            };
            Facts { company, title: text("Title"), location: text("MailingCity") }
        }
        _ => return Ok(None),
    };
    Ok(Some((facts, fields)))
}

/// A profile's facts: its company, else the headline's "at …".
fn profile_facts(p: &ProfileRow) -> Facts {
    let company = if p.company.trim().is_empty() { company_from_headline(&p.headline) } else { &p.company };
    Facts { company: company.to_string(), title: p.headline.clone(), location: p.location.clone() }
}

/// What to keep from before an observation: the stored profiles of the observed ids that
/// are linked to a saved record (`None` when no saved record is concerned, the usual case).
pub struct Before {
    profiles: HashMap<String, ProfileRow>,
    /// Network id → (crm id, object) linked to it.
    linked: HashMap<String, Vec<(String, String)>>,
}

/// Reads, before `rows` are stored, what [`after_observe`] compares with.
pub async fn before_observe(state: &AppState, rows: &[ProfileRow]) -> Result<Option<Before>, StoreError> {
    let ids: Vec<String> = rows.iter().filter(|r| r.entity == "person").map(|r| r.network_id.clone()).collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let outcomes = state.store.outcomes_linking(&ids).await?;
    let crm_ids: Vec<String> = outcomes.iter().map(|o| o.crm_id.clone()).collect();
    if crm_ids.is_empty() || state.store.entries_with_keys(&crm_ids).await?.is_empty() {
        return Ok(None);
    }
    let mut linked: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut profiles = HashMap::new();
    for o in outcomes {
        let Some(network_id) = o.network_id else { continue };
        if !profiles.contains_key(&network_id) {
            if let Some(p) = state.store.profile(&network_id).await? {
                profiles.insert(network_id.clone(), p);
            }
        }
        linked.entry(network_id).or_default().push((o.crm_id, o.object));
    }
    Ok(Some(Before { profiles, linked }))
}

/// After the observations are stored: an alert for each rep who saved a linked record,
/// for each fact the observation changed that the CRM does not have. Answers how many.
pub async fn after_observe(state: &AppState, before: Option<Before>) -> Result<usize, StoreError> {
    let Some(before) = before else { return Ok(0) };
    let now = now_ms();
    let mut alerts = Vec::new();
    for (network_id, records) in &before.linked {
        let Some(after) = state.store.profile(network_id).await? else { continue };
        let previous = before.profiles.get(network_id).map(profile_facts);
        for (crm_id, object) in records {
            let Some((crm, _)) = crm_facts(state, object, crm_id).await? else { continue };
            let changes = new_differences(&crm, previous.as_ref(), &profile_facts(&after));
            if changes.is_empty() {
                continue;
            }
            let savers = state.store.entries_with_keys(std::slice::from_ref(crm_id)).await?;
            let mut users: Vec<String> = savers.into_iter().map(|e| e.user_id).collect();
            users.sort();
            users.dedup();
            for user in users {
                for d in &changes {
                    alerts.push(AlertRow {
                        id: 0,
                        user_id: user.clone(),
                        crm_id: crm_id.clone(),
                        network_id: network_id.clone(),
                        field: d.field.as_str().to_string(),
                        crm_value: d.crm.clone(),
                        network_value: d.network.clone(),
                        created_at_ms: now,
                        read_at_ms: None,
                    });
                }
            }
        }
    }
    state.store.add_alerts(&alerts).await?;
    if !alerts.is_empty() {
        tracing::info!(alerts = alerts.len(), "alerts on saved people");
    }
    Ok(alerts.len())
}

fn field_of(name: &str) -> Option<Field> {
    [Field::Company, Field::Title, Field::Location].into_iter().find(|f| f.as_str() == name)
}

/// Marks alert `number` of `user_id` read and answers their alerts; `None` when they
/// have no such alert (another rep's alerts are not theirs to mark).
pub async fn mark_read(state: &AppState, user_id: &str, number: i64) -> Result<Option<ListAlerts>, StoreError> {
    let mine = state.store.alerts_of(user_id, i64::MAX).await?;
    if !mine.iter().any(|a| a.id == number) {
        return Ok(None);
    }
    state.store.mark_alert_read(user_id, number, now_ms()).await?;
    Ok(Some(alerts_of(state, user_id).await?))
}

/// A rep's alerts, newest first, with links to both sides.
pub async fn alerts_of(state: &AppState, user_id: &str) -> Result<ListAlerts, StoreError> {
    let instance = state.store.connection().await?.map(|c| c.instance_url).unwrap_or_default();
    let rows = state.store.alerts_of(user_id, SHOWN).await?;
    let mut alerts = Vec::with_capacity(rows.len());
    for a in rows {
        let message = field_of(&a.field)
            .map(|field| {
                crmsync::core::rules::profile_changes::Difference {
                    field,
                    crm: a.crm_value.clone(),
                    network: a.network_value.clone(),
                }
                .message()
            })
            .unwrap_or_default();
        let object = crmsync::core::sf::SalesforceId::parse(&a.crm_id)
            .ok()
            .and_then(|id| crate::directory::matching::matchable_object(&id));
        let network_url = state.store.profile(&a.network_id).await?.map(|p| p.url).unwrap_or_default();
        alerts.push(ListAlert {
            id: a.id,
            crm_url: object.filter(|_| !instance.is_empty()).map(|o| record_url(&instance, o, &a.crm_id)),
            crm_id: a.crm_id,
            network_id: a.network_id,
            field: a.field,
            crm_value: a.crm_value,
            network_value: a.network_value,
            message,
            created_at: crmsync::core::time::rfc3339_from_unix_ms(a.created_at_ms),
            read: a.read_at_ms.is_some(),
            network_url,
        });
    }
    let unread = alerts.iter().filter(|a| !a.read).count();
    Ok(ListAlerts { alerts, unread })
}

/// Every matched Lead and Contact whose profile's current company or title differs from
/// the CRM, by record id.
pub async fn data_quality(state: &AppState) -> Result<QualityReport, StoreError> {
    let users: HashMap<String, String> = crate::writeback::users::org_users(state.store.as_ref())
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    let mut report = QualityReport::default();
    for o in state.store.match_outcomes().await? {
        let linked = matches!(o.state.as_str(), "auto" | "manual") && o.folded_into.is_none();
        let (true, Some(network_id), "Lead" | "Contact") = (linked, o.network_id.as_ref(), o.object.as_str()) else {
            continue;
        };
        let Some(profile) = state.store.profile(network_id).await? else { continue };
        let Some((crm, fields)) = crm_facts(state, &o.object, &o.crm_id).await? else { continue };
        report.compared += 1;
        let owner_id = fields.get("OwnerId").and_then(Value::as_str).unwrap_or_default();
        for d in differences(&crm, &profile_facts(&profile)).into_iter().filter(|d| d.field != Field::Location) {
            report.rows.push(QualityRow {
                crm_id: o.crm_id.clone(),
                object: o.object.clone(),
                name: super::record_name(&o.object, &fields),
                owner: users.get(owner_id).cloned().unwrap_or_else(|| owner_id.to_string()),
                network_id: network_id.clone(),
                field: d.field.as_str().to_string(),
                crm_value: d.crm,
                network_value: d.network,
            });
        }
    }
    Ok(report)
}
