//! Fuzzing on stable Rust of every parser that reads outside input: a mutation fuzzer
//! (bit flips, interesting bytes, dictionary tokens, deletions, duplications, splices
//! between seeds) seeded with real inputs — the relay's own badge index and delta, sfsim's
//! records as a Bulk CSV page, Connections.csv, messages.csv, Invitations.csv, CRM and
//! network CSVs, page questions, Bulk JobInfo answers. Every input must be answered
//! without a panic and without a huge allocation (the test binary's allocator refuses
//! any single allocation over 256 MiB, which aborts the run).
//!
//! `CRMSYNC_FUZZ_SECONDS` is each target's budget (default 1.5 s, so `./build.sh test`
//! stays quick; `./build.sh fuzz` runs longer); `CRMSYNC_FUZZ_SEED` sets the seed (fixed by
//! default, `random` for a new one each run) and replays a run. A
//! panicking input is written to `target/fuzz-findings/` and named in the failure.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use crmsync::core::api::{PageAnswer, PageQuestion};
use crmsync::core::badge::index::{BadgeIndex, IndexDelta};
use crmsync::core::network_messages::{read_export, ExportKind};
use crmsync::core::rng::SeededRng;
use serde_json::{json, Value};

use crate::harness::*;
use crate::writeback::{org_records, ready};

/// Bytes that matter to these formats.
const DICTIONARY: &[&[u8]] = &[
    b",",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b"\xff",
    b"\xc3\xa9",
    b"\xef\xbb\xbf",
    b"CRMI",
    b"CRMD",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"null",
    b"true",
    b"-1",
    b"18446744073709551615",
    b"1e999",
    b"\\u0000",
    b"https://www.linkedin.com/in/",
    b"UTC",
    b"2023-05-17 14:02:11 UTC",
    b"Id",
    b"IsDeleted",
    b"\xff\xff\xff\xff\x0f",
];

/// The seed of `./build.sh test`'s run (the long run found nothing with it).
const DEFAULT_SEED: u64 = 1_796_118_307;

/// A varint-ish run of 0xff bytes: a huge length in the index codec.
const HUGE: &[u8] = &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];

struct Mutator {
    rng: SeededRng,
}

impl Mutator {
    fn mutate(&mut self, seeds: &[Vec<u8>]) -> Vec<u8> {
        let mut data = self.rng.pick(seeds).clone();
        let rounds = 1 + self.rng.below(8);
        for _ in 0..rounds {
            let len = data.len();
            match self.rng.below(9) {
                0 if len > 0 => {
                    let i = self.rng.below(len);
                    data[i] ^= 1 << self.rng.below(8);
                }
                1 if len > 0 => {
                    let i = self.rng.below(len);
                    data[i] = *self.rng.pick(&[0u8, 0x7f, 0x80, 0xff, b',', b'"', b'\n', 1]);
                }
                2 => {
                    let token = self.rng.pick(DICTIONARY);
                    let at = self.rng.below(len + 1);
                    data.splice(at..at, token.iter().copied());
                }
                3 if len > 0 => {
                    let start = self.rng.below(len);
                    let end = (start + 1 + self.rng.below(64)).min(len);
                    data.drain(start..end);
                }
                4 if len > 0 => {
                    let start = self.rng.below(len);
                    let end = (start + 1 + self.rng.below(256)).min(len);
                    let chunk = data[start..end].to_vec();
                    let at = self.rng.below(len + 1);
                    data.splice(at..at, chunk);
                }
                5 => {
                    let other = self.rng.pick(seeds);
                    if !other.is_empty() {
                        let cut = self.rng.below(len + 1);
                        let from = self.rng.below(other.len());
                        data.truncate(cut);
                        data.extend_from_slice(&other[from..]);
                    }
                }
                6 => {
                    let at = self.rng.below(len + 1);
                    data.splice(at..at, HUGE.iter().copied());
                }
                7 if len > 0 => {
                    let cut = self.rng.below(len);
                    data.truncate(cut);
                }
                _ => {
                    let at = self.rng.below(len + 1);
                    let n = 1 + self.rng.below(16);
                    let random: Vec<u8> = (0..n).map(|_| self.rng.next_u64() as u8).collect();
                    data.splice(at..at, random);
                }
            }
        }
        data.truncate(256 * 1024);
        data
    }
}

