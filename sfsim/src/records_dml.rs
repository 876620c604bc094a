//! Creating, updating and deleting the org's CRM records as Salesforce does, so tests
//! can make the exact records they need (a named person, an opportunity changing owner,
//! a contact moving account): `POST /sobjects/{Type}` for Lead, Contact, Account,
//! Opportunity and OpportunityContactRole, `PATCH` and `DELETE /sobjects/{Type}/{Id}`
//! and Collections update (`PATCH /composite/sobjects`) and delete
//! (`DELETE /composite/sobjects?ids=…`) for every object crmsync reads or writes.
//!
//! Checked as Salesforce checks them: known, writable fields; required fields on create;
//! field types (booleans, numbers, dates, datetimes); references to existing, live
//! records (`INVALID_CROSS_REFERENCE_KEY`, `ENTITY_IS_DELETED`); an active owner. Every
//! write stamps `LastModifiedDate` and `SystemModstamp`; a delete goes to the recycle bin
//! (`IsDeleted`, seen by `queryAll`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::demo_data::SimRecord;
use crate::dml::{fail, SaveError};
use crate::rest::{internal_error, rest_error, with_limit_info};
use crate::schema::field_type;
use crate::Sim;

/// A record's fields as stored.
type Fields = BTreeMap<String, Option<String>>;

/// Fields the system sets; a body may not.
const SYSTEM_FIELDS: &[&str] = &["Id", "CreatedById", "CreatedDate", "LastModifiedDate", "SystemModstamp", "IsDeleted"];
/// Fields each CRM object needs on create.
const REQUIRED: &[(&str, &[&str])] = &[
    ("Lead", &["LastName", "Company"]),
    ("Contact", &["LastName"]),
    ("Account", &["Name"]),
    ("Opportunity", &["Name", "StageName", "CloseDate"]),
    ("OpportunityContactRole", &["OpportunityId", "ContactId"]),
];
/// Opportunity fields Salesforce derives from the stage (read-only to the API).
const DERIVED_FROM_STAGE: &[&str] = &["IsClosed", "IsWon"];

/// Whether a stage closes an opportunity, and as won (the demo org's closed stages).
fn stage_outcome(stage: &str) -> (bool, bool) {
    match stage {
        "Closed Won" => (true, true),
        "Closed Lost" => (true, false),
        _ => (false, false),
    }
}

/// Objects only Salesforce itself changes here.
const READ_ONLY: &[&str] = &["User", "UserRole", "RecordType"];

/// The CRM objects a test may create through `POST /sobjects/{Type}`.
pub fn creatable(object: &str) -> bool {
    REQUIRED.iter().any(|(o, _)| *o == object)
}

/// The object's name as the store keeps it, when it is one this org has and may change.
fn writable_object(object: &str) -> Option<&'static str> {
    crate::schema::org_objects().into_iter().find(|o| *o == object && !READ_ONLY.contains(o))
}

/// A body's value as stored text, checked against the field's type.
fn stored_value(object: &str, name: &str, value: &Value) -> Result<Option<String>, SaveError> {
    let bad = |what: &str| {
        fail(
            "JSON_PARSER_ERROR",
            format!("Cannot deserialize instance of {what} from {value} for {object}.{name}"),
            &[name],
        )
    };
    let text = match (field_type(name), value) {
        (_, Value::Null) => return Ok(None),
        ("boolean", Value::Bool(b)) => b.to_string(),
        ("boolean", _) => return Err(bad("boolean")),
        ("int" | "currency", Value::Number(n)) => n.to_string(),
        ("int" | "currency", _) => return Err(bad("double")),
        (_, Value::String(s)) if s.is_empty() => return Ok(None),
        ("date", Value::String(s)) => {
            let b = s.as_bytes();
            let ok =
                b.len() == 10 && b[4] == b'-' && b[7] == b'-' && s.chars().filter(char::is_ascii_digit).count() == 8;
            if !ok {
                return Err(fail(
                    "INVALID_TYPE_ON_FIELD_IN_RECORD",
                    format!("{name}: value not of required type: {s}"),
                    &[name],
                ));
            }
            s.clone()
        }
        ("datetime", Value::String(s)) => {
            if crmsync::core::time::unix_ms_from_rfc3339(s).is_none() {
                return Err(fail(
                    "INVALID_TYPE_ON_FIELD_IN_RECORD",
                    format!("{name}: value not of required type: {s}"),
                    &[name],
                ));
            }
            s.clone()
        }
        (_, Value::String(s)) => s.clone(),
        (_, Value::Number(n)) => n.to_string(),
        (_, Value::Bool(b)) => b.to_string(),
        _ => return Err(bad("String")),
    };
    Ok(Some(text))
}

