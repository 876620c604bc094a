//! sfsim's write side over real sockets: the Tooling API adds the external-id field,
//! Collections upsert on it is idempotent, the Task and Note rules of docs/salesforce.md §6 refuse
//! what Salesforce refuses, and `allOrNone` rolls a whole request back.

use serde_json::{json, Value};

use crate::harness::*;

const EXT: &str = "Crmsync_Activity_Id__c";

struct Api {
    base: String,
    bearer: String,
    http: reqwest::Client,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request =
            self.http.request(method, format!("{}/services/data/v66.0{path}", self.base)).bearer_auth(&self.bearer);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn first_id(&self, object: &str) -> String {
        let (_, page) = self.send(reqwest::Method::GET, &format!("/query?q=SELECT+Id+FROM+{object}"), None).await;
        page["records"][0]["Id"].as_str().unwrap().to_string()
    }

    async fn tasks(&self) -> Vec<Value> {
        let q = format!("/query?q=SELECT+Id,+OwnerId,+CreatedById,+WhoId,+Subject,+Status,+{EXT}+FROM+Task");
        self.send(reqwest::Method::GET, &q, None).await.1["records"].as_array().cloned().unwrap_or_default()
    }
}

fn task(ext: &str, fields: Value) -> Value {
    let mut record = json!({ "attributes": { "type": "Task" }, EXT: ext, "Subject": format!("InMail {ext}") });
    for (k, v) in fields.as_object().unwrap() {
        record[k] = v.clone();
    }
    record
}

