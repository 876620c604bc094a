//! Imports under sfsim faults: transient ones are retried, an expired session is renewed
//! once, and an exhausted API limit fails clearly.

use crmsync_relay::jobs::import::import;
use crmsync_relay::state::AppState;
use serde_json::json;

use crate::harness::*;

async fn fault(sim: &Sim, plan: serde_json::Value) {
    let r = reqwest::Client::new().post(format!("{}/__sim/faults", sim.base_url)).json(&plan).send().await.unwrap();
    assert!(r.status().is_success());
}

#[tokio::test]
async fn transient_faults_are_retried_and_expired_sessions_renewed() {
    let dir = temp_dir("faults");
    let sim = start_sim(&dir).await;
    let state = AppState::open(settings_for(&sim, &dir, &dir, &sim.org.client_secret)).await.unwrap();
    crmsync_relay::connect::connect_client_credentials(&state).await.unwrap();

    for kind in ["unavailable", "server_error", "unable_to_lock"] {
        fault(&sim, json!({ "kind": kind, "count": 2 })).await;
        let report = import(&state, true, &|_| {}).await.unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert!(report.objects.iter().all(|o| o.rows > 0 || o.object == "OpportunityContactRole"), "{kind}");
    }

    fault(&sim, json!({ "kind": "expired_session", "count": 1 })).await;
    let report = import(&state, true, &|_| {}).await.expect("one reconnect after an expired session");
    assert_eq!(report.objects.len(), 7);

    fault(&sim, json!({ "kind": "request_limit", "count": 100 })).await;
    let err = import(&state, false, &|_| {}).await.err().expect("a limit that does not clear fails");
    assert!(err.to_string().contains("REQUEST_LIMIT_EXCEEDED"), "{err}");
    fault(&sim, json!({ "count": 0 })).await;
}
