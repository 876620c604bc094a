//! The org-wide directory and manual matching over HTTP, as the extension and widget
//! use them: observations, Connections.csv, search, a record's automatic match with its
//! explanation, "not this one", re-match and unmatch stored with who and when, and the
//! badge index honouring decisions for every user.

use std::collections::HashMap;

use crmsync::core::badge::{BadgeIndex, Observed};
use reqwest::Method;
use serde_json::{json, Value};

use crate::writeback::{org_records, ready};

fn text<'a>(record: &'a Value, field: &str) -> &'a str {
    record[field].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_matches_and_decisions_reach_every_lookup() {
    let r = ready("matching", 200).await;
    let contacts = org_records(&r.sim, "Contact").await;
    let accounts: HashMap<String, Value> =
        org_records(&r.sim, "Account").await.into_iter().map(|a| (text(&a, "Id").to_string(), a)).collect();
    let ada = contacts
        .iter()
        .find(|c| !text(c, "LastName").is_empty() && accounts.contains_key(text(c, "AccountId")))
        .unwrap()
        .clone();
    let ada_id = text(&ada, "Id").to_string();
    let company = text(&accounts[text(&ada, "AccountId")], "Name").to_string();
    let full_name = format!("{} {}", text(&ada, "FirstName"), text(&ada, "LastName"));

    // Nothing seen yet: no match.
    let (status, state) = r.api(Method::GET, &format!("/api/v1/matches/{ada_id}"), None).await;
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["matched"], Value::Null);
    assert_eq!(state["name"], full_name.as_str());

    // A rep's browser saw her profile, a namesake elsewhere, and a bad row.
    let (status, report) = r
        .api(
            Method::POST,
            "/api/v1/directory/profiles",
            Some(json!({"profiles": [
                {"url": "https://www.linkedin.com/in/ada-real/", "name": full_name, "headline": format!("Director at {company}"),
                 "location": text(&ada, "MailingCity")},
                {"url": "https://www.linkedin.com/in/ada-namesake/", "name": full_name, "headline": "Baker at Crumbs Ltd"},
                {"url": "https://www.linkedin.com/feed/", "name": "Nobody"}
            ]})),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["new"].as_u64(), report["skipped"].as_u64()), (Some(2), Some(1)));
    assert!(report["problems"][0].as_str().unwrap().contains("profiles[2]"), "{report}");

    let (_, state) = r.api(Method::GET, &format!("/api/v1/matches/{ada_id}"), None).await;
    assert_eq!(state["matched"]["profile"]["network_id"], "ada-real", "{state}");
    assert_eq!(state["matched"]["method"], "auto");
    assert!(state["matched"]["explanation"].as_str().unwrap().contains("last_name"), "{state}");

    // "Not this one": the namesake is all that is left, and too weak to be shown.
    let decide = |network_id: &str, kind: &str| json!({"crm_id": ada_id, "network_id": network_id, "kind": kind});
    let (status, state) = r.api(Method::POST, "/api/v1/matches", Some(decide("ada-real", "not_match"))).await;
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["rejected"], json!(["ada-real"]));
    assert_ne!(state["matched"]["profile"]["network_id"], "ada-real");

    // A message about the namesake's profile, logged before anyone matched it: unassigned.
    let mut waiting = crate::writeback::activity(900, "message", None);
    waiting["profile_id"] = json!("ada-namesake");
    r.log(waiting).await;
    assert_eq!(r.in_state("unassigned").await.len(), 1);
    // Re-match by hand to a profile found by search; it is stored with who and when.
    let (status, found) = r.api(Method::GET, "/api/v1/directory/search?q=namesake", None).await;
    assert_eq!(status, 200);
    assert_eq!(found.as_array().unwrap().len(), 0, "search is by name, not by slug");
    let last = text(&ada, "LastName").to_lowercase();
    let (_, found) = r.api(Method::GET, &format!("/api/v1/directory/search?q={last}"), None).await;
    assert_eq!(found.as_array().unwrap().len(), 2, "{found}");
    let (_, state) = r.api(Method::POST, "/api/v1/matches", Some(decide("ada-namesake", "match"))).await;
    assert_eq!(state["matched"]["profile"]["network_id"], "ada-namesake");
    assert_eq!(state["matched"]["method"], "manual");
    assert_eq!(state["matched"]["decided_by"], r.rep.id.as_str());
    // The match gives the waiting message its record, and later ones get it at once.
    let pending = r.in_state("pending").await;
    assert_eq!((pending.len(), pending[0]["target"].as_str()), (1, Some(ada_id.as_str())), "{pending:?}");
    let mut later = crate::writeback::activity(901, "call", None);
    later["profile_id"] = json!("ada-namesake");
    let stored = r.log(later).await;
    assert_eq!((stored["target"].as_str(), stored["state"].as_str()), (Some(ada_id.as_str()), Some("pending")));

    // Every user's badge index now links the namesake's page to her, by hand.
    let bytes = reqwest::Client::new()
        .get(format!("{}/api/v1/index", r.relay))
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let index = BadgeIndex::decode(&bytes).unwrap();
    let page = |slug: &str, headline: &str| Observed {
        url: format!("https://www.linkedin.com/in/{slug}/"),
        name: full_name.clone(),
        headline: headline.into(),
        ..Observed::default()
    };
    let badge = page("ada-namesake", "Baker at Crumbs Ltd").badge(Some(&index), "").unwrap();
    assert_eq!(badge.crm_id.as_deref(), Some(ada_id.as_str()));
    assert!(badge.title.contains("matched by hand"), "{}", badge.title);
    let real = page("ada-real", &format!("Director at {company}")).badge(Some(&index), "").unwrap();
    assert_ne!(real.crm_id.as_deref(), Some(ada_id.as_str()), "rejected, and she is matched elsewhere");

    // Unmatch: the model decides again (the real profile stays rejected).
    let (_, state) = r.api(Method::POST, "/api/v1/matches", Some(decide("", "unmatch"))).await;
    assert_ne!(state["matched"]["method"], "manual", "{state}");

    // Refusals say what was wrong.
    let (status, body) = r.api(Method::POST, "/api/v1/matches", Some(decide("nobody-seen", "match"))).await;
    assert_eq!(status, 404);
    assert!(body["error"]["message"].as_str().unwrap().contains("not in the directory"), "{body}");
    let (status, body) = r.api(Method::GET, &format!("/api/v1/matches/{}", r.rep.id), None).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = r.api(Method::GET, "/api/v1/matches/003000000000000AAA", None).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_csv_joins_the_directory_and_changes_are_kept() {
    let r = ready("connections", 100).await;
    let csv = "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\n\
        First Name,Last Name,URL,Email Address,Company,Position,Connected On\n\
        Ada,Lovelace,https://www.linkedin.com/in/ada-lovelace-1815,,Analytical Engines,Mathematician,10 Dec 2024\n\
        Charles,Babbage,,,Difference Ltd,Inventor,01 Jan 2025\n";
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/directory/connections", r.relay))
        .bearer_auth(&r.token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!((report["new"].as_u64(), report["skipped"].as_u64()), (Some(1), Some(1)), "{report}");

    // Seen again on the page with a new headline: the latest observation wins.
    let seen = json!({"url": "https://www.linkedin.com/in/ada-lovelace-1815/", "name": "Ada Lovelace",
        "headline": "Countess at Analytical Engines"});
    let (_, report) = r.api(Method::POST, "/api/v1/directory/profiles", Some(seen.clone())).await;
    assert_eq!(report["changed"], 1, "{report}");
    let (_, report) = r.api(Method::POST, "/api/v1/directory/profiles", Some(seen)).await;
    assert_eq!(report["unchanged"], 1, "{report}");
    let (_, found) = r.api(Method::GET, "/api/v1/directory/search?q=lovelace", None).await;
    assert_eq!(found[0]["headline"], "Countess at Analytical Engines");
    assert_eq!(found[0]["url"], "https://www.linkedin.com/in/ada-lovelace-1815/");

    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/directory/connections", r.relay))
        .bearer_auth(&r.token)
        .body("name,whatever\nx,y\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("Connections.csv"), "{body}");
}
