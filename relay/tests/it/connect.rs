//! Start-up connection through OAuth client credentials and REST, against sfsim.

use crmsync::core::api::ConnectionStatus;

use crate::harness::*;

#[tokio::test]
async fn start_up_connects_and_stores_token_sealed() {
    let dir = temp_dir("connect-ok");
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("admin.html"), "<title>crmsync admin</title>").unwrap();
    let sim = start_sim(&dir).await;
    let settings = settings_for(&sim, &dir, &www, &sim.org.client_secret);
    let database_url = settings.database_url.clone();
    let relay = start_relay(settings.clone()).await;

    let status = settled_status(&relay, &settings).await;
    let ConnectionStatus::Connected { org_id, user_id, instance_url, api_version, .. } = status.connection else {
        panic!("not connected: {:?}", status.connection);
    };
    assert_eq!(org_id, sim.org.org_id);
    assert_eq!(user_id, sim.org.integration_user_id);
    assert_eq!(instance_url, sim.base_url);
    assert_eq!(api_version, "66.0");
    let usage = status.api_usage.expect("Sforce-Limit-Info was tracked");
    assert!(usage.used >= 1 && usage.max == 15_000, "{usage:?}");

    // The token is stored only sealed: no `<org15>!` token text in the row, nor on disk.
    let needle = format!("{}!", &sim.org.org_id[..15]);
    let store = crmsync_relay::store::open(database_url.as_deref(), &dir.join("relay")).await.unwrap();
    let stored = store.connection().await.unwrap().expect("connection stored");
    assert!(!stored.access_token_sealed.contains(&needle), "plain token stored");
    if database_url.is_none() {
        let db = std::fs::read(dir.join("relay/crmsync.sqlite")).unwrap();
        let wal = std::fs::read(dir.join("relay/crmsync.sqlite-wal")).unwrap_or_default();
        for bytes in [&db, &wal] {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "plain token found on disk");
        }
    }

    // The admin page is served from the www folder.
    let page = reqwest::get(format!("{relay}/admin/")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("crmsync admin"));
    let missing = reqwest::get(format!("{relay}/nope.js")).await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn start_up_with_wrong_secret_reports_the_setting() {
    let dir = temp_dir("connect-bad-secret");
    let sim = start_sim(&dir).await;
    let settings = settings_for(&sim, &dir, &dir, "not-the-secret");
    let relay = start_relay(settings.clone()).await;

    let status = settled_status(&relay, &settings).await;
    let ConnectionStatus::Failed { error, .. } = status.connection else {
        panic!("expected a failure, got {:?}", status.connection);
    };
    assert!(error.contains("invalid_client"), "{error}");
    assert!(error.contains("CRMSYNC_SALESFORCE_CLIENT_SECRET"), "{error}");
}
