//! The browser's side of the imported data over HTTP: the badge index (ETag, 304, a new
//! version after an import by another process), record contact details, `GET /api/v1/me`
//! and CORS for extension origins only.

use std::collections::HashMap;

use crmsync::core::badge::{BadgeIndex, BadgeState, IndexDelta, Observed};
use reqwest::header;
use serde_json::{json, Value};

use crate::harness::mutate;
use crate::writeback::{org_records, ready};

async fn get_index(relay: &str, token: &str, etag: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{relay}/api/v1/index")).bearer_auth(token);
    if let Some(etag) = etag {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    request.send().await.unwrap()
}

fn text<'a>(record: &'a Value, field: &str) -> &'a str {
    record[field].as_str().unwrap_or_default()
}

/// What the extension reads off a contact's profile page.
fn profile_of(contact: &Value, accounts: &HashMap<&str, &Value>) -> Observed {
    let account = accounts.get(text(contact, "AccountId")).map(|a| text(a, "Name")).unwrap_or_default();
    Observed {
        url: format!("https://www.linkedin.com/in/{}/", text(contact, "Id").to_lowercase()),
        name: format!("{} {}", text(contact, "FirstName"), text(contact, "LastName")),
        headline: format!("Works at {account}"),
        location: text(contact, "MailingCity").to_string(),
        ..Observed::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_finds_the_orgs_contacts_and_follows_imports() {
    let r = ready("badge-index", 300).await;
    let (status, body) = crate::writeback::api(&r.relay, "nope", reqwest::Method::GET, "/api/v1/index", None).await;
    assert_eq!(status, 401, "{body}");

    let first = get_index(&r.relay, &r.token, None).await;
    assert_eq!(first.status(), 200);
    let etag = first.headers()[header::ETAG].to_str().unwrap().to_string();
    let version: u64 = first.headers()["x-crmsync-index-version"].to_str().unwrap().parse().unwrap();
    let index = BadgeIndex::decode(&first.bytes().await.unwrap()).unwrap();
    assert_eq!(index.version, version);

    let accounts_list = org_records(&r.sim, "Account").await;
    let accounts: HashMap<&str, &Value> = accounts_list.iter().map(|a| (text(a, "Id"), a)).collect();
    let contacts = org_records(&r.sim, "Contact").await;
    let leads = org_records(&r.sim, "Lead").await;
    let contact_ids: std::collections::HashSet<&str> = contacts.iter().map(|c| text(c, "Id")).collect();
    let unconverted = leads.iter().filter(|l| !contact_ids.contains(text(l, "ConvertedContactId"))).count();
    assert_eq!(index.len(), (contacts.len() + unconverted, accounts.len()));

    // The index holds no clear e-mail: the contact details come from their own endpoint.
    let sample: Vec<&Value> = contacts.iter().filter(|c| !text(c, "LastName").is_empty()).take(20).collect();
    let found = sample
        .iter()
        .filter(|c| {
            profile_of(c, &accounts).badge(Some(&index), "").and_then(|b| b.crm_id).as_deref() == Some(text(c, "Id"))
        })
        .count();
    assert!(found >= 18, "only {found} of {} contacts found by name, company and city", sample.len());
    let stranger = Observed {
        url: "https://www.linkedin.com/in/nobody-at-all/".into(),
        name: "Zebulon Quartermaine-Xylophone".into(),
        headline: "Keeper at Nowhere Lighthouse Trust".into(),
        ..Observed::default()
    };
    assert_eq!(stranger.badge(Some(&index), "").unwrap().state, BadgeState::NotInCrm);

    let unchanged = get_index(&r.relay, &r.token, Some(&etag)).await;
    assert_eq!(unchanged.status(), 304);
    assert!(unchanged.bytes().await.unwrap().is_empty());

    // Another process imports a new contact: the next request serves a new version with it.
    let added = mutate(&r.sim, "Contact", 0, 1, 0).await;
    let new_id = added["added"][0].as_str().unwrap().to_string();
    r.run(&["import"]);
    let next = get_index(&r.relay, &r.token, Some(&etag)).await;
    assert_eq!(next.status(), 200);
    assert_ne!(next.headers()[header::ETAG].to_str().unwrap(), etag);
    let index = BadgeIndex::decode(&next.bytes().await.unwrap()).unwrap();
    assert!(index.version > version);
    let contacts = org_records(&r.sim, "Contact").await;
    let new_contact = contacts.iter().find(|c| text(c, "Id") == new_id).unwrap();
    let badge = profile_of(new_contact, &accounts).badge(Some(&index), "").unwrap();
    assert_eq!(badge.crm_id.as_deref(), Some(new_id.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_details_me_and_cors() {
    let r = ready("badge-contact", 200).await;
    let contacts = org_records(&r.sim, "Contact").await;
    let contact = contacts.iter().find(|c| !text(c, "Email").is_empty() && !text(c, "AccountId").is_empty()).unwrap();
    let accounts = org_records(&r.sim, "Account").await;
    let account = accounts.iter().find(|a| text(a, "Id") == text(contact, "AccountId")).unwrap();
    let id15 = &text(contact, "Id")[..15];
    let (status, info) = r.api(reqwest::Method::GET, &format!("/api/v1/crm/{id15}/contact"), None).await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["id"], contact["Id"]);
    assert_eq!(info["object"], "Contact");
    assert_eq!(info["email"], contact["Email"]);
    assert_eq!(info["company"], account["Name"]);
    assert!(info["link"].as_str().unwrap().ends_with(&format!("/lightning/r/Contact/{}/view", text(contact, "Id"))));

    let (status, body) = r.api(reqwest::Method::GET, "/api/v1/crm/not-an-id/contact", None).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().unwrap().contains("\"not-an-id\""), "{body}");
    let (status, body) = r.api(reqwest::Method::GET, &format!("/api/v1/crm/{}/contact", r.rep.id), None).await;
    assert_eq!(status, 400, "a User id has no contact details here: {body}");
    let (status, _) = r.api(reqwest::Method::GET, "/api/v1/crm/003000000000000AAA/contact", None).await;
    assert_eq!(status, 404);

    let (status, me) = r.api(reqwest::Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, 200);
    assert_eq!(me["user_id"], r.rep.id.as_str());
    assert_eq!(me["org_id"], r.sim.org.org_id.as_str());
    assert_eq!(me["instance_url"], r.sim.base_url.as_str());
    // The identity's My Domain (sfsim --my-domain acme) adds the org's real hosts.
    let origins: Vec<&str> = me["org_origins"].as_array().unwrap().iter().filter_map(|o| o.as_str()).collect();
    assert_eq!(origins[0], r.sim.base_url.as_str());
    for host in ["https://acme.lightning.force.com", "https://acme.my.salesforce.com", "https://acme--c.vf.force.com"] {
        assert!(origins.contains(&host), "{host} in {origins:?}");
    }
    assert!(!origins.iter().any(|o| o.contains("globex")));

    let client = reqwest::Client::new();
    let extension = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
    let preflight = client
        .request(reqwest::Method::OPTIONS, format!("{}/api/v1/index", r.relay))
        .header(header::ORIGIN, extension)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], extension);
    assert!(preflight.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().contains("authorization"));
    let foreign = client
        .get(format!("{}/api/v1/me", r.relay))
        .header(header::ORIGIN, "https://evil.example.com")
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap();
    assert!(foreign.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

/// The delta from the index a browser holds: (version, decision, matching run) from its
/// headers.
async fn get_delta(relay: &str, token: &str, since: &str, cursor: &(String, String)) -> reqwest::Response {
    let (decisions, matches) = cursor;
    reqwest::Client::new()
        .get(format!("{relay}/api/v1/index/delta?since={since}&decisions={decisions}&matches={matches}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers()[name].to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deltas_carry_incremental_changes_and_decisions_or_ask_for_a_snapshot() {
    let r = ready("badge-delta", 300).await;
    let first = get_index(&r.relay, &r.token, None).await;
    let mut version = header(&first, "x-crmsync-index-version");
    let mut decisions = (header(&first, "x-crmsync-index-decisions"), header(&first, "x-crmsync-index-matches"));
    let mut index = BadgeIndex::decode(&first.bytes().await.unwrap()).unwrap();
    assert_eq!(get_delta(&r.relay, &r.token, &version, &decisions).await.status(), 204);

    // An incremental import changes one contact, adds one and deletes one.
    let before = org_records(&r.sim, "Contact").await;
    let touched = mutate(&r.sim, "Contact", 1, 1, 1).await;
    let (added, gone) = (touched["added"][0].as_str().unwrap(), touched["deleted"][0].as_str().unwrap());
    let gone = before.iter().find(|c| text(c, "Id") == gone).unwrap().clone();
    r.run(&["import"]);
    let delta = get_delta(&r.relay, &r.token, &version, &decisions).await;
    assert_eq!(delta.status(), 200);
    assert!(header(&delta, "x-crmsync-index-version").parse::<u64>().unwrap() > version.parse().unwrap());
    version = header(&delta, "x-crmsync-index-version");
    decisions.1 = header(&delta, "x-crmsync-index-matches");
    let bytes = delta.bytes().await.unwrap();
    let decoded = IndexDelta::decode(&bytes).unwrap();
    assert_eq!((decoded.people.len(), decoded.deleted.len()), (2, 1), "one changed, one added; one deleted");
    index.apply(decoded).unwrap();
    let fresh = BadgeIndex::decode(&get_index(&r.relay, &r.token, None).await.bytes().await.unwrap()).unwrap();
    assert_eq!(index.len(), fresh.len());
    let accounts_list = org_records(&r.sim, "Account").await;
    let accounts: HashMap<&str, &Value> = accounts_list.iter().map(|a| (text(a, "Id"), a)).collect();
    let contacts = org_records(&r.sim, "Contact").await;
    let new_one = contacts.iter().find(|c| text(c, "Id") == added).unwrap();
    assert_eq!(profile_of(new_one, &accounts).badge(Some(&index), "").unwrap().crm_id.as_deref(), Some(added));
    let ghost = profile_of(&gone, &accounts).badge(Some(&index), "").and_then(|b| b.crm_id);
    assert_ne!(ghost.as_deref(), Some(text(&gone, "Id")), "the deleted contact left the index");

    // A decision alone arrives as a delta too.
    let seen = json!({"url": "https://www.linkedin.com/in/somebody-else/", "name": "Some Body"});
    let (status, _) = r.api(reqwest::Method::POST, "/api/v1/directory/profiles", Some(seen)).await;
    assert_eq!(status, 200);
    let decision = json!({"crm_id": added, "network_id": "somebody-else", "kind": "match"});
    let (status, body) = r.api(reqwest::Method::POST, "/api/v1/matches", Some(decision)).await;
    assert_eq!(status, 200, "{body}");
    let delta = get_delta(&r.relay, &r.token, &version, &decisions).await;
    assert_eq!(delta.status(), 200);
    decisions = (header(&delta, "x-crmsync-index-decisions"), header(&delta, "x-crmsync-index-matches"));
    index.apply(IndexDelta::decode(&delta.bytes().await.unwrap()).unwrap()).unwrap();
    let someone = Observed {
        url: "https://www.linkedin.com/in/somebody-else/".into(),
        name: "Some Body".into(),
        ..Observed::default()
    };
    assert_eq!(someone.badge(Some(&index), "").unwrap().crm_id.as_deref(), Some(added));
    assert_eq!(get_delta(&r.relay, &r.token, &version, &decisions).await.status(), 204);

    // A full import rewrites every row: take a snapshot.
    r.run(&["import", "--full"]);
    let gone = get_delta(&r.relay, &r.token, &version, &decisions).await;
    assert_eq!(gone.status(), 410);
    let body: Value = gone.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("full import"), "{body}");
}
