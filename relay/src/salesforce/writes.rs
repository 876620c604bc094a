//! Writing to the org (docs/salesforce.md §4): sObject Collections create and upsert by external
//! id, the Tooling API creates the write-back setup needs, and REST queries followed
//! through `nextRecordsUrl`.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{SalesforceClient, SalesforceError};

/// Most records one Collections call takes.
pub const COLLECTION_MAX: usize = 200;

/// One record's result in a Collections answer, in request order.
#[derive(Debug, Clone, Deserialize)]
pub struct SaveResult {
    #[serde(default)]
    pub id: Option<String>,
    pub success: bool,
    #[serde(default)]
    pub errors: Vec<SaveError>,
    /// Upserts only: whether the record was inserted.
    #[serde(default)]
    pub created: Option<bool>,
}

/// Why one record of a Collections call failed (`statusCode`, unlike REST's `errorCode`).
#[derive(Debug, Clone, Deserialize)]
pub struct SaveError {
    #[serde(rename = "statusCode")]
    pub status_code: String,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<String>,
}

impl SaveResult {
    /// The errors as one line: `CODE: message (fields: …)`.
    pub fn error_text(&self) -> String {
        let parts: Vec<String> = self
            .errors
            .iter()
            .map(|e| {
                let fields =
                    if e.fields.is_empty() { String::new() } else { format!(" (fields: {})", e.fields.join(", ")) };
                format!("{}: {}{fields}", e.status_code, e.message)
            })
            .collect();
        if parts.is_empty() {
            "Salesforce reported a failure without a reason".into()
        } else {
            parts.join("; ")
        }
    }

    /// True when every error is one a later attempt can cure. A duplicate of an external
    /// id is one: only a concurrent upsert of the same key makes it, and the retry updates.
    pub fn is_transient(&self) -> bool {
        let transient =
            |code: &str| matches!(code, "UNABLE_TO_LOCK_ROW" | "REQUEST_LIMIT_EXCEEDED" | "DUPLICATE_EXTERNAL_ID");
        !self.errors.is_empty() && self.errors.iter().all(|e| transient(&e.status_code))
    }

    /// True when the record exists and only a create-only field stopped the update
    /// (`TaskSubtype`): an earlier attempt already wrote it.
    pub fn is_create_only_field(&self) -> bool {
        self.errors.iter().any(|e| e.status_code == "INVALID_FIELD_FOR_INSERT_UPDATE")
    }
}

/// Builds a Collections body: `records` tagged with their type, `allOrNone` false so one
/// bad record never holds back the others.
fn collection(object: &str, records: Vec<Value>) -> Value {
    let records: Vec<Value> = records
        .into_iter()
        .map(|mut r| {
            if let Some(map) = r.as_object_mut() {
                map.insert("attributes".into(), json!({ "type": object }));
            }
            r
        })
        .collect();
    json!({ "allOrNone": false, "records": records })
}

fn check_count(results: &[SaveResult], sent: usize) -> Result<(), SalesforceError> {
    if results.len() == sent {
        Ok(())
    } else {
        Err(SalesforceError::Unexpected {
            url: "composite/sobjects".into(),
            status: 200,
            snippet: format!("{} results for {sent} records", results.len()),
        })
    }
}

/// `PATCH /composite/sobjects/{object}/{external_id_field}`: upserts up to 200 records
/// keyed by the external id; idempotent, so transient failures are retried.
pub async fn upsert_by_external_id(
    client: &SalesforceClient,
    object: &str,
    external_id_field: &str,
    records: Vec<Value>,
) -> Result<Vec<SaveResult>, SalesforceError> {
    let sent = records.len();
    let body = collection(object, records);
    let results: Vec<SaveResult> =
        client.patch_versioned(&format!("composite/sobjects/{object}/{external_id_field}"), &body).await?;
    check_count(&results, sent)?;
    Ok(results)
}

/// `POST /composite/sobjects`: creates up to 200 records once. Not idempotent: a failure
/// that may have landed is the caller's to resolve.
pub async fn create_once(
    client: &SalesforceClient,
    object: &str,
    records: Vec<Value>,
) -> Result<Vec<SaveResult>, SalesforceError> {
    let sent = records.len();
    let results: Vec<SaveResult> =
        client.post_versioned_once("composite/sobjects", &collection(object, records)).await?;
    check_count(&results, sent)?;
    Ok(results)
}

/// `POST /tooling/sobjects/{object}` with `FullName` and `Metadata`; returns the new id.
pub async fn tooling_create(
    client: &SalesforceClient,
    object: &str,
    full_name: &str,
    metadata: Value,
) -> Result<String, SalesforceError> {
    #[derive(Deserialize)]
    struct Created {
        id: String,
    }
    let body = json!({ "FullName": full_name, "Metadata": metadata });
    let created: Created = client.post_versioned_once(&format!("tooling/sobjects/{object}"), &body).await?;
    Ok(created.id)
}

/// Runs a SOQL query through the REST API and follows `nextRecordsUrl` to the end.
pub async fn query(client: &SalesforceClient, soql: &str) -> Result<Vec<Value>, SalesforceError> {
    #[derive(Deserialize)]
    struct Page {
        #[serde(default)]
        records: Vec<Value>,
        #[serde(default, rename = "nextRecordsUrl")]
        next: Option<String>,
    }
    let encoded: String = serde_urlencoded::to_string([("q", soql)]).unwrap_or_default();
    let mut page: Page = client.get_versioned(&format!("query?{encoded}")).await?;
    let mut records = std::mem::take(&mut page.records);
    while let Some(next) = page.next.take() {
        page = client.get_json(&next).await?;
        records.append(&mut page.records);
    }
    Ok(records)
}

/// A SOQL string literal: quotes and backslashes escaped.
pub fn soql_text(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_read_the_recorded_shape() {
        let text = r#"[{"id":"00T000000000001AAA","success":true,"errors":[],"created":true},
            {"id":null,"success":false,"errors":[{"statusCode":"UNABLE_TO_LOCK_ROW","message":"locked","fields":[]}]},
            {"success":false,"errors":[{"statusCode":"INACTIVE_OWNER_OR_USER","message":"inactive","fields":["OwnerId"]}]}]"#;
        let results: Vec<SaveResult> = serde_json::from_str(text).unwrap_or_default();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].created, Some(true));
        assert!(results[1].is_transient());
        assert!(!results[2].is_transient());
        assert_eq!(results[2].error_text(), "INACTIVE_OWNER_OR_USER: inactive (fields: OwnerId)");
    }

    #[test]
    fn collection_tags_each_record_and_never_rolls_back_all() {
        let body = collection("Task", vec![json!({"Subject": "a"})]);
        assert_eq!(body["allOrNone"], json!(false));
        assert_eq!(body["records"][0]["attributes"]["type"], json!("Task"));
    }

    #[test]
    fn soql_text_escapes_quotes() {
        assert_eq!(soql_text(r"it's \ ok"), r"'it\'s \\ ok'");
    }
}
