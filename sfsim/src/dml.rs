//! Writing activities (docs/salesforce.md §4 and §6): `POST /sobjects/{Task|Note}`, sObject
//! Collections create (`POST /composite/sobjects`) and upsert by an external-id field
//! (`PATCH /composite/sobjects/{SObject}/{Field}`), with `allOrNone`; and the Tooling API's
//! `POST /tooling/sobjects/CustomField` (the external-id field) and
//! `POST /tooling/sobjects/RecordType` (Task record types).
//!
//! The rules Salesforce enforces on Task and Note are in [`crate::activity_rules`];
//! CreatedById is always the caller.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::activity_rules::validate;
use crate::demo_data::SimRecord;
use crate::ids::make_id;
use crate::rest::{authorize, internal_error, rest_error, valid_version, with_limit_info};
use crate::Sim;

/// Most records one Collections call takes.
const MAX_RECORDS: usize = 200;

/// A record's fields as stored.
pub(crate) type Fields = BTreeMap<String, Option<String>>;

/// One failure of one record: `statusCode`, `message`, `fields`, as Collections report it
/// (every write of sfsim's reports its failures this way).
#[derive(Debug, Clone, PartialEq)]
pub struct SaveError {
    pub(crate) status_code: &'static str,
    message: String,
    fields: Vec<String>,
}

/// A record's failure with Salesforce's code and message, naming the fields at fault.
pub(crate) fn fail(status_code: &'static str, message: impl Into<String>, fields: &[&str]) -> SaveError {
    SaveError { status_code, message: message.into(), fields: fields.iter().map(|f| f.to_string()).collect() }
}

impl SaveError {
    /// As a Collections result's `errors` entry.
    pub(crate) fn json(&self) -> Value {
        json!({ "statusCode": self.status_code, "message": self.message, "fields": self.fields })
    }

    /// As a single-record REST answer: `[{message, errorCode, fields}]` with `status`.
    pub(crate) fn rest(&self, status: StatusCode) -> Response {
        (status, Json(json!([{ "message": self.message, "errorCode": self.status_code, "fields": self.fields }])))
            .into_response()
    }
}

/// Objects this org lets crmsync write (and the only ones with custom fields).
pub(crate) fn writable(object: &str) -> bool {
    matches!(object, "Task" | "Note")
}

fn ids() -> &'static AtomicU64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    &NEXT
}

/// A fresh id of `object` that survives restarts (time-based sequence).
fn new_id(object: &str) -> String {
    let prefix = if object == "Note" { "002" } else { "00T" };
    let n = ids().fetch_add(1, Ordering::Relaxed);
    make_id(prefix, (crate::now_ms() as u64 % 10_000_000_000) * 1_000 + n % 1_000)
}

/// Stamps and stores a validated record; `existing` keeps the id and creation fields.
fn record(
    object: &str,
    caller: &str,
    mut fields: BTreeMap<String, Option<String>>,
    existing: Option<&BTreeMap<String, Option<String>>>,
) -> SimRecord {
    let now = crate::bulk_now_z();
    let (id, created_by, created) = match existing {
        Some(old) => (
            old.get("Id").cloned().flatten().unwrap_or_default(),
            old.get("CreatedById").cloned().flatten(),
            old.get("CreatedDate").cloned().flatten(),
        ),
        None => (new_id(object), Some(caller.to_string()), Some(now.clone())),
    };
    if let Some(old) = existing {
        for (k, v) in old {
            fields.entry(k.clone()).or_insert(v.clone());
        }
    }
    fields.insert("Id".into(), Some(id.clone()));
    fields.insert("CreatedById".into(), created_by);
    fields.insert("CreatedDate".into(), created);
    fields.insert("LastModifiedDate".into(), Some(now.clone()));
    fields.insert("SystemModstamp".into(), Some(now));
    let object: &'static str = if object == "Note" { "Note" } else { "Task" };
    SimRecord { object, id, fields }
}

fn type_of(body: &Map<String, Value>) -> Option<String> {
    body.get("attributes").and_then(|a| a.get("type")).and_then(Value::as_str).map(str::to_string)
}