/// Checks a create or update body of `object` (with `before`, the stored record, on
/// update) and answers the fields to store.
async fn checked(
    sim: &Sim,
    object: &str,
    body: &Map<String, Value>,
    before: Option<&Fields>,
) -> Result<Fields, SaveError> {
    let known = sim.fields_of(object).await.unwrap_or_default();
    let mut fields = Fields::new();
    // Field names are case-insensitive, as in Salesforce.
    for (given, value) in
        body.iter().filter(|(k, _)| *k != "attributes" && !(before.is_some() && k.eq_ignore_ascii_case("Id")))
    {
        let name = known.iter().find(|k| k.eq_ignore_ascii_case(given));
        let Some(name) = name.filter(|n| !SYSTEM_FIELDS.contains(&n.as_str())) else {
            return Err(fail(
                "INVALID_FIELD",
                format!("No such column '{given}' on sobject of type {object}"),
                &[given],
            ));
        };
        if object == "Opportunity" && DERIVED_FROM_STAGE.contains(&name.as_str()) {
            return Err(fail(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                format!("Unable to create/update fields: {name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set."),
                &[name],
            ));
        }
        fields.insert(name.clone(), stored_value(object, name, value)?);
    }
    if object == "Opportunity" {
        if let Some(Some(stage)) = fields.get("StageName").cloned() {
            let (closed, won) = stage_outcome(&stage);
            fields.insert("IsClosed".into(), Some(closed.to_string()));
            fields.insert("IsWon".into(), Some(won.to_string()));
        }
    }
    required_present(object, &fields, before.is_none())?;
    references_exist(sim, &fields).await?;
    Ok(fields)
}

/// A new record has every required field; an update does not clear one.
fn required_present(object: &str, fields: &Fields, creating: bool) -> Result<(), SaveError> {
    let required = REQUIRED.iter().find(|(o, _)| *o == object).map_or(&[][..], |(_, r)| *r);
    if creating {
        let missing: Vec<&str> =
            required.iter().copied().filter(|f| fields.get(*f).cloned().flatten().is_none()).collect();
        if !missing.is_empty() {
            return Err(fail(
                "REQUIRED_FIELD_MISSING",
                format!("Required fields are missing: [{}]", missing.join(", ")),
                &missing,
            ));
        }
    } else if let Some(cleared) = required.iter().find(|f| fields.get(**f).is_some_and(Option::is_none)) {
        return Err(fail("REQUIRED_FIELD_MISSING", format!("Required fields are missing: [{cleared}]"), &[cleared]));
    }
    Ok(())
}

/// Every reference names a record that exists and is not deleted; an owner is an active user.
async fn references_exist(sim: &Sim, fields: &Fields) -> Result<(), SaveError> {
    for (name, value) in fields {
        let Some(id) = value else { continue };
        if field_type(name) != "reference" {
            continue;
        }
        if name == "OwnerId" {
            match sim.org.users.iter().find(|u| u.id.get(..15) == id.get(..15)) {
                None => {
                    return Err(fail(
                        "INVALID_CROSS_REFERENCE_KEY",
                        format!("Owner ID: owner cannot be blank or invalid: {id}"),
                        &["OwnerId"],
                    ))
                }
                Some(u) if !u.is_active => {
                    return Err(fail(
                        "INACTIVE_OWNER_OR_USER",
                        "operation performed with inactive user as owner",
                        &["OwnerId"],
                    ))
                }
                Some(_) => continue,
            }
        }
        let full = crmsync::core::sf::SalesforceId::parse(id)
            .map(|i| i.to_string())
            .map_err(|_| fail("MALFORMED_ID", format!("{name}: id value of incorrect type: {id}"), &[name]))?;
        match sim.store.record_object(&full).await {
            Ok(Some((_, false))) => {}
            Ok(Some((_, true))) => return Err(fail("ENTITY_IS_DELETED", "entity is deleted", &[name])),
            Ok(None) => {
                return Err(fail("INVALID_CROSS_REFERENCE_KEY", format!("invalid cross reference id: {id}"), &[name]))
            }
            Err(_) => return Err(fail("UNKNOWN_EXCEPTION", "an unexpected error occurred", &[name])),
        }
    }
    Ok(())
}

