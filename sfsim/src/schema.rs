//! The org's schema: which objects and fields it has and their types. The seven imported
//! objects carry crmsync's field list minus what this "edition" lacks; Task, Note and
//! RecordType carry the fields activity write-back uses.

/// Fields this org lacks (an edition difference the importer must survive).
const MISSING: &[(&str, &str)] = &[("UserRole", "LastReferencedDate")];

/// Activity objects: their fields in this org.
const ACTIVITY_OBJECTS: &[(&str, &[&str])] = &[
    (
        "Task",
        &[
            "Id",
            "Subject",
            "Description",
            "ActivityDate",
            "Status",
            "Priority",
            "OwnerId",
            "WhoId",
            "WhatId",
            "TaskSubtype",
            "RecordTypeId",
            "CreatedById",
            "CreatedDate",
            "LastModifiedDate",
        ],
    ),
    (
        "Note",
        &["Id", "ParentId", "Title", "Body", "IsPrivate", "OwnerId", "CreatedById", "CreatedDate", "LastModifiedDate"],
    ),
    ("RecordType", &["Id", "Name", "DeveloperName", "SobjectType", "IsActive", "Description"]),
];

/// Every object this org has, in describe-global order.
pub fn org_objects() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = crmsync::core::sf::schema::IMPORTED.iter().map(|(o, _)| *o).collect();
    names.extend(ACTIVITY_OBJECTS.iter().map(|(o, _)| *o));
    names.sort_unstable();
    names
}

/// The fields of `object` in this org, or `None` for an unknown object.
pub fn org_fields(object: &str) -> Option<Vec<&'static str>> {
    let mut fields: Vec<&'static str> = match crmsync::core::sf::schema::wanted_fields(object) {
        Some(wanted) => wanted.iter().copied().filter(|f| !MISSING.contains(&(object, *f))).collect(),
        None => ACTIVITY_OBJECTS.iter().find(|(o, _)| *o == object)?.1.to_vec(),
    };
    fields.extend(["SystemModstamp", "IsDeleted"]);
    Some(fields)
}

/// The values of a picklist field in the org's order (Opportunity stages as a new
/// Salesforce org has them); empty for any other field.
pub fn picklist(object: &str, field: &str) -> &'static [&'static str] {
    match (object, field) {
        ("Opportunity", "StageName") => crate::demo_data::STAGES,
        _ => &[],
    }
}

/// A field's describe type, from Salesforce's naming conventions.
pub fn field_type(field: &str) -> &'static str {
    match field {
        "Id" => "id",
        f if f.ends_with("Id") => "reference",
        f if f.starts_with("Is") => "boolean",
        f if f.ends_with("Date")
            && !matches!(f, "CloseDate" | "ConvertedDate" | "ActivityDate" | "LastActivityDate") =>
        {
            "datetime"
        }
        "CloseDate" | "ConvertedDate" | "LastActivityDate" | "ActivityDate" => "date",
        "Amount" | "AnnualRevenue" => "currency",
        "NumberOfEmployees" => "int",
        "SystemModstamp" => "datetime",
        _ => "string",
    }
}
