//! Saved lists over real sockets against sfsim's demo org: after an import every owner's
//! automatic lists hold exactly the accounts and contact roles of their open
//! opportunities (computed here from sfsim's own records); an opportunity changing owner
//! adds the new owner's entries and leaves the old owner's; closing one removes nothing;
//! an entry removed by hand stays removed for its opportunity; a profile observation
//! with a new company alerts the rep who saved the person.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::sim_token;
use crate::writeback::{org_records, ready, Ready};

fn text<'a>(record: &'a Value, field: &str) -> &'a str {
    record[field].as_str().unwrap_or_default()
}

/// (list kind, crm id) → reason, per owner: the rule written out over sfsim's records.
type Expected = BTreeMap<String, BTreeMap<(String, String), BTreeSet<String>>>;

async fn expected(r: &Ready) -> Expected {
    let opps = org_records(&r.sim, "Opportunity").await;
    let roles = org_records(&r.sim, "OpportunityContactRole").await;
    let mut out = Expected::new();
    for o in opps.iter().filter(|o| text(o, "IsClosed") != "true") {
        let owner = out.entry(text(o, "OwnerId").to_string()).or_default();
        let reason = format!("auto: open opportunity {}", text(o, "Name"));
        if !text(o, "AccountId").is_empty() {
            owner.entry(("auto_accounts".into(), text(o, "AccountId").into())).or_default().insert(reason.clone());
        }
        for role in roles.iter().filter(|c| text(c, "OpportunityId") == text(o, "Id")) {
            owner.entry(("auto_people".into(), text(role, "ContactId").into())).or_default().insert(reason.clone());
        }
    }
    out
}

/// `crmsync lists show --user U --json`, as (kind, crm id) → reason of the automatic lists.
fn shown(r: &Ready, user: &str) -> BTreeMap<(String, String), String> {
    let out: Value = serde_json::from_str(&r.run(&["lists", "show", "--user", user, "--json"])).unwrap();
    let lists = out["lists"].as_array().unwrap();
    assert_eq!(lists[0]["name"], "My CRM accounts");
    assert_eq!(lists[1]["name"], "My CRM leads and contacts");
    let mut entries = BTreeMap::new();
    for list in lists.iter().filter(|l| l["kind"] != "manual") {
        for e in list["entries"].as_array().unwrap() {
            for field in ["crm_id", "object", "name", "reason", "saved_at", "network_id"] {
                assert!(e.get(field).is_some(), "{field} missing in {e}");
            }
            let key = (list["kind"].as_str().unwrap().to_string(), text(e, "crm_id").to_string());
            assert!(entries.insert(key, text(e, "reason").to_string()).is_none(), "saved twice: {e}");
        }
    }
    entries
}

/// The entries each owner has against what the rule wants: equal keys, each reason one
/// of the opportunities that want it.
fn assert_lists_follow_the_rule(r: &Ready, want: &Expected, context: &str) {
    for (owner, wanted) in want {
        let got = shown(r, owner);
        assert_eq!(
            got.keys().collect::<BTreeSet<_>>(),
            wanted.keys().collect::<BTreeSet<_>>(),
            "{context}: owner {owner}"
        );
        for (key, reason) in &got {
            assert!(wanted[key].contains(reason), "{context}: {owner} {key:?}: {reason} not in {:?}", wanted[key]);
        }
    }
}