/// `POST /services/data/vNN.N/sobjects/{Type}`: 201 `{"id","success","errors"}`.
pub async fn create_one(
    State(sim): State<Arc<Sim>>,
    Path((version, object)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Json<Map<String, Value>>, JsonRejection>,
) -> Response {
    let caller = match crate::rest::versioned_caller(&sim, &version, &headers).await {
        Ok(c) => c.user_id,
        Err(r) => return r,
    };
    let Ok(Json(body)) = body else {
        return rest_error(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", "The request body is not a JSON object");
    };
    if crate::records_dml::creatable(&object) {
        let response = crate::records_dml::create(&sim, &caller, &object, &body).await;
        return with_limit_info(&sim, response).await;
    }
    if !writable(&object) {
        return rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist");
    }
    let _one_writer = sim.writes.lock().await;
    let response = match validate(&sim, &caller, &object, &body).await {
        Err(e) => e.rest(StatusCode::BAD_REQUEST),
        Ok(fields) => {
            let r = record(&object, &caller, fields, None);
            if let Err(e) = sim.store.put_records(std::slice::from_ref(&r)).await {
                return internal_error(e);
            }
            (StatusCode::CREATED, Json(json!({ "id": r.id, "success": true, "errors": [] }))).into_response()
        }
    };
    with_limit_info(&sim, response).await
}

/// A Collections body.
#[derive(Deserialize)]
pub struct Collection {
    #[serde(default, rename = "allOrNone")]
    all_or_none: bool,
    #[serde(default)]
    records: Vec<Map<String, Value>>,
}

/// `POST /services/data/vNN.N/composite/sobjects`: create up to 200 records.
pub async fn create_many(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Collection>, JsonRejection>,
) -> Response {
    save_many(&sim, &version, &headers, body, None).await
}

/// `PATCH /services/data/vNN.N/composite/sobjects/{SObject}/{ExternalIdField}`: upsert.
pub async fn upsert_many(
    State(sim): State<Arc<Sim>>,
    Path((version, object, key)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Result<Json<Collection>, JsonRejection>,
) -> Response {
    save_many(&sim, &version, &headers, body, Some((object, key))).await
}

async fn save_many(
    sim: &Arc<Sim>,
    version: &str,
    headers: &HeaderMap,
    body: Result<Json<Collection>, JsonRejection>,
    upsert: Option<(String, String)>,
) -> Response {
    if !valid_version(version) {
        return crate::rest::not_found().await;
    }
    let caller = match authorize(sim, headers).await {
        Ok(c) => c.user_id,
        Err(r) => return r,
    };
    let Ok(Json(body)) = body else {
        return rest_error(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", "The request body is not a valid collection");
    };
    if body.records.is_empty() || body.records.len() > MAX_RECORDS {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "INVALID_BATCH_SIZE",
            &format!("a collection takes 1 to {MAX_RECORDS} records; this one has {}", body.records.len()),
        );
    }
    if body.records.iter().any(|r| type_of(r).is_none()) {
        return rest_error(StatusCode::BAD_REQUEST, "INVALID_TYPE", "Must send a concrete entity type.");
    }
    if upsert.is_none() && body.records.iter().all(|r| type_of(r).is_some_and(|t| crate::records_dml::creatable(&t))) {
        let response = crate::records_dml::create_many(sim, &caller, &body.records, body.all_or_none).await;
        return with_limit_info(sim, response).await;
    }
    if let Some((object, key)) = &upsert {
        let has_key = sim.fields_of(object).await.is_some_and(|f| f.contains(key));
        if !writable(object) || !has_key || !key.ends_with("__c") {
            return rest_error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                &format!("Provided external ID field does not exist or is not accessible: {key}"),
            );
        }
    }
    let _one_writer = sim.writes.lock().await;
    // Each record: its validated fields and the stored record it updates, or its error.
    let mut outcomes: Vec<Result<(Fields, Option<Fields>), SaveError>> = Vec::new();
    for (i, raw) in body.records.iter().enumerate() {
        let outcome = match outcome_of(sim, &caller, i, raw, &body.records, &upsert).await {
            Ok(outcome) => outcome,
            Err(response) => return response,
        };
        outcomes.push(outcome);
    }
    let failed = outcomes.iter().any(Result::is_err);
    let mut results = Vec::with_capacity(outcomes.len());
    let mut to_save = Vec::new();
    for (raw, outcome) in body.records.iter().zip(outcomes) {
        match outcome {
            Err(e) => results.push(json!({ "id": null, "success": false, "errors": [e.json()] })),
            Ok(_) if failed && body.all_or_none => results.push(json!({ "id": null, "success": false, "errors": [{
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
                "fields": [],
            }] })),
            Ok((fields, previous)) => {
                let object = type_of(raw).unwrap_or_default();
                let created = previous.is_none();
                let r = record(&object, &caller, fields, previous.as_ref());
                let mut result = json!({ "id": r.id, "success": true, "errors": [] });
                if upsert.is_some() {
                    result["created"] = json!(created);
                }
                results.push(result);
                to_save.push(r);
            }
        }
    }
    if let Err(e) = sim.store.put_records(&to_save).await {
        return internal_error(e);
    }
    with_limit_info(sim, Json(results).into_response()).await
}

/// One record of a collection checked: its fields and the stored record it updates, or
/// why it is refused (a store failure is the whole request's 500, as `Err`).
async fn outcome_of(
    sim: &Arc<Sim>,
    caller: &str,
    i: usize,
    raw: &Map<String, Value>,
    records: &[Map<String, Value>],
    upsert: &Option<(String, String)>,
) -> Result<Result<(Fields, Option<Fields>), SaveError>, Response> {
    let object = type_of(raw).unwrap_or_default();
    let outcome = if !writable(&object) {
        Err(fail("INVALID_TYPE", format!("sObject type '{object}' is not supported."), &[]))
    } else if sim.faults.take(crate::faults::FaultKind::ValidationRule) {
        Err(fail(
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "Activities need a Subject that names the network (admin rule)",
            &[],
        ))
    } else if sim.faults.take(crate::faults::FaultKind::RecordLock) {
        let id = raw.get("Id").and_then(Value::as_str).unwrap_or("00T000000000000AAA");
        Err(fail(
            "UNABLE_TO_LOCK_ROW",
            format!("unable to obtain exclusive access to this record or 1 records: {id}"),
            &[],
        ))
    } else if let Some((upsert_object, key)) = &upsert {
        let value = raw.get(key).and_then(Value::as_str).filter(|v| !v.is_empty());
        let twice = value.is_some_and(|v| {
            records.iter().enumerate().any(|(j, o)| j != i && o.get(key).and_then(Value::as_str) == Some(v))
        });
        match value {
            _ if &object != upsert_object => {
                Err(fail("INVALID_TYPE", format!("every record must be a {upsert_object}"), &[]))
            }
            None => Err(fail("MISSING_ARGUMENT", format!("{key} not specified"), &[key])),
            Some(v) if twice => {
                Err(fail("DUPLICATE_EXTERNAL_ID", format!("Duplicate external id specified: {v}"), &[key]))
            }
            Some(v) => match sim.store.find_by_field(&object, key, v).await {
                Err(e) => return Err(internal_error(e)),
                Ok(found) if found.len() > 1 => Err(fail(
                    "DUPLICATE_EXTERNAL_ID",
                    format!("{key}: more than one record found for external id field: {v}"),
                    &[key],
                )),
                Ok(found) if !found.is_empty() && raw.contains_key("TaskSubtype") => Err(fail(
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    "Unable to create/update fields: TaskSubtype. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                    &["TaskSubtype"],
                )),
                Ok(mut found) => validate(sim, caller, &object, raw).await.map(|f| (f, found.pop())),
            },
        }
    } else {
        validate(sim, caller, &object, raw).await.map(|f| (f, None))
    };
    Ok(outcome)
}

/// A Tooling API create body (`CustomField`, `RecordType`).
#[derive(Deserialize)]
pub struct CustomFieldRequest {
    #[serde(rename = "FullName")]
    full_name: Option<String>,
    #[serde(rename = "Metadata", default)]
    metadata: Value,
}

/// Creates a custom field (`Object.Name__c`) on a writable object: 201 `{"id","success","errors"}`.
/// A second create of the same field is `DUPLICATE_DEVELOPER_NAME`.
pub async fn create_custom_field(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Result<Json<CustomFieldRequest>, JsonRejection>,
) -> Response {
    let body = match tooling_request(&sim, &version, &headers, body).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let full_name = body.full_name.unwrap_or_default();
    // Task and Event fields are defined on Activity; this org has no Events.
    let Some((object, field)) = full_name
        .split_once('.')
        .map(|(o, f)| (if o == "Activity" { "Task" } else { o }, f))
        .filter(|(o, f)| writable(o) && f.ends_with("__c") && f.len() > 3)
    else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "FIELD_INTEGRITY_EXCEPTION",
            &format!("FullName must be Activity.<Name>__c, Task.<Name>__c or Note.<Name>__c, not {full_name:?}"),
        );
    };
    if body.metadata.get("type").and_then(Value::as_str).is_none() {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [Metadata.type]",
        );
    }
    if sim.fields_of(object).await.is_some_and(|f| f.iter().any(|f| f == field)) {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "DUPLICATE_DEVELOPER_NAME",
            &format!("There is already a field named {field} on {object}."),
        );
    }
    if let Err(e) = sim.store.add_custom_field(object, field).await {
        return internal_error(e);
    }
    let id = make_id("00N", ids().fetch_add(1, Ordering::Relaxed) + 1);
    with_limit_info(
        &sim,
        (StatusCode::CREATED, Json(json!({ "id": id, "success": true, "errors": [] }))).into_response(),
    )
    .await
}

