//! Activity write-back against sfsim: the admin commands exactly as documented, the HTTP
//! API with a rep's bearer token, setup through the Tooling API, and flushes that write
//! Tasks and Notes as the rep (owner) by the integration user (creator), with partial
//! failures, transient faults, an expired session and a lost note answer.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::*;

/// A connected, imported relay with one rep who has a seat, write-back on, every kind
/// opted in, and a session token.
pub struct Ready {
    pub sim: Sim,
    pub relay: String,
    pub data: PathBuf,
    pub database: String,
    pub rep: sfsim::DemoUser,
    pub token: String,
    /// The relay's settings (for a second relay on the same store, or an admin cookie).
    pub settings: crmsync_relay::config::Settings,
}

/// `crmsync ARGS` against the test's store and sim, not started; `extra` env pairs override.
pub fn cli_command(sim: &Sim, data: &Path, database: &str, args: &[&str], extra: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crmsync"));
    cmd.args(args)
        .env("DATABASE_URL", database)
        .env("CRMSYNC_SALESFORCE_LOGIN_URL", &sim.base_url)
        .env("CRMSYNC_SALESFORCE_CLIENT_ID", &sim.org.client_id)
        .env("CRMSYNC_SALESFORCE_CLIENT_SECRET", &sim.org.client_secret)
        .env("CRMSYNC_DATA_DIR", data)
        .env("CRMSYNC_WRITEBACK_RETRY_SECONDS", "0")
        .env("CRMSYNC_WRITEBACK_UNCERTAIN_SECONDS", "0")
        .env("CRMSYNC_LOG", "warn")
        .env_remove("CRMSYNC_SECRET_KEY")
        .env_remove("CRMSYNC_CONFIG");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd
}