/// The stored record to store: the checked fields over `before`, stamped.
fn stamped(object: &'static str, caller: &str, id: String, mut fields: Fields, before: Option<&Fields>) -> SimRecord {
    let now = crate::bulk_now_z();
    match before {
        Some(old) => {
            for (k, v) in old {
                fields.entry(k.clone()).or_insert(v.clone());
            }
        }
        None => {
            fields.insert("CreatedById".into(), Some(caller.to_string()));
            fields.insert("CreatedDate".into(), Some(now.clone()));
            if fields.get("OwnerId").cloned().flatten().is_none()
                && crate::schema::org_fields(object).is_some_and(|f| f.contains(&"OwnerId"))
            {
                fields.insert("OwnerId".into(), Some(caller.to_string()));
            }
        }
    }
    fields.insert("Id".into(), Some(id.clone()));
    fields.insert("LastModifiedDate".into(), Some(now.clone()));
    fields.insert("SystemModstamp".into(), Some(now));
    SimRecord { object, id, fields }
}

/// A fresh id of `object`, unique across restarts (time-based sequence).
fn new_id(object: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let prefix = crmsync::core::sf::SObjectType::from_api_name(object).map_or("000", |t| t.key_prefix());
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    crate::ids::make_id(prefix, (crate::now_ms() as u64 % 10_000_000_000) * 1_000 + n % 1_000)
}

/// The live stored record `id` of `object`, or why it cannot be changed.
async fn live(sim: &Sim, object: &str, id: &str) -> Result<(String, Fields), SaveError> {
    let full = crmsync::core::sf::SalesforceId::parse(id)
        .map(|i| i.to_string())
        .map_err(|_| fail("MALFORMED_ID", format!("malformed id {id}"), &["Id"]))?;
    match sim.store.record(&full).await {
        Ok(Some((o, r))) if o == object && !r.deleted => Ok((full, r.fields)),
        Ok(Some((o, _))) if o == object => Err(fail("ENTITY_IS_DELETED", "entity is deleted", &[])),
        Ok(_) => Err(fail("NOT_FOUND", "The requested resource does not exist", &[])),
        Err(_) => Err(fail("UNKNOWN_EXCEPTION", "an unexpected error occurred", &[])),
    }
}

