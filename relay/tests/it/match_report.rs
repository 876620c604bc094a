//! The org-wide matcher in the relay and the match-rate report over real sockets: a
//! Connections.csv of the org's own people makes them matched; decisions move records
//! between the counts; the export lists exactly the unmatched and low-confidence records;
//! an incremental import re-scores only what changed; the widget's match is the stored one.

use std::collections::{BTreeSet, HashMap};

use reqwest::Method;
use serde_json::{json, Value};

use crate::admin::admin_api;
use crate::harness::{admin_cookie, mutate};
use crate::writeback::{org_records, ready, Ready};

fn text<'a>(record: &'a Value, field: &str) -> &'a str {
    record[field].as_str().unwrap_or_default()
}

fn counts(report: &Value, object: &str) -> [u64; 5] {
    let o = &report["objects"][object];
    ["records", "matched_auto", "matched_manual", "low_confidence", "unmatched"].map(|k| o[k].as_u64().unwrap())
}

fn report_json(r: &Ready) -> Value {
    serde_json::from_str(&r.run(&["match-report", "--json"])).unwrap()
}

/// The export's rows (header dropped), keyed by id.
fn export(r: &Ready, name: &str) -> HashMap<String, Vec<String>> {
    let path = r.data.join(name);
    r.run(&["match-report", "--csv", path.to_str().unwrap()]);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut reader = crmsync::core::csv::Reader::new(&text);
    let mut fields = Vec::new();
    let mut rows = HashMap::new();
    let mut first = true;
    while let Some(line) = reader.next_record(&mut fields) {
        line.unwrap();
        let row: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        if std::mem::take(&mut first) {
            assert_eq!(row[..6], ["crm_id", "object", "name", "company", "owner", "state"]);
            continue;
        }
        rows.insert(row[0].clone(), row);
    }
    rows
}

