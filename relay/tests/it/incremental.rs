//! Incremental import after the org changed: changed, added and deleted rows all arrive,
//! and the store equals the org again, row by row.

use crmsync_relay::jobs::import::import;
use crmsync_relay::state::AppState;

use crate::harness::*;

#[tokio::test]
async fn incremental_import_applies_changes_additions_and_deletions() {
    let dir = temp_dir("incremental");
    let sim = start_sim(&dir).await;
    let state = AppState::open(settings_for(&sim, &dir, &dir, &sim.org.client_secret)).await.unwrap();
    import(&state, false, &|_, _| {}).await.unwrap();

    for (object, changed, added, deleted) in [("Contact", 7, 5, 3), ("Account", 2, 1, 4), ("Lead", 0, 0, 2)] {
        mutate(&sim, object, changed, added, deleted).await;
    }
    let report = import(&state, false, &|_, _| {}).await.unwrap();
    let contacts = report.objects.iter().find(|o| o.object == "Contact").unwrap();
    assert_eq!((contacts.added, contacts.changed, contacts.deleted), (5, 7, 3), "{contacts:?}");
    let accounts = report.objects.iter().find(|o| o.object == "Account").unwrap();
    assert_eq!((accounts.added, accounts.changed, accounts.deleted), (1, 2, 4), "{accounts:?}");

    assert_store_equals_org(state.store.as_ref(), &sim, "after an incremental import").await;
}
