//! The ROI report over real sockets against sfsim's demo org: totals equal the org's own
//! sums (sfsim's records), an InMail written back to an opportunity's contact makes it
//! influenced (listed with that activity), the influenced sums equal the listed
//! influenced opportunities, per-month rows add up to the totals, and the CLI's JSON and
//! CSV are the API's.

use reqwest::Method;
use serde_json::{json, Value};

use crate::admin::admin_api;
use crate::harness::admin_cookie;
use crate::writeback::{org_records, ready, uuid};

fn text<'a>(record: &'a Value, field: &str) -> &'a str {
    record[field].as_str().unwrap_or_default()
}

fn amount(record: &Value) -> f64 {
    text(record, "Amount").parse().unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_adds_up_and_a_written_inmail_influences_its_opportunity() {
    let r = ready("roi", 400).await;
    let opps = org_records(&r.sim, "Opportunity").await;
    let roles = org_records(&r.sim, "OpportunityContactRole").await;
    // An open opportunity with a contact role: the rep sends its contact an InMail on
    // the day the opportunity was created, and it is written to Salesforce.
    let (opp, contact) = opps
        .iter()
        .filter(|o| text(o, "IsClosed") != "true")
        .find_map(|o| {
            roles.iter().find(|c| text(c, "OpportunityId") == text(o, "Id")).map(|c| (o, text(c, "ContactId")))
        })
        .expect("an open opportunity with a contact role");
    r.run(&["setup"]);
    let inmail = json!([{
        "id": uuid(901), "kind": "inmail", "subject": "Hello", "body": "About the deal",
        "occurred_at": text(opp, "CreatedDate"), "profile_id": "someone", "target": contact,
    }]);
    r.log(inmail).await;
    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 1"), "{flushed}");

    let cookie = admin_cookie(&r.settings).await;
    let (status, report) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/roi", None).await;
    assert_eq!(status, 200, "{report}");
    let totals = &report["totals"];
    let won: Vec<&Value> = opps.iter().filter(|o| text(o, "IsWon") == "true").collect();
    let open: Vec<&Value> = opps.iter().filter(|o| text(o, "IsClosed") != "true").collect();
    assert_eq!(totals["opportunities"], opps.len());
    assert_eq!(totals["won_count"], won.len());
    assert_eq!(totals["won_amount"].as_f64().unwrap(), won.iter().map(|o| amount(o)).sum::<f64>());
    assert_eq!(totals["open_pipeline"].as_f64().unwrap(), open.iter().map(|o| amount(o)).sum::<f64>());
    for field in [
        "rep",
        "period",
        "influenced_open_pipeline",
        "influenced_won_amount",
        "influenced_won_count",
        "won_amount",
        "won_count",
        "win_rate_influenced",
        "win_rate_other",
    ] {
        assert!(report["rows"][0].get(field).is_some(), "{field} missing: {}", report["rows"][0]);
    }

    // The opportunity is influenced by that InMail; the influenced sums are the listed ones.
    let (status, listed) =
        admin_api(&r, &cookie, Method::GET, "/api/v1/admin/roi/opportunities?influenced=true", None).await;
    assert_eq!(status, 200, "{listed}");
    let listed = listed["opportunities"].as_array().unwrap();
    let ours = listed.iter().find(|o| o["id"] == text(opp, "Id")).expect("influenced");
    assert!(
        ours["influences"].as_array().unwrap().iter().any(|t| t["kind"] == "inmail" && t["record_id"] == contact),
        "{ours}"
    );
    let open_ids: Vec<&str> = open.iter().map(|o| text(o, "Id")).collect();
    let influenced_open: f64 = listed
        .iter()
        .filter(|o| open_ids.contains(&o["id"].as_str().unwrap()))
        .map(|o| o["amount"].as_f64().unwrap())
        .sum();
    assert_eq!(totals["influenced_open_pipeline"].as_f64().unwrap(), influenced_open);
    assert_eq!(totals["influenced_count"], listed.len());

    // Per month: the rows add up to the same totals.
    let (_, monthly) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/roi?by=month", None).await;
    let rows = monthly["rows"].as_array().unwrap();
    assert!(rows.len() > 6, "the demo org spreads over the months: {}", rows.len());
    assert!(rows.iter().all(|m| m["period"].as_str().unwrap().len() == 7 && m["rep"] == "all"));
    let sum = |field: &str| rows.iter().map(|m| m[field].as_f64().unwrap()).sum::<f64>();
    for field in ["won_amount", "influenced_open_pipeline", "influenced_won_amount", "opportunities", "won_count"] {
        assert_eq!(sum(field), totals[field].as_f64().unwrap(), "{field}");
    }
    assert_eq!(monthly["totals"], report["totals"]);

    // The CLI says the same; its CSV has every row and the totals.
    let cli: Value = serde_json::from_str(&r.run(&["roi", "--json"])).unwrap();
    assert_eq!(cli, report);
    let quarterly: Value = serde_json::from_str(&r.run(&["roi", "--by", "quarter", "--json"])).unwrap();
    assert!(quarterly["rows"].as_array().unwrap().iter().all(|q| q["period"].as_str().unwrap().contains("-Q")));
    let path = r.data.join("roi.csv");
    r.run(&["roi", "--by", "month", "--csv", path.to_str().unwrap()]);
    let csv = std::fs::read_to_string(&path).unwrap();
    assert_eq!(csv.lines().count(), rows.len() + 2, "{csv}");
    assert!(csv.starts_with("rep,rep_id,rep_name,period,"));
    let (status, body) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/roi.csv?by=month", None).await;
    assert_eq!(status, 200, "{body}");

    // A window narrows it; bad input says what was wrong.
    let (_, window) =
        admin_api(&r, &cookie, Method::GET, "/api/v1/admin/roi?from=2026-01-01&to=2026-03-31", None).await;
    assert!(window["totals"]["opportunities"].as_u64().unwrap() < opps.len() as u64);
    let (status, bad) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/roi?by=week", None).await;
    assert_eq!(status, 400);
    assert!(bad["error"]["message"].as_str().unwrap().contains("by: \"week\""), "{bad}");
    let (status, _) = admin_api(&r, &cookie, Method::GET, "/api/v1/admin/roi?from=2026-02-30x", None).await;
    assert_eq!(status, 400);
    let refused = r.run_failing(&["settings", "set", "roi_revenue_field", "StageName"]);
    assert!(refused.contains("not a currency field"), "{refused}");
    let (status, _) = crate::writeback::api(&r.relay, &r.token, Method::GET, "/api/v1/admin/roi", None).await;
    assert_eq!(status, 401, "a rep's token is not an admin session");
}
