//! A simulator on a free port, its token, and its test controls.

use std::path::{Path, PathBuf};

use tokio::net::TcpListener;

/// A fresh folder for one test's simulator.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crmsync-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running sfsim: its base URL and org.
pub struct Sim {
    pub base_url: String,
    pub org: sfsim::DemoOrg,
}

/// A sim whose org has about `rows` CRM rows.
pub async fn start_sim_with(dir: &Path, rows: usize) -> Sim {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = sfsim::SimConfig {
        data_dir: dir.join("sfsim"),
        seed: 7,
        seed_org_rows: rows,
        jwt_certificate: None,
        my_domain: Some("acme".into()),
    };
    let sim = sfsim::launch(listener, config).await.unwrap();
    let out = Sim { base_url: sim.base_url().to_string(), org: sim.org().clone() };
    tokio::spawn(sim.serve());
    out
}

/// A token of the connected app (client credentials).
pub async fn sim_token(sim: &Sim) -> String {
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/services/oauth2/token", sim.base_url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sim.org.client_id.as_str()),
            ("client_secret", sim.org.client_secret.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

/// Changes, adds and deletes records of `object` as users would (`/__sim/mutate`).
pub async fn mutate(sim: &Sim, object: &str, changed: usize, added: usize, deleted: usize) -> serde_json::Value {
    let body = serde_json::json!({ "object": object, "changed": changed, "added": added, "deleted": deleted });
    let r = reqwest::Client::new().post(format!("{}/__sim/mutate", sim.base_url)).json(&body).send().await.unwrap();
    assert!(r.status().is_success());
    r.json().await.unwrap()
}