fn error_code(result: &Value) -> &str {
    result["errors"][0]["statusCode"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn upsert_by_external_id_is_idempotent_and_task_rules_hold() {
    let dir = temp_dir("sfsim-dml");
    let sim = start_sim_with(&dir, 300).await;
    let api = Api { base: sim.base_url.clone(), bearer: sim_token(&sim).await, http: reqwest::Client::new() };
    let patch = reqwest::Method::PATCH;
    let post = reqwest::Method::POST;
    let upsert_path = format!("/composite/sobjects/Task/{EXT}");

    // Before setup the external-id field does not exist.
    let (status, _) = api.send(patch.clone(), &upsert_path, Some(json!({ "records": [task("x", json!({}))] }))).await;
    assert_eq!(status, 404);
    let field = json!({ "FullName": format!("Task.{EXT}"), "Metadata": { "type": "Text", "length": 36, "externalId": true, "unique": true, "label": "crmsync activity id" } });
    let (status, created) = api.send(post.clone(), "/tooling/sobjects/CustomField", Some(field.clone())).await;
    assert_eq!((status, created["success"].as_bool()), (201, Some(true)), "{created}");
    let (status, again) = api.send(post.clone(), "/tooling/sobjects/CustomField", Some(field)).await;
    assert_eq!((status, again[0]["errorCode"].as_str()), (400, Some("DUPLICATE_DEVELOPER_NAME")));

    let contact = api.first_id("Contact").await;
    let lead = api.first_id("Lead").await;
    let account = api.first_id("Account").await;
    let rep = sim.org.users[2].id.clone();
    let integration = sim.org.integration_user_id.clone();

    let batch = json!({ "allOrNone": false, "records": [
        task("a", json!({ "WhoId": contact, "OwnerId": rep })),
        task("b", json!({ "WhoId": lead, "OwnerId": rep })),
        task("c", json!({ "WhatId": account })),
    ] });
    let (status, results) = api.send(patch.clone(), &upsert_path, Some(batch.clone())).await;
    assert_eq!(status, 200, "{results}");
    assert!(
        results.as_array().unwrap().iter().all(|r| r["success"] == json!(true) && r["created"] == json!(true)),
        "{results}"
    );
    let (_, again) = api.send(patch.clone(), &upsert_path, Some(batch)).await;
    assert!(again.as_array().unwrap().iter().all(|r| r["created"] == json!(false)), "a repeat updates: {again}");
    let tasks = api.tasks().await;
    assert_eq!(tasks.len(), 3, "each external id once: {tasks:?}");
    let a = tasks.iter().find(|t| t[EXT] == "a").unwrap();
    assert_eq!((a["OwnerId"].as_str(), a["CreatedById"].as_str()), (Some(rep.as_str()), Some(integration.as_str())));
    assert_eq!(a["Status"], "Not Started", "Status defaults");
    let c = tasks.iter().find(|t| t[EXT] == "c").unwrap();
    assert_eq!(c["OwnerId"].as_str(), Some(integration.as_str()), "owner defaults to the caller");

    // The rules, one record each, in one partial-success request.
    let former = sim.org.users.iter().find(|u| !u.is_active).unwrap().id.clone();
    let bad = json!({ "allOrNone": false, "records": [
        task("r1", json!({ "WhoId": lead, "WhatId": account })),
        task("r2", json!({ "WhatId": lead })),
        task("r3", json!({ "WhoId": account })),
        task("r4", json!({ "WhoId": contact, "OwnerId": former })),
        task("r5", json!({ "WhoId": contact, "RecordTypeId": "0125S0000000001AAA" })),
        task("r6", json!({ "WhoId": contact, "TaskSubtype": "Carrier pigeon" })),
        task("r7", json!({ "WhoId": contact, "NoSuchField": "x" })),
        task("dup", json!({})),
        task("dup", json!({})),
        task("ok", json!({ "WhoId": contact, "TaskSubtype": "Call" })),
    ] });
    let (status, results) = api.send(patch.clone(), &upsert_path, Some(bad)).await;
    assert_eq!(status, 200);
    let codes: Vec<&str> = results.as_array().unwrap().iter().map(error_code).collect();
    assert_eq!(
        codes,
        [
            "FIELD_INTEGRITY_EXCEPTION",
            "FIELD_INTEGRITY_EXCEPTION",
            "FIELD_INTEGRITY_EXCEPTION",
            "INACTIVE_OWNER_OR_USER",
            "INVALID_CROSS_REFERENCE_KEY",
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "INVALID_FIELD",
            "DUPLICATE_EXTERNAL_ID",
            "DUPLICATE_EXTERNAL_ID",
            "",
        ],
        "{results}"
    );
    assert_eq!(results[9]["success"], json!(true));
    assert_eq!(api.tasks().await.len(), 4, "only the valid record was written");

    // allOrNone: one bad record and nothing is written; the others say they were rolled back.
    let all = json!({ "allOrNone": true, "records": [task("n1", json!({ "WhoId": contact })), task("n2", json!({ "WhatId": lead }))] });
    let (_, results) = api.send(patch.clone(), &upsert_path, Some(all)).await;
    assert_eq!(error_code(&results[0]), "ALL_OR_NONE_OPERATION_ROLLED_BACK");
    assert_eq!(error_code(&results[1]), "FIELD_INTEGRITY_EXCEPTION");
    assert_eq!(api.tasks().await.len(), 4);

    // A deleted target.
    let mutated = mutate(&sim, "Contact", 0, 0, 1).await;
    let gone = mutated["deleted"][0].as_str().unwrap();
    let (_, results) = api
        .send(post.clone(), "/composite/sobjects", Some(json!({ "records": [task("g", json!({ "WhoId": gone }))] })))
        .await;
    assert_eq!(error_code(&results[0]), "ENTITY_IS_DELETED", "{results}");

    // Notes: ParentId and Title are required.
    let (status, body) = api.send(post.clone(), "/sobjects/Note", Some(json!({ "ParentId": account }))).await;
    assert_eq!((status, body[0]["errorCode"].as_str()), (400, Some("REQUIRED_FIELD_MISSING")), "{body}");
    let (status, body) = api
        .send(post, "/sobjects/Note", Some(json!({ "ParentId": account, "Title": "Call notes", "Body": "…" })))
        .await;
    assert_eq!(status, 201, "{body}");
    assert!(body["id"].as_str().unwrap().starts_with("002"));
}
