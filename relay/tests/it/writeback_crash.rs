//! Crash safety of write-back: `crmsync flush` killed with SIGKILL at twenty random points
//! while thousands of activities (Tasks and Notes) are written, then run to the end:
//! every activity is in Salesforce exactly once, counted by the external id (Tasks) and
//! by the body (Notes) through the REST API. The kill points come from a seed printed by
//! the test (`CRMSYNC_CRASH_SEED` replays them).

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::*;
use crate::writeback::{activity, cli, cli_command, org_records, ready, soql, uuid};

const TASKS: u64 = 2_400;
const NOTES: u64 = 600;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flushes_killed_at_random_points_write_every_activity_exactly_once() {
    let r = ready("wb-crash", 300).await;
    r.run(&["setup"]);
    let leads: Vec<String> = org_records(&r.sim, "Lead")
        .await
        .iter()
        .filter(|l| l["IsConverted"] != json!("true"))
        .filter_map(|l| l["Id"].as_str().map(str::to_string))
        .take(30)
        .collect();
    let contacts: Vec<String> = org_records(&r.sim, "Contact")
        .await
        .iter()
        .filter_map(|c| c["Id"].as_str().map(str::to_string))
        .take(30)
        .collect();
    // Every fifth activity is a note, so notes are written throughout the run.
    let kinds = ["inmail", "message", "call", "document_view", "note"];
    let all: Vec<Value> = (0..TASKS + NOTES)
        .map(|n| {
            let i = n as usize;
            let target = if i % 2 == 0 { &leads[(i / 2) % leads.len()] } else { &contacts[(i / 2) % contacts.len()] };
            activity(n, kinds[i % kinds.len()], Some(target))
        })
        .collect();
    for batch in all.chunks(500) {
        r.log(Value::Array(batch.to_vec())).await;
    }

    let seed = crate::harness::test_seed("CRMSYNC_CRASH_SEED", 20_261_201, "write-back crash test (kill points)");
    let mut rng = crmsync::core::rng::SeededRng::new(seed);
    // Each call takes a while, so kills land inside calls as well as between them.
    fault(&r.sim, json!({"latency_ms": 300})).await;
    let env = [("CRMSYNC_WRITEBACK_UNCERTAIN_SECONDS", "1")];
    let mut interrupted = 0;
    for _ in 0..20 {
        let mut cmd = cli_command(&r.sim, &r.data, &r.database, &["flush"], &env);
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(50 + rng.next_u64() % 900)).await;
        let _ = child.kill(); // SIGKILL
        if !child.wait().unwrap().success() {
            interrupted += 1;
        }
    }
    assert!(interrupted >= 10, "only {interrupted} of 20 kills interrupted a flush (seed {seed})");
    fault(&r.sim, json!({"latency_ms": 0})).await;
    // Past the uncertainty window, flushes finish the queue.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    for _ in 0..3 {
        let out = cli(&r.sim, &r.data, &r.database, &["flush"], &env);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let status: Value = serde_json::from_str(&r.run(&["status", "--json"])).unwrap();
    assert_eq!(status["activities"]["written"], json!(TASKS + NOTES), "{} (seed {seed})", status["activities"]);

    let tasks = soql(&r.sim, "SELECT Id, Crmsync_Activity_Id__c FROM Task").await;
    let mut per_key: HashMap<String, usize> = HashMap::new();
    for t in &tasks {
        *per_key.entry(t["Crmsync_Activity_Id__c"].as_str().unwrap_or_default().to_string()).or_default() += 1;
    }
    assert_eq!(tasks.len() as u64, TASKS, "Tasks in Salesforce (seed {seed})");
    let is_note = |n: &u64| n % 5 == 4;
    assert!(
        (0..TASKS + NOTES).filter(|n| !is_note(n)).all(|n| per_key.get(&uuid(n)) == Some(&1)),
        "a Task missing or doubled (seed {seed})"
    );
    let notes = soql(&r.sim, "SELECT Id, Body FROM Note").await;
    let mut per_body: HashMap<String, usize> = HashMap::new();
    for n in &notes {
        *per_body.entry(n["Body"].as_str().unwrap_or_default().to_string()).or_default() += 1;
    }
    assert_eq!(notes.len() as u64, NOTES, "Notes in Salesforce (seed {seed})");
    assert!(
        (0..TASKS + NOTES).filter(is_note).all(|n| per_body.get(&format!("body of activity {n}")) == Some(&1)),
        "a Note missing or doubled (seed {seed})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_flushes_claim_each_activity_once() {
    let r = ready("wb-concurrent", 200).await;
    r.run(&["setup"]);
    let contacts: Vec<String> = org_records(&r.sim, "Contact")
        .await
        .iter()
        .filter_map(|c| c["Id"].as_str().map(str::to_string))
        .take(20)
        .collect();
    let kinds = ["inmail", "message", "call", "document_view", "note"];
    let all: Vec<Value> =
        (0..1_000u64).map(|n| activity(n, kinds[n as usize % kinds.len()], Some(&contacts[n as usize % 20]))).collect();
    for batch in all.chunks(500) {
        r.log(Value::Array(batch.to_vec())).await;
    }
    fault(&r.sim, json!({"latency_ms": 20})).await;
    // Three flushes at once, as the schedule, an admin and a second replica might.
    let children: Vec<_> = (0..3)
        .map(|_| {
            let mut cmd = cli_command(&r.sim, &r.data, &r.database, &["flush"], &[]);
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    fault(&r.sim, json!({"latency_ms": 0})).await;
    let status: Value = serde_json::from_str(&r.run(&["status", "--json"])).unwrap();
    assert_eq!(status["activities"]["written"], json!(1_000), "{}", status["activities"]);
    assert_eq!(soql(&r.sim, "SELECT Id FROM Task").await.len(), 800);
    assert_eq!(soql(&r.sim, "SELECT Id FROM Note").await.len(), 200);
}
