//! Boots sfsim and the relay in-process on free ports, each with its own temp folder.

use std::path::Path;
use std::time::Duration;

use crmsync::core::api::{PublicStatus, RelayStatus};
use crmsync_relay::config::Settings;
use tokio::net::TcpListener;

pub use crate::sim_harness::{mutate, sim_token, start_sim_with, temp_dir, Sim};

/// A sim whose org has 500 CRM rows.
pub async fn start_sim(dir: &Path) -> Sim {
    start_sim_with(dir, 500).await
}

/// With `CRMSYNC_TEST_POSTGRES=postgres://user@host:port` set, every test gets a fresh
/// PostgreSQL database on that server instead of a SQLite file: the same suite then
/// proves both backends.
pub fn database_url(dir: &Path) -> Option<String> {
    let base = std::env::var("CRMSYNC_TEST_POSTGRES").ok().filter(|v| !v.is_empty())?;
    let name: String = format!("t_{}", dir.file_name()?.to_string_lossy())
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    let admin = format!("{base}/postgres");
    let created = std::thread::spawn(move || {
        tokio::runtime::Runtime::new().unwrap().block_on(async move {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(&mut conn).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
            name
        })
    })
    .join()
    .unwrap();
    Some(format!("{base}/{created}"))
}

/// Relay settings pointing at `sim` with the given client secret.
pub fn settings_for(sim: &Sim, dir: &Path, www: &Path, secret: &str) -> Settings {
    let database = database_url(dir).unwrap_or_default();
    let pairs = [
        ("DATABASE_URL", database),
        // Small pages, so every test walks Bulk results by locator.
        ("CRMSYNC_BULK_PAGE_RECORDS", "97".to_string()),
        ("CRMSYNC_SALESFORCE_LOGIN_URL", sim.base_url.clone()),
        ("CRMSYNC_SALESFORCE_CLIENT_ID", sim.org.client_id.clone()),
        ("CRMSYNC_SALESFORCE_CLIENT_SECRET", secret.to_string()),
        ("CRMSYNC_DATA_DIR", dir.join("relay").display().to_string()),
        ("CRMSYNC_WWW_DIR", www.display().to_string()),
        // Tests flush on their own (`crmsync flush`), never on the relay's schedule.
        ("CRMSYNC_FLUSH_INTERVAL_SECONDS", "86400".to_string()),
    ];
    Settings::from_lookup(|k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone())).unwrap()
}

/// Starts the relay and returns its base URL.
pub async fn start_relay(settings: Settings) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let relay = crmsync_relay::launch(listener, settings).await.unwrap();
    let base = relay.base_url().unwrap();
    tokio::spawn(relay.serve(std::future::pending()));
    base
}

/// Polls the public `/api/v1/status` until the connection leaves "not configured" (10 s
/// at most), then answers the admin's full status.
pub async fn settled_status(relay: &str, settings: &Settings) -> RelayStatus {
    for _ in 0..100 {
        let status: PublicStatus = reqwest::get(format!("{relay}/api/v1/status")).await.unwrap().json().await.unwrap();
        if !matches!(status.connection.state.as_str(), "not_configured" | "not_connected") {
            return admin_status(relay, settings).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the relay never connected nor failed");
}

/// An admin console session of the relay on `settings`' store, as a `Cookie` header value
/// (what a browser sends after the admin's Salesforce login).
pub async fn admin_cookie(settings: &Settings) -> String {
    let state = crmsync_relay::state::AppState::open(settings.clone()).await.unwrap();
    let set_cookie =
        crmsync_relay::handlers::admin_session::start(&state, "005000000000001AAA", "admin@test").await.unwrap();
    set_cookie.to_str().unwrap().split(';').next().unwrap().to_string()
}

/// `GET /api/v1/status` as the admin: every detail.
pub async fn admin_status(relay: &str, settings: &Settings) -> RelayStatus {
    let cookie = admin_cookie(settings).await;
    let response =
        reqwest::Client::new().get(format!("{relay}/api/v1/status")).header("cookie", cookie).send().await.unwrap();
    response.json().await.unwrap()
}

/// Asserts a stored row (absent keys are nulls) equals the org's record on every field
/// either side has, `IsDeleted` aside.
pub fn assert_same_fields(object: &str, id: &str, stored: &serde_json::Value, org: &serde_json::Value) {
    let null = serde_json::Value::Null;
    let keys = stored.as_object().into_iter().chain(org.as_object()).flat_map(|m| m.keys());
    for key in keys.filter(|k| *k != "IsDeleted") {
        let (have, want) = (stored.get(key).unwrap_or(&null), org.get(key).unwrap_or(&null));
        assert_eq!(have, want, "{object} {id} {key}");
    }
}

/// Switches sfsim faults on (`POST /__sim/faults`).
pub async fn fault(sim: &Sim, plan: serde_json::Value) {
    let r = reqwest::Client::new().post(format!("{}/__sim/faults", sim.base_url)).json(&plan).send().await.unwrap();
    assert!(r.status().is_success());
}

/// Asserts the store holds exactly the org's live records of every imported object, field
/// by field; `context` says which run is checked.
pub async fn assert_store_equals_org(store: &dyn crmsync_relay::store::Store, sim: &Sim, context: &str) {
    for (object, _) in crmsync::core::sf::schema::IMPORTED {
        let org: Vec<serde_json::Value> =
            reqwest::get(format!("{}/__sim/records/{object}", sim.base_url)).await.unwrap().json().await.unwrap();
        let org: std::collections::BTreeMap<String, serde_json::Value> =
            org.into_iter().map(|r| (r["Id"].as_str().unwrap_or_default().to_string(), r)).collect();
        let stored = store.rows(object).await.unwrap();
        assert_eq!(stored.len(), org.len(), "{object}: rows ({context})");
        for row in stored {
            let fields: serde_json::Value = serde_json::from_str(&row.fields_json).unwrap();
            let expected =
                org.get(&row.id).unwrap_or_else(|| panic!("{object} {} is not in the org ({context})", row.id));
            assert_same_fields(object, &row.id, &fields, expected);
        }
    }
}

/// The seed of a randomized test: `var` names it (a number replays one, `random` draws a
/// new one from the clock), else `fixed`, so a clean run is repeatable. Printed, so a
/// failure can be replayed.
pub fn test_seed(var: &str, fixed: u64, what: &str) -> u64 {
    let seed = match std::env::var(var).ok().as_deref() {
        Some("random") => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_secs()),
        Some(given) => given.parse().unwrap_or(fixed),
        None => fixed,
    };
    eprintln!("{what} seed {seed} ({var}={seed} replays it; {var}=random draws another)");
    seed
}
