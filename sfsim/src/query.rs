//! REST query and replication (docs/salesforce.md §3): `query` and `queryAll` with batches of up
//! to 2000 records and a `nextRecordsUrl` cursor, `SELECT count()`, and getUpdated /
//! getDeleted over a window of recent days.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query as QueryParams, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::ids::make_id;
use crate::rest::{authorize, internal_error, rest_error, valid_version, with_limit_info};
use crate::schema::{field_type, org_fields};
use crate::store::StoredRecord;
use crate::{soql, Sim};

/// Largest batch, and the default.
const MAX_BATCH: usize = 2000;
/// Smallest batch a `batchSize` hint may ask for.
const MIN_BATCH: usize = 200;
/// How far back getUpdated and getDeleted may look.
const UPDATED_DAYS: i64 = 30;
const DELETED_DAYS: i64 = 15;

/// Open query cursors: the remaining records of each, in memory.
#[derive(Default)]
pub struct Cursors {
    open: Mutex<HashMap<String, Cursor>>,
    seq: AtomicU64,
}

struct Cursor {
    version: String,
    records: Vec<Value>,
    batch: usize,
}

/// `?q=<SOQL>`.
#[derive(Deserialize)]
pub struct QueryText {
    q: Option<String>,
}

/// `GET /services/data/vNN.N/query?q=` .
pub async fn query(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    QueryParams(params): QueryParams<QueryText>,
) -> Response {
    run(&sim, &version, &headers, params.q.as_deref(), false).await
}

/// `GET /services/data/vNN.N/queryAll?q=`: deleted records too.
pub async fn query_all(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    QueryParams(params): QueryParams<QueryText>,
) -> Response {
    run(&sim, &version, &headers, params.q.as_deref(), true).await
}

async fn run(sim: &Arc<Sim>, version: &str, headers: &HeaderMap, q: Option<&str>, all: bool) -> Response {
    if !valid_version(version) {
        return crate::rest::not_found().await;
    }
    if let Err(r) = authorize(sim, headers).await {
        return r;
    }
    let Some(text) = q.filter(|q| !q.trim().is_empty()) else {
        return rest_error(StatusCode::BAD_REQUEST, "MALFORMED_QUERY", "A query string has to be specified");
    };
    let parsed = match soql::parse(text) {
        Ok(p) => p,
        Err(message) => return rest_error(StatusCode::BAD_REQUEST, "MALFORMED_QUERY", &message),
    };
    let Some(schema) = sim.fields_of(&parsed.object).await else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "INVALID_TYPE",
            &format!("sObject type '{}' is not supported.", parsed.object),
        );
    };
    let count_only = parsed.count_only();
    let unknown = parsed.named_fields().into_iter().find(|f| !known_field(&schema, f));
    if let Some(field) = unknown {
        let message = match field.split_once('.') {
            Some((relationship, _)) => format!(
                "Didn't understand relationship '{relationship}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name."
            ),
            None => format!("No such column '{field}' on entity '{}'.", parsed.object),
        };
        return rest_error(StatusCode::BAD_REQUEST, "INVALID_FIELD", &message);
    }
    let since = parsed.after.as_ref().map_or("", |(_, v)| v.as_str());
    let stored = match sim.store.records_changed(&parsed.object, since, all).await {
        Ok(r) => r,
        Err(e) => return internal_error(e),
    };
    let related = match related_records(sim, &parsed, &stored).await {
        Ok(r) => r,
        Err(e) => return internal_error(e),
    };
    let value_of = |r: &StoredRecord, field: &str| field_value(r, field, &related);
    let stored: Vec<_> = stored.into_iter().filter(|r| parsed.keeps(&|f| value_of(r, f))).collect();
    if count_only {
        let body = json!({ "totalSize": parsed.arrange(stored, value_of).len(), "done": true, "records": [] });
        return with_limit_info(sim, Json(body).into_response()).await;
    }
    let stored = parsed.arrange(stored, value_of);
    let records: Vec<Value> =
        stored.iter().map(|r| record_json(version, &parsed.object, &parsed.fields, r, &related)).collect();
    let batch = batch_size(headers);
    let body = page(sim, version, records, batch);
    with_limit_info(sim, Json(body).into_response()).await
}

