//! The relay's Salesforce parsers against payloads nobody here wrote: Salesforce's own
//! documentation examples and HTTP exchanges recorded in other projects' tests
//! (`docs/salesforce/payloads/`, provenance in its SOURCES.md). Each must read as the
//! relay reads a live org's answer.

use std::path::PathBuf;

use crmsync::core::api::ApiUsage;
use crmsync_relay::salesforce::bulk::JobInfo;
use crmsync_relay::salesforce::client::read_error;
use crmsync_relay::salesforce::oauth::token_error;
use crmsync_relay::salesforce::writes::SaveResult;
use crmsync_relay::salesforce::{Identity, SalesforceError, TokenResponse};
use serde_json::Value;

fn payload(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/salesforce/payloads").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn token_responses_of_every_flow_read_with_their_identity_url() {
    for name in [
        "oauth_client_credentials_token_response_doc_example.json",
        "oauth_jwt_bearer_token_response_doc_example.json",
        "oauth_web_server_flow_token_response_doc_example.json",
        "oauth_refresh_token_response_doc_example.json",
        "oauth_refresh_token_grant_response_recorded.json",
    ] {
        let token: TokenResponse = serde_json::from_str(&payload(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!token.instance_url.is_empty() && token.id.contains("/id/"), "{name}: {token:?}");
        let access = token.access_token().expose().to_string();
        assert!(!access.is_empty(), "{name}");
        assert!(!format!("{token:?}").contains(&access), "{name}: a token never shows in Debug output");
    }
    // Only a grant with the refresh_token scope answers one (this doc example asked "web openid").
    let web: TokenResponse =
        serde_json::from_str(&payload("oauth_web_server_flow_token_response_doc_example.json")).unwrap();
    assert!(web.refresh_token().is_none());
    let refreshed: TokenResponse =
        serde_json::from_str(&payload("oauth_refresh_token_response_doc_example.json")).unwrap();
    assert!(refreshed.signature.is_some(), "a refresh answer is signed, and the relay checks it");
}

#[test]
fn the_identity_url_answer_names_user_org_and_username() {
    let identity: Identity = serde_json::from_str(&payload("identity_url_response_mobilesdk.json")).unwrap();
    assert!(identity.user_id.starts_with("005") && identity.organization_id.starts_with("00D"), "{identity:?}");
    assert!(identity.username.contains('@'));
}

#[test]
fn oauth_refusals_read_as_login_errors_with_salesforces_words() {
    let mut seen = 0;
    for line in payload("oauth_token_errors_observed.jsonl").lines().filter(|l| !l.trim().is_empty()) {
        let record: Value = serde_json::from_str(line).unwrap();
        // Some entries only describe a bodiless answer (a revoke's bare 200).
        if record.get("body").is_none() {
            continue;
        }
        let body = serde_json::to_vec(&record["body"]).unwrap();
        let status = record["http_status"].as_u64().unwrap_or(400) as u16;
        match token_error("https://login.salesforce.com/services/oauth2/token", status, &body) {
            SalesforceError::OAuth { error, description, .. } => {
                assert_eq!(error, record["body"]["error"].as_str().unwrap());
                assert_eq!(description, record["body"]["error_description"].as_str().unwrap_or_default());
            }
            other => panic!("{line}: {other:?}"),
        }
        seen += 1;
    }
    assert!(seen >= 3, "{seen} OAuth errors");
}

#[test]
fn rest_error_bodies_keep_their_code_and_an_expired_session_is_known() {
    let expired = payload("rest_401_INVALID_SESSION_ID_response_recorded.json");
    assert!(read_error(
        "https://x.my.salesforce.com/services/data/v37.0/sobjects/User/describe",
        401,
        expired.as_bytes()
    )
    .is_invalid_session());
    let mut seen = 0;
    for line in payload("rest_error_bodies_observed.jsonl").lines().filter(|l| !l.trim().is_empty()) {
        let record: Value = serde_json::from_str(line).unwrap();
        let body = serde_json::to_vec(&record["body"]).unwrap();
        let status = record["http_status"].as_u64().unwrap_or(400) as u16;
        // A Collections answer is 200 with an error per record: read as the flush reads it.
        if record["body"][0].get("success").is_some() {
            let results: Vec<SaveResult> = serde_json::from_slice(&body).unwrap();
            let codes: Vec<&str> = results.iter().flat_map(|r| &r.errors).map(|e| e.status_code.as_str()).collect();
            assert_eq!(codes.join(" / "), record["errorCode"].as_str().unwrap(), "{line}");
            seen += 1;
            continue;
        }
        match read_error("https://x.my.salesforce.com/services/data/v66.0/query", status, &body) {
            SalesforceError::Rest { code, message, .. } => {
                assert_eq!(code, record["errorCode"].as_str().unwrap(), "{line}");
                assert!(!message.is_empty());
            }
            other => panic!("{line}: {other:?}"),
        }
        seen += 1;
    }
    assert!(seen >= 5, "{seen} REST errors");
}

#[test]
fn bulk_jobs_and_their_csv_results_read() {
    for name in ["bulk2_query_create_response_doc_example.json", "bulk2_query_job_status_JobComplete_doc_example.json"]
    {
        let job: Result<JobInfo, _> = serde_json::from_str(&payload(name));
        assert!(job.is_ok(), "{name}: {job:?}");
    }
    let csv = payload("bulk2_query_results_doc_example.csv");
    let mut reader = crmsync::core::csv::Reader::new(&csv);
    let mut fields = Vec::new();
    let mut rows = Vec::new();
    while let Some(record) = reader.next_record(&mut fields) {
        record.unwrap();
        rows.push(fields.iter().map(|f| f.to_string()).collect::<Vec<_>>());
    }
    assert_eq!(rows[0], ["Id", "Name"]);
    assert!(rows.len() > 2 && rows.iter().all(|r| r.len() == 2), "{rows:?}");
    assert!(rows[1..].iter().all(|r| r[0].starts_with("005")));
}

#[test]
fn collections_results_say_per_record_what_happened() {
    let created: Vec<SaveResult> = serde_json::from_str(&payload("composite_sobjects_create_response.json")).unwrap();
    assert!(!created.is_empty() && created.iter().all(|r| r.success && r.id.is_some()));
    let upserted: Vec<SaveResult> =
        serde_json::from_str(&payload("composite_sobjects_upsert_by_extid_response_mixed_created.json")).unwrap();
    assert_eq!(
        upserted.iter().map(|r| r.created).collect::<Vec<_>>(),
        [Some(false), Some(false), Some(false), Some(true)]
    );
}

#[test]
fn the_limit_header_of_a_recorded_answer_gives_the_api_usage() {
    let headers = payload("rest_200_sforce_limit_info_headers_recorded.txt");
    let line = headers.lines().find_map(|l| l.strip_prefix("sforce-limit-info: ")).unwrap();
    assert_eq!(ApiUsage::from_limit_info(line), Some(ApiUsage { used: 75, max: 15000 }));
}
