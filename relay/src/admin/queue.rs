//! The org's whole activity queue for admins: every rep's activities with filters, each
//! failure with Salesforce's message, retry / re-target / discard for one or many, and a
//! CSV export of the same filter.

use std::collections::HashMap;

use crmsync::core::activity::{check_target, ActivityKind, ActivityState};
use crmsync::core::api::admin::{AdminActivities, AdminActivity, QueueAction, QueueActionReport, Skipped};
use crmsync::core::sf::SalesforceId;

use super::{audit, Actor, AdminError};
use crate::state::{now_ms, AppState};
use crate::store::{Changed, QueueFilter, QueueState, StoreError};

/// The query string of `GET /api/v1/admin/activities` (and the CSV export).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// Comma-separated states.
    pub state: Option<String>,
    /// A rep: user id or username.
    pub rep: Option<String>,
    pub kind: Option<String>,
    /// Logged on or after this day (YYYY-MM-DD).
    pub from: Option<String>,
    /// Logged on or before this day (YYYY-MM-DD).
    pub to: Option<String>,
    /// The CRM record.
    pub record: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Most activities one page answers.
pub const MAX_PAGE: i64 = 1_000;

fn day_ms(text: &str, name: &str) -> Result<i64, AdminError> {
    let text = text.trim();
    (text.len() == 10)
        .then(|| crmsync::core::time::unix_ms_from_rfc3339(&format!("{text}T00:00:00Z")))
        .flatten()
        .ok_or_else(|| AdminError::Invalid(format!("{name} must be a date as YYYY-MM-DD, not {text:?}")))
}

/// A query checked into a store filter; `export` lifts the page limit.
pub async fn filter_of(state: &AppState, q: &QueueQuery, export: bool) -> Result<QueueFilter, AdminError> {
    let states: Vec<QueueState> = ActivityState::parse_list(q.state.as_deref().unwrap_or_default())
        .map_err(AdminError::Invalid)?
        .into_iter()
        .flat_map(|s| QueueState::of_public(s).iter().copied())
        .collect();
    let user_id = match &q.rep {
        Some(r) => Some(crate::writeback::users::find_user(state.store.as_ref(), r).await?.id),
        None => None,
    };
    let kind = match &q.kind {
        Some(k) => Some(
            ActivityKind::parse(k)
                .ok_or_else(|| AdminError::Invalid(format!("kind {k:?} is not one of {}", ActivityKind::names())))?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let target = match &q.record {
        Some(r) => {
            Some(SalesforceId::parse(r).map_err(|e| AdminError::Invalid(format!("record: {e}")))?.as_str().to_string())
        }
        None => None,
    };
    let from_ms = q.from.as_deref().map(|d| day_ms(d, "from")).transpose()?;
    let to_ms = q.to.as_deref().map(|d| day_ms(d, "to").map(|ms| ms + 86_400_000)).transpose()?;
    let limit = match q.limit {
        None if export => i64::MAX,
        None => 100,
        Some(n) if (1..=MAX_PAGE).contains(&n) => n,
        Some(n) => return Err(AdminError::Invalid(format!("limit must be 1 to {MAX_PAGE}, not {n}"))),
    };
    let offset = match q.offset {
        None => 0,
        Some(n) if n >= 0 => n,
        Some(n) => return Err(AdminError::Invalid(format!("offset must be 0 or more, not {n}"))),
    };
    Ok(QueueFilter { states, user_id, kind, from_ms, to_ms, target, limit, offset })
}

/// One page of the org's queue.
pub async fn list(state: &AppState, filter: &QueueFilter) -> Result<AdminActivities, StoreError> {
    let (rows, total) = state.store.queue(filter).await?;
    let instance = state.store.connection().await?.map(|c| c.instance_url);
    let names: HashMap<String, String> = crate::writeback::users::org_users(state.store.as_ref())
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    let activities = rows
        .iter()
        .map(|a| AdminActivity {
            user_id: a.user_id.clone(),
            username: names.get(&a.user_id).cloned().unwrap_or_default(),
            activity: crate::writeback::activities::view(a, instance.as_deref()),
        })
        .collect();
    Ok(AdminActivities { activities, total })
}

/// The queue as CSV: one row per activity, Salesforce's message included.
pub fn csv(page: &AdminActivities) -> String {
    let mut out =
        String::from("id,rep,kind,state,target,subject,occurred_at,created_at,attempts,salesforce_id,error\n");
    for a in &page.activities {
        let v = &a.activity;
        let fields = [
            v.id.as_str(),
            a.username.as_str(),
            v.kind.as_str(),
            v.state.as_str(),
            v.target.as_deref().unwrap_or_default(),
            v.subject.as_str(),
            v.occurred_at.as_str(),
            v.created_at.as_str(),
            &v.attempts.to_string(),
            v.salesforce_id.as_deref().unwrap_or_default(),
            v.error.as_deref().unwrap_or_default(),
        ];
        out.push_str(&crmsync::core::csv::line(&fields));
    }
    out
}

/// Retries, re-targets or discards the listed activities; each one not changed is
/// reported with why.
pub async fn act(state: &AppState, actor: &Actor, action: &QueueAction) -> Result<QueueActionReport, AdminError> {
    if action.ids.is_empty() || action.ids.len() > MAX_PAGE as usize {
        return Err(AdminError::Invalid(format!("ids: name 1 to {MAX_PAGE} activities, not {}", action.ids.len())));
    }
    let mut report = QueueActionReport::default();
    let refuse = |id: &str, reason: String| Skipped { user_id: id.to_string(), reason };
    match action.action.as_str() {
        "retry" => {
            for id in &action.ids {
                match state.store.retry_activity(id, now_ms()).await? {
                    Changed::Yes => report.done.push(id.clone()),
                    Changed::No => report.refused.push(refuse(id, "only a failed activity is retried".into())),
                }
            }
        }
        "retarget" => {
            let target =
                action.target.as_deref().ok_or_else(|| AdminError::Invalid("retarget needs a target".into()))?;
            for id in &action.ids {
                let Some(a) = state.store.activity(id).await? else {
                    report.refused.push(refuse(id, "no such activity".into()));
                    continue;
                };
                match check_target(a.kind, target) {
                    Err(e) => report.refused.push(refuse(id, e.to_string())),
                    Ok(t) => match state.store.assign_activity(id, &t, now_ms()).await? {
                        Changed::Yes => report.done.push(id.clone()),
                        Changed::No => report
                            .refused
                            .push(refuse(id, "only an unassigned or failed activity is re-targeted".into())),
                    },
                }
            }
        }
        "discard" => {
            let done = state.store.discard_activities(&action.ids, now_ms()).await?;
            for id in &action.ids {
                if done.contains(id) {
                    report.done.push(id.clone());
                } else {
                    report
                        .refused
                        .push(refuse(id, "written, being written or unknown activities are not discarded".into()));
                }
            }
        }
        other => return Err(AdminError::Invalid(format!("action must be retry, retarget or discard, not {other:?}"))),
    }
    audit(
        state,
        actor,
        &format!("activities {}", action.action),
        &format!("{} of {} activities", report.done.len(), action.ids.len()),
    )
    .await?;
    Ok(report)
}