/// `GET /services/data/vNN.N/query/<cursor>-<offset>`: the next batch.
pub async fn next(
    State(sim): State<Arc<Sim>>,
    Path((version, locator)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&sim, &headers).await {
        return r;
    }
    let cursor = locator.rsplit_once('-').map_or(locator.as_str(), |(c, _)| c).to_string();
    let taken = sim.cursors.open.lock().ok().and_then(|mut open| open.remove(&cursor));
    let Some(Cursor { version: cursor_version, records, batch }) = taken.filter(|c| c.version == version) else {
        return rest_error(StatusCode::BAD_REQUEST, "INVALID_QUERY_LOCATOR", "invalid query locator");
    };
    let body = page(&sim, &cursor_version, records, batch);
    with_limit_info(&sim, Json(body).into_response()).await
}

/// The first `batch` records, and a cursor for the rest when there are more.
fn page(sim: &Sim, version: &str, mut records: Vec<Value>, batch: usize) -> Value {
    let total = records.len();
    if total <= batch {
        return json!({ "totalSize": total, "done": true, "records": records });
    }
    let rest = records.split_off(batch);
    let n = sim.cursors.seq.fetch_add(1, Ordering::Relaxed) + 1;
    let id = make_id("01g", n);
    let url = format!("/services/data/{version}/query/{id}-{batch}");
    if let Ok(mut open) = sim.cursors.open.lock() {
        open.insert(id, Cursor { version: version.to_string(), records: rest, batch });
    }
    json!({ "totalSize": total, "done": false, "nextRecordsUrl": url, "records": records })
}

/// `Sforce-Query-Options: batchSize=N`, a hint within 200–2000.
fn batch_size(headers: &HeaderMap) -> usize {
    headers
        .get("sforce-query-options")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').find_map(|p| p.trim().strip_prefix("batchSize=")))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .map_or(MAX_BATCH, |n| n.clamp(MIN_BATCH, MAX_BATCH))
}

/// The lookup field behind a relationship name: `Account` → `AccountId`, `Foo__r` →
/// `Foo__c`.
fn lookup_field(relationship: &str) -> String {
    match relationship.strip_suffix("__r") {
        Some(custom) => format!("{custom}__c"),
        None => format!("{relationship}Id"),
    }
}

/// A plain field of the object, or `Relationship.Field` through one of its lookups.
fn known_field(schema: &[String], field: &str) -> bool {
    match field.split_once('.') {
        Some((relationship, rest)) => {
            !rest.is_empty() && !rest.contains('.') && schema.contains(&lookup_field(relationship))
        }
        None => schema.iter().any(|s| s == field),
    }
}

