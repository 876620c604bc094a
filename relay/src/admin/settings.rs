//! The org's settings as admins set them, kept as relay facts under `setting:` (a
//! reconnect keeps them; a disconnect with clean-up forgets them with the org's data):
//! badge visibility, the kinds written back at all, write-back test mode, and the roles
//! that give seats at each import.

use crmsync::core::activity::ActivityKind;
use crmsync::core::api::admin::{AdminSettings, AdminSettingsChange};
use crmsync::core::rules::auto_save::StageThreshold;
use crmsync::core::rules::seats::RoleGrant;
use crmsync::core::rules::visibility::BadgeVisibility;
use crmsync::core::sf::SalesforceId;

use super::{audit, Actor, AdminError};
use crate::state::AppState;
use crate::store::StoreError;

const BADGE_VISIBILITY: &str = "badge_visibility";
const WRITEBACK_KINDS: &str = "writeback_kinds";
const TEST_RECORD: &str = "writeback_test_record";
const SEAT_GRANTS: &str = "seat_role_grants";
const AUTOSAVE_MIN_STAGE: &str = "autosave_min_stage";
const ROI_REVENUE_FIELD: &str = "roi_revenue_field";
const ROI_LOOKBACK_DAYS: &str = "roi_lookback_days";
/// The revenue field when none is set.
pub const DEFAULT_REVENUE_FIELD: &str = "Amount";
/// Longest look-back a setting may ask for.
const MAX_LOOKBACK_DAYS: i64 = 730;
/// The org's Opportunity stages in order (JSON), as the last import read them.
pub const STAGE_ORDER: &str = "autosave_stage_order";
/// Entries the last import saved (a number).
pub const AUTOSAVE_LAST_IMPORT: &str = "autosave_last_import";

/// The relay fact a setting is kept under.
pub fn key(name: &str) -> String {
    format!("setting:{name}")
}

/// The names `crmsync settings get|set` takes.
pub const NAMES: &[&str] =
    &[BADGE_VISIBILITY, WRITEBACK_KINDS, TEST_RECORD, AUTOSAVE_MIN_STAGE, ROI_REVENUE_FIELD, ROI_LOOKBACK_DAYS];

/// The org's settings (defaults where never set).
pub async fn load(state: &AppState) -> Result<AdminSettings, StoreError> {
    let store = &state.store;
    let badge_visibility =
        store.fact(&key(BADGE_VISIBILITY)).await?.and_then(|v| BadgeVisibility::parse(&v).ok()).unwrap_or_default();
    let writeback_kinds = match store.fact(&key(WRITEBACK_KINDS)).await? {
        Some(text) => text.split(',').filter_map(ActivityKind::parse).collect(),
        None => ActivityKind::ALL.to_vec(),
    };
    let writeback_test_record = store.fact(&key(TEST_RECORD)).await?.filter(|v| !v.is_empty());
    let seat_role_grants = store
        .fact(&key(SEAT_GRANTS))
        .await?
        .and_then(|v| serde_json::from_str::<Vec<RoleGrant>>(&v).ok())
        .unwrap_or_default();
    let threshold = stage_threshold(state).await?;
    let autosave_last_import = store.fact(&key(AUTOSAVE_LAST_IMPORT)).await?.and_then(|v| v.parse().ok());
    Ok(AdminSettings {
        badge_visibility,
        writeback_kinds,
        writeback_test_record,
        seat_role_grants,
        seat_limit: state.settings.seat_limit,
        autosave_min_stage: threshold.min_stage,
        autosave_stages: threshold.order,
        autosave_last_import,
        roi_revenue_field: revenue_field(state).await?,
        roi_lookback_days: lookback_days(state).await?,
    })
}

/// The Opportunity currency field the ROI report sums (imported with the rest).
pub async fn revenue_field(state: &AppState) -> Result<String, StoreError> {
    Ok(state
        .store
        .fact(&key(ROI_REVENUE_FIELD))
        .await?
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_REVENUE_FIELD.to_string()))
}

