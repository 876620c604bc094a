//! Bulk API 2.0 query jobs (docs/salesforce.md §2): create, status with a realistic state
//! machine (UploadComplete → InProgress → JobComplete), CSV results paged by locator with
//! the literal `null` on the last page (gzip when the client accepts it), and delete. Plus `describe`, which importers call
//! first. The org's schema is crmsync's field list minus what this "edition" lacks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query as QueryParams, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::ids::make_id;
use crate::rest::{authorize, rest_error, with_limit_info};
use crate::schema::field_type;
use crate::soql;
use crate::Sim;

/// A query job and its result snapshot.
pub struct BulkJob {
    info: serde_json::Value,
    created: Instant,
    header: Vec<String>,
    /// Each row's CSV line, rendered once in the background after creation (the job's
    /// snapshot); until then the job is `InProgress`, as Salesforce processes jobs
    /// asynchronously. An `Err` is the reason the job failed.
    rows: std::sync::OnceLock<Result<Vec<String>, String>>,
    /// Ends `Failed` instead of `JobComplete` (the `bulk_job_failed` fault).
    fails: bool,
}

/// The rows of a finished job (empty while it runs or when it failed).
fn ready_rows(job: &BulkJob) -> &[String] {
    match job.rows.get() {
        Some(Ok(rows)) => rows,
        _ => &[],
    }
}

/// The simulator's jobs, kept in memory.
pub struct Jobs {
    jobs: Mutex<HashMap<String, Arc<BulkJob>>>,
    seq: AtomicU64,
    /// Jobs are processed one at a time, first come first served, as an org's queue does.
    processing: tokio::sync::Semaphore,
}

impl Default for Jobs {
    fn default() -> Self {
        Self { jobs: Mutex::default(), seq: AtomicU64::default(), processing: tokio::sync::Semaphore::new(1) }
    }
}

impl BulkJob {
    fn state(&self) -> &'static str {
        let elapsed = self.created.elapsed();
        if elapsed < Duration::from_millis(40) {
            return "UploadComplete";
        }
        // A realistic pace: a fixed start-up plus 2 µs per row, once the rows are ready.
        let rows = match self.rows.get() {
            None => return "InProgress",
            Some(Err(_)) => return "Failed",
            Some(Ok(rows)) => rows.len(),
        };
        if elapsed < Duration::from_millis(120) + Duration::from_micros(rows as u64 * 2) {
            "InProgress"
        } else if self.fails {
            "Failed"
        } else {
            "JobComplete"
        }
    }

    fn info(&self) -> serde_json::Value {
        let mut info = self.info.clone();
        let state = self.state();
        info["state"] = json!(state);
        info["numberRecordsProcessed"] = json!(if state == "JobComplete" { ready_rows(self).len() } else { 0 });
        if state == "Failed" {
            let reason = match self.rows.get() {
                Some(Err(e)) => e.clone(),
                _ => "the query job failed; retry it".to_string(),
            };
            info["errorMessage"] = json!(format!("InternalServerError : {reason}"));
        }
        info
    }
}

/// `POST /services/data/vNN.N/jobs/query` body.
#[derive(Deserialize)]
pub struct CreateJob {
    operation: Option<String>,
    query: Option<String>,
}

/// `GET …/results` parameters.
#[derive(Deserialize)]
pub struct ResultsParams {
    locator: Option<String>,
    #[serde(rename = "maxRecords")]
    max_records: Option<usize>,
}

fn malformed(message: &str) -> Response {
    rest_error(StatusCode::BAD_REQUEST, "MALFORMED_QUERY", message)
}

