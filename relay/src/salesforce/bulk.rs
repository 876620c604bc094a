//! Bulk API 2.0 query from the client side (docs/salesforce.md §2): create a job, wait for it
//! with growing pauses, read CSV pages by locator until the literal `null`, delete it.

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::{SalesforceClient, SalesforceError};

/// What we read of a Bulk API 2.0 JobInfo answer (public so the fuzz tests can feed it
/// arbitrary bytes).
#[derive(Debug, Deserialize)]
pub struct JobInfo {
    id: String,
    state: String,
    #[serde(default, rename = "errorMessage")]
    error_message: Option<String>,
    #[serde(default, rename = "numberRecordsProcessed")]
    records: Option<u64>,
}

/// A field as describe lists it: its name and, for a picklist, its active values in the
/// org's order.
#[derive(Debug, Clone, Deserialize)]
struct DescribedField {
    name: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default, rename = "picklistValues")]
    picklist_values: Vec<PicklistValue>,
}

#[derive(Debug, Clone, Deserialize)]
struct PicklistValue {
    value: String,
    #[serde(default = "active_by_default")]
    active: bool,
}

fn active_by_default() -> bool {
    true
}

async fn describe(client: &SalesforceClient, object: &str) -> Result<Vec<DescribedField>, SalesforceError> {
    #[derive(Deserialize)]
    struct Describe {
        fields: Vec<DescribedField>,
    }
    let d: Describe = client.get_versioned(&format!("sobjects/{object}/describe")).await?;
    Ok(d.fields)
}

/// The field names `object` has in this org (describe), so imports ask only for those.
pub async fn describe_fields(client: &SalesforceClient, object: &str) -> Result<Vec<String>, SalesforceError> {
    Ok(describe(client, object).await?.into_iter().map(|f| f.name).collect())
}

/// A field of `object` as the org spells it, with its describe type (`currency`,
/// `string`, …); `None` when the object lacks it.
pub async fn field_of(
    client: &SalesforceClient,
    object: &str,
    field: &str,
) -> Result<Option<(String, String)>, SalesforceError> {
    Ok(describe(client, object)
        .await?
        .into_iter()
        .find(|f| f.name.eq_ignore_ascii_case(field))
        .map(|f| (f.name, f.kind)))
}

/// The active values of a picklist field in the org's order (Opportunity stages, which
/// the auto-save threshold is "at or past"); empty when the field is not a picklist.
pub async fn picklist_values(
    client: &SalesforceClient,
    object: &str,
    field: &str,
) -> Result<Vec<String>, SalesforceError> {
    Ok(describe(client, object)
        .await?
        .into_iter()
        .find(|f| f.name == field)
        .map(|f| f.picklist_values.into_iter().filter(|v| v.active).map(|v| v.value).collect())
        .unwrap_or_default())
}

/// A finished query job whose results can be paged.
pub struct QueryJob {
    pub id: String,
    /// Requests it took to get here: creates and status polls.
    pub calls: u64,
    /// Rows in the results, as the completed job reports them.
    pub records: Option<u64>,
}

/// Attempts per query: a job that ends `Failed` is created again this many times in all.
const JOB_ATTEMPTS: u32 = 3;

/// A query job Salesforce accepted and is working on.
#[derive(Debug, Clone)]
pub struct StartedJob {
    id: String,
    state: String,
    error_message: Option<String>,
    records: Option<u64>,
    soql: String,
    all: bool,
}

/// Creates a `query` (or `queryAll`, which includes deleted rows) job; Salesforce works
/// on it in the background while [`finish_query`] waits.
pub async fn start_query(client: &SalesforceClient, soql: &str, all: bool) -> Result<StartedJob, SalesforceError> {
    let body = json!({ "operation": if all { "queryAll" } else { "query" }, "query": soql, "contentType": "CSV" });
    let job: JobInfo = client.post_versioned("jobs/query", &body).await?;
    Ok(StartedJob {
        id: job.id,
        state: job.state,
        error_message: job.error_message,
        records: job.records,
        soql: soql.into(),
        all,
    })
}

/// Waits until a started job completes. A job that ends `Failed` (Salesforce's own
/// trouble) is created again, up to [`JOB_ATTEMPTS`] in all; then, or on `Aborted`, the
/// error carries Salesforce's message. `calls` counts the creates and polls.
pub async fn finish_query(client: &SalesforceClient, mut job: StartedJob) -> Result<QueryJob, SalesforceError> {
    let mut attempt = 1;
    let mut calls = 1;
    let mut pause = Duration::from_millis(50);
    loop {
        match job.state.as_str() {
            "JobComplete" => return Ok(QueryJob { id: job.id, calls, records: job.records }),
            "Failed" if attempt < JOB_ATTEMPTS => {
                let reason = job.error_message.as_deref().unwrap_or("no message");
                tracing::warn!(attempt, error = %reason, "Bulk query job failed; running it again");
                attempt += 1;
                calls += 1;
                job = start_query(client, &job.soql, job.all).await?;
                pause = Duration::from_millis(50);
                continue;
            }
            "Failed" | "Aborted" => {
                return Err(SalesforceError::Rest {
                    status: 200,
                    code: format!("BULK_JOB_{}", job.state.to_ascii_uppercase()),
                    message: job.error_message.unwrap_or_else(|| format!("query job {} ended {}", job.id, job.state)),
                    fields: vec![],
                })
            }
            _ => {}
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
        calls += 1;
        let info: JobInfo = client.get_versioned(&format!("jobs/query/{}", job.id)).await?;
        job.state = info.state;
        job.error_message = info.error_message;
        job.records = info.records;
    }
}

/// One results page: the CSV text and the locator of the next page (`None` at the end).
pub async fn results_page(
    client: &SalesforceClient,
    job: &QueryJob,
    locator: Option<&str>,
    max_records: usize,
) -> Result<(String, Option<String>), SalesforceError> {
    let mut path = format!("jobs/query/{}/results?maxRecords={max_records}", job.id);
    if let Some(l) = locator {
        path.push_str("&locator=");
        path.push_str(l);
    }
    let (text, headers) = client.get_text_versioned(&path).await?;
    let next = headers
        .get("sforce-locator")
        .and_then(|v| v.to_str().ok())
        .filter(|l| !l.is_empty() && *l != "null")
        .map(str::to_string);
    Ok((text, next))
}

/// Deletes a finished job (its results are no longer needed).
pub async fn delete_job(client: &SalesforceClient, job: &QueryJob) -> Result<(), SalesforceError> {
    client.delete_versioned(&format!("jobs/query/{}", job.id)).await
}