/// Runs `crmsync ARGS` (see [`cli_command`]) to the end.
pub fn cli(sim: &Sim, data: &Path, database: &str, args: &[&str], extra: &[(&str, &str)]) -> Output {
    cli_command(sim, data, database, args, extra).output().unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

impl Ready {
    /// `crmsync ARGS`, which must succeed; answers standard output.
    pub fn run(&self, args: &[&str]) -> String {
        let out = cli(&self.sim, &self.data, &self.database, args, &[]);
        assert!(out.status.success(), "crmsync {args:?} failed: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A second active rep (not this one, not the integration user), given a seat; answers
    /// their session token (for checks that one rep cannot reach another's data).
    pub fn other_rep_token(&self) -> String {
        let other = self
            .sim
            .org
            .users
            .iter()
            .find(|u| u.is_active && u.id != self.rep.id && u.id != self.sim.org.integration_user_id)
            .expect("the demo org has a second active rep");
        self.run(&["seats", "add", "--user", &other.username]);
        self.run(&["token", "--user", &other.username]).trim().to_string()
    }

    /// `crmsync ARGS`, which must fail; answers what it printed.
    pub fn run_failing(&self, args: &[&str]) -> String {
        let out = cli(&self.sim, &self.data, &self.database, args, &[]);
        assert!(!out.status.success(), "crmsync {args:?} should fail: {}", text(&out));
        text(&out)
    }

    /// An active user of the org who is neither the prepared rep nor the integration user.
    pub fn other_user(&self) -> sfsim::DemoUser {
        let user = self
            .sim
            .org
            .users
            .iter()
            .find(|u| u.is_active && u.id != self.rep.id && u.id != self.sim.org.integration_user_id);
        user.expect("the demo org has a second active user").clone()
    }

    /// An API call with the rep's token.
    pub async fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        api(&self.relay, &self.token, method, path, body).await
    }

    /// Posts activities and asserts they were accepted.
    pub async fn log(&self, activities: Value) -> Value {
        let (status, body) = self.api(reqwest::Method::POST, "/api/v1/activities", Some(activities)).await;
        assert!(status == 201 || status == 200, "{status} {body}");
        body
    }

    /// The rep's activities in `state`.
    pub async fn in_state(&self, state: &str) -> Vec<Value> {
        let (status, body) = self.api(reqwest::Method::GET, &format!("/api/v1/activities?state={state}"), None).await;
        assert_eq!(status, 200, "{body}");
        body.as_array().cloned().unwrap_or_default()
    }
}

/// An API call with a bearer token.
pub async fn api(relay: &str, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, format!("{relay}{path}")).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Boots sfsim (`rows` CRM rows) and a relay, waits for the first import, and prepares a
/// rep with the commands an admin runs.
pub async fn ready(name: &str, rows: usize) -> Ready {
    let dir = temp_dir(name);
    let sim = start_sim_with(&dir, rows).await;
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    let settings = settings_for(&sim, &dir, &www, &sim.org.client_secret);
    let database = settings.database_url.clone().unwrap_or_default();
    let data = settings.data_dir.clone();
    let relay = start_relay(settings.clone()).await;
    for _ in 0..300 {
        let status = settled_status(&relay, &settings).await;
        if status.objects.get("User").is_some_and(|u| u.rows > 0) && status.objects.len() == 7 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rep = sim.org.users.iter().find(|u| u.is_active && u.id != sim.org.integration_user_id).unwrap().clone();
    let mut ready = Ready { sim, relay, data, database, rep: rep.clone(), token: String::new(), settings };
    ready.run(&["seats", "add", "--user", &rep.username]);
    ready.run(&["writeback", "enable", "--user", &rep.id]);
    ready.token = ready.run(&["token", "--user", &rep.username]).trim().to_string();
    let (status, prefs) = ready
        .api(
            reqwest::Method::PUT,
            "/api/v1/me/writeback",
            Some(json!({"kinds": ["inmail", "message", "call", "note", "document_view"]})),
        )
        .await;
    assert_eq!(status, 200, "{prefs}");
    assert_eq!(prefs["enabled"], json!(true));
    ready
}

/// Live records of `object` in sfsim (the oracle).
pub async fn org_records(sim: &Sim, object: &str) -> Vec<Value> {
    reqwest::get(format!("{}/__sim/records/{object}", sim.base_url)).await.unwrap().json().await.unwrap()
}

/// Records of a SOQL query through sfsim's REST API, every page.
pub async fn soql(sim: &Sim, query: &str) -> Vec<Value> {
    let token = sim_token(sim).await;
    let client = reqwest::Client::new();
    let first = format!("{}/services/data/v66.0/query", sim.base_url);
    let mut url = reqwest::Url::parse_with_params(&first, &[("q", query)]).unwrap().to_string();
    let mut records = Vec::new();
    loop {
        let page: Value = client.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        records.extend(page["records"].as_array().cloned().unwrap_or_default());
        match page["nextRecordsUrl"].as_str() {
            Some(next) => url = format!("{}{next}", sim.base_url),
            None => return records,
        }
    }
}

fn ids_of(records: &[Value], n: usize) -> Vec<String> {
    records.iter().take(n).map(|r| r["Id"].as_str().unwrap().to_string()).collect()
}

pub fn uuid(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

pub fn activity(n: u64, kind: &str, target: Option<&str>) -> Value {
    json!({
        "id": uuid(n), "kind": kind, "subject": format!("{kind} {n}"), "body": format!("body of activity {n}"),
        "occurred_at": "2026-11-25T14:03:00Z", "profile_id": format!("profile-{n}"), "target": target,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_then_flush_writes_each_kind_as_the_rep() {
    let r = ready("wb-kinds", 300).await;
    // Setup creates the field and both record types once, then finds them.
    let first = r.run(&["setup"]);
    assert_eq!(first.matches("created ").count(), 3, "{first}");
    let second = r.run(&["setup"]);
    assert_eq!(second.matches("ok ").count(), 3, "{second}");

    let leads = org_records(&r.sim, "Lead").await;
    let leads: Vec<&Value> = leads.iter().filter(|l| l["IsConverted"] != json!("true")).collect();
    let contacts = org_records(&r.sim, "Contact").await;
    let accounts = org_records(&r.sim, "Account").await;
    let lead = leads[0]["Id"].as_str().unwrap();
    let contact = contacts[0]["Id"].as_str().unwrap();
    let account = accounts[0]["Id"].as_str().unwrap();
    let logged = r
        .log(json!([
            activity(1, "inmail", Some(lead)),
            activity(2, "message", Some(contact)),
            activity(3, "call", Some(contact)),
            activity(4, "document_view", Some(lead)),
            activity(5, "note", Some(account)),
            activity(6, "note", Some(lead)),
            activity(7, "inmail", None),
        ]))
        .await;
    assert_eq!(logged.as_array().map(Vec::len), Some(7));
    assert_eq!(logged[6]["state"], json!("unassigned"));
    // The same id again is harmless: 200 and the stored activity.
    let (status, again) =
        r.api(reqwest::Method::POST, "/api/v1/activities", Some(activity(1, "inmail", Some(lead)))).await;
    assert_eq!((status, again["id"].as_str()), (200, Some(uuid(1).as_str())));

    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 6, failed 0"), "{flushed}");
    let written = r.in_state("written").await;
    assert_eq!(written.len(), 6);
    assert!(written.iter().all(|a| a["salesforce_url"].as_str().is_some_and(|u| u.contains("/lightning/r/"))));

    // In Salesforce: owned by the rep, created by the integration user, the right shape.
    let tasks = soql(
        &r.sim,
        "SELECT Id, OwnerId, CreatedById, WhoId, WhatId, RecordTypeId, TaskSubtype, Subject, Crmsync_Activity_Id__c FROM Task",
    )
    .await;
    assert_eq!(tasks.len(), 4);
    let types = soql(&r.sim, "SELECT Id, DeveloperName FROM RecordType").await;
    let type_id = |name: &str| types.iter().find(|t| t["DeveloperName"] == json!(name)).unwrap()["Id"].clone();
    let task = |n: u64| tasks.iter().find(|t| t["Crmsync_Activity_Id__c"] == json!(uuid(n))).unwrap().clone();
    for t in &tasks {
        assert_eq!(t["OwnerId"], json!(r.rep.id));
        assert_eq!(t["CreatedById"], json!(r.sim.org.integration_user_id));
        assert_eq!(t["WhatId"], Value::Null, "a lead's task has no WhatId: {t}");
    }
    assert_eq!(task(1)["RecordTypeId"], type_id("InMail"));
    assert_eq!(task(1)["WhoId"], json!(lead));
    assert_eq!(task(2)["RecordTypeId"], type_id("Message"));
    assert_eq!(task(3)["TaskSubtype"], json!("Call"));
    assert_eq!(task(4)["Subject"], json!("document_view 4"));
    let notes = soql(&r.sim, "SELECT Id, ParentId, Title, Body, OwnerId, CreatedById FROM Note").await;
    assert_eq!(notes.len(), 2);
    assert!(notes.iter().any(|n| n["ParentId"] == json!(account) && n["Title"] == json!("note 5")));
    assert!(notes
        .iter()
        .all(|n| n["OwnerId"] == json!(r.rep.id) && n["CreatedById"] == json!(r.sim.org.integration_user_id)));

    // The unassigned one is assigned in the widget, then flushes; nothing is written twice.
    let (status, assigned) = r
        .api(reqwest::Method::PUT, &format!("/api/v1/activities/{}/target", uuid(7)), Some(json!({"target": contact})))
        .await;
    assert_eq!((status, assigned["state"].as_str()), (200, Some("pending")), "{assigned}");
    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 1, failed 0"), "{flushed}");
    assert_eq!(soql(&r.sim, "SELECT Id FROM Task").await.len(), 5);
    let idle = r.run(&["flush"]);
    assert!(idle.contains("written 0, failed 0") && idle.contains("; 0 API calls"), "{idle}");

    let status: Value = serde_json::from_str(&r.run(&["status", "--json"])).unwrap();
    assert_eq!(status["activities"], json!({"pending": 0, "written": 7, "failed": 0, "unassigned": 0, "discarded": 0}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_and_commands_refuse_bad_input_clearly() {
    let r = ready("wb-refusals", 200).await;
    let lead = org_records(&r.sim, "Lead").await[0]["Id"].as_str().unwrap().to_string();
    let account = org_records(&r.sim, "Account").await[0]["Id"].as_str().unwrap().to_string();
    let refused = |status: u16, body: &Value, words: &str| {
        let message = body["error"]["message"].as_str().unwrap_or_default().to_string();
        assert!(message.contains(words), "{status}: {message} (wanted {words:?})");
        status
    };
    let (s, b) = r.api(reqwest::Method::POST, "/api/v1/activities", Some(activity(1, "call", Some(&account)))).await;
    assert_eq!(refused(s, &b, "accounts take notes only"), 400);
    let mut bad_time = activity(2, "call", Some(&lead));
    bad_time["occurred_at"] = json!("yesterday");
    let (s, b) = r
        .api(reqwest::Method::POST, "/api/v1/activities", Some(json!([activity(3, "call", Some(&lead)), bad_time])))
        .await;
    assert_eq!(refused(s, &b, "activities[1].occurred_at"), 400);
    // Nothing of a refused list was stored.
    assert!(r.in_state("pending").await.is_empty());
    let (s, b) = r.api(reqwest::Method::POST, "/api/v1/activities", Some(json!({"id": uuid(4), "kind": "sms"}))).await;
    assert_eq!(s, 400, "{b}");
    // A state filter is taken exactly as written: a blank, a space or an empty item is refused.
    for query in ["%09", "pending,", "pending,%20written", ",pending", "sent"] {
        let (s, b) = r.api(reqwest::Method::GET, &format!("/api/v1/activities?state={query}"), None).await;
        assert_eq!(refused(s, &b, "state"), 400, "state={query}");
    }
    assert!(r.in_state("pending,failed").await.is_empty());
    let (s, b) = api(&r.relay, "not-a-token", reqwest::Method::GET, "/api/v1/activities", None).await;
    assert_eq!(refused(s, &b, "unknown, expired or revoked"), 401);
    // Opted out of calls: refused with the way to opt in.
    let (_, prefs) = r.api(reqwest::Method::PUT, "/api/v1/me/writeback", Some(json!({"call": false}))).await;
    assert_eq!(prefs["kinds"]["call"], json!(false));
    let (s, b) = r.api(reqwest::Method::POST, "/api/v1/activities", Some(activity(5, "call", Some(&lead)))).await;
    assert_eq!(refused(s, &b, "PUT /api/v1/me/writeback"), 403);
    // Write-back switched off by the admin: refused.
    r.run(&["writeback", "disable", "--user", &r.rep.username]);
    let (s, b) = r.api(reqwest::Method::POST, "/api/v1/activities", Some(activity(6, "note", Some(&lead)))).await;
    assert_eq!(refused(s, &b, "not enabled for this user"), 403);
    // Commands name the problem.
    let inactive = r.sim.org.users.iter().find(|u| !u.is_active).unwrap();
    assert!(r.run_failing(&["seats", "add", "--user", &inactive.username]).contains("inactive"));
    assert!(r.run_failing(&["token", "--user", &r.sim.org.integration_user_id]).contains("has no seat"));
    assert!(r.run_failing(&["seats", "add", "--user", "nobody@example.com"]).contains("no Salesforce user"));
    // A removed seat ends the rep's sessions.
    r.run(&["seats", "remove", "--user", &r.rep.username]);
    let (s, b) = r.api(reqwest::Method::GET, "/api/v1/activities", None).await;
    assert_eq!(refused(s, &b, "session token"), 401);
    // The API is described.
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", r.relay)).await.unwrap().json().await.unwrap();
    assert!(doc["paths"]["/api/v1/activities"]["post"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_failures_transient_faults_and_an_expired_session() {
    let r = ready("wb-faults", 300).await;
    r.run(&["setup"]);
    let leads = org_records(&r.sim, "Lead").await;
    let leads: Vec<String> =
        ids_of(&leads.into_iter().filter(|l| l["IsConverted"] != json!("true")).collect::<Vec<_>>(), 20);
    // A target deleted in Salesforce fails for good; the rest of the call is written.
    let deleted = mutate(&r.sim, "Lead", 0, 0, 1).await["deleted"][0].as_str().unwrap().to_string();
    let mut batch = vec![activity(100, "inmail", Some(&deleted))];
    batch.extend((101..104).map(|n| activity(n, "message", Some(&leads[n as usize - 100]))));
    r.log(Value::Array(batch)).await;
    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 3, failed 1"), "{flushed}");
    let failed = r.in_state("failed").await;
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["error"].as_str().unwrap().contains("ENTITY_IS_DELETED"), "{}", failed[0]);

    // Two records locked: written on the next flush, once.
    r.log(json!([
        activity(110, "call", Some(&leads[10])),
        activity(111, "call", Some(&leads[11])),
        activity(112, "call", Some(&leads[12]))
    ]))
    .await;
    fault(&r.sim, json!({"kind": "record_lock", "count": 2})).await;
    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 1, failed 0, retrying later 2"), "{flushed}");
    let pending = r.in_state("pending").await;
    assert!(
        pending.iter().all(|a| a["error"].as_str().is_some_and(|e| e.contains("UNABLE_TO_LOCK_ROW"))),
        "{pending:?}"
    );
    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 2, failed 0"), "{flushed}");

    // Whole calls failing past the client's own retries (503, the daily limit, 500, a
    // whole-call lock) wait and retry at the next flush.
    for (n, kind) in [(120u64, "unavailable"), (121, "request_limit"), (122, "server_error"), (123, "unable_to_lock")] {
        r.log(json!([activity(n, "document_view", Some(&leads[n as usize - 107]))])).await;
        fault(&r.sim, json!({"kind": kind, "count": 5})).await;
        let flushed = r.run(&["flush"]);
        assert!(flushed.contains("written 0, failed 0, retrying later 1"), "{kind}: {flushed}");
        let flushed = r.run(&["flush"]);
        assert!(flushed.contains("written 1, failed 0"), "{kind}: {flushed}");
    }

    // A connection dropped mid-answer: the upsert is idempotent, so it is simply sent again.
    r.log(json!([activity(124, "inmail", Some(&leads[18]))])).await;
    fault(&r.sim, json!({"kind": "dropped_connection", "count": 1})).await;
    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 1, failed 0"), "{flushed}");

    // An admin's validation rule refuses one record for good, with its message.
    r.log(json!([activity(125, "message", Some(&leads[19])), activity(126, "message", Some(&leads[0]))])).await;
    fault(&r.sim, json!({"kind": "validation_rule", "count": 1})).await;
    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 1, failed 1"), "{flushed}");
    let failed = r.in_state("failed").await;
    assert!(failed
        .iter()
        .any(|a| a["error"].as_str().is_some_and(|e| e.contains("FIELD_CUSTOM_VALIDATION_EXCEPTION"))));
    // After the admin's fix, the rep retries it.
    let (s, b) = r.api(reqwest::Method::POST, &format!("/api/v1/activities/{}/retry", uuid(125)), None).await;
    assert_eq!((s, b["state"].as_str()), (200, Some("pending")), "{b}");
    assert!(r.run(&["flush"]).contains("written 1, failed 0"));

    // An owner made inactive in Salesforce since: refused for good (INACTIVE_OWNER_OR_USER).
    let inactive = r.sim.org.users.iter().find(|u| !u.is_active).unwrap().id.clone();
    let state = crmsync_relay::state::AppState::open(
        crmsync_relay::config::Settings::from_lookup(|k| match k {
            "CRMSYNC_DATA_DIR" => Some(r.data.display().to_string()),
            "DATABASE_URL" => Some(r.database.clone()).filter(|d| !d.is_empty()),
            _ => None,
        })
        .unwrap(),
    )
    .await
    .unwrap();
    // The user keeps a seat and write-back on crmsync's side; only Salesforce refuses.
    let seat = crmsync_relay::store::Seat { user_id: inactive.clone(), username: "inactive".into(), added_at_ms: 1 };
    state.store.add_seat(&seat).await.unwrap();
    state.store.set_writeback_enabled(&inactive, true, 1).await.unwrap();
    let from_inactive: crmsync::core::activity::NewActivity =
        serde_json::from_value(activity(127, "call", Some(&leads[1]))).unwrap();
    state.store.insert_activities(&inactive, &[from_inactive.check().unwrap()], 1).await.unwrap();
    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 0, failed 1"), "{flushed}");
    let stored = state.store.activity(&uuid(127)).await.unwrap().unwrap();
    assert!(stored.error.as_deref().is_some_and(|e| e.contains("INACTIVE_OWNER_OR_USER")), "{stored:?}");

    // An expired session is renewed once and the flush goes on.
    r.log(json!([activity(130, "inmail", Some(&leads[14]))])).await;
    fault(&r.sim, json!({"kind": "expired_session", "count": 1})).await;
    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 1, failed 0"), "{flushed}");

    // A note whose answer is lost mid-body is found on its parent, not written again.
    r.log(json!([activity(140, "note", Some(&leads[15]))])).await;
    fault(&r.sim, json!({"kind": "dropped_connection", "count": 1})).await;
    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 0"), "{flushed}");
    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 1") && flushed.contains("recovered 1"), "{flushed}");
    let notes = soql(&r.sim, &format!("SELECT Id FROM Note WHERE ParentId = '{}'", leads[15])).await;
    assert_eq!(notes.len(), 1);

    // The failed one, pointed at a live lead, is written after all.
    let (s, b) = r
        .api(
            reqwest::Method::PUT,
            &format!("/api/v1/activities/{}/target", uuid(100)),
            Some(json!({"target": leads[16]})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(r.run(&["flush"]).contains("written 1, failed 0"));
    // Every activity is in Salesforce exactly once.
    let tasks = soql(&r.sim, "SELECT Id, Crmsync_Activity_Id__c FROM Task").await;
    let mut keys: Vec<&str> = tasks.iter().filter_map(|t| t["Crmsync_Activity_Id__c"].as_str()).collect();
    let total = keys.len();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), total, "a Task was written twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_from_the_network_export_adds_each_message_once() {
    let r = ready("wb-backfill", 200).await;
    r.run(&["setup"]);
    let messages = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT\n\
        2-a,,Ann Rep,https://www.linkedin.com/in/ann-rep,Bob Buyer,https://www.linkedin.com/in/bob-buyer,2023-05-17 14:02:11 UTC,,Hello Bob,INBOX,No\n\
        2-a,,Bob Buyer,https://www.linkedin.com/in/bob-buyer,Ann Rep,https://www.linkedin.com/in/ann-rep,2023-05-18 09:00:00 UTC,,Hi Ann,INBOX,No\n\
        2-b,,Ann Rep,https://www.linkedin.com/in/ann-rep,Cy Client,https://www.linkedin.com/in/cy,not a date,,Hm,INBOX,No\n";
    let file = r.data.join("messages.csv");
    std::fs::write(&file, messages).unwrap();
    let first = r.run(&["backfill", "--user", &r.rep.username, &file.display().to_string()]);
    assert!(first.contains("2 added (unassigned), 0 already imported, 1 skipped"), "{first}");
    assert!(first.contains("unreadable date"), "{first}");
    let again = r.run(&["backfill", "--user", &r.rep.username, &file.display().to_string()]);
    assert!(again.contains("0 added (unassigned), 2 already imported"), "{again}");

    let invitations =
        "From,To,Sent At,Message,Direction\nAnn Rep,Dee Dean,\"5/17/23, 2:02 PM\",Let's connect,OUTGOING\n";
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/activities/backfill?file=invitations&owner=Ann%20Rep", r.relay))
        .bearer_auth(&r.token)
        .body(invitations)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["added"], json!(1), "{report}");

    let unassigned = r.in_state("unassigned").await;
    assert_eq!(unassigned.len(), 3);
    assert!(unassigned.iter().any(|a| a["profile_id"] == json!("bob-buyer") && a["kind"] == json!("message")));
    // Assigned to a contact, a backfilled message flushes as a Message Task.
    let contact = org_records(&r.sim, "Contact").await[0]["Id"].as_str().unwrap().to_string();
    let id = unassigned[0]["id"].as_str().unwrap().to_string();
    let (s, b) =
        r.api(reqwest::Method::PUT, &format!("/api/v1/activities/{id}/target"), Some(json!({"target": contact}))).await;
    assert_eq!(s, 200, "{b}");
    assert!(r.run(&["flush"]).contains("written 1, failed 0"));
    let tasks = soql(&r.sim, &format!("SELECT Id, WhoId FROM Task WHERE Crmsync_Activity_Id__c = '{id}'")).await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["WhoId"], json!(contact));
}
