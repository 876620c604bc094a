//! Imports under sfsim faults: transient ones are retried, an expired session is renewed
//! once, and an exhausted API limit fails clearly.

use crmsync_relay::jobs::import::import;
use crmsync_relay::state::AppState;
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn transient_faults_are_retried_and_expired_sessions_renewed() {
    let dir = temp_dir("faults");
    let sim = start_sim(&dir).await;
    let state = AppState::open(settings_for(&sim, &dir, &dir, &sim.org.client_secret)).await.unwrap();
    crmsync_relay::connect::connect_client_credentials(&state).await.unwrap();

    for kind in ["unavailable", "server_error", "unable_to_lock"] {
        fault(&sim, json!({ "kind": kind, "count": 2 })).await;
        let report = import(&state, true, &|_, _| {}).await.unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert!(report.objects.iter().all(|o| o.rows > 0 || o.object == "OpportunityContactRole"), "{kind}");
    }

    fault(&sim, json!({ "kind": "expired_session", "count": 1 })).await;
    let report = import(&state, true, &|_, _| {}).await.expect("one reconnect after an expired session");
    assert_eq!(report.objects.len(), 7);

    fault(&sim, json!({ "kind": "request_limit", "count": 100 })).await;
    let err = import(&state, false, &|_, _| {}).await.expect_err("a limit that does not clear fails");
    assert!(err.to_string().contains("REQUEST_LIMIT_EXCEEDED"), "{err}");
    fault(&sim, json!({ "count": 0 })).await;
}

#[tokio::test]
async fn dropped_connections_and_failed_bulk_jobs_are_retried_then_reported() {
    let dir = temp_dir("faults-dropped");
    let sim = start_sim(&dir).await;
    let state = AppState::open(settings_for(&sim, &dir, &dir, &sim.org.client_secret)).await.unwrap();
    crmsync_relay::connect::connect_client_credentials(&state).await.unwrap();
    let clean = import(&state, true, &|_, _| {}).await.unwrap();
    let rows = |r: &crmsync_relay::jobs::import::ImportReport| r.objects.iter().map(|o| o.rows).sum::<i64>();

    fault(&sim, json!({ "kind": "dropped_connection", "count": 3 })).await;
    let report = import(&state, true, &|_, _| {}).await.expect("dropped connections are retried");
    assert_eq!(rows(&report), rows(&clean));

    fault(&sim, json!({ "kind": "bulk_job_failed", "count": 2 })).await;
    let report = import(&state, true, &|_, _| {}).await.expect("a failed Bulk job is run again");
    assert_eq!(rows(&report), rows(&clean));

    fault(&sim, json!({ "kind": "bulk_job_failed", "count": 100 })).await;
    let err = import(&state, true, &|_, _| {}).await.expect_err("a job that keeps failing stops the import");
    let text = err.to_string();
    assert!(text.contains("BULK_JOB_FAILED") && text.contains("InternalServerError"), "{text}");
    fault(&sim, json!({ "count": 0 })).await;
}

#[tokio::test]
async fn changes_imported_under_faults_equal_the_org_row_by_row() {
    let dir = temp_dir("faults-compare");
    let sim = start_sim(&dir).await;
    let state = AppState::open(settings_for(&sim, &dir, &dir, &sim.org.client_secret)).await.unwrap();
    crmsync_relay::connect::connect_client_credentials(&state).await.unwrap();
    import(&state, false, &|_, _| {}).await.unwrap();
    for (round, kind) in ["dropped_connection", "unavailable", "expired_session", "bulk_job_failed", "unable_to_lock"]
        .into_iter()
        .enumerate()
    {
        mutate(&sim, "Contact", 5, 3, 2).await;
        mutate(&sim, "Account", 2, 1, 1).await;
        mutate(&sim, "Lead", 1, 2, 1).await;
        // One expiry per run is renewed; a second would (rightly) fail the run.
        let count = if kind == "expired_session" { 1 } else { 2 };
        fault(&sim, json!({ "kind": kind, "count": count, "latency_ms": 5 })).await;
        let full = round % 2 == 1;
        import(&state, full, &|_, _| {}).await.unwrap_or_else(|e| panic!("{kind}: {e}"));
        fault(&sim, json!({ "count": 0 })).await;
        assert_store_equals_org(state.store.as_ref(), &sim, &format!("after changes under {kind}")).await;
    }
}

#[tokio::test]
async fn an_exhausted_daily_limit_fails_clearly_and_is_shown() {
    let dir = temp_dir("faults-daily-limit");
    let sim = start_sim(&dir).await;
    let state = AppState::open(settings_for(&sim, &dir, &dir, &sim.org.client_secret)).await.unwrap();
    crmsync_relay::connect::connect_client_credentials(&state).await.unwrap();
    let limits = |body: serde_json::Value| {
        let url = format!("{}/__sim/limits", sim.base_url);
        async move { reqwest::Client::new().post(url).json(&body).send().await.unwrap() }
    };
    assert!(limits(json!({ "max": 100, "used": 95 })).await.status().is_success());
    let err = import(&state, true, &|_, _| {}).await.expect_err("the allowance runs out mid-import");
    assert!(err.to_string().contains("REQUEST_LIMIT_EXCEEDED"), "{err}");
    let usage = state.api_usage().expect("usage tracked from Sforce-Limit-Info");
    assert_eq!(usage.max, 100);
    assert!(usage.used >= 95, "{usage:?}");
    // A new day (the count rewinds): the next import completes.
    assert!(limits(json!({ "used": 0 })).await.status().is_success());
    import(&state, false, &|_, _| {}).await.expect("imports again once calls are allowed");
}

#[tokio::test]
async fn sfsim_gzips_bulk_results_when_asked() {
    let dir = temp_dir("faults-gzip");
    let sim = start_sim(&dir).await;
    let http = reqwest::Client::builder().no_gzip().build().unwrap();
    let bearer = sim_token(&sim).await;
    let job: serde_json::Value = http
        .post(format!("{}/services/data/v66.0/jobs/query", sim.base_url))
        .bearer_auth(&bearer)
        .json(&json!({ "operation": "query", "query": "SELECT Id FROM Account" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let results = format!("{}/services/data/v66.0/jobs/query/{}/results", sim.base_url, job["id"].as_str().unwrap());
    for _ in 0..100 {
        let r = http.get(&results).bearer_auth(&bearer).header("accept-encoding", "gzip").send().await.unwrap();
        if r.status() == 412 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        }
        assert_eq!(r.headers()["content-encoding"], "gzip");
        let body = r.bytes().await.unwrap();
        assert_eq!(&body[..2], &[0x1f, 0x8b], "gzip magic");
        let plain = http.get(&results).bearer_auth(&bearer).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        assert!(plain.text().await.unwrap().starts_with("\"Id\"\n"));
        return;
    }
    panic!("the job never completed");
}