/// The records the query's relationship fields point at, by id.
async fn related_records(
    sim: &Sim,
    query: &soql::Query,
    stored: &[StoredRecord],
) -> Result<std::collections::HashMap<String, (String, StoredRecord)>, crate::error::SimError> {
    let mut out = std::collections::HashMap::new();
    let lookups: std::collections::BTreeSet<String> =
        query.named_fields().iter().filter_map(|f| f.split_once('.')).map(|(r, _)| lookup_field(r)).collect();
    for lookup in lookups {
        for record in stored {
            if let Some(id) = record.fields.get(&lookup).cloned().flatten() {
                if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(id) {
                    if let Some(found) = sim.store.record(slot.key()).await? {
                        slot.insert(found);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A field's stored text, following one relationship (`Account.Name`).
fn field_value(
    record: &StoredRecord,
    field: &str,
    related: &std::collections::HashMap<String, (String, StoredRecord)>,
) -> Option<String> {
    match field.split_once('.') {
        Some((relationship, rest)) => {
            let id = record.fields.get(&lookup_field(relationship)).cloned().flatten()?;
            related.get(&id).and_then(|(_, r)| r.fields.get(rest).cloned().flatten())
        }
        None if field == "IsDeleted" => Some(record.deleted.to_string()),
        None => record.fields.get(field).cloned().flatten(),
    }
}

/// A record as REST returns it: `attributes`, then the selected fields with JSON types;
/// a relationship field as a nested record (`"Account": {"attributes", "Name"}`), null
/// when the lookup is empty.
fn record_json(
    version: &str,
    object: &str,
    fields: &[String],
    record: &StoredRecord,
    related: &std::collections::HashMap<String, (String, StoredRecord)>,
) -> Value {
    let id = record.fields.get("Id").cloned().flatten().unwrap_or_default();
    let mut out = serde_json::Map::new();
    out.insert(
        "attributes".into(),
        json!({ "type": object, "url": format!("/services/data/{version}/sobjects/{object}/{id}") }),
    );
    for field in fields {
        if let Some((relationship, rest)) = field.split_once('.') {
            let target = record.fields.get(&lookup_field(relationship)).cloned().flatten();
            let Some((target_object, target_record)) = target.as_ref().and_then(|id| related.get(id)) else {
                out.insert(relationship.to_string(), Value::Null);
                continue;
            };
            let nested = out.entry(relationship.to_string()).or_insert_with(|| {
                let target_id = target.clone().unwrap_or_default();
                json!({ "attributes": { "type": target_object,
                    "url": format!("/services/data/{version}/sobjects/{target_object}/{target_id}") } })
            });
            if let Value::Object(map) = nested {
                map.insert(rest.to_string(), typed(rest, target_record.fields.get(rest).cloned().flatten()));
            }
            continue;
        }
        let value = if field == "IsDeleted" {
            Value::Bool(record.deleted)
        } else {
            typed(field, record.fields.get(field).cloned().flatten())
        };
        out.insert(field.clone(), value);
    }
    Value::Object(out)
}

/// A stored text value in the JSON type its field has.
fn typed(field: &str, value: Option<String>) -> Value {
    let Some(text) = value else { return Value::Null };
    match field_type(field) {
        "boolean" => Value::Bool(text == "true"),
        "int" => text.parse::<i64>().map_or(Value::String(text.clone()), Value::from),
        "currency" => text.parse::<f64>().map_or(Value::String(text.clone()), Value::from),
        _ => Value::String(text),
    }
}

/// `?start=&end=` of getUpdated / getDeleted.
#[derive(Deserialize)]
pub struct Window {
    start: Option<String>,
    end: Option<String>,
}

/// `GET /services/data/vNN.N/sobjects/{Type}/updated/`: ids changed in the window.
pub async fn updated(
    State(sim): State<Arc<Sim>>,
    Path((version, object)): Path<(String, String)>,
    headers: HeaderMap,
    QueryParams(window): QueryParams<Window>,
) -> Response {
    replicate(&sim, &version, &object, &headers, &window, false).await
}

/// `GET /services/data/vNN.N/sobjects/{Type}/deleted/`: ids deleted in the window.
pub async fn deleted(
    State(sim): State<Arc<Sim>>,
    Path((version, object)): Path<(String, String)>,
    headers: HeaderMap,
    QueryParams(window): QueryParams<Window>,
) -> Response {
    replicate(&sim, &version, &object, &headers, &window, true).await
}

async fn replicate(
    sim: &Arc<Sim>,
    version: &str,
    object: &str,
    headers: &HeaderMap,
    window: &Window,
    deleted: bool,
) -> Response {
    if !valid_version(version) || org_fields(object).is_none() {
        return crate::rest::not_found().await;
    }
    if let Err(r) = authorize(sim, headers).await {
        return r;
    }
    let parse = |v: &Option<String>| v.as_deref().and_then(crmsync::core::time::unix_ms_from_rfc3339);
    let (Some(start), Some(end)) = (parse(&window.start), parse(&window.end)) else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "start and end must be ISO 8601 dates, e.g. 2013-05-05T00:00:00+00:00",
        );
    };
    // Seconds are ignored: the window is whole minutes.
    let (start, end) = (start - start.rem_euclid(60_000), end - end.rem_euclid(60_000));
    let now = crate::now_ms();
    let oldest = now - if deleted { DELETED_DAYS } else { UPDATED_DAYS } * 86_400_000;
    if end <= start {
        return rest_error(StatusCode::BAD_REQUEST, "INVALID_REPLICATION_DATE", "end date must be after start date");
    }
    if start < oldest {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "INVALID_REPLICATION_DATE",
            &format!("start date cannot be more than {} days ago", if deleted { DELETED_DAYS } else { UPDATED_DAYS }),
        );
    }
    let stamp = crmsync::core::time::rfc3339_from_unix_ms;
    let stored = match sim.store.records_changed(object, &stamp(start - 1), deleted).await {
        Ok(r) => r,
        Err(e) => return internal_error(e),
    };
    let end_stamp = stamp(end);
    let in_window: Vec<&StoredRecord> =
        stored.iter().filter(|r| r.deleted == deleted && r.modstamp.as_str() < end_stamp.as_str()).collect();
    let covered = stamp(end.min(now)).replace('Z', "+0000");
    let id = |r: &StoredRecord| r.fields.get("Id").cloned().flatten().unwrap_or_default();
    let body = if deleted {
        let records: Vec<Value> =
            in_window.iter().map(|r| json!({ "id": id(r), "deletedDate": r.modstamp.replace('Z', "+0000") })).collect();
        json!({
            "deletedRecords": records,
            "earliestDateAvailable": stamp(oldest).replace('Z', "+0000"),
            "latestDateCovered": covered,
        })
    } else {
        json!({ "ids": in_window.iter().map(|r| id(r)).collect::<Vec<_>>(), "latestDateCovered": covered })
    };
    with_limit_info(sim, Json(body).into_response()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn batch_size_hint_is_clamped() {
        let mut headers = HeaderMap::new();
        assert_eq!(batch_size(&headers), 2000);
        headers.insert("sforce-query-options", HeaderValue::from_static("batchSize=50"));
        assert_eq!(batch_size(&headers), 200);
        headers.insert("sforce-query-options", HeaderValue::from_static("batchSize=500"));
        assert_eq!(batch_size(&headers), 500);
    }

    #[test]
    fn typed_values_follow_the_field_type() {
        assert_eq!(typed("IsConverted", Some("true".into())), Value::Bool(true));
        assert_eq!(typed("NumberOfEmployees", Some("42".into())), json!(42));
        assert_eq!(typed("Name", Some("Acme".into())), json!("Acme"));
        assert_eq!(typed("Phone", None), Value::Null);
    }
}

/// `?fields=A,B` of a retrieve.
#[derive(Deserialize)]
pub struct RetrieveFields {
    fields: Option<String>,
}

/// `GET /services/data/vNN.N/sobjects/{Type}/{Id}[?fields=…]`: one record, every field
/// (or the named ones); 404 `NOT_FOUND` for an unknown or deleted id.
pub async fn retrieve(
    State(sim): State<Arc<Sim>>,
    Path((version, object, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    QueryParams(params): QueryParams<RetrieveFields>,
) -> Response {
    if let Err(r) = crate::rest::versioned_caller(&sim, &version, &headers).await {
        return r;
    }
    let Some(schema) = sim.fields_of(&object).await else {
        return rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist");
    };
    let fields: Vec<String> = match params.fields.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(list) => list.split(',').map(|f| f.trim().to_string()).collect(),
        None => schema.clone(),
    };
    if let Some(unknown) = fields.iter().find(|f| !schema.contains(f)) {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "INVALID_FIELD",
            &format!("No such column '{unknown}' on sobject of type {object}"),
        );
    }
    let full = crmsync::core::sf::SalesforceId::parse(&id).map(|i| i.to_string()).unwrap_or_default();
    let found = match sim.store.record(&full).await {
        Ok(found) => found,
        Err(e) => return internal_error(e),
    };
    match found {
        Some((found_object, record)) if found_object == object && !record.deleted => {
            let body = record_json(&version, &object, &fields, &record, &Default::default());
            with_limit_info(&sim, Json(body).into_response()).await
        }
        _ => rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist"),
    }
}
