//! Crash safety: `crmsync import` of a 100k-row org killed with SIGKILL at ten random
//! points, then run to the end: the store equals the org exactly (nothing lost, nothing
//! duplicated). The kill points come from a fixed seed, printed (`CRMSYNC_CRASH_SEED`
//! replays one, `=random` draws another).

use std::process::{Command, Stdio};
use std::time::Duration;

use crmsync_relay::state::AppState;

use crate::harness::*;

fn import_command(sim: &Sim, data: &std::path::Path, database: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crmsync"));
    cmd.arg("import")
        .env("DATABASE_URL", database)
        .env("CRMSYNC_SALESFORCE_LOGIN_URL", &sim.base_url)
        .env("CRMSYNC_SALESFORCE_CLIENT_ID", &sim.org.client_id)
        .env("CRMSYNC_SALESFORCE_CLIENT_SECRET", &sim.org.client_secret)
        .env("CRMSYNC_DATA_DIR", data)
        .env_remove("CRMSYNC_SECRET_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_killed_at_random_points_then_finished_equals_the_org() {
    let dir = temp_dir("crash");
    let sim = start_sim_with(&dir, 100_000).await;
    let data = dir.join("relay");
    let database = database_url(&dir).unwrap_or_default();
    let seed = crate::harness::test_seed("CRMSYNC_CRASH_SEED", 20_261_201, "import crash test (kill points)");
    let mut rng = crmsync::core::rng::SeededRng::new(seed);
    // Ten kills at random points (a whole run of this org takes several seconds in a test
    // build on an idle machine; each restart resumes, so later kills land in later stages).
    // The points stay within 1.5 s so that most kills land inside a run however fast the
    // machine is.
    let mut interrupted = 0;
    for _ in 0..10 {
        let ms = 50 + rng.next_u64() % 1_500;
        let mut child = import_command(&sim, &data, &database).spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(ms)).await;
        let _ = child.kill(); // SIGKILL
        if !child.wait().unwrap().success() {
            interrupted += 1;
        }
    }
    assert!(interrupted >= 5, "only {interrupted} of 10 kills interrupted an import (seed {seed})");
    let finished = import_command(&sim, &data, &database).stderr(Stdio::piped()).output().unwrap();
    assert!(finished.status.success(), "{}", String::from_utf8_lossy(&finished.stderr));

    let settings = crmsync_relay::config::Settings::from_lookup(|k| match k {
        "CRMSYNC_DATA_DIR" => Some(data.display().to_string()),
        "DATABASE_URL" => Some(database.clone()).filter(|d| !d.is_empty()),
        _ => None,
    })
    .unwrap();
    let state = AppState::open(settings).await.unwrap();
    assert_store_equals_org(state.store.as_ref(), &sim, &format!("after crashes, seed {seed}")).await;
}
