//! Tracked document links over real sockets: a rep shares a PDF for a contact, the link
//! serves it (as a PDF that cannot run script on the relay's origin, setting no cookie);
//! opened twice on one day and once the next day it gives two `document_view` Tasks in
//! Salesforce (sfsim); a web address redirects; a revoked or expired link answers 404;
//! uploads that are not PDFs, bad addresses and records that are not leads or contacts
//! are refused with what was wrong.

use reqwest::Method;
use serde_json::{json, Value};

use crate::writeback::{api, org_records, ready, soql};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_pdf_is_served_counted_and_its_daily_first_views_written_back() {
    let r = ready("documents", 300).await;
    r.run(&["setup"]);
    let contact = org_records(&r.sim, "Contact").await.into_iter().find(|c| c["LastName"].is_string()).unwrap();
    let cid = contact["Id"].as_str().unwrap().to_string();
    let http = reqwest::Client::new();
    let upload = |body: &'static [u8], query: String| {
        http.post(format!("{}/api/v1/documents/pdf?{query}", r.relay))
            .bearer_auth(&r.token)
            .header("content-type", "application/pdf")
            .body(body)
            .send()
    };
    let answer = upload(PDF, format!("title=Q1%20pricing&record={cid}")).await.unwrap();
    assert_eq!(answer.status().as_u16(), 201);
    let shared: Value = answer.json().await.unwrap();
    let link = shared["link"].as_str().unwrap().to_string();
    assert!(link.starts_with(&format!("{}/d/", r.relay)), "{shared}");
    assert_eq!((shared["kind"].as_str(), shared["size"].as_u64()), (Some("pdf"), Some(PDF.len() as u64)));

    // Opened twice today: served as a PDF that runs no script, no cookie, nothing cached.
    for _ in 0..2 {
        let opened = reqwest::get(&link).await.unwrap();
        assert_eq!(opened.status().as_u16(), 200);
        let h = opened.headers().clone();
        assert_eq!(h["content-type"], "application/pdf");
        assert!(h["content-disposition"].to_str().unwrap().starts_with("inline; filename=\"Q1 pricing.pdf\""));
        assert_eq!(h["x-content-type-options"], "nosniff");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.starts_with("default-src 'none'") && !csp.contains("script-src"), "{csp}");
        assert!(h.get("set-cookie").is_none());
        assert_eq!(opened.bytes().await.unwrap().as_ref(), PDF);
    }
    // …and once tomorrow (the relay's clock is the caller's here).
    let state = crmsync_relay::state::AppState::open(r.settings.clone()).await.unwrap();
    let token = link.rsplit('/').next().unwrap();
    let tomorrow = crmsync_relay::state::now_ms() + 86_400_000;
    assert!(crmsync_relay::documents::open(&state, token, tomorrow).await.unwrap().is_some());
    let flushed = r.run(&["flush"]);
    assert!(flushed.contains("written 2"), "{flushed}");
    let tasks =
        soql(&r.sim, "SELECT Id, Subject, Description, WhoId FROM Task WHERE Subject = 'Viewed: Q1 pricing'").await;
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    assert!(tasks.iter().all(|t| t["WhoId"] == cid.as_str()));
    let descriptions: Vec<&str> = tasks.iter().map(|t| t["Description"].as_str().unwrap_or_default()).collect();
    assert!(descriptions.iter().any(|d| d.contains("view 1 of this link")), "{descriptions:?}");
    assert!(descriptions.iter().any(|d| d.contains("view 3 of this link")), "{descriptions:?}");
    let (_, mine) = r.api(Method::GET, "/api/v1/documents", None).await;
    assert_eq!(mine["documents"][0]["views"], 3, "{mine}");

    // Revoked: 404, and another rep cannot revoke it.
    let revoke = format!("/api/v1/documents/{}/revoke", shared["id"].as_str().unwrap());
    let other_token = r.other_rep_token();
    let (status, _) = api(&r.relay, &other_token, Method::POST, &revoke, None).await;
    assert_eq!(status, 404);
    assert_eq!(reqwest::get(&link).await.unwrap().status().as_u16(), 200);
    let (status, revoked) = r.api(Method::POST, &revoke, None).await;
    assert_eq!((status, revoked["revoked"].as_bool()), (200, Some(true)), "{revoked}");
    assert_eq!(reqwest::get(&link).await.unwrap().status().as_u16(), 404);
    assert_eq!(reqwest::get(format!("{}/d/not-a-token", r.relay)).await.unwrap().status().as_u16(), 404);

    // A web address redirects; one that expires in a day does not open the day after.
    let body = json!({"title": "Case study", "record": cid, "url": "https://acme.example/case", "expires_in_days": 1});
    let (status, web) = r.api(Method::POST, "/api/v1/documents", Some(body)).await;
    assert_eq!(status, 201, "{web}");
    let opened = no_redirects().get(web["link"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(opened.status().as_u16(), 303);
    assert_eq!(opened.headers()["location"], "https://acme.example/case");
    let token = web["link"].as_str().unwrap().rsplit('/').next().unwrap();
    let later = crmsync_relay::state::now_ms() + 2 * 86_400_000;
    assert!(crmsync_relay::documents::open(&state, token, later).await.unwrap().is_none());

    // Refusals say what was wrong.
    let html = upload(b"<html><script>alert(1)</script></html>", format!("title=x&record={cid}")).await.unwrap();
    assert_eq!(html.status().as_u16(), 400);
    assert!(html.text().await.unwrap().contains("not a PDF"));
    for (body, needle) in [
        (json!({"title": "x", "record": cid, "url": "javascript:alert(1)"}), "is not an http(s) address"),
        (json!({"title": "x", "record": contact["AccountId"], "url": "https://a.example"}), "a Lead or Contact"),
        (json!({"title": " ", "record": cid, "url": "https://a.example"}), "title"),
    ] {
        let (status, refused) = r.api(Method::POST, "/api/v1/documents", Some(body)).await;
        assert_eq!(status, 400, "{refused}");
        assert!(refused["error"]["message"].as_str().unwrap().contains(needle), "{refused}");
    }
    // A PDF upload's query beside a JSON link would be ignored: it is refused instead.
    let body = json!({"title": "x", "record": cid, "url": "https://a.example"});
    let (status, refused) = r.api(Method::POST, "/api/v1/documents?expires_in_days=true", Some(body)).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("/api/v1/documents/pdf"), "{refused}");
    let untitled = upload(b"%PDF-1.4\n", format!("record={cid}")).await.unwrap();
    assert_eq!(untitled.status().as_u16(), 400);
    assert!(untitled.text().await.unwrap().contains("?title="));
    let (status, _) = r
        .api(
            Method::POST,
            "/api/v1/documents",
            Some(json!({"title": "x", "record": "003000000000000", "url": "https://a.example"})),
        )
        .await;
    assert_eq!(status, 404);
}