/// The checks every Tooling create starts with: version, session, JSON body, and the
/// Customize Application permission.
async fn tooling_request(
    sim: &Sim,
    version: &str,
    headers: &HeaderMap,
    body: Result<Json<CustomFieldRequest>, JsonRejection>,
) -> Result<CustomFieldRequest, Response> {
    if !valid_version(version) {
        return Err(crate::rest::not_found().await);
    }
    authorize(sim, headers).await?;
    let Ok(Json(body)) = body else {
        return Err(rest_error(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", "The request body is not valid JSON"));
    };
    match refused_tooling(sim) {
        Some(refused) => Err(refused),
        None => Ok(body),
    }
}

/// 403 `INSUFFICIENT_ACCESS` when the `insufficient_access` fault is armed: the caller
/// lacks "Customize Application", which Tooling API creates need.
fn refused_tooling(sim: &Sim) -> Option<Response> {
    sim.faults.take(crate::faults::FaultKind::InsufficientAccess).then(|| {
        rest_error(
            StatusCode::FORBIDDEN,
            "INSUFFICIENT_ACCESS",
            "insufficient access rights on object id: you need the Customize Application permission",
        )
    })
}

/// Creates a record type (`Object.DeveloperName`, `Metadata.label`) on Task:
/// 201 `{"id","success","errors"}`; a second of the same name is `DUPLICATE_DEVELOPER_NAME`.
pub async fn create_record_type(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Result<Json<CustomFieldRequest>, JsonRejection>,
) -> Response {
    let body = match tooling_request(&sim, &version, &headers, body).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let full_name = body.full_name.unwrap_or_default();
    let valid_name = |n: &str| {
        n.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !n.ends_with('_')
    };
    let Some((object, name)) = full_name.split_once('.').filter(|(o, n)| *o == "Task" && valid_name(n)) else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "FIELD_INTEGRITY_EXCEPTION",
            &format!("FullName must be Task.<DeveloperName>, not {full_name:?}"),
        );
    };
    let Some(label) = body.metadata.get("label").and_then(Value::as_str).filter(|l| !l.trim().is_empty()) else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [Metadata.label]",
        );
    };
    let _one_writer = sim.writes.lock().await;
    let existing = match sim.store.find_by_field("RecordType", "DeveloperName", name).await {
        Ok(found) => found,
        Err(e) => return internal_error(e),
    };
    if existing.iter().any(|r| r.get("SobjectType").cloned().flatten().as_deref() == Some(object)) {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "DUPLICATE_DEVELOPER_NAME",
            &format!("There is already a record type named {name} on {object}."),
        );
    }
    let id = make_id("012", crate::now_ms() as u64 % 1_000_000_000);
    let active = body.metadata.get("active").and_then(Value::as_bool).unwrap_or(true);
    let now = crate::bulk_now_z();
    let fields: Fields = [
        ("Id", Some(id.clone())),
        ("Name", Some(label.to_string())),
        ("DeveloperName", Some(name.to_string())),
        ("SobjectType", Some(object.to_string())),
        ("IsActive", Some(active.to_string())),
        ("Description", body.metadata.get("description").and_then(Value::as_str).map(str::to_string)),
        ("SystemModstamp", Some(now)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Err(e) = sim.store.put_records(&[SimRecord { object: "RecordType", id: id.clone(), fields }]).await {
        return internal_error(e);
    }
    with_limit_info(
        &sim,
        (StatusCode::CREATED, Json(json!({ "id": id, "success": true, "errors": [] }))).into_response(),
    )
    .await
}
