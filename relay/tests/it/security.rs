//! The security review's findings, each as an attack that today's relay refuses, plus
//! the authorization matrix driven by the router's own route table. Runs on SQLite and
//! (with `CRMSYNC_TEST_POSTGRES`) on PostgreSQL like the rest of the suite.

use std::collections::BTreeSet;

use crmsync_relay::router::{method_of, Access, ROUTES};
use crmsync_relay::state::AppState;
use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::*;
use crate::writeback::{activity, api, org_records, ready, uuid, Ready};

/// A second seated rep with write-back on and every kind opted in: (user id, token).
async fn second_rep(r: &Ready) -> (String, String) {
    let other = r.other_user();
    r.run(&["seats", "add", "--user", &other.username]);
    r.run(&["writeback", "enable", "--user", &other.id]);
    let token = r.run(&["token", "--user", &other.username]).trim().to_string();
    let kinds = json!({"kinds": ["inmail", "message", "call", "note", "document_view"]});
    let (status, _) = api(&r.relay, &token, Method::PUT, "/api/v1/me/writeback", Some(kinds)).await;
    assert_eq!(status, 200);
    (other.id, token)
}

/// A URL's query value, percent-encoded.
fn encoded(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)]).unwrap().trim_start_matches("v=").to_string()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_never_hands_a_token_to_where_browsers_would_go_elsewhere() {
    let r = ready("sec-return-to", 100).await;
    let http = no_redirects();
    for evil in [
        "/\\evil.example/",
        "/\t/evil.example/",
        "https://x.chromiumapp.org:1@evil.example/",
        "http://localhost:@evil.example/",
        "//evil.example/",
        "https://evil.example/",
    ] {
        let url = format!("{}/api/v1/rep/sign-in?return_to={}", r.relay, encoded(evil));
        let response = http.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 400, "{evil:?} was accepted");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("return_to"), "{body}");
    }
    let good = "https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/signed-in";
    let response =
        http.get(format!("{}/api/v1/rep/sign-in?return_to={}", r.relay, encoded(good))).send().await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());

    // Pinned extension ids: another extension's identity URL is refused.
    let mut pinned = r.settings.clone();
    pinned.extension_ids = vec!["ponmlkjihgfedcbaponmlkjihgfedcba".into()];
    let relay = start_relay(pinned).await;
    let response = http.get(format!("{relay}/api/v1/rep/sign-in?return_to={}", encoded(good))).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("CRMSYNC_EXTENSION_IDS"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_match_moves_only_the_caller_s_unassigned_activities() {
    let r = ready("sec-match-others", 200).await;
    let (_, other_token) = second_rep(&r).await;
    let contact = org_records(&r.sim, "Contact").await[0]["Id"].as_str().unwrap().to_string();
    let seen = json!({"url": "https://www.linkedin.com/in/shared-prospect/", "name": "Shared Prospect"});
    let (status, _) = r.api(Method::POST, "/api/v1/directory/profiles", Some(seen)).await;
    assert_eq!(status, 200);
    let unassigned = |n: u64| {
        let mut a = activity(n, "message", None);
        a["profile_id"] = json!("shared-prospect");
        a
    };
    r.log(json!([unassigned(1)])).await;
    let (status, _) =
        api(&r.relay, &other_token, Method::POST, "/api/v1/activities", Some(json!([unassigned(2)]))).await;
    assert_eq!(status, 201);

    let decision = json!({"crm_id": contact, "network_id": "shared-prospect", "kind": "match"});
    let (status, body) = r.api(Method::POST, "/api/v1/matches", Some(decision)).await;
    assert_eq!(status, 200, "{body}");

    let (_, mine) = r.api(Method::GET, &format!("/api/v1/activities/{}", uuid(1)), None).await;
    assert_eq!((mine["state"].as_str(), mine["target"].as_str()), (Some("pending"), Some(contact.as_str())), "{mine}");
    let (_, theirs) = api(&r.relay, &other_token, Method::GET, &format!("/api/v1/activities/{}", uuid(2)), None).await;
    assert_eq!(theirs["state"], "unassigned", "another rep's activity moved: {theirs}");
    assert_eq!(theirs["target"], Value::Null);
    let (_, listed) = api(&r.relay, &other_token, Method::GET, "/api/v1/activities?state=unassigned", None).await;
    assert_eq!(listed[0]["suggested_target"], json!(contact), "shown to its owner as a suggestion: {listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_without_the_admin_says_the_state_only() {
    let r = ready("sec-status", 100).await;
    let keys = |v: &Value| v.as_object().map(|m| m.keys().cloned().collect::<BTreeSet<_>>()).unwrap_or_default();
    let anonymous: Value = reqwest::get(format!("{}/api/v1/status", r.relay)).await.unwrap().json().await.unwrap();
    assert_eq!(keys(&anonymous), BTreeSet::from(["connection".to_string(), "health".to_string()]), "{anonymous}");
    assert_eq!(anonymous["connection"], json!({"state": "connected"}));
    let (_, as_rep) = r.api(Method::GET, "/api/v1/status", None).await;
    assert_eq!(as_rep, anonymous, "a rep's token shows no more");
    let full = admin_status(&r.relay, &r.settings).await;
    let crmsync::core::api::ConnectionStatus::Connected { org_id, .. } = full.connection else { panic!("{full:?}") };
    assert_eq!(org_id, r.sim.org.org_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_back_is_checked_again_at_assign_retry_and_flush() {
    let r = ready("sec-writeback-late", 200).await;
    r.run(&["setup"]);
    let (other_id, other_token) = second_rep(&r).await;
    let lead = org_records(&r.sim, "Lead").await.iter().find(|l| l["IsConverted"] != json!("true")).unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_string();
    r.log(json!([activity(10, "call", Some(&lead)), activity(11, "call", None)])).await;
    let (status, _) = api(
        &r.relay,
        &other_token,
        Method::POST,
        "/api/v1/activities",
        Some(json!([activity(12, "call", Some(&lead))])),
    )
    .await;
    assert_eq!(status, 201);

    // The admin switches the first rep's write-back off: assigning is refused...
    r.run(&["writeback", "disable", "--user", &r.rep.id]);
    let (status, body) =
        r.api(Method::PUT, &format!("/api/v1/activities/{}/target", uuid(11)), Some(json!({"target": lead}))).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("not enabled"), "{body}");
    // ...and the second rep loses the seat.
    r.run(&["seats", "remove", "--user", &other_id]);

    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 0, failed 2"), "{flushed}");
    let state = AppState::open(r.settings.clone()).await.unwrap();
    let switched_off = state.store.activity(&uuid(10)).await.unwrap().unwrap();
    assert!(switched_off.error.as_deref().is_some_and(|e| e.contains("not enabled")), "{switched_off:?}");
    let unseated = state.store.activity(&uuid(12)).await.unwrap().unwrap();
    assert!(unseated.error.as_deref().is_some_and(|e| e.contains("no longer has a crmsync seat")), "{unseated:?}");
    let tasks = crate::writeback::soql(&r.sim, "SELECT Id FROM Task WHERE Crmsync_Activity_Id__c != null").await;
    assert!(tasks.is_empty(), "nothing was written: {tasks:?}");
    // Retrying needs the rules too.
    let (status, _) = r.api(Method::POST, &format!("/api/v1/activities/{}/retry", uuid(10)), None).await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_rep_cannot_pre_empt_a_backfill() {
    let r = ready("sec-backfill-ids", 100).await;
    let (_, attacker) = second_rep(&r).await;
    let messages = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT\n\
        2-a,,Ann Rep,https://www.linkedin.com/in/ann-rep,Bob Buyer,https://www.linkedin.com/in/bob-buyer,2023-05-17 14:02:11 UTC,,Hello Bob,INBOX,No\n\
        2-a,,Bob Buyer,https://www.linkedin.com/in/bob-buyer,Ann Rep,https://www.linkedin.com/in/ann-rep,2023-05-18 09:00:00 UTC,,Hi Ann,INBOX,No\n";
    // The attacker knows the messages (they were in the conversation) and the victim's id.
    let predicted = crmsync::core::network_messages::read_export(
        crmsync::core::network_messages::ExportKind::Messages,
        messages,
        &r.rep.id,
        None,
    )
    .unwrap();
    let squatted: Vec<Value> = predicted
        .activities
        .iter()
        .map(|a| json!({"id": a.id, "kind": "message", "subject": "", "body": "mine now", "occurred_at": "2026-11-25T14:03:00Z", "profile_id": "x"}))
        .collect();
    let (status, _) = api(&r.relay, &attacker, Method::POST, "/api/v1/activities", Some(Value::Array(squatted))).await;
    assert_eq!(status, 201);

    let report: Value = no_redirects()
        .post(format!("{}/api/v1/activities/backfill?file=messages", r.relay))
        .bearer_auth(&r.token)
        .body(messages)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((report["added"].as_u64(), report["already"].as_u64()), (Some(2), Some(0)), "{report}");
    assert_eq!(r.in_state("unassigned").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_has_security_headers_and_the_widget_only_the_org_s_frames() {
    let r = ready("sec-headers", 100).await;
    let www = r.settings.www_dir.clone();
    std::fs::write(www.join("admin.html"), "<title>admin</title>").unwrap();
    std::fs::write(www.join("widget.html"), "<title>widget</title>").unwrap();
    for path in ["/admin/", "/widget.html", "/api/v1/status", "/nope.js"] {
        let response = reqwest::get(format!("{}{path}", r.relay)).await.unwrap();
        let h = response.headers();
        let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
        for part in ["script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "frame-ancestors"]
        {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff", "{path}");
        assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer", "{path}");
        assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain http");
        if path == "/widget.html" {
            assert!(csp.contains(&format!("frame-ancestors 'self' {}", r.sim.base_url)), "{csp}");
            assert!(csp.contains(" https://acme.lightning.force.com"), "the My Domain's hosts too: {csp}");
            assert!(!csp.contains('*'), "no other customer's hosts: {csp}");
        } else {
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        }
    }

    // One token's flood is cut off with 429; another caller is not.
    let mut limited = r.settings.clone();
    limited.rate_limit_per_minute = 3;
    let relay = start_relay(limited).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(api(&relay, &r.token, Method::GET, "/api/v1/me", None).await.0);
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    let response = reqwest::Client::new().get(format!("{relay}/api/v1/me")).bearer_auth(&r.token).send().await.unwrap();
    assert!(response.headers().get("retry-after").is_some());
    let (_, other) = second_rep(&r).await;
    assert_eq!(api(&relay, &other, Method::GET, "/api/v1/me", None).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_forgets_everything_even_when_salesforce_cannot_revoke() {
    let r = ready("sec-disconnect", 100).await;
    let state = AppState::open(r.settings.clone()).await.unwrap();
    let mut connection = state.store.connection().await.unwrap().unwrap();
    // Salesforce unreachable for the revoke.
    connection.login_url = "http://127.0.0.1:9".into();
    state.store.save_connection(&connection).await.unwrap();
    let report = crmsync_relay::connect::disconnect(&state, true).await.expect("disconnects anyway");
    assert!(!report.revoked);
    assert!(state.store.connection().await.unwrap().is_none());
    assert_eq!(r.api(Method::GET, "/api/v1/me", None).await.0, 401, "every session ended");
    let tables: BTreeSet<&str> = report.purged.iter().map(|(t, _)| t.as_str()).collect();
    for table in ["crm_records", "crm_deletions", "network_profile_history", "activities", "seats", "web_sessions"] {
        assert!(tables.contains(table), "{table} missing from {tables:?}");
    }
    // The next console connect needs a new setup code; connecting may now be any org.
    assert!(state.store.fact("data_org_id").await.unwrap().is_none());
    assert!(state.store.fact("setup_code").await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_to_another_org_is_refused_and_a_new_org_ends_every_session() {
    let r = ready("sec-other-org", 100).await;
    let state = AppState::open(r.settings.clone()).await.unwrap();
    state.store.set_fact("data_org_id", "00D000000000001EAA").await.unwrap();
    let err = crmsync_relay::connect::connect_client_credentials(&state).await.unwrap_err();
    assert!(err.to_string().contains("clean-up"), "{err}");
    assert_eq!(r.api(Method::GET, "/api/v1/me", None).await.0, 200, "the refused connect changed nothing");

    // After a clean-up the store holds no org's data: a connect is allowed and ends sessions.
    state.store.delete_fact("data_org_id").await.unwrap();
    state.store.delete_connection().await.unwrap();
    let token = r.run(&["token", "--user", &r.rep.username]).trim().to_string();
    crmsync_relay::connect::connect_client_credentials(&state).await.unwrap();
    assert_eq!(api(&r.relay, &token, Method::GET, "/api/v1/me", None).await.0, 401);
    assert_eq!(state.store.fact("data_org_id").await.unwrap().as_deref(), Some(r.sim.org.org_id.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_folder_and_database_are_private() {
    let r = ready("sec-at-rest", 50).await;
    if !r.database.is_empty() {
        return; // PostgreSQL: the server owns its files.
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&r.data), 0o700);
    assert_eq!(mode(&r.data.join("crmsync.sqlite")), 0o600);
    assert_eq!(mode(&r.data.join("secret.key")), 0o600);
}

/// A stand-in for a path parameter.
fn concrete(path: &str, activity_id: &str) -> String {
    path.replace("{id}", activity_id).replace("{crm_id}", "003000000000001AAA")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_states_who_may_call_it_and_refuses_everyone_else() {
    let r = ready("sec-matrix", 100).await;
    let (_, other_token) = second_rep(&r).await;
    let (status, _) =
        api(&r.relay, &other_token, Method::POST, "/api/v1/activities", Some(json!([activity(77, "call", None)])))
            .await;
    assert_eq!(status, 201);
    let cookie = admin_cookie(&r.settings).await;
    let http = no_redirects();
    let mut public = Vec::new();
    for spec in ROUTES {
        let url = format!("{}{}", r.relay, concrete(spec.path, &uuid(1)));
        let method = method_of(spec);
        let anonymous = http.request(method.clone(), &url).send().await.unwrap().status().as_u16();
        match spec.access {
            Access::Public(why) => {
                assert!(anonymous < 500, "{} {}: {anonymous}", spec.method, spec.path);
                public.push(format!("{} {} ({why})", spec.method, spec.path));
            }
            Access::Rep => {
                assert_eq!(anonymous, 401, "{} {} without credentials", spec.method, spec.path);
                let with_cookie =
                    http.request(method.clone(), &url).header("cookie", &cookie).send().await.unwrap().status();
                assert_eq!(with_cookie, 401, "{} {} with the admin cookie", spec.method, spec.path);
            }
            Access::Admin => {
                assert_eq!(anonymous, 401, "{} {} without credentials", spec.method, spec.path);
                let with_token =
                    http.request(method.clone(), &url).bearer_auth(&r.token).send().await.unwrap().status();
                assert_eq!(with_token, 401, "{} {} with a rep's token", spec.method, spec.path);
            }
        }
        // Another rep's activity is not found, never shown or changed.
        if spec.path.starts_with("/api/v1/activities/{id}") {
            let theirs = format!("{}{}", r.relay, concrete(spec.path, &uuid(77)));
            let response = http
                .request(method.clone(), &theirs)
                .bearer_auth(&r.token)
                .json(&json!({"target": "00Q000000000001AAA"}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 404, "{} {} of another rep", spec.method, spec.path);
        }
    }
    eprintln!("public on purpose:\n  {}", public.join("\n  "));
    assert!(public.len() < ROUTES.len() / 2, "most routes need a session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_in_the_error_shape() {
    let r = ready("sec-too-large", 50).await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/activities", r.relay))
        .bearer_auth(&r.token)
        .header("content-type", "application/json")
        .body(vec![b' '; 3 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_large", "{body}");
}