/// Creates a query job; the result is the query's answer at creation time.
pub async fn create(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Result<Json<CreateJob>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let caller = match crate::rest::versioned_caller(&sim, &version, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(Json(body)) = body else {
        return rest_error(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", "The request body is not valid JSON");
    };
    let operation = body.operation.unwrap_or_default();
    if operation != "query" && operation != "queryAll" {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "INVALIDJOB",
            "InvalidJob : Invalid operation; use query or queryAll",
        );
    }
    let query = match soql::parse(body.query.as_deref().unwrap_or_default()) {
        Ok(q) => q,
        Err(message) => return malformed(&message),
    };
    let Some(schema) = sim.fields_of(&query.object).await else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "INVALID_TYPE",
            &format!("sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.", query.object),
        );
    };
    if !query.plain_export() {
        return malformed(
            "sfsim's Bulk queries select plain fields and filter on SystemModstamp > datetime only; use the REST query for the rest",
        );
    }
    let unknown = query.named_fields().into_iter().find(|f| !schema.iter().any(|s| s == f));
    if let Some(field) = unknown {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "INVALID_FIELD",
            &format!("No such column '{field}' on entity '{}'.", query.object),
        );
    }
    let n = sim.jobs.seq.fetch_add(1, Ordering::Relaxed) + 1;
    let id = make_id("750", n);
    let now = crate::bulk_now();
    let info = json!({
        "id": id, "operation": operation, "object": query.object, "createdById": caller.user_id,
        "createdDate": now, "systemModstamp": now, "state": "UploadComplete", "concurrencyMode": "Parallel",
        "contentType": "CSV", "apiVersion": version.trim_start_matches('v').parse::<f64>().unwrap_or(0.0),
        "lineEnding": "LF", "columnDelimiter": "COMMA", "jobType": "V2Query", "retries": 0, "totalProcessingTime": 0,
        "isPkChunkingSupported": true,
    });
    let fails = sim.faults.take(crate::faults::FaultKind::BulkJobFailed);
    let job = Arc::new(BulkJob {
        info,
        created: Instant::now(),
        header: query.fields.clone(),
        rows: std::sync::OnceLock::new(),
        fails,
    });
    let response = Json(job.info()).into_response();
    if let Ok(mut jobs) = sim.jobs.jobs.lock() {
        jobs.insert(id, job.clone());
    }
    let background = sim.clone();
    tokio::spawn(async move {
        let _slot = background.jobs.processing.acquire().await;
        let since = query.after.as_ref().map(|(_, v)| v.as_str());
        let all = operation == "queryAll";
        let rows = background.store.csv_lines(&query.object, since, all, &query.fields).await;
        let _ = job.rows.set(rows.map_err(|e| e.to_string()));
    });
    with_limit_info(&sim, response).await
}

fn job(sim: &Sim, id: &str) -> Option<Arc<BulkJob>> {
    sim.jobs.jobs.lock().ok().and_then(|jobs| jobs.get(id).cloned())
}

fn unknown_job() -> Response {
    rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist")
}

