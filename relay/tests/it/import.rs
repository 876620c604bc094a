//! Importing the demo org through Bulk API 2.0 into SQLite, compared row by row.

use std::collections::HashMap;

use crmsync::core::sf::schema::IMPORTED;
use crmsync_relay::jobs::import::import;
use crmsync_relay::state::AppState;

use crate::harness::*;

#[tokio::test]
async fn full_import_equals_the_org_and_incremental_finds_nothing_new() {
    let dir = temp_dir("import");
    let sim = start_sim(&dir).await;
    let state = AppState::open(settings_for(&sim, &dir, &dir, &sim.org.client_secret)).await.unwrap();
    let report = import(&state, false, &|_, _| {}).await.unwrap();

    let expected = sfsim::generate_demo_data(&sim.org, 500, 7);
    for (object, wanted) in IMPORTED {
        let stored = state.store.rows(object).await.unwrap();
        let org: HashMap<&str, &sfsim::SimRecord> =
            expected.iter().filter(|r| r.object == *object).map(|r| (r.id.as_str(), r)).collect();
        assert_eq!(stored.len(), org.len(), "{object}: row count");
        for row in &stored {
            let record = org.get(row.id.as_str()).unwrap_or_else(|| panic!("{object} {} not in the org", row.id));
            let fields: serde_json::Value = serde_json::from_str(&row.fields_json).unwrap();
            for field in wanted.iter().filter(|f| !(*object == "UserRole" && **f == "LastReferencedDate")) {
                assert_eq!(fields[field].as_str(), record.get(field), "{object} {} {field}", row.id);
            }
        }
        let o = report.objects.iter().find(|o| o.object == *object).unwrap();
        assert_eq!((o.added, o.rows), (org.len() as i64, org.len() as i64), "{object}: report");
    }
    let roles = report.objects.iter().find(|o| o.object == "UserRole").unwrap();
    assert_eq!(roles.missing_fields, ["LastReferencedDate"], "a field the org lacks is reported, not fatal");
    assert!(report.api_usage.is_some_and(|u| u.used > 0));

    let again = import(&state, false, &|_, _| {}).await.unwrap();
    assert!(again.objects.iter().all(|o| o.added == 0 && o.changed == 0 && o.deleted == 0), "{again:?}");

    let status = crmsync_relay::handlers::status::relay_status(&state).await.unwrap();
    let contacts = &status.objects["Contact"];
    assert_eq!(contacts.rows, expected.iter().filter(|r| r.object == "Contact").count() as i64);
    assert!(contacts.watermark.is_some() && contacts.last_sync.is_some());
}

#[tokio::test]
async fn disconnect_with_clean_up_revokes_and_purges() {
    let dir = temp_dir("disconnect");
    let sim = start_sim(&dir).await;
    let state = AppState::open(settings_for(&sim, &dir, &dir, &sim.org.client_secret)).await.unwrap();
    import(&state, false, &|_, _| {}).await.unwrap();
    let client = crmsync_relay::connect::stored_client(&state).await.unwrap();

    let report = crmsync_relay::connect::disconnect(&state, true).await.unwrap();
    assert!(report.revoked);
    let purged: HashMap<&str, u64> = report.purged.iter().map(|(t, n)| (t.as_str(), *n)).collect();
    assert!(purged["crm_records"] > 400 && purged["sync_state"] == 7 && purged["sync_runs"] == 1, "{purged:?}");
    assert!(state.store.connection().await.unwrap().is_none());
    assert!(state.store.object_counts().await.unwrap().is_empty());
    // The old token no longer works at Salesforce.
    let err = client.get_versioned::<serde_json::Value>("limits").await.unwrap_err();
    assert!(err.is_invalid_session(), "{err}");
    // A later import connects again and starts from a full import.
    let again = import(&state, false, &|_, _| {}).await.unwrap();
    assert!(again.objects.iter().all(|o| o.added == o.rows), "{again:?}");
}
