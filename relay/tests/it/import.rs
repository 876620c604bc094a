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

    let status = crmsync_relay::admin::status::relay_status(&state).await.unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_imports_on_one_store_take_turns_and_leave_it_equal_to_the_org() {
    let dir = temp_dir("import-twice");
    let sim = start_sim(&dir).await;
    let settings = settings_for(&sim, &dir, &dir, &sim.org.client_secret);
    // Two relays on one database (each with its own in-process lock).
    let a = AppState::open(settings.clone()).await.unwrap();
    import(&a, false, &|_, _| {}).await.unwrap();
    let b = AppState::open(settings.clone()).await.unwrap();
    mutate(&sim, "Contact", 5, 5, 5).await;
    mutate(&sim, "Lead", 5, 5, 5).await;
    let (first, second) = tokio::join!(import(&a, true, &|_, _| {}), import(&b, true, &|_, _| {}));
    first.unwrap();
    second.unwrap();
    assert_store_equals_org(a.store.as_ref(), &sim, "after two full imports at once").await;

    // While another holder has the store's import lease, an import waits for it.
    let now = crmsync_relay::state::now_ms();
    assert!(a.store.try_lock("import", "someone else", now, now + 60_000).await.unwrap());
    let waiting = tokio::spawn(async move { import(&b, false, &|_, _| {}).await.map(|r| r.run) });
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(!waiting.is_finished(), "the import waited for the lease");
    a.store.unlock("import", "someone else").await.unwrap();
    let run = tokio::time::timeout(std::time::Duration::from_secs(60), waiting).await.unwrap().unwrap().unwrap();
    assert!(run > 0);
    // A lease whose holder crashed runs out on its own.
    let now = crmsync_relay::state::now_ms();
    assert!(a.store.try_lock("import", "crashed", now - 10, now - 1).await.unwrap());
    import(&a, false, &|_, _| {}).await.unwrap();

    // Matching passes take turns per store too: one waits while another holder has the
    // matching lease, and two relays' passes at once both finish, one after the other.
    use crmsync_relay::matching::{run as match_pass, Trigger};
    // The same store again (settings made anew would make a fresh database on PostgreSQL).
    let b = std::sync::Arc::new(AppState::open(settings).await.unwrap());
    let now = crmsync_relay::state::now_ms();
    assert!(a.store.try_lock("matching", "another relay", now, now + 60_000).await.unwrap());
    let waiting = tokio::spawn({
        let b = b.clone();
        async move { match_pass(&b, Trigger::Everything).await.map(|r| r.run) }
    });
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(!waiting.is_finished(), "the matching pass waited for the lease");
    a.store.unlock("matching", "another relay").await.unwrap();
    let waited = tokio::time::timeout(std::time::Duration::from_secs(60), waiting).await.unwrap().unwrap().unwrap();
    let (one, two) = tokio::join!(match_pass(&a, Trigger::Everything), match_pass(&b, Trigger::Everything));
    let (one, two) = (one.unwrap(), two.unwrap());
    let mut runs = [waited, one.run, two.run];
    runs.sort_unstable();
    assert!(runs[0] < runs[1] && runs[1] < runs[2], "{runs:?}");
    assert_eq!(one.matched, two.matched, "both passes saw the same store");
    assert!(a.store.lock_holder("matching").await.unwrap().is_none(), "every pass gave the lease back");
}
