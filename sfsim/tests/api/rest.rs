//! sfsim's REST query and replication endpoints over real sockets: batches with a
//! `nextRecordsUrl` cursor, `count()`, `queryAll` with deleted rows, getUpdated and
//! getDeleted windows, and the describe of the activity objects.

use serde_json::{json, Value};

use crate::harness::*;

async fn get(sim: &Sim, bearer: &str, path: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut request = reqwest::Client::new().get(format!("{}{path}", sim.base_url)).bearer_auth(bearer);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn minutes_from_now(minutes: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let text = crmsync::core::time::rfc3339_from_unix_ms(now + minutes * 60_000);
    text.replace(".000Z", "+00:00").replace('Z', "+00:00").replace(':', "%3A").replace('+', "%2B")
}

#[tokio::test]
async fn query_pages_by_cursor_counts_and_includes_deleted_with_query_all() {
    let dir = temp_dir("sfsim-rest-query");
    let sim = start_sim_with(&dir, 3_000).await;
    let bearer = sim_token(&sim).await;

    let (status, count) = get(&sim, &bearer, "/services/data/v66.0/query?q=SELECT+count()+FROM+Contact", &[]).await;
    assert_eq!(status, 200);
    let total = count["totalSize"].as_u64().unwrap();
    assert!(total > 500 && count["records"].as_array().unwrap().is_empty(), "{count}");

    let hint = [("Sforce-Query-Options", "batchSize=500")];
    let (status, mut page) =
        get(&sim, &bearer, "/services/data/v66.0/query?q=SELECT+Id,+LastName+FROM+Contact", &hint).await;
    assert_eq!(status, 200);
    let mut seen = Vec::new();
    loop {
        let records = page["records"].as_array().unwrap();
        assert!(records.len() <= 500);
        for r in records {
            assert_eq!(r["attributes"]["type"], "Contact");
            assert!(r["attributes"]["url"].as_str().unwrap().ends_with(r["Id"].as_str().unwrap()));
            seen.push(r["Id"].as_str().unwrap().to_string());
        }
        if page["done"] == json!(true) {
            assert!(page.get("nextRecordsUrl").is_none());
            break;
        }
        let next = page["nextRecordsUrl"].as_str().unwrap().to_string();
        assert!(next.starts_with("/services/data/v66.0/query/01g"), "{next}");
        page = get(&sim, &bearer, &next, &[]).await.1;
    }
    assert_eq!(seen.len() as u64, total);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len() as u64, total, "no record twice");

    let (status, body) = get(&sim, &bearer, "/services/data/v66.0/query/01g5S0000000999AAA-2000", &[]).await;
    assert_eq!((status, body[0]["errorCode"].as_str()), (400, Some("INVALID_QUERY_LOCATOR")));

    let mutated = mutate(&sim, "Contact", 0, 0, 3).await;
    let gone: Vec<&str> = mutated["deleted"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let q = "SELECT+Id,+IsDeleted+FROM+Contact";
    let live = get(&sim, &bearer, &format!("/services/data/v66.0/query?q={q}"), &[]).await.1;
    assert_eq!(live["totalSize"].as_u64().unwrap(), total - 3);
    let all = get(&sim, &bearer, &format!("/services/data/v66.0/queryAll?q={q}"), &[]).await.1;
    assert_eq!(all["totalSize"].as_u64().unwrap(), total);
    let mut deleted_ids = Vec::new();
    let mut page = all;
    loop {
        for r in page["records"].as_array().unwrap() {
            if r["IsDeleted"] == json!(true) {
                deleted_ids.push(r["Id"].as_str().unwrap().to_string());
            }
        }
        match page["nextRecordsUrl"].as_str() {
            Some(next) => page = get(&sim, &bearer, next, &[]).await.1,
            None => break,
        }
    }
    deleted_ids.sort();
    let mut expected: Vec<String> = gone.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(deleted_ids, expected);
}

#[tokio::test]
async fn get_updated_and_get_deleted_report_a_recent_window() {
    let dir = temp_dir("sfsim-rest-replication");
    let sim = start_sim_with(&dir, 600).await;
    let bearer = sim_token(&sim).await;
    let mutated = mutate(&sim, "Account", 4, 0, 2).await;
    let (start, end) = (minutes_from_now(-60), minutes_from_now(2));
    let window = format!("?start={start}&end={end}");

    let (status, updated) =
        get(&sim, &bearer, &format!("/services/data/v66.0/sobjects/Account/updated/{window}"), &[]).await;
    assert_eq!(status, 200, "{updated}");
    let mut ids: Vec<&str> = updated["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    ids.sort();
    let mut changed: Vec<&str> = mutated["changed"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    changed.sort();
    assert_eq!(ids, changed, "only the records changed in the window, not the deleted ones");
    assert!(updated["latestDateCovered"].as_str().unwrap().ends_with("+0000"));

    let (status, deleted) =
        get(&sim, &bearer, &format!("/services/data/v66.0/sobjects/Account/deleted/{window}"), &[]).await;
    assert_eq!(status, 200, "{deleted}");
    let records = deleted["deletedRecords"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r["deletedDate"].as_str().unwrap().ends_with("+0000")));
    assert!(deleted["earliestDateAvailable"].is_string());

    let old = format!("?start={}&end={end}", minutes_from_now(-60 * 24 * 40));
    let (status, body) = get(&sim, &bearer, &format!("/services/data/v66.0/sobjects/Account/updated/{old}"), &[]).await;
    assert_eq!((status, body[0]["errorCode"].as_str()), (400, Some("INVALID_REPLICATION_DATE")));
    let backwards = format!("?start={end}&end={start}");
    let (status, _) =
        get(&sim, &bearer, &format!("/services/data/v66.0/sobjects/Account/deleted/{backwards}"), &[]).await;
    assert_eq!(status, 400);

    let (status, task) = get(&sim, &bearer, "/services/data/v66.0/sobjects/Task/describe", &[]).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = task["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    for field in ["WhoId", "WhatId", "OwnerId", "RecordTypeId", "TaskSubtype", "ActivityDate"] {
        assert!(names.contains(&field), "Task lacks {field}");
    }
}

/// A SOQL query through REST, URL-encoded.
async fn soql(sim: &Sim, bearer: &str, query: &str) -> (u16, Value) {
    let q = serde_urlencoded::to_string([("q", query)]).unwrap();
    get(sim, bearer, &format!("/services/data/v66.0/query?{q}"), &[]).await
}

#[tokio::test]
async fn describe_global_describe_retrieve_and_the_soql_clients_send() {
    let dir = temp_dir("sfsim-rest-clients");
    let sim = start_sim_with(&dir, 300).await;
    let bearer = sim_token(&sim).await;

    // Describe global lists every object with its key prefix and URLs.
    let (status, global) = get(&sim, &bearer, "/services/data/v66.0/sobjects/", &[]).await;
    assert_eq!(status, 200, "{global}");
    let contact = global["sobjects"].as_array().unwrap().iter().find(|o| o["name"] == "Contact").unwrap().clone();
    assert_eq!(contact["keyPrefix"], "003");
    assert_eq!(contact["urls"]["describe"], "/services/data/v66.0/sobjects/Contact/describe");
    let (_, described) = get(&sim, &bearer, "/services/data/v66.0/sobjects/Lead/describe", &[]).await;
    assert_eq!(
        (described["keyPrefix"].as_str(), described["urls"]["rowTemplate"].as_str()),
        (Some("00Q"), Some("/services/data/v66.0/sobjects/Lead/{ID}"))
    );

    // Retrieve one record, all fields or the named ones; unknown ids are 404.
    let (_, first) =
        soql(&sim, &bearer, "SELECT Id, LastName, AccountId FROM Contact ORDER BY LastName, Id LIMIT 1").await;
    let record = &first["records"][0];
    let id = record["Id"].as_str().unwrap();
    let (status, one) = get(&sim, &bearer, &format!("/services/data/v66.0/sobjects/Contact/{id}"), &[]).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!((&one["Id"], &one["LastName"]), (&record["Id"], &record["LastName"]));
    let (_, some) =
        get(&sim, &bearer, &format!("/services/data/v66.0/sobjects/Contact/{id}?fields=LastName"), &[]).await;
    assert_eq!(some.as_object().unwrap().len(), 2, "attributes and LastName only: {some}");
    let (status, missing) = get(&sim, &bearer, "/services/data/v66.0/sobjects/Contact/003000000000000AAA", &[]).await;
    assert_eq!((status, missing[0]["errorCode"].as_str()), (404, Some("NOT_FOUND")));

    // ORDER BY, LIMIT, OFFSET; relationship fields nested as Salesforce returns them.
    let (_, all) = soql(&sim, &bearer, "SELECT Id FROM Contact ORDER BY LastName, Id").await;
    let (_, window) = soql(&sim, &bearer, "SELECT Id FROM Contact ORDER BY LastName, Id LIMIT 3 OFFSET 2").await;
    let ids = |v: &Value| v["records"].as_array().unwrap().iter().map(|r| r["Id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&window), ids(&all)[2..5].to_vec());
    let (status, joined) =
        soql(&sim, &bearer, &format!("SELECT Id, Account.Name FROM Contact WHERE Id = '{id}'")).await;
    assert_eq!(status, 200, "{joined}");
    let account = &joined["records"][0]["Account"];
    assert_eq!(account["attributes"]["type"], "Account");
    let (_, account_row) = soql(
        &sim,
        &bearer,
        &format!("SELECT Name FROM Account WHERE Id = '{}'", record["AccountId"].as_str().unwrap()),
    )
    .await;
    assert_eq!(account["Name"], account_row["records"][0]["Name"]);

    // Booleans, !=, IN, LIKE, OR with parentheses, COUNT() with WHERE.
    let (_, converted) = soql(&sim, &bearer, "SELECT COUNT() FROM Lead WHERE IsConverted = true").await;
    let (_, open) = soql(&sim, &bearer, "SELECT COUNT() FROM Lead WHERE IsConverted != true").await;
    let (_, leads) = soql(&sim, &bearer, "SELECT COUNT() FROM Lead").await;
    let n = |v: &Value| v["totalSize"].as_u64().unwrap();
    assert!(n(&converted) > 0 && n(&open) > 0, "{converted} {open}");
    assert_eq!(n(&converted) + n(&open), n(&leads));
    let name = record["LastName"].as_str().unwrap();
    let (_, named) = soql(
        &sim,
        &bearer,
        &format!(
            "SELECT Id FROM Contact WHERE (LastName IN ('{name}', 'Nobody') OR LastName LIKE 'zzz%') AND Id != null"
        ),
    )
    .await;
    assert!(ids(&named).contains(&record["Id"]), "{named}");
    let (status, bad) = soql(&sim, &bearer, "SELECT Id FROM Contact WHERE Nope__r.Name = 'x'").await;
    assert_eq!((status, bad[0]["errorCode"].as_str()), (400, Some("INVALID_FIELD")));
    let (status, bad) = soql(&sim, &bearer, "SELECT Id FROM Contact WHERE LastName = 'x' OR").await;
    assert_eq!((status, bad[0]["errorCode"].as_str()), (400, Some("MALFORMED_QUERY")));
}