/// Days before creation that still influence an opportunity.
pub async fn lookback_days(state: &AppState) -> Result<i64, StoreError> {
    Ok(state
        .store
        .fact(&key(ROI_LOOKBACK_DAYS))
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(crmsync::core::rules::roi::DEFAULT_LOOKBACK_DAYS))
}

/// The auto-save stage threshold with the org's stage order.
pub async fn stage_threshold(state: &AppState) -> Result<StageThreshold, StoreError> {
    let min_stage = state.store.fact(&key(AUTOSAVE_MIN_STAGE)).await?.filter(|v| !v.is_empty());
    let order = state
        .store
        .fact(&key(STAGE_ORDER))
        .await?
        .and_then(|v| serde_json::from_str::<Vec<String>>(&v).ok())
        .unwrap_or_default();
    Ok(StageThreshold { min_stage, order })
}

/// One checked setting: the setting it changes, its stored text, and what the audit log says.
struct Write {
    name: &'static str,
    value: String,
    shown: String,
}

impl Write {
    fn new(name: &'static str, value: impl Into<String>, shown: impl Into<String>) -> Self {
        Self { name, value: value.into(), shown: shown.into() }
    }
}

fn invalid(name: &str, why: impl std::fmt::Display) -> AdminError {
    AdminError::Invalid(format!("{name}: {why}"))
}

