//! The relay's request log: `crmsync serve` with `CRMSYNC_LOG_FORMAT=json` writes one JSON
//! line per request with the method, the route *template*, the status, the latency and the
//! caller's user id — and never the token, the query string or the record id asked about.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use serde_json::Value;

use crate::writeback::{cli, cli_command, ready};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_logged_as_json_without_tokens_or_ids() {
    let r = ready("observability", 200).await;
    let extra = [("CRMSYNC_LOG_FORMAT", "json"), ("CRMSYNC_LOG", "info")];
    let mut child = cli_command(&r.sim, &r.data, &r.database, &["serve", "--listen", "127.0.0.1:0"], &extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Standard output is read to its end on a thread: a closed pipe would stop the relay.
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (found, listening) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("crmsync relay listening on ") {
                let _ = found.send(url.trim().to_string());
            }
        }
    });
    let relay = listening.recv_timeout(std::time::Duration::from_secs(30)).expect("the relay says where it listens");
    let client = reqwest::Client::new();
    let record = "0037e00001WZ30qAAD";
    let me = client.get(format!("{relay}/api/v1/me")).bearer_auth(&r.token).send().await.unwrap();
    assert_eq!(me.status(), 200);
    let refused = client
        .get(format!("{relay}/api/v1/crm/{record}/contact?secret=query-text"))
        .bearer_auth("not-a-real-token-1234")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    child.kill().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let _ = child.wait();

    let lines: Vec<Value> = stderr.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(!lines.is_empty(), "JSON log lines expected, got:\n{stderr}");
    let request = |route: &str| {
        lines
            .iter()
            .find(|l| l["fields"]["message"] == "request" && l["span"]["route"] == route)
            .unwrap_or_else(|| panic!("no request line for {route} in:\n{stderr}"))
    };
    let me_line = request("/api/v1/me");
    assert_eq!(me_line["fields"]["status"], 200);
    assert_eq!(me_line["span"]["method"], "GET");
    assert_eq!(me_line["span"]["user"], r.rep.id.as_str(), "the caller's user id");
    assert!(me_line["fields"]["latency_ms"].as_f64().is_some());
    let refused_line = request("/api/v1/crm/{id}/contact");
    assert_eq!(refused_line["fields"]["status"], 401);
    for secret in [r.token.as_str(), "not-a-real-token-1234", record, "query-text"] {
        assert!(!stderr.contains(secret), "the log holds {secret:?}:\n{stderr}");
    }

    // A log format that is neither is refused by name, before anything runs.
    let out = cli(&r.sim, &r.data, &r.database, &["status"], &[("CRMSYNC_LOG_FORMAT", "yaml")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("CRMSYNC_LOG_FORMAT \"yaml\" is not one of text, json"));
}
