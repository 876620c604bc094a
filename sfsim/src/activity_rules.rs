//! The rules Salesforce enforces on a Task or Note that sfsim stores: known, writable
//! fields; WhoId only a Lead or a Contact, no WhatId beside a Lead, no Lead in WhatId; an
//! active owner (the caller by default); an existing record type and parent; required
//! fields; a restricted TaskSubtype.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::dml::{fail, SaveError};
use crate::Sim;

/// TaskSubtype's restricted values.
const TASK_SUBTYPES: &[&str] = &["Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"];
/// Fields the system sets; a body may not.
const SYSTEM_FIELDS: &[&str] = &["Id", "CreatedById", "CreatedDate", "LastModifiedDate", "SystemModstamp", "IsDeleted"];

/// Checks one record of `object` from `caller` and returns the stored fields.
pub(crate) async fn validate(
    sim: &Sim,
    caller: &str,
    object: &str,
    body: &Map<String, Value>,
) -> Result<BTreeMap<String, Option<String>>, SaveError> {
    let known = sim.fields_of(object).await.unwrap_or_default();
    let mut fields = body_fields(&known, object, body)?;
    let owner = owner_of(sim, caller, &fields)?;
    fields.insert("OwnerId".into(), Some(owner));
    if object == "Note" {
        check_note(sim, &fields).await?;
    } else {
        check_task(sim, &fields).await?;
        fields.entry("Status".into()).or_insert(Some("Not Started".into()));
        fields.entry("Priority".into()).or_insert(Some("Normal".into()));
    }
    Ok(fields)
}

/// The body's fields as stored text: known, writable fields only.
fn body_fields(
    known: &[String],
    object: &str,
    body: &Map<String, Value>,
) -> Result<BTreeMap<String, Option<String>>, SaveError> {
    let mut fields = BTreeMap::new();
    for (name, value) in body.iter().filter(|(k, _)| *k != "attributes") {
        if !known.iter().any(|k| k == name) || SYSTEM_FIELDS.contains(&name.as_str()) {
            return Err(fail("INVALID_FIELD", format!("No such column '{name}' on sobject of type {object}"), &[name]));
        }
        let text = match value {
            Value::Null => None,
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => return Err(fail("JSON_PARSER_ERROR", format!("Cannot deserialize {name}: not a value"), &[name])),
        };
        fields.insert(name.clone(), text);
    }
    Ok(fields)
}

/// The record's owner: the one named (an active user of the org), else the caller.
fn owner_of(sim: &Sim, caller: &str, fields: &BTreeMap<String, Option<String>>) -> Result<String, SaveError> {
    let owner = fields.get("OwnerId").cloned().flatten().unwrap_or_else(|| caller.to_string());
    match sim.org.users.iter().find(|u| u.id.get(..15) == owner.get(..15)) {
        None => {
            let message = format!("Owner ID: owner cannot be blank or invalid: {owner}");
            Err(fail("INVALID_CROSS_REFERENCE_KEY", message, &["OwnerId"]))
        }
        Some(u) if !u.is_active => {
            Err(fail("INACTIVE_OWNER_OR_USER", "operation performed with inactive user as owner", &["OwnerId"]))
        }
        Some(u) => Ok(u.id.clone()),
    }
}

/// A Note needs its parent (an existing record) and a title.
async fn check_note(sim: &Sim, fields: &BTreeMap<String, Option<String>>) -> Result<(), SaveError> {
    let get = |f: &str| fields.get(f).cloned().flatten();
    let missing: Vec<&str> = ["ParentId", "Title"].into_iter().filter(|f| get(f).is_none()).collect();
    if !missing.is_empty() {
        return Err(fail(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{}]", missing.join(", ")),
            &missing,
        ));
    }
    if let Some(parent) = get("ParentId") {
        existing(sim, &parent, "ParentId", "Parent ID").await?;
    }
    Ok(())
}

/// A Task's Who (a lead or contact), What (not a person; none with a lead), subtype and
/// record type are checked as Salesforce does.
async fn check_task(sim: &Sim, fields: &BTreeMap<String, Option<String>>) -> Result<(), SaveError> {
    let get = |f: &str| fields.get(f).cloned().flatten();
    let who = get("WhoId");
    if let Some(who) = &who {
        if !(who.starts_with("00Q") || who.starts_with("003")) {
            return Err(fail(
                "FIELD_INTEGRITY_EXCEPTION",
                format!("Name ID: id value of incorrect type: {who}"),
                &["WhoId"],
            ));
        }
        existing(sim, who, "WhoId", "Name ID").await?;
    }
    if let Some(what) = get("WhatId") {
        if what.starts_with("00Q") || what.starts_with("003") {
            return Err(fail(
                "FIELD_INTEGRITY_EXCEPTION",
                format!("Related To ID: id value of incorrect type: {what}"),
                &["WhatId"],
            ));
        }
        if who.as_deref().is_some_and(|w| w.starts_with("00Q")) {
            return Err(fail(
                "FIELD_INTEGRITY_EXCEPTION",
                "Related To ID: a task about a lead cannot be related to another record",
                &["WhatId"],
            ));
        }
        existing(sim, &what, "WhatId", "Related To ID").await?;
    }
    if let Some(subtype) = get("TaskSubtype") {
        if !TASK_SUBTYPES.contains(&subtype.as_str()) {
            return Err(fail(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                format!("Task Subtype: bad value for restricted picklist field: {subtype}"),
                &["TaskSubtype"],
            ));
        }
    }
    if let Some(record_type) = get("RecordTypeId") {
        let ok = matches!(sim.store.record_object(&record_type).await, Ok(Some((ref o, false))) if o == "RecordType");
        if !ok {
            return Err(fail(
                "INVALID_CROSS_REFERENCE_KEY",
                format!("Record Type ID: this ID value isn't valid for the user: {record_type}"),
                &["RecordTypeId"],
            ));
        }
    }
    Ok(())
}

/// A referenced record must exist and not be deleted.
async fn existing(sim: &Sim, id: &str, field: &str, label: &str) -> Result<(), SaveError> {
    let Ok(id) = crmsync::core::sf::SalesforceId::parse(id) else {
        return Err(fail("MALFORMED_ID", format!("{label}: id value of incorrect type: {id}"), &[field]));
    };
    match sim.store.record_object(id.as_str()).await {
        Ok(Some((_, false))) => Ok(()),
        Ok(Some((_, true))) => Err(fail("ENTITY_IS_DELETED", "entity is deleted", &[field])),
        Ok(None) => Err(fail(
            "INVALID_CROSS_REFERENCE_KEY",
            format!("{label}: id value of incorrect type: {}", id.as_str()),
            &[field],
        )),
        Err(_) => Err(fail("UNKNOWN_EXCEPTION", "an unexpected error occurred", &[field])),
    }
}