/// Job status.
pub async fn status(
    State(sim): State<Arc<Sim>>,
    Path((_, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&sim, &headers).await {
        return r;
    }
    match job(&sim, &id) {
        Some(job) => with_limit_info(&sim, Json(job.info()).into_response()).await,
        None => unknown_job(),
    }
}

/// Deletes a job.
pub async fn delete(
    State(sim): State<Arc<Sim>>,
    Path((_, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&sim, &headers).await {
        return r;
    }
    let removed = sim.jobs.jobs.lock().ok().and_then(|mut jobs| jobs.remove(&id));
    match removed {
        Some(_) => with_limit_info(&sim, StatusCode::NO_CONTENT.into_response()).await,
        None => unknown_job(),
    }
}

/// One page of CSV results.
pub async fn results(
    State(sim): State<Arc<Sim>>,
    Path((_, id)): Path<(String, String)>,
    QueryParams(params): QueryParams<ResultsParams>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&sim, &headers).await {
        return r;
    }
    let Some(job) = job(&sim, &id) else { return unknown_job() };
    if job.state() != "JobComplete" {
        return rest_error(
            StatusCode::PRECONDITION_FAILED,
            "JOB_NOT_COMPLETE",
            "Job is not complete. Please try again later.",
        );
    }
    let rows = ready_rows(&job);
    let start = match params.locator.as_deref() {
        None | Some("") => 0,
        Some(l) => match usize::from_str_radix(l, 16) {
            Ok(n) if n <= rows.len() => n,
            _ => return rest_error(StatusCode::BAD_REQUEST, "INVALID_LOCATOR", "Invalid locator"),
        },
    };
    let page = params.max_records.unwrap_or(50_000).clamp(1, 1_000_000);
    let end = (start + page).min(rows.len());
    // Every value is double-quoted, the header too, as in Salesforce's own example.
    let quoted: Vec<String> = job.header.iter().map(|h| format!("\"{h}\"")).collect();
    let mut csv = quoted.join(",");
    csv.push('\n');
    csv.reserve(rows[start..end].iter().map(String::len).sum());
    for line in &rows[start..end] {
        csv.push_str(line);
    }
    let locator = if end < rows.len() { format!("{end:x}") } else { "null".to_string() };
    let gzip = headers
        .get("accept-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mut response = if gzip {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let body = std::io::Write::write_all(&mut encoder, csv.as_bytes()).and_then(|_| encoder.finish());
        match body {
            Ok(body) => {
                (StatusCode::OK, [("content-type", "text/csv"), ("content-encoding", "gzip")], body).into_response()
            }
            Err(_) => (StatusCode::OK, [("content-type", "text/csv")], csv).into_response(),
        }
    } else {
        (StatusCode::OK, [("content-type", "text/csv")], csv).into_response()
    };
    let h = response.headers_mut();
    h.insert("sforce-numberofrecords", HeaderValue::from(end - start));
    if let Ok(v) = HeaderValue::from_str(&locator) {
        h.insert("sforce-locator", v);
    }
    with_limit_info(&sim, response).await
}

/// `GET /services/data/vNN.N/sobjects/{Object}/describe`.
pub async fn describe(
    State(sim): State<Arc<Sim>>,
    Path((version, object)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = crate::rest::versioned_caller(&sim, &version, &headers).await {
        return r;
    }
    let Some(fields) = sim.fields_of(&object).await else {
        return rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist");
    };
    let fields: Vec<_> = fields
        .iter()
        .map(|f| {
            let picklist = crate::schema::picklist(&object, f);
            let values: Vec<Value> = picklist
                .iter()
                .map(|v| json!({ "value": v, "label": v, "active": true, "defaultValue": false, "validFor": null }))
                .collect();
            json!({ "name": f, "label": f, "type": if picklist.is_empty() { field_type(f) } else { "picklist" },
                    "nillable": f != "Id",
                    "createable": f != "Id" && f != "SystemModstamp" && f != "IsDeleted",
                    "updateable": f != "Id" && f != "SystemModstamp" && f != "IsDeleted", "custom": f.ends_with("__c"),
                    "picklistValues": values })
        })
        .collect();
    let mut body = object_summary(&version, &object);
    if let Value::Object(map) = &mut body {
        map.insert("fields".into(), Value::Array(fields));
        map.insert("replicateable".into(), Value::Bool(true));
    }
    with_limit_info(&sim, Json(body).into_response()).await
}

/// What describe-global lists of an object (and a describe starts with).
fn object_summary(version: &str, object: &str) -> Value {
    let prefix = crmsync::core::sf::SObjectType::from_api_name(object).map(|t| t.key_prefix());
    let writable = crate::dml::writable(object);
    let base = format!("/services/data/{version}/sobjects/{object}");
    json!({
        "name": object, "label": object, "labelPlural": format!("{object}s"), "keyPrefix": prefix,
        "custom": object.ends_with("__c"), "queryable": true, "retrieveable": true, "searchable": true,
        "createable": writable, "updateable": writable, "deletable": writable, "layoutable": true,
        "urls": { "sobject": base, "describe": format!("{base}/describe"), "rowTemplate": format!("{base}/{{ID}}") },
    })
}

/// `GET /services/data/vNN.N/sobjects/` (describe global): every object of the org.
pub async fn describe_global(State(sim): State<Arc<Sim>>, Path(version): Path<String>, headers: HeaderMap) -> Response {
    if let Err(r) = crate::rest::versioned_caller(&sim, &version, &headers).await {
        return r;
    }
    let sobjects: Vec<Value> = crate::schema::org_objects().iter().map(|o| object_summary(&version, o)).collect();
    let body = json!({ "encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects });
    with_limit_info(&sim, Json(body).into_response()).await
}
