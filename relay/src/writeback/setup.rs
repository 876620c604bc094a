//! `crmsync setup`: checks that the org has what write-back needs and creates what is
//! missing through the Tooling API — the external-id field on Task and the InMail and
//! Message record types. What it cannot create (no permission) it explains, with the
//! steps an admin takes instead.

use serde_json::{json, Value};

use super::records::{record_type_key, RecordTypeIds, EXTERNAL_ID_FIELD, RECORD_TYPES};
use super::{OrgSession, WritebackError};
use crate::salesforce::bulk::describe_fields;
use crate::salesforce::writes::{query, tooling_create};
use crate::salesforce::{SalesforceClient, SalesforceError};
use crate::state::AppState;
use crate::with_session;

pub use crmsync::core::api::{SetupReport, SetupStep, SetupStepStatus as StepStatus};

/// What the admin does by hand when setup may not, and why it failed.
fn failed(what: String, error: &SalesforceError, by_hand: &str) -> SetupStep {
    let permission = matches!(error, SalesforceError::Rest { code, .. } if code == "INSUFFICIENT_ACCESS");
    let why = if permission {
        "the connected user lacks the Customize Application permission".to_string()
    } else {
        error.to_string()
    };
    SetupStep {
        what,
        status: StepStatus::Failed,
        detail: format!(
            "{why}. {by_hand} Or give the connected user Customize Application and run `crmsync setup` again."
        ),
    }
}

/// Checks the org and creates what is missing; records the record type ids for flushes.
pub async fn setup(state: &AppState) -> Result<SetupReport, WritebackError> {
    let mut session = OrgSession::open(state).await?;
    let mut report = SetupReport::default();
    let task_fields = with_session!(state, session, |client| describe_fields(client, "Task"))?;
    let field_step = format!("external-id field Task.{EXTERNAL_ID_FIELD}");
    if task_fields.iter().any(|f| f == EXTERNAL_ID_FIELD) {
        report.steps.push(SetupStep { what: field_step, status: StepStatus::Present, detail: String::new() });
    } else {
        let metadata = json!({
            "type": "Text", "length": 36, "externalId": true, "unique": true, "caseSensitive": false,
            "label": "crmsync Activity Id",
            "description": "The crmsync activity's id, so a retried write can never create a second Task.",
        });
        let full_name = format!("Activity.{EXTERNAL_ID_FIELD}");
        let created =
            with_session!(state, session, |client| tooling_create(client, "CustomField", &full_name, metadata.clone()));
        report.steps.push(match created {
            Ok(_) => SetupStep { what: field_step, status: StepStatus::Created, detail: String::new() },
            Err(e) => failed(
                field_step,
                &e,
                "In Setup → Object Manager → Activity → Fields & Relationships, create a Text(36) field labelled \
                 \"crmsync Activity Id\" with the API name Crmsync_Activity_Id__c, marked Unique and External ID, \
                 visible to the connected user.",
            ),
        });
    }
    let found = with_session!(state, session, |client| task_record_types(client))?;
    for (kind, name, label) in RECORD_TYPES {
        let what = format!("Task record type {name} (for {} activities)", kind.as_str());
        let id = match found.0.iter().find(|(k, _)| *k == kind) {
            Some((_, id)) => {
                report.steps.push(SetupStep { what, status: StepStatus::Present, detail: String::new() });
                id.clone()
            }
            None => {
                let metadata = json!({ "label": label, "active": true, "description": "Logged by crmsync." });
                let full_name = format!("Task.{name}");
                match with_session!(state, session, |client| tooling_create(
                    client,
                    "RecordType",
                    &full_name,
                    metadata.clone()
                )) {
                    Ok(id) => {
                        report.steps.push(SetupStep { what, status: StepStatus::Created, detail: String::new() });
                        id
                    }
                    Err(e) => {
                        let by_hand = format!(
                            "In Setup → Object Manager → Task → Record Types, create an active record type labelled \
                             \"{label}\" with the API name {name}, available to the reps' profiles."
                        );
                        report.steps.push(failed(what, &e, &by_hand));
                        continue;
                    }
                }
            }
        };
        state.store.set_org_setting(&record_type_key(name), &id).await?;
    }
    Ok(report)
}

/// The org's active Task record types that write-back uses, by DeveloperName.
pub async fn task_record_types(client: &SalesforceClient) -> Result<RecordTypeIds, SalesforceError> {
    let records = query(client, "SELECT Id, DeveloperName, SobjectType, IsActive FROM RecordType").await?;
    let text = |r: &Value, f: &str| r.get(f).and_then(Value::as_str).unwrap_or_default().to_string();
    let active = |r: &Value| r.get("IsActive").is_some_and(|v| v == &json!(true) || v == &json!("true"));
    Ok(RecordTypeIds(
        RECORD_TYPES
            .iter()
            .filter_map(|(kind, name, _)| {
                records
                    .iter()
                    .find(|r| text(r, "SobjectType") == "Task" && text(r, "DeveloperName") == *name && active(r))
                    .map(|r| (*kind, text(r, "Id")))
            })
            .collect(),
    ))
}

/// The record type ids setup recorded (or an earlier flush looked up).
pub async fn stored_record_types(state: &AppState) -> Result<RecordTypeIds, crate::store::StoreError> {
    let mut ids = Vec::new();
    for (kind, name, _) in RECORD_TYPES {
        if let Some(id) = state.store.org_setting(&record_type_key(name)).await? {
            ids.push((kind, id));
        }
    }
    Ok(RecordTypeIds(ids))
}