async fn patch(r: &Ready, object: &str, id: &str, body: Value) {
    let url = format!("{}/services/data/v66.0/sobjects/{object}/{id}", r.sim.base_url);
    let response =
        reqwest::Client::new().patch(url).bearer_auth(sim_token(&r.sim).await).json(&body).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 204, "{}", response.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_save_follows_open_opportunities_and_never_removes() {
    let r = ready("lists-auto", 400).await;
    r.run(&["import"]);
    let want = expected(&r).await;
    assert!(want.len() >= 2, "the demo org has open opportunities of several owners: {want:?}");
    assert!(want.values().any(|w| w.keys().any(|(k, _)| k == "auto_people")), "contact roles are saved");
    assert_lists_follow_the_rule(&r, &want, "first import");
    // Nobody matched yet: every entry says so (network_id null) and links to a search.
    let lists: Value =
        serde_json::from_str(&r.run(&["lists", "show", "--user", want.keys().next().unwrap(), "--json"])).unwrap();
    let first = &lists["lists"][0]["entries"][0];
    assert_eq!(first["network_id"], Value::Null, "{first}");
    assert!(text(first, "network_url").starts_with("https://www.linkedin.com/search/results/companies/"), "{first}");

    // An open opportunity with an account and a contact role changes owner.
    let opps = org_records(&r.sim, "Opportunity").await;
    let roles = org_records(&r.sim, "OpportunityContactRole").await;
    let moved = opps
        .iter()
        .filter(|o| text(o, "IsClosed") != "true" && !text(o, "AccountId").is_empty())
        .find(|o| roles.iter().any(|c| text(c, "OpportunityId") == text(o, "Id")))
        .expect("an open opportunity with a contact role");
    let (old_owner, id) = (text(moved, "OwnerId").to_string(), text(moved, "Id").to_string());
    let new_owner = r
        .sim
        .org
        .users
        .iter()
        .find(|u| u.is_active && u.id != old_owner && u.id != r.sim.org.integration_user_id)
        .unwrap()
        .id
        .clone();
    let old_before = shown(&r, &old_owner);
    let new_before = shown(&r, &new_owner);
    patch(&r, "Opportunity", &id, json!({"OwnerId": new_owner})).await;
    r.run(&["import"]);
    let old_after = shown(&r, &old_owner);
    assert!(old_before.iter().all(|(k, v)| old_after.get(k) == Some(v)), "the old owner keeps every entry");
    let new_after = shown(&r, &new_owner);
    let reason = format!("auto: open opportunity {}", text(moved, "Name"));
    let account_key = ("auto_accounts".to_string(), text(moved, "AccountId").to_string());
    assert!(new_after.contains_key(&account_key), "the new owner gets the account: {new_after:?}");
    if !new_before.contains_key(&account_key) {
        assert_eq!(new_after[&account_key], reason);
    }
    for role in roles.iter().filter(|c| text(c, "OpportunityId") == id) {
        assert!(new_after.contains_key(&("auto_people".to_string(), text(role, "ContactId").to_string())));
    }

    // Closing it removes nothing from either owner.
    patch(&r, "Opportunity", &id, json!({"StageName": "Closed Lost"})).await;
    r.run(&["import"]);
    assert_eq!(shown(&r, &old_owner), old_after);
    assert_eq!(shown(&r, &new_owner), new_after);
    // Salesforce derives IsClosed from the stage; writing it is refused.
    let url = format!("{}/services/data/v66.0/sobjects/Opportunity/{id}", r.sim.base_url);
    let refused = reqwest::Client::new()
        .patch(url)
        .bearer_auth(sim_token(&r.sim).await)
        .json(&json!({"IsClosed": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reps_save_and_remove_by_hand_and_hear_when_a_saved_person_moves() {
    let r = ready("lists-hand", 300).await;
    let contacts = org_records(&r.sim, "Contact").await;
    let accounts: BTreeMap<String, String> =
        org_records(&r.sim, "Account").await.iter().map(|a| (text(a, "Id").into(), text(a, "Name").into())).collect();
    // The rep owns an open opportunity of a contact with an account.
    let contact = contacts
        .iter()
        .find(|c| accounts.contains_key(text(c, "AccountId")) && !text(c, "LastName").is_empty())
        .unwrap()
        .clone();
    let opp = org_records(&r.sim, "Opportunity").await.into_iter().find(|o| text(o, "IsClosed") != "true").unwrap();
    patch(&r, "Opportunity", text(&opp, "Id"), json!({"OwnerId": r.rep.id, "AccountId": text(&contact, "AccountId")}))
        .await;
    let role = json!({"OpportunityId": text(&opp, "Id"), "ContactId": text(&contact, "Id")});
    let url = format!("{}/services/data/v66.0/sobjects/OpportunityContactRole", r.sim.base_url);
    let made = reqwest::Client::new().post(url).bearer_auth(sim_token(&r.sim).await).json(&role).send().await.unwrap();
    assert_eq!(made.status().as_u16(), 201);
    r.run(&["import"]);
    let cid = text(&contact, "Id").to_string();
    let (status, lists) = r.api(Method::GET, "/api/v1/lists", None).await;
    assert_eq!(status, 200, "{lists}");
    let people = &lists["lists"][1];
    assert_eq!(people["id"], "people");
    let entry = people["entries"].as_array().unwrap().iter().find(|e| e["crm_id"] == cid.as_str()).expect("saved");
    assert_eq!(entry["reason"], format!("auto: open opportunity {}", text(&opp, "Name")));
    assert!(text(entry, "crm_url").contains(&cid), "{entry}");

    // A list of the rep's own; a record saved by hand; refusals say what was wrong.
    let (status, list) = r.api(Method::POST, "/api/v1/lists", Some(json!({"name": "Q1 targets"}))).await;
    assert_eq!(status, 201, "{list}");
    let list_id = text(&list, "id").to_string();
    let (status, again) = r.api(Method::POST, "/api/v1/lists", Some(json!({"name": "Q1 targets"}))).await;
    assert_eq!(status, 409, "{again}");
    let path = format!("/api/v1/lists/{list_id}/entries");
    let (status, saved) = r.api(Method::POST, &path, Some(json!({"crm_id": text(&contact, "AccountId")}))).await;
    assert_eq!(status, 201, "{saved}");
    assert_eq!(saved["entries"][0]["reason"], "by hand");
    assert_eq!(saved["entries"][0]["object"], "Account");
    let (status, same) = r.api(Method::POST, &path, Some(json!({"crm_id": text(&contact, "AccountId")}))).await;
    assert_eq!((status, same["entries"].as_array().unwrap().len()), (200, 1));
    let (status, wrong) = r.api(Method::POST, "/api/v1/lists/accounts/entries", Some(json!({"crm_id": cid}))).await;
    assert_eq!(status, 409, "{wrong}");
    assert!(text(&wrong["error"], "message").contains("does not take"), "{wrong}");
    let (status, _) = r.api(Method::POST, "/api/v1/lists/999999/entries", Some(json!({"crm_id": cid}))).await;
    assert_eq!(status, 404);
    let (status, _) = r.api(Method::POST, &path, Some(json!({"crm_id": "003000000000000"}))).await;
    assert_eq!(status, 404);
    let long = json!({"network_id": "someone", "name": "x".repeat(301)});
    let (status, refused) = r.api(Method::POST, &path, Some(long)).await;
    assert_eq!(status, 400, "{refused}");
    assert!(text(&refused["error"], "message").contains("at most 300"), "{refused}");

    // Another rep cannot see or change this rep's list.
    let other_token = r.other_rep_token();
    let (status, _) =
        crate::writeback::api(&r.relay, &other_token, Method::POST, &path, Some(json!({"crm_id": cid}))).await;
    assert_eq!(status, 404);

    // A profile of the contact is matched by hand, then seen at a new employer: an alert.
    let name = format!("{} {}", text(&contact, "FirstName"), text(&contact, "LastName"));
    let company = &accounts[text(&contact, "AccountId")];
    let observe = |company: &str| json!({"profiles": [{"url": "https://www.linkedin.com/in/moved-person/", "name": name, "headline": "Buyer", "company": company, "location": "Boston"}]});
    let (status, body) = r.api(Method::POST, "/api/v1/directory/profiles", Some(observe(company))).await;
    assert_eq!(status, 200, "{body}");
    let decision = json!({"crm_id": cid, "network_id": "moved-person", "kind": "match"});
    let (status, body) = r.api(Method::POST, "/api/v1/matches", Some(decision)).await;
    assert_eq!(status, 200, "{body}");
    let (_, alerts) = r.api(Method::GET, "/api/v1/alerts", None).await;
    assert_eq!(alerts["unread"], 0, "{alerts}");
    let (status, body) = r.api(Method::POST, "/api/v1/directory/profiles", Some(observe("Globex Moved Corp"))).await;
    assert_eq!(status, 200, "{body}");
    let (_, alerts) = r.api(Method::GET, "/api/v1/alerts", None).await;
    let company_alert =
        alerts["alerts"].as_array().unwrap().iter().find(|a| a["field"] == "company").expect("an alert");
    assert_eq!(company_alert["message"], format!("now at Globex Moved Corp (CRM says {company})"));
    assert_eq!(company_alert["crm_id"], cid.as_str());
    let read = format!("/api/v1/alerts/{}/read", company_alert["id"]);
    let (status, after) = r.api(Method::POST, &read, None).await;
    assert_eq!(status, 200);
    assert!(after["alerts"].as_array().unwrap().iter().any(|a| a["id"] == company_alert["id"] && a["read"] == true));
    let (status, _) = crate::writeback::api(&r.relay, &other_token, Method::POST, &read, None).await;
    assert_eq!(status, 404, "another rep's alert");
    // The matched entry now names its profile.
    let (_, lists) = r.api(Method::GET, "/api/v1/lists", None).await;
    let entry =
        lists["lists"][1]["entries"].as_array().unwrap().iter().find(|e| e["crm_id"] == cid.as_str()).unwrap().clone();
    assert_eq!(entry["network_id"], "moved-person");

    // Removed by hand: gone, and the next import does not save it again for that opportunity.
    let (status, people) = r.api(Method::DELETE, &format!("/api/v1/lists/people/entries/{cid}"), None).await;
    assert_eq!(status, 200, "{people}");
    assert!(!people["entries"].as_array().unwrap().iter().any(|e| e["crm_id"] == cid.as_str()));
    r.run(&["import"]);
    let (_, lists) = r.api(Method::GET, "/api/v1/lists", None).await;
    assert!(!lists["lists"][1]["entries"].as_array().unwrap().iter().any(|e| e["crm_id"] == cid.as_str()));
    let (status, _) = r.api(Method::DELETE, &format!("/api/v1/lists/people/entries/{cid}"), None).await;
    assert_eq!(status, 404);

    // The admin's data-quality report lists the contact's company.
    let cookie = crate::harness::admin_cookie(&r.settings).await;
    let (status, quality) = crate::admin::admin_api(&r, &cookie, Method::GET, "/api/v1/admin/data-quality", None).await;
    assert_eq!(status, 200, "{quality}");
    let row = quality["rows"].as_array().unwrap().iter().find(|q| q["crm_id"] == cid.as_str()).expect("in the report");
    assert_eq!((row["field"].as_str(), row["network_value"].as_str()), (Some("company"), Some("Globex Moved Corp")));
}