/// What one target's run did.
struct Run {
    name: &'static str,
    cases: u64,
    accepted: u64,
}

fn budget() -> Duration {
    let seconds = std::env::var("CRMSYNC_FUZZ_SECONDS").ok().and_then(|s| s.parse::<f64>().ok()).unwrap_or(1.5);
    Duration::from_secs_f64(seconds.max(0.1))
}

/// Feeds `target` the seeds, then mutations of them, for the budget; `target` answers
/// whether the input was accepted (an `Err` with a message is a fine answer too).
fn fuzz(name: &'static str, seed: u64, seeds: Vec<Vec<u8>>, target: impl Fn(&[u8]) -> bool) -> Run {
    let mut mutator = Mutator { rng: SeededRng::new(seed ^ name.len() as u64) };
    let until = Instant::now() + budget();
    let mut run = Run { name, cases: 0, accepted: 0 };
    let mut next = 0;
    while Instant::now() < until {
        let input = if next < seeds.len() { seeds[next].clone() } else { mutator.mutate(&seeds) };
        next += 1;
        match catch_unwind(AssertUnwindSafe(|| target(&input))) {
            Ok(accepted) => {
                run.cases += 1;
                run.accepted += u64::from(accepted);
            }
            Err(_) => {
                let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-findings");
                let _ = std::fs::create_dir_all(&dir);
                let file = dir.join(format!("{name}-{seed}-{}", run.cases));
                let _ = std::fs::write(&file, &input);
                panic!("{name} panicked on an input (seed {seed}), saved as {}", file.display());
            }
        }
    }
    run
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A Bulk API results page (CSV, every value quoted) of `records`.
fn bulk_csv(records: &[Value]) -> String {
    let Some(first) = records.first().and_then(Value::as_object) else { return String::new() };
    let columns: Vec<&String> = first.keys().collect();
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(",");
    out.push('\n');
    for r in records {
        let row: Vec<String> = columns
            .iter()
            .map(|c| match &r[c.as_str()] {
                Value::Null => String::new(),
                Value::String(s) => quote(s),
                other => quote(&other.to_string()),
            })
            .collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_parser_of_outside_input_survives_mutated_inputs() {
    // A fixed seed by default, so a clean test run is repeatable; `./build.sh fuzz` (or
    // `CRMSYNC_FUZZ_SEED=random`) explores new ones.
    let seed = crate::harness::test_seed("CRMSYNC_FUZZ_SEED", DEFAULT_SEED, "fuzz");
    eprintln!("{:?} per target", budget());
    let r = ready("fuzz", 120).await;

    // Real seeds: the relay's badge index, a delta after an incremental import, a Bulk page.
    let get = |path: String| {
        let (relay, token) = (r.relay.clone(), r.token.clone());
        async move { reqwest::Client::new().get(format!("{relay}{path}")).bearer_auth(token).send().await.unwrap() }
    };
    let first = get("/api/v1/index".into()).await;
    let version = first.headers()["x-crmsync-index-version"].to_str().unwrap().to_string();
    let decisions = first.headers()["x-crmsync-index-decisions"].to_str().unwrap().to_string();
    let snapshot = first.bytes().await.unwrap().to_vec();
    let index = BadgeIndex::decode(&snapshot).expect("the relay's index decodes");
    mutate(&r.sim, "Contact", 2, 1, 1).await;
    r.run(&["import"]);
    let delta = get(format!("/api/v1/index/delta?since={version}&decisions={decisions}")).await;
    assert_eq!(delta.status(), 200);
    let delta = delta.bytes().await.unwrap().to_vec();
    let contacts = org_records(&r.sim, "Contact").await;
    let leads = org_records(&r.sim, "Lead").await;
    let bulk_contacts = bulk_csv(&contacts[..contacts.len().min(20)]);
    let bulk_leads = bulk_csv(&leads[..leads.len().min(20)]);

    let connections = "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\n\
        First Name,Last Name,URL,Email Address,Company,Position,Connected On\n\
        Ada,Lovelace,https://www.linkedin.com/in/ada-lovelace,ada@example.com,Analytical Engines,Countess,17 May 2023\n\
        \"Bob, Jr.\",\"O\"\"Neil\",https://www.linkedin.com/in/bob,,Acme,VP Sales,01 Jan 2024\n";
    let messages = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT\n\
        2-a,,Ann Rep,https://www.linkedin.com/in/ann-rep,Bob Buyer,https://www.linkedin.com/in/bob-buyer,2023-05-17 14:02:11 UTC,,Hello Bob,INBOX,No\n\
        2-a,,Bob Buyer,https://www.linkedin.com/in/bob-buyer,Ann Rep,https://www.linkedin.com/in/ann-rep,2023-05-18 09:00:00 UTC,,\"Hi, \"\"Ann\"\"\",INBOX,No\n";
    let invitations =
        "From,To,Sent At,Message,Direction\nAnn Rep,Dee Dean,\"5/17/23, 2:02 PM\",Let's connect,OUTGOING\n";
    let crm = "Id,FirstName,LastName,Email,Company,City,Phone\n00Q000000000001AAA,Ada,Lovelace,ada@example.com,Engines,London,+44 20 7946 0000\n";
    let network =
        "id,first_name,last_name,company,location,headline\nada,Ada,Lovelace,Engines,London,Countess at Engines\n";
    let question = json!({
        "url": "https://www.linkedin.com/in/ada-lovelace/",
        "seen": {"url": "https://www.linkedin.com/in/ada-lovelace/", "name": "Ada Lovelace", "headline": "Countess at Engines", "location": "London"},
        "results": [{"url": "https://www.linkedin.com/in/bob/", "name": "Bob", "company": "Acme"}],
        "instance_url": "https://acme.my.salesforce.com"
    })
    .to_string();
    let job = r#"{"id":"7505g00000AAAAAAAA","state":"JobComplete","numberRecordsProcessed":120,"errorMessage":null}"#;

    let b = |s: &str| s.as_bytes().to_vec();
    let runs = vec![
        fuzz("connections_csv", seed, vec![b(connections)], |i| {
            crmsync::core::network_export::connections_to_network(&text(i)).is_ok()
        }),
        fuzz("messages_csv", seed, vec![b(messages)], |i| {
            read_export(ExportKind::Messages, &text(i), "u", None).is_ok()
        }),
        fuzz("invitations_csv", seed, vec![b(invitations)], |i| {
            read_export(ExportKind::Invitations, &text(i), "u", Some("Ann Rep")).is_ok()
        }),
        fuzz("crm_csv", seed, vec![b(crm), b(&bulk_contacts)], |i| {
            crmsync::core::matching::input::read_crm("crm.csv", &text(i)).is_ok()
        }),
        fuzz("network_csv", seed, vec![b(network)], |i| {
            crmsync::core::matching::input::read_network("network.csv", &text(i)).is_ok()
        }),
        fuzz("badge_index", seed, vec![snapshot.clone()], |i| BadgeIndex::decode(i).is_ok()),
        fuzz("index_delta", seed, vec![delta.clone()], |i| match IndexDelta::decode(i) {
            Ok(d) => BadgeIndex::decode(&snapshot).is_ok_and(|mut held| held.apply(d).is_ok()),
            Err(_) => false,
        }),
        fuzz("page_question", seed, vec![b(&question)], |i| match serde_json::from_slice::<PageQuestion>(i) {
            Ok(q) => {
                let _ = PageAnswer::answer(&q, Some(&index));
                true
            }
            Err(_) => false,
        }),
        fuzz("bulk_csv_page", seed, vec![b(&bulk_contacts), b(&bulk_leads)], |i| {
            crmsync_relay::jobs::import::parse_page("Contact", &text(i)).is_ok()
        }),
        fuzz("bulk_job_json", seed, vec![b(job)], |i| {
            serde_json::from_slice::<crmsync_relay::salesforce::bulk::JobInfo>(i).is_ok()
        }),
    ];
    let mut report = Vec::new();
    for run in &runs {
        eprintln!("fuzz {:<16} {:>9} cases, {:>7} accepted, no panic", run.name, run.cases, run.accepted);
        assert!(run.cases > 10, "{} ran only {} cases", run.name, run.cases);
        report.push(json!({"target": run.name, "cases": run.cases, "accepted": run.accepted}));
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-report.json");
    let _ = std::fs::write(
        out,
        json!({"seed": seed, "seconds_per_target": budget().as_secs_f64(), "runs": report}).to_string(),
    );
}