fn checked_kinds(names: &[String]) -> Result<Write, AdminError> {
    let kinds = names
        .iter()
        .map(|n| {
            ActivityKind::parse(n.trim())
                .ok_or_else(|| invalid(WRITEBACK_KINDS, format!("{n:?} is not a kind (use {})", ActivityKind::names())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let text = kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",");
    Ok(Write::new(WRITEBACK_KINDS, text.clone(), text))
}

fn checked_test_record(value: &str) -> Result<Write, AdminError> {
    match value.trim() {
        "" => Ok(Write::new(TEST_RECORD, "", "off")),
        id => {
            let id = SalesforceId::parse(id).map_err(|e| invalid(TEST_RECORD, e))?;
            Ok(Write::new(TEST_RECORD, id.as_str(), id.as_str()))
        }
    }
}

/// A stage of the org's order (as the last import read it), or `""` for any stage.
async fn checked_stage(state: &AppState, value: &str) -> Result<Write, AdminError> {
    let stage = value.trim();
    if stage.is_empty() {
        return Ok(Write::new(AUTOSAVE_MIN_STAGE, "", "any"));
    }
    let order = stage_threshold(state).await?.order;
    match order.iter().find(|s| s.eq_ignore_ascii_case(stage)) {
        Some(known) => Ok(Write::new(AUTOSAVE_MIN_STAGE, known.clone(), known.clone())),
        None if order.is_empty() => {
            Err(invalid(AUTOSAVE_MIN_STAGE, "the org's opportunity stages are not known yet; run an import first"))
        }
        None => {
            Err(invalid(AUTOSAVE_MIN_STAGE, format!("{stage:?} is not one of the org's stages ({})", order.join(", "))))
        }
    }
}

async fn checked_grants(state: &AppState, grants: &[RoleGrant]) -> Result<Write, AdminError> {
    let roles = crate::writeback::users::org_roles(state.store.as_ref()).await?;
    if let Some(g) = grants.iter().find(|g| roles.get(&g.role_id).is_none()) {
        return Err(invalid(SEAT_GRANTS, format!("no imported role has the id {:?}", g.role_id)));
    }
    Ok(Write::new(SEAT_GRANTS, grants_text(grants), grants.len().to_string()))
}

/// Every field of `change` checked, in a fixed order; nothing is stored yet.
async fn checked(state: &AppState, change: &AdminSettingsChange) -> Result<Vec<Write>, AdminError> {
    let mut out = Vec::new();
    if let Some(v) = &change.badge_visibility {
        let v = BadgeVisibility::parse(v).map_err(|e| invalid(BADGE_VISIBILITY, e))?;
        out.push(Write::new(BADGE_VISIBILITY, v.as_str(), v.as_str()));
    }
    if let Some(names) = &change.writeback_kinds {
        out.push(checked_kinds(names)?);
    }
    if let Some(v) = &change.writeback_test_record {
        out.push(checked_test_record(v)?);
    }
    if let Some(field) = change.roi_revenue_field.as_deref().map(str::trim) {
        let field = match field {
            "" => DEFAULT_REVENUE_FIELD.to_string(),
            f => crate::admin::roi::check_revenue_field(state, f).await?,
        };
        out.push(Write::new(ROI_REVENUE_FIELD, field.clone(), field));
    }
    if let Some(days) = change.roi_lookback_days {
        if !(0..=MAX_LOOKBACK_DAYS).contains(&days) {
            return Err(invalid(ROI_LOOKBACK_DAYS, format!("{days} is not 0 to {MAX_LOOKBACK_DAYS}")));
        }
        out.push(Write::new(ROI_LOOKBACK_DAYS, days.to_string(), days.to_string()));
    }
    if let Some(stage) = &change.autosave_min_stage {
        out.push(checked_stage(state, stage).await?);
    }
    if let Some(grants) = &change.seat_role_grants {
        out.push(checked_grants(state, grants).await?);
    }
    Ok(out)
}

/// Applies `change` (each field checked before anything is stored) and logs it.
pub async fn change(state: &AppState, actor: &Actor, change: AdminSettingsChange) -> Result<AdminSettings, AdminError> {
    let writes = checked(state, &change).await?;
    for w in &writes {
        state.store.set_fact(&key(w.name), &w.value).await?;
    }
    if !writes.is_empty() {
        let done: Vec<String> = writes.iter().map(|w| format!("{}={}", w.name, w.shown)).collect();
        audit(state, actor, "settings", &done.join(", ")).await?;
    }
    Ok(load(state).await?)
}

/// Replaces the roles that give seats at each import.
pub async fn set_grants(state: &AppState, grants: &[RoleGrant]) -> Result<(), StoreError> {
    state.store.set_fact(&key(SEAT_GRANTS), &grants_text(grants)).await
}

/// The role grants as stored.
fn grants_text(grants: &[RoleGrant]) -> String {
    serde_json::to_string(grants).unwrap_or_else(|_| "[]".into())
}

/// One setting as `crmsync settings get` prints it.
pub fn show(settings: &AdminSettings, name: &str) -> Option<String> {
    match name {
        BADGE_VISIBILITY => Some(settings.badge_visibility.as_str().to_string()),
        WRITEBACK_KINDS => Some(settings.writeback_kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")),
        TEST_RECORD => Some(settings.writeback_test_record.clone().unwrap_or_default()),
        AUTOSAVE_MIN_STAGE => Some(settings.autosave_min_stage.clone().unwrap_or_default()),
        ROI_REVENUE_FIELD => Some(settings.roi_revenue_field.clone()),
        ROI_LOOKBACK_DAYS => Some(settings.roi_lookback_days.to_string()),
        _ => None,
    }
}

/// A `crmsync settings set NAME VALUE` as a change.
pub fn change_of(name: &str, value: &str) -> Result<AdminSettingsChange, AdminError> {
    let mut change = AdminSettingsChange::default();
    match name {
        BADGE_VISIBILITY => change.badge_visibility = Some(value.to_string()),
        WRITEBACK_KINDS => {
            change.writeback_kinds =
                Some(value.split(',').map(str::trim).filter(|k| !k.is_empty()).map(String::from).collect())
        }
        TEST_RECORD => change.writeback_test_record = Some(value.to_string()),
        AUTOSAVE_MIN_STAGE => change.autosave_min_stage = Some(value.to_string()),
        ROI_REVENUE_FIELD => change.roi_revenue_field = Some(value.to_string()),
        ROI_LOOKBACK_DAYS => {
            change.roi_lookback_days =
                Some(value.trim().parse().map_err(|_| {
                    AdminError::Invalid(format!("roi_lookback_days: {value:?} is not a number of days"))
                })?)
        }
        other => {
            return Err(AdminError::Invalid(format!("no setting is named {other:?} (settings: {})", NAMES.join(", "))))
        }
    }
    Ok(change)
}
