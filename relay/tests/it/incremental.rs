//! Incremental import after the org changed: changed, added and deleted rows all arrive,
//! and the store equals the org again, row by row.

use std::collections::BTreeMap;

use crmsync_relay::jobs::import::import;
use crmsync_relay::state::AppState;
use serde_json::{json, Value};

use crate::harness::*;

async fn org_rows(sim: &Sim, object: &str) -> BTreeMap<String, Value> {
    let rows: Vec<Value> =
        reqwest::get(format!("{}/__sim/records/{object}", sim.base_url)).await.unwrap().json().await.unwrap();
    rows.into_iter().map(|r| (r["Id"].as_str().unwrap_or_default().to_string(), r)).collect()
}

#[tokio::test]
async fn incremental_import_applies_changes_additions_and_deletions() {
    let dir = temp_dir("incremental");
    let sim = start_sim(&dir).await;
    let state = AppState::open(settings_for(&sim, &dir, &dir, &sim.org.client_secret)).await.unwrap();
    import(&state, false, &|_, _| {}).await.unwrap();

    let client = reqwest::Client::new();
    for (object, changed, added, deleted) in [("Contact", 7, 5, 3), ("Account", 2, 1, 4), ("Lead", 0, 0, 2)] {
        let r = client
            .post(format!("{}/__sim/mutate", sim.base_url))
            .json(&json!({ "object": object, "changed": changed, "added": added, "deleted": deleted }))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    let report = import(&state, false, &|_, _| {}).await.unwrap();
    let contacts = report.objects.iter().find(|o| o.object == "Contact").unwrap();
    assert_eq!((contacts.added, contacts.changed, contacts.deleted), (5, 7, 3), "{contacts:?}");
    let accounts = report.objects.iter().find(|o| o.object == "Account").unwrap();
    assert_eq!((accounts.added, accounts.changed, accounts.deleted), (1, 2, 4), "{accounts:?}");

    for object in ["Contact", "Account", "Lead", "Opportunity"] {
        let org = org_rows(&sim, object).await;
        let stored = state.store.rows(object).await.unwrap();
        assert_eq!(stored.len(), org.len(), "{object}: rows");
        for row in stored {
            let fields: Value = serde_json::from_str(&row.fields_json).unwrap();
            assert_same_fields(object, &row.id, &fields, &org[&row.id]);
        }
    }
}