/// Creates one CRM record (`POST /sobjects/{Type}` for the objects of [`creatable`]).
pub async fn create(sim: &Sim, caller: &str, object: &str, body: &Map<String, Value>) -> Response {
    let Some(object) = writable_object(object) else {
        return rest_error(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested resource does not exist");
    };
    let _one_writer = sim.writes.lock().await;
    match checked(sim, object, body, None).await {
        Err(e) => e.rest(StatusCode::BAD_REQUEST),
        Ok(fields) => {
            let r = stamped(object, caller, new_id(object), fields, None);
            if let Err(e) = sim.store.put_records(std::slice::from_ref(&r)).await {
                return internal_error(e);
            }
            (StatusCode::CREATED, Json(json!({ "id": r.id, "success": true, "errors": [] }))).into_response()
        }
    }
}

/// Collections create of CRM records (`POST /composite/sobjects` whose records are all of
/// the [`creatable`] objects).
pub async fn create_many(sim: &Sim, caller: &str, records: &[Map<String, Value>], all_or_none: bool) -> Response {
    let _one_writer = sim.writes.lock().await;
    let mut outcomes = Vec::new();
    let mut to_save = Vec::new();
    for raw in records {
        let object = raw.get("attributes").and_then(|a| a.get("type")).and_then(Value::as_str).unwrap_or_default();
        let outcome = match writable_object(object) {
            None => Err(fail("INVALID_TYPE", format!("sObject type '{object}' is not supported."), &[])),
            Some(stored) => {
                checked(sim, stored, raw, None).await.map(|f| stamped(stored, caller, new_id(stored), f, None))
            }
        };
        outcomes.push(outcome.map(|r| {
            let id = r.id.clone();
            to_save.push(r);
            id
        }));
    }
    let (rows, rolled_back) = results(outcomes, all_or_none);
    if !rolled_back {
        if let Err(e) = sim.store.put_records(&to_save).await {
            return internal_error(e);
        }
    }
    Json(rows).into_response()
}

/// Updates one record; answers the stored record's id.
async fn update_one(
    sim: &Sim,
    caller: &str,
    object: &str,
    id: &str,
    body: &Map<String, Value>,
) -> Result<SimRecord, SaveError> {
    let stored = writable_object(object)
        .ok_or_else(|| fail("INVALID_TYPE", format!("sObject type '{object}' is not supported."), &[]))?;
    let (full, before) = live(sim, object, id).await?;
    let fields = checked(sim, object, body, Some(&before)).await?;
    Ok(stamped(stored, caller, full, fields, Some(&before)))
}

/// `PATCH /services/data/vNN.N/sobjects/{Type}/{Id}`: 204, or the error array.
pub async fn update(
    State(sim): State<Arc<Sim>>,
    Path((version, object, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Result<Json<Map<String, Value>>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let caller = match crate::rest::versioned_caller(&sim, &version, &headers).await {
        Ok(c) => c.user_id,
        Err(r) => return r,
    };
    let Ok(Json(body)) = body else {
        return rest_error(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", "The request body is not a JSON object");
    };
    let _one_writer = sim.writes.lock().await;
    let response = match update_one(&sim, &caller, &object, &id, &body).await {
        Err(e) if matches!(e.status_code, "NOT_FOUND" | "ENTITY_IS_DELETED") => e.rest(StatusCode::NOT_FOUND),
        Err(e) => e.rest(StatusCode::BAD_REQUEST),
        Ok(r) => match sim.store.put_records(std::slice::from_ref(&r)).await {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => internal_error(e),
        },
    };
    with_limit_info(&sim, response).await
}

/// Moves one record to the recycle bin.
async fn delete_one(sim: &Sim, object: Option<&str>, id: &str) -> Result<String, SaveError> {
    let full = crmsync::core::sf::SalesforceId::parse(id)
        .map(|i| i.to_string())
        .map_err(|_| fail("MALFORMED_ID", format!("malformed id {id}"), &[]))?;
    let found =
        sim.store.record(&full).await.map_err(|_| fail("UNKNOWN_EXCEPTION", "an unexpected error occurred", &[]))?;
    let Some((stored_object, record)) = found.filter(|(o, _)| object.is_none_or(|want| want == o)) else {
        return Err(fail("NOT_FOUND", "The requested resource does not exist", &[]));
    };
    if writable_object(&stored_object).is_none() {
        return Err(fail("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id", &[]));
    }
    if record.deleted {
        return Err(fail("ENTITY_IS_DELETED", "entity is deleted", &[]));
    }
    sim.store
        .delete_record(&full, &crate::bulk_now_z())
        .await
        .map_err(|_| fail("UNKNOWN_EXCEPTION", "an unexpected error occurred", &[]))?;
    Ok(full)
}

/// `DELETE /services/data/vNN.N/sobjects/{Type}/{Id}`: 204 (the record is in the recycle bin).
pub async fn delete(
    State(sim): State<Arc<Sim>>,
    Path((version, object, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = crate::rest::versioned_caller(&sim, &version, &headers).await {
        return r;
    }
    let _one_writer = sim.writes.lock().await;
    let response = match delete_one(&sim, Some(&object), &id).await {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) if matches!(e.status_code, "NOT_FOUND" | "ENTITY_IS_DELETED") => e.rest(StatusCode::NOT_FOUND),
        Err(e) => e.rest(StatusCode::BAD_REQUEST),
    };
    with_limit_info(&sim, response).await
}

/// A Collections update body.
#[derive(Deserialize)]
pub struct Updates {
    #[serde(default, rename = "allOrNone")]
    all_or_none: bool,
    #[serde(default)]
    records: Vec<Map<String, Value>>,
}

/// `{"id", "success", "errors"}` per record, rolling back all of them when `all_or_none`
/// and one failed.
fn results(outcomes: Vec<Result<String, SaveError>>, all_or_none: bool) -> (Vec<Value>, bool) {
    let failed = outcomes.iter().any(Result::is_err);
    let rows = outcomes
        .into_iter()
        .map(|o| match o {
            Err(e) => json!({ "id": null, "success": false, "errors": [e.json()] }),
            Ok(_) if failed && all_or_none => json!({ "id": null, "success": false, "errors": [{
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
                "fields": [] }] }),
            Ok(id) => json!({ "id": id, "success": true, "errors": [] }),
        })
        .collect();
    (rows, failed && all_or_none)
}

/// `PATCH /services/data/vNN.N/composite/sobjects`: update up to 200 records.
pub async fn update_many(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Updates>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let caller = match crate::rest::versioned_caller(&sim, &version, &headers).await {
        Ok(c) => c.user_id,
        Err(r) => return r,
    };
    let Ok(Json(body)) = body else {
        return rest_error(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", "The request body is not a valid collection");
    };
    if body.records.is_empty() || body.records.len() > 200 {
        return rest_error(StatusCode::BAD_REQUEST, "INVALID_BATCH_SIZE", "a collection takes 1 to 200 records");
    }
    let _one_writer = sim.writes.lock().await;
    let mut outcomes = Vec::new();
    let mut to_save = Vec::new();
    for raw in &body.records {
        let object = raw.get("attributes").and_then(|a| a.get("type")).and_then(Value::as_str).unwrap_or_default();
        let id =
            raw.iter().find(|(k, _)| k.eq_ignore_ascii_case("Id")).and_then(|(_, v)| v.as_str()).unwrap_or_default();
        let outcome = if id.is_empty() {
            Err(fail("MISSING_ARGUMENT", "Id not specified in an update call", &["Id"]))
        } else {
            update_one(&sim, &caller, object, id, raw).await
        };
        outcomes.push(outcome.map(|r| {
            let id = r.id.clone();
            to_save.push(r);
            id
        }));
    }
    let (rows, rolled_back) = results(outcomes, body.all_or_none);
    if !rolled_back {
        if let Err(e) = sim.store.put_records(&to_save).await {
            return internal_error(e);
        }
    }
    with_limit_info(&sim, Json(rows).into_response()).await
}

/// `?ids=a,b&allOrNone=true` of a Collections delete.
#[derive(Deserialize)]
pub struct DeleteIds {
    ids: Option<String>,
    #[serde(default, rename = "allOrNone")]
    all_or_none: Option<String>,
}

/// `DELETE /services/data/vNN.N/composite/sobjects?ids=…`: delete up to 200 records.
pub async fn delete_many(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    Query(params): Query<DeleteIds>,
) -> Response {
    if let Err(r) = crate::rest::versioned_caller(&sim, &version, &headers).await {
        return r;
    }
    let ids: Vec<&str> =
        params.ids.as_deref().unwrap_or_default().split(',').map(str::trim).filter(|i| !i.is_empty()).collect();
    if ids.is_empty() || ids.len() > 200 {
        return rest_error(StatusCode::BAD_REQUEST, "INVALID_BATCH_SIZE", "ids takes 1 to 200 record ids");
    }
    let all_or_none = params.all_or_none.as_deref().is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let _one_writer = sim.writes.lock().await;
    if all_or_none {
        // Checked first, so nothing is deleted when one would fail.
        let mut outcomes = Vec::new();
        for id in &ids {
            outcomes.push(live_any(&sim, id).await);
        }
        if outcomes.iter().any(Result::is_err) {
            let (rows, _) = results(outcomes, true);
            return with_limit_info(&sim, Json(rows).into_response()).await;
        }
    }
    let mut outcomes = Vec::new();
    for id in &ids {
        outcomes.push(delete_one(&sim, None, id).await);
    }
    let (rows, _) = results(outcomes, false);
    with_limit_info(&sim, Json(rows).into_response()).await
}

/// Whether `id` is a live record that may be deleted.
async fn live_any(sim: &Sim, id: &str) -> Result<String, SaveError> {
    let full = crmsync::core::sf::SalesforceId::parse(id)
        .map(|i| i.to_string())
        .map_err(|_| fail("MALFORMED_ID", format!("malformed id {id}"), &[]))?;
    match sim.store.record(&full).await {
        Ok(Some((o, r))) if !r.deleted && writable_object(&o).is_some() => Ok(full),
        Ok(Some((_, r))) if r.deleted => Err(fail("ENTITY_IS_DELETED", "entity is deleted", &[])),
        Ok(Some(_)) => Err(fail("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id", &[])),
        _ => Err(fail("NOT_FOUND", "The requested resource does not exist", &[])),
    }
}
