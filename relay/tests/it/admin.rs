//! The admin's half over real sockets and the real command line: seats by role, the role
//! tree, write-back per user and role, org settings (badge visibility, kinds, test mode),
//! the org's queue, admins and the audit log, sync health — and each refusal.

use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::admin_cookie;
use crate::writeback::{activity, cli, org_records, ready, uuid, Ready};

/// An admin API call with the console's cookie, from the console's own origin.
pub(crate) async fn admin_api(
    r: &Ready,
    cookie: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", r.relay))
        .header("cookie", cookie)
        .header("origin", &r.relay);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn users_json(r: &Ready) -> Vec<Value> {
    serde_json::from_str(&r.run(&["seats", "list", "--json"])).unwrap()
}

/// Role id → parent, from sfsim's UserRole records (the oracle).
async fn roles_of(r: &Ready) -> Vec<(String, String, Option<String>)> {
    org_records(&r.sim, "UserRole")
        .await
        .iter()
        .map(|x| {
            (
                x["Id"].as_str().unwrap().to_string(),
                x["Name"].as_str().unwrap().to_string(),
                x["ParentRoleId"].as_str().filter(|p| !p.is_empty()).map(String::from),
            )
        })
        .collect()
}

fn subtree(roles: &[(String, String, Option<String>)], top: &str) -> Vec<String> {
    let mut out = vec![top.to_string()];
    let mut i = 0;
    while i < out.len() {
        let at = out[i].clone();
        out.extend(roles.iter().filter(|(_, _, p)| p.as_deref() == Some(at.as_str())).map(|(id, _, _)| id.clone()));
        i += 1;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seats_by_role_and_subtree_from_the_command_line() {
    let r = ready("admin-seats", 1000).await;
    let roles = roles_of(&r).await;
    assert_eq!(roles.len(), 8, "sfsim's org of 1,000 rows has 8 roles");
    // The tree: every role once, children under their parents.
    let tree: Vec<Value> = serde_json::from_str(&r.run(&["roles", "--json"])).unwrap();
    fn count(nodes: &[Value]) -> usize {
        nodes.iter().map(|n| 1 + count(n["children"].as_array().unwrap())).sum()
    }
    assert_eq!(count(&tree), 8);
    assert_eq!(tree.len(), 1, "one root: {tree:?}");
    assert_eq!(tree[0]["name"], json!("CEO"));

    let users = users_json(&r);
    let keys = ["user_id", "username", "name", "role", "seat", "writeback"];
    assert!(users.iter().all(|u| keys.iter().all(|k| u.get(k).is_some())), "{:?}", users[0]);
    assert!(users[0]["writeback"].get("enabled").is_some() && users[0]["writeback"]["kinds"].is_array());
    let before: Vec<String> =
        users.iter().filter(|u| u["seat"] == json!(true)).map(|u| u["user_id"].as_str().unwrap().into()).collect();
    assert_eq!(before, vec![r.rep.id.clone()], "only the prepared rep has a seat");

    // A role alone, then with its subtree.
    let vp = roles.iter().find(|(_, n, _)| n == "VP Sales").unwrap().0.clone();
    r.run(&["seats", "add", "--role", "VP Sales"]);
    let covered = subtree(&roles, &vp);
    let active_in = |users: &[Value], role_ids: &[String]| -> Vec<String> {
        users
            .iter()
            .filter(|u| u["role_id"].as_str().is_some_and(|id| role_ids.iter().any(|r| r == id)))
            .map(|u| u["user_id"].as_str().unwrap().to_string())
            .collect()
    };
    let users = users_json(&r);
    for u in &users {
        let in_vp = u["role_id"] == json!(vp);
        if in_vp {
            assert_eq!(u["seat"], json!(true), "{u}");
        }
    }
    r.run(&["seats", "add", "--role", &vp, "--subtree"]);
    let users = users_json(&r);
    let under = active_in(&users, &covered);
    assert!(under.len() > 3, "{under:?}");
    for u in &users {
        let inside = under.contains(&u["user_id"].as_str().unwrap().to_string());
        let expected = inside || u["user_id"] == json!(r.rep.id) || u["role_id"] == json!(vp);
        assert_eq!(u["seat"], json!(expected), "{u}");
        assert_eq!(u["role"].is_null(), u["role_id"].is_null());
    }
    // Inactive users in the subtree get none, and are not listed as seat holders.
    let all_users = org_records(&r.sim, "User").await;
    let inactive: Vec<&str> =
        all_users.iter().filter(|u| u["IsActive"] == json!("false")).map(|u| u["Id"].as_str().unwrap()).collect();
    assert!(users.iter().all(|u| !inactive.contains(&u["user_id"].as_str().unwrap()) || u["seat"] == json!(false)));

    // Write-back for a role subtree; then off for one user.
    r.run(&["writeback", "enable", "--role", "VP Sales", "--subtree"]);
    let users = users_json(&r);
    assert!(users
        .iter()
        .filter(|u| under.contains(&u["user_id"].as_str().unwrap().to_string()))
        .all(|u| u["writeback"]["enabled"] == json!(true)));
    r.run(&["writeback", "disable", "--user", &under[0]]);
    let users = users_json(&r);
    assert_eq!(users.iter().find(|u| u["user_id"] == json!(under[0])).unwrap()["writeback"]["enabled"], json!(false));

    // Removing a role's seats, and refusals that say what was wrong.
    r.run(&["seats", "remove", "--role", "VP Sales", "--subtree"]);
    assert!(users_json(&r)
        .iter()
        .filter(|u| u["seat"] == json!(true))
        .all(|u| u["user_id"] == json!(r.rep.id) || !under.contains(&u["user_id"].as_str().unwrap().to_string())));
    assert!(r.run_failing(&["seats", "add", "--role", "Sales Wizards"]).contains("no role has the id or name"));
    assert!(r.run_failing(&["seats", "add", "--subtree", "--user", &r.rep.username]).contains("--role"));

    // The seat limit: all or nothing, with a message that says so.
    let seated = users_json(&r).iter().filter(|u| u["seat"] == json!(true)).count();
    let out = cli(
        &r.sim,
        &r.data,
        &r.database,
        &["seats", "add", "--role", &vp, "--subtree"],
        &[("CRMSYNC_SEAT_LIMIT", "2")],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("seat limit is 2") && err.contains("CRMSYNC_SEAT_LIMIT"), "{err}");
    assert_eq!(users_json(&r).iter().filter(|u| u["seat"] == json!(true)).count(), seated, "nothing was given");

    // A role that keeps giving seats at each import.
    r.run(&["seats", "add", "--role", "Sales Manager East", "--at-each-import"]);
    let settings: Value = serde_json::from_str(
        &r.run(&["settings", "get", "badge_visibility"]).replace('\n', "").replace("everyone", "\"everyone\""),
    )
    .unwrap();
    assert_eq!(settings, json!("everyone"));
    r.run(&["import"]);
    let east = roles.iter().find(|(_, n, _)| n == "Sales Manager East").unwrap().0.clone();
    let users = users_json(&r);
    let east_users: Vec<&Value> =
        users.iter().filter(|u| u["role_id"] == json!(east) && u["is_active"] == json!(true)).collect();
    assert!(!east_users.is_empty());
    assert!(east_users.iter().all(|u| u["seat"] == json!(true) && (u["seat_source"] == json!("role") || u["user_id"] == json!(r.rep.id))), "{east_users:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_admins_and_audit_from_the_command_line() {
    let r = ready("admin-settings", 300).await;
    assert_eq!(r.run(&["settings", "get", "badge_visibility"]).trim(), "everyone");
    r.run(&["settings", "set", "badge_visibility", "role_hierarchy"]);
    assert_eq!(r.run(&["settings", "get", "badge_visibility"]).trim(), "role_hierarchy");
    let bad = r.run_failing(&["settings", "set", "badge_visibility", "managers"]);
    assert!(bad.contains("everyone") && bad.contains("role_hierarchy"), "{bad}");
    assert_eq!(
        r.run(&["settings", "get", "badge_visibility"]).trim(),
        "role_hierarchy",
        "a refused value changes nothing"
    );
    assert!(r.run_failing(&["settings", "get", "colour"]).contains("no setting is named"));

    // Admins: none while the relay connected itself (never the integration user).
    let admins: Vec<Value> = serde_json::from_str(&r.run(&["admins", "list", "--json"])).unwrap();
    assert!(admins.is_empty(), "{admins:?}");
    let other = r.other_user();
    r.run(&["admins", "add", "--user", &other.username]);
    r.run(&["admins", "add", "--user", &r.rep.username]);
    let admins: Vec<Value> = serde_json::from_str(&r.run(&["admins", "list", "--json"])).unwrap();
    assert_eq!(admins.len(), 2);
    r.run(&["admins", "remove", "--user", &other.username]);
    let last = r.run_failing(&["admins", "remove", "--user", &r.rep.username]);
    assert!(last.contains("last admin"), "{last}");
    let inactive = r.sim.org.users.iter().find(|u| !u.is_active).unwrap();
    assert!(r.run_failing(&["admins", "add", "--user", &inactive.username]).contains("inactive"));
    // Configured admins count and are listed.
    let out = cli(
        &r.sim,
        &r.data,
        &r.database,
        &["admins", "list", "--json"],
        &[("CRMSYNC_ADMIN_USERNAMES", &other.username)],
    );
    let listed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(listed.iter().any(|a| a["source"] == json!("config") && a["user_id"] == json!(other.id)), "{listed:?}");

    let cookie = admin_cookie(&r.settings).await;
    let (status, audit) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/audit", None).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for wanted in ["settings", "admins add", "admins remove"] {
        assert!(actions.contains(&wanted), "{actions:?}");
    }
    assert!(audit.as_array().unwrap().iter().all(|e| e["actor"] == json!("command line")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_api_manages_seats_settings_and_the_queue_and_refuses_what_it_should() {
    let r = ready("admin-api", 1000).await;
    let cookie = admin_cookie(&r.settings).await;
    // Refusals: no cookie 401, another site's page 403, a bad body 400 naming the field.
    let no_cookie = reqwest::Client::new().get(format!("{}/api/v1/admin/users", r.relay)).send().await.unwrap();
    assert_eq!(no_cookie.status().as_u16(), 401);
    let cross = reqwest::Client::new()
        .post(format!("{}/api/v1/admin/seats", r.relay))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .json(&json!({"action": "add", "role": "VP Sales"}))
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status().as_u16(), 403);
    // The write-back buttons too: another site's page cannot run setup or a flush.
    for path in ["/api/v1/admin/writeback/setup", "/api/v1/admin/writeback/flush"] {
        let cross = reqwest::Client::new()
            .post(format!("{}{path}", r.relay))
            .header("cookie", &cookie)
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(cross.status().as_u16(), 403, "{path}");
    }
    let (status, body) =
        admin_api(&r, &cookie, Method::PUT, "/api/v1/admin/settings", Some(json!({"badge_visibility": "all"}))).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("badge_visibility"), "{body}");
    let (status, body) = admin_api(
        &r,
        &cookie,
        Method::POST,
        "/api/v1/admin/seats",
        Some(json!({"action": "give", "user_ids": [r.rep.id]})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    // The rep's token is no admin.
    let (status, _) = r.api(Method::GET, "/api/v1/admin/users", None).await;
    assert_eq!(status, 401);

    // Seats for many at once, by id and username.
    let (status, users) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/users", None).await;
    assert_eq!(status, 200);
    let picks: Vec<Value> = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["seat"] == json!(false))
        .take(3)
        .map(|u| u["username"].clone())
        .collect();
    let (status, report) =
        admin_api(&r, &cookie, Method::POST, "/api/v1/admin/seats", Some(json!({"action": "add", "user_ids": picks})))
            .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["changed"].as_array().unwrap().len(), 3);
    let (_, roles) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/roles", None).await;
    assert_eq!(roles[0]["name"], json!("CEO"));

    // The org writes notes and calls only: a rep cannot opt in to InMail.
    let (status, settings) = admin_api(
        &r,
        &cookie,
        Method::PUT,
        "/api/v1/admin/settings",
        Some(json!({"writeback_kinds": ["note", "call"]})),
    )
    .await;
    assert_eq!(status, 200, "{settings}");
    let (status, _) = r.api(Method::PUT, "/api/v1/me/writeback", Some(json!({"kinds": ["note", "call"]}))).await;
    assert_eq!(status, 200);
    let (_, prefs) = r.api(Method::GET, "/api/v1/me/writeback", None).await;
    assert_eq!(prefs["org_kinds"], json!(["note", "call"]));

    // Test mode: only the test record's activities are written; the rest wait, untouched.
    r.run(&["setup"]);
    let contacts = org_records(&r.sim, "Contact").await;
    let (test, other) = (contacts[0]["Id"].as_str().unwrap(), contacts[1]["Id"].as_str().unwrap());
    let (status, _) =
        admin_api(&r, &cookie, Method::PUT, "/api/v1/admin/settings", Some(json!({"writeback_test_record": test})))
            .await;
    assert_eq!(status, 200);
    r.log(json!([activity(1, "call", Some(test)), activity(2, "call", Some(other)), activity(3, "note", Some(other))]))
        .await;
    let (_, flushed) = admin_api(&r, &cookie, Method::POST, "/api/v1/admin/writeback/flush", None).await;
    assert_eq!(flushed["written"], json!(1), "{flushed}");
    assert_eq!(flushed["held_for_test_mode"], json!(2), "{flushed}");

    // The org's queue, filtered, as JSON and CSV.
    let (status, pending) =
        admin_api(&r, &cookie, Method::GET, "/api/v1/admin/activities?state=pending&kind=call", None).await;
    assert_eq!(status, 200, "{pending}");
    assert_eq!(pending["total"], json!(1));
    assert_eq!(pending["activities"][0]["id"], json!(uuid(2)));
    assert_eq!(pending["activities"][0]["username"], json!(r.rep.username));
    let (_, by_record) =
        admin_api(&r, &cookie, Method::GET, &format!("/api/v1/admin/activities?record={test}"), None).await;
    assert_eq!(by_record["activities"][0]["state"], json!("written"));
    let (status, bad) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/activities?from=yesterday", None).await;
    assert_eq!(status, 400);
    assert!(bad["error"]["message"].as_str().unwrap().contains("from"), "{bad}");
    let csv = reqwest::Client::new()
        .get(format!("{}/api/v1/admin/activities.csv?state=pending", r.relay))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.starts_with("id,rep,kind,state"));

    // Discard one, re-target another; a discarded id sent again is not written either.
    let (status, done) = admin_api(
        &r,
        &cookie,
        Method::POST,
        "/api/v1/admin/activities/actions",
        Some(json!({"action": "discard", "ids": [uuid(2), uuid(1)]})),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["done"], json!([uuid(2)]));
    assert_eq!(done["refused"][0]["user_id"], json!(uuid(1)), "a written one is not discarded");
    r.log(json!([activity(2, "call", Some(test))])).await;
    let (_, test_off) =
        admin_api(&r, &cookie, Method::PUT, "/api/v1/admin/settings", Some(json!({"writeback_test_record": ""}))).await;
    assert_eq!(test_off["writeback_test_record"], Value::Null);
    let (_, flushed) = admin_api(&r, &cookie, Method::POST, "/api/v1/admin/writeback/flush", None).await;
    assert_eq!(flushed["written"], json!(1), "only the note: {flushed}");
    let (_, discarded) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/activities?state=discarded", None).await;
    assert_eq!(discarded["total"], json!(1));

    // Sync health.
    let (status, health) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/sync", None).await;
    assert_eq!(status, 200);
    assert_eq!(health["objects"].as_array().unwrap().len(), 7);
    assert!(health["objects"].as_array().unwrap().iter().all(|o| o["last_import"].is_string()), "{health}");
    assert!(!health["api_usage"].as_array().unwrap().is_empty(), "{health}");
    let (status, _) = admin_api(&r, &cookie, Method::POST, "/api/v1/admin/import", None).await;
    assert_eq!(status, 202);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_hierarchy_visibility_keeps_other_records_out_of_a_reps_browser() {
    use crmsync::core::badge::BadgeIndex;
    use std::collections::{HashMap, HashSet};
    let r = ready("admin-visibility", 1000).await;
    // The integration user holds "VP Sales": it sees its own records and those of users in
    // the roles below (the sales managers' users), nobody else's.
    let vp = &r.sim.org.integration_user_id;
    r.run(&["seats", "add", "--user", vp]);
    let token = r.run(&["token", "--user", vp]).trim().to_string();
    let index_of = |token: String| {
        let relay = r.relay.clone();
        async move {
            let bytes = reqwest::Client::new()
                .get(format!("{relay}/api/v1/index"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            BadgeIndex::decode(&bytes).unwrap()
        }
    };
    let everything = index_of(token.clone()).await.len();
    r.run(&["settings", "set", "badge_visibility", "role_hierarchy"]);

    let roles = roles_of(&r).await;
    let users = org_records(&r.sim, "User").await;
    let role_of: HashMap<&str, &str> =
        users.iter().filter_map(|u| Some((u["Id"].as_str()?, u["UserRoleId"].as_str()?))).collect();
    let vp_role = role_of[vp.as_str()];
    let below: HashSet<String> = subtree(&roles, vp_role).into_iter().filter(|id| id != vp_role).collect();
    let mut owners: HashSet<&str> = users
        .iter()
        .filter(|u| u["UserRoleId"].as_str().is_some_and(|r| below.contains(r)))
        .map(|u| u["Id"].as_str().unwrap())
        .collect();
    owners.insert(vp);
    let accounts = org_records(&r.sim, "Account").await;
    let account_owner: HashMap<&str, &str> =
        accounts.iter().map(|a| (a["Id"].as_str().unwrap(), a["OwnerId"].as_str().unwrap_or_default())).collect();
    let contacts = org_records(&r.sim, "Contact").await;
    let contact_ids: HashSet<&str> = contacts.iter().map(|c| c["Id"].as_str().unwrap()).collect();
    let owner_of_contact = |c: &Value| -> String {
        c["OwnerId"]
            .as_str()
            .filter(|o| !o.is_empty())
            .unwrap_or_else(|| {
                account_owner.get(c["AccountId"].as_str().unwrap_or_default()).copied().unwrap_or_default()
            })
            .to_string()
    };
    let leads = org_records(&r.sim, "Lead").await;
    let people = contacts.iter().filter(|c| owners.contains(owner_of_contact(c).as_str())).count()
        + leads
            .iter()
            .filter(|l| !contact_ids.contains(l["ConvertedContactId"].as_str().unwrap_or_default()))
            .filter(|l| owners.contains(l["OwnerId"].as_str().unwrap_or_default()))
            .count();
    let companies = accounts.iter().filter(|a| owners.contains(a["OwnerId"].as_str().unwrap_or_default())).count();
    let limited = index_of(token.clone()).await.len();
    assert_eq!(limited, (people, companies), "the VP's index holds exactly the records below them");
    assert!(limited.0 > 0 && limited.0 < everything.0, "{limited:?} of {everything:?}");

    // Contact details and matches: 404 for a record the rep may not see, as for a missing one.
    let hidden =
        contacts.iter().find(|c| !owners.contains(owner_of_contact(c).as_str())).unwrap()["Id"].as_str().unwrap();
    let shown =
        contacts.iter().find(|c| owners.contains(owner_of_contact(c).as_str())).unwrap()["Id"].as_str().unwrap();
    let get = |path: String| {
        let (relay, token) = (r.relay.clone(), token.clone());
        async move {
            reqwest::Client::new()
                .get(format!("{relay}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(get(format!("/api/v1/crm/{hidden}/contact")).await, 404);
    assert_eq!(get(format!("/api/v1/crm/{shown}/contact")).await, 200);
    assert_eq!(get(format!("/api/v1/matches/{hidden}")).await, 404);
    assert_eq!(get(format!("/api/v1/matches/{shown}")).await, 200);
    // The prepared rep (a sales manager with no roles below) sees their own records only.
    let (status, _) = r.api(Method::GET, &format!("/api/v1/crm/{shown}/contact"), None).await;
    assert_eq!(
        status,
        if owner_of_contact(contacts.iter().find(|c| c["Id"] == json!(shown)).unwrap()) == r.rep.id {
            200
        } else {
            404
        }
    );

    // Back to everyone: the whole org again.
    r.run(&["settings", "set", "badge_visibility", "everyone"]);
    assert_eq!(index_of(token.clone()).await.len(), everything);
    assert_eq!(get(format!("/api/v1/crm/{hidden}/contact")).await, 200);
}