/// The last matching run's report, read from the store.
async fn last_run(r: &Ready) -> Value {
    let store = crmsync_relay::store::open(Some(r.database.as_str()).filter(|d| !d.is_empty()), &r.data).await.unwrap();
    let runs = store.match_runs(1).await.unwrap();
    serde_json::from_str(&runs.last().unwrap().report_json).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_decisions_and_imports_move_the_match_rates() {
    let r = ready("match-report", 300).await;
    let contacts = org_records(&r.sim, "Contact").await;
    let accounts: HashMap<String, Value> =
        org_records(&r.sim, "Account").await.into_iter().map(|a| (text(&a, "Id").to_string(), a)).collect();

    // After the first import nobody is matched: the directory is empty.
    let before = report_json(&r);
    for object in ["Lead", "Contact", "Account"] {
        let [records, auto, manual, low, unmatched] = counts(&before, object);
        assert!(records > 0, "{object}: {before}");
        assert_eq!((auto, manual, low, unmatched), (0, 0, 0, records), "{object}: {before}");
    }
    assert_eq!(before["directory"], json!({"people": 0, "companies": 0}));
    assert_eq!(before["objects"]["Contact"]["records"].as_u64().unwrap() as usize, contacts.len());

    // A rep uploads Connections.csv with 20 of the org's contacts (name, company, e-mail).
    let uploaded: Vec<&Value> = contacts
        .iter()
        .filter(|c| !text(c, "Email").is_empty() && !text(c, "LastName").is_empty())
        .filter(|c| accounts.contains_key(text(c, "AccountId")))
        .take(20)
        .collect();
    assert_eq!(uploaded.len(), 20);
    let mut csv = String::from("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n");
    for (i, c) in uploaded.iter().enumerate() {
        let company = text(&accounts[text(c, "AccountId")], "Name");
        csv.push_str(&crmsync::core::csv::line(&[
            text(c, "FirstName"),
            text(c, "LastName"),
            &format!("https://www.linkedin.com/in/person-{i}"),
            text(c, "Email"),
            company,
            "Buyer",
            "01 Jan 2026",
        ]));
    }
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/directory/connections", r.relay))
        .bearer_auth(&r.token)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let after = report_json(&r);
    let [records, auto, manual, low, unmatched] = counts(&after, "Contact");
    assert_eq!(records, auto + manual + low + unmatched, "{after}");
    assert!(auto >= 20, "each uploaded contact is matched: {after}");
    assert_eq!(after["directory"]["people"], 20);
    let history = after["history"].as_array().unwrap();
    assert!(history.len() >= 2 && history.last().unwrap()["matched"].as_u64().unwrap() >= 20, "{after}");
    let run = last_run(&r).await;
    assert_eq!(run["trigger"], "directory");
    assert!(run["people"]["model_made"].as_bool().unwrap(), "the directory grew from nothing: a new model: {run}");

    // One more profile seen on a page: an incremental pass over what it touches.
    let extra = contacts
        .iter()
        .find(|c| !text(c, "LastName").is_empty() && !uploaded.iter().any(|u| u["Id"] == c["Id"]))
        .unwrap();
    let name = format!("{} {}", text(extra, "FirstName"), text(extra, "LastName"));
    let headline = match accounts.get(text(extra, "AccountId")) {
        Some(a) => format!("Buyer at {}", text(a, "Name")),
        None => "Buyer".into(),
    };
    let (status, body) = r
        .api(
            Method::POST,
            "/api/v1/directory/profiles",
            Some(json!({"profiles": [{"url": "https://www.linkedin.com/in/extra-one/", "name": name, "headline": headline}]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let run = last_run(&r).await;
    assert!(!run["people"]["full"].as_bool().unwrap() && !run["people"]["model_made"].as_bool().unwrap(), "{run}");
    let rescored = run["people"]["rescored_records"].as_u64().unwrap();
    assert!((1..=10).contains(&rescored), "one new profile, {rescored} people re-scored: {run}");
    let after = report_json(&r);
    let [records, auto, manual, low, unmatched] = counts(&after, "Contact");
    assert_eq!(records, auto + manual + low + unmatched, "{after}");

    // The same profile seen again changes no link: browsers keep their index (304).
    let index = |etag: Option<String>| {
        let mut request = reqwest::Client::new().get(format!("{}/api/v1/index", r.relay)).bearer_auth(&r.token);
        if let Some(etag) = etag {
            request = request.header("if-none-match", etag);
        }
        request.send()
    };
    let etag = index(None).await.unwrap().headers()["etag"].to_str().unwrap().to_string();
    let again =
        json!({"profiles": [{"url": "https://www.linkedin.com/in/extra-one/", "name": name, "headline": headline}]});
    assert_eq!(r.api(Method::POST, "/api/v1/directory/profiles", Some(again)).await.0, 200);
    assert_eq!(last_run(&r).await["written"], 0);
    assert_eq!(index(Some(etag)).await.unwrap().status(), 304, "nothing changed, nothing to download");

    // The widget shows the stored match, with its probability.
    let first = text(uploaded[0], "Id");
    let (status, state) = r.api(Method::GET, &format!("/api/v1/matches/{first}"), None).await;
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["matched"]["profile"]["network_id"], "person-0", "{state}");
    assert_eq!(state["matched"]["method"], "auto");

    // The same link everywhere: the browser's index lookup, the widget and the store.
    let snapshot =
        reqwest::Client::new().get(format!("{}/api/v1/index", r.relay)).bearer_auth(&r.token).send().await.unwrap();
    let index = crmsync::core::badge::BadgeIndex::decode(&snapshot.bytes().await.unwrap()).unwrap();
    for (i, c) in uploaded.iter().enumerate() {
        let company = text(&accounts[text(c, "AccountId")], "Name");
        let seen = crmsync::core::badge::Observed {
            url: format!("https://www.linkedin.com/in/person-{i}/"),
            name: format!("{} {}", text(c, "FirstName"), text(c, "LastName")),
            headline: "Buyer".into(),
            company: company.into(),
            ..Default::default()
        };
        let hit = index.lookup_person(&format!("person-{i}"), &seen.person_record().unwrap()).unwrap();
        let (_, widget) = r.api(Method::GET, &format!("/api/v1/matches/{}", text(c, "Id")), None).await;
        assert_eq!(hit.crm_id, text(c, "Id"), "the badge of person-{i}");
        assert_eq!(widget["matched"]["profile"]["network_id"], format!("person-{i}").as_str(), "{widget}");
        let p = widget["matched"]["probability"].as_f64().unwrap();
        assert!((hit.probability - p).abs() < 1e-5, "badge {} vs widget {p}", hit.probability);
    }

    // "Not this one" moves it out of matched_auto; a manual match moves another in.
    let (status, _) = r
        .api(
            Method::POST,
            "/api/v1/matches",
            Some(json!({"crm_id": first, "network_id": "person-0", "kind": "not_match"})),
        )
        .await;
    assert_eq!(status, 200);
    let second = text(uploaded[1], "Id");
    let (status, _) = r
        .api(
            Method::POST,
            "/api/v1/matches",
            Some(json!({"crm_id": second, "network_id": "person-1", "kind": "match"})),
        )
        .await;
    assert_eq!(status, 200);
    let decided = report_json(&r);
    let [_, auto2, manual2, low2, unmatched2] = counts(&decided, "Contact");
    assert_eq!((auto2, manual2), (auto - 2, manual + 1), "{decided}");
    assert_eq!(low2 + unmatched2, low + unmatched + 1, "{decided}");
    let (_, state) = r.api(Method::GET, &format!("/api/v1/matches/{first}"), None).await;
    assert_eq!(state["matched"], Value::Null, "{state}");

    // The export lists exactly the unmatched and low-confidence records, of every object.
    let rows = export(&r, "report.csv");
    let expected: u64 = ["Lead", "Contact", "Account"]
        .iter()
        .map(|o| {
            let [_, _, _, low, unmatched] = counts(&decided, o);
            low + unmatched
        })
        .sum();
    assert_eq!(rows.len() as u64, expected);
    assert_eq!(rows[first][5], "unmatched", "{:?}", rows[first]);
    assert!(
        !rows.contains_key(second) && !rows.contains_key(text(uploaded[2], "Id")),
        "matched records are not listed"
    );
    let objects: BTreeSet<&str> = rows.values().map(|r| r[1].as_str()).collect();
    assert_eq!(objects, BTreeSet::from(["Account", "Contact", "Lead"]));

    // The same over HTTP, for admins only.
    let cookie = admin_cookie(&r.settings).await;
    let (status, http_report) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/match-report", None).await;
    assert_eq!(status, 200);
    assert_eq!(http_report["objects"], decided["objects"]);
    let (status, _) = admin_api(&r, "crmsync_admin=forged", Method::GET, "/api/v1/admin/match-report", None).await;
    assert_eq!(status, 401);
    let csv = reqwest::Client::new()
        .get(format!("{}/api/v1/admin/match-report.csv", r.relay))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.text().await.unwrap().lines().count(), rows.len() + 1);

    // The decisions' audit trail: newest first, with who and what, filterable.
    let (status, trail) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/decisions", None).await;
    assert_eq!(status, 200, "{trail}");
    assert_eq!(trail["total"], 2);
    assert_eq!(trail["decisions"][0]["kind"], "match");
    assert_eq!(trail["decisions"][0]["crm_id"], second);
    assert_eq!(trail["decisions"][0]["user"], r.rep.username.as_str());
    assert_eq!(trail["decisions"][1]["kind"], "not_match");
    let (_, one) = admin_api(&r, &cookie, Method::GET, &format!("/api/v1/admin/decisions?record={first}"), None).await;
    assert_eq!(one["total"], 1, "{one}");
    let (status, _) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/decisions?format=xml", None).await;
    assert_eq!(status, 400);

    // An incremental import that changed 3 contacts re-scores only what they touch.
    mutate(&r.sim, "Contact", 3, 0, 0).await;
    r.run(&["import"]);
    let run = last_run(&r).await;
    assert_eq!(run["trigger"], "import", "{run}");
    assert!(!run["people"]["full"].as_bool().unwrap(), "{run}");
    let rescored = run["people"]["rescored_records"].as_u64().unwrap();
    assert!((3..=10).contains(&rescored), "3 changed contacts, {rescored} people re-scored: {run}");
    assert_eq!(run["companies"]["rescored_records"], 0, "{run}");
    let again = report_json(&r);
    let [records, auto, manual, low, unmatched] = counts(&again, "Contact");
    assert_eq!(records, auto + manual + low + unmatched);
    assert_eq!(manual, manual2, "decisions survive imports");
}
