//! `crmsync match --crm CRM.csv --network NETWORK.csv --out MATCHES.csv
//! [--decisions D.csv] [--explain]`: link a CRM export to network records with the core
//! matcher and write the one-to-one matches.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use crmsync::core::csv;
use crmsync::core::matching::blocking::NEIGHBOURS;
use crmsync::core::matching::decisions::{Decision, DecisionKind, Decisions};
use crmsync::core::matching::input::{read_crm, read_network, Loaded};
use crmsync::core::matching::layout::in_name_order;
use crmsync::core::matching::{link, Link, LinkOptions, Linkable, Method};
use crmsync::core::sf::SalesforceId;

/// Options of `crmsync match`.
pub struct MatchArgs {
    pub crm: PathBuf,
    pub network: PathBuf,
    pub out: PathBuf,
    pub decisions: Option<PathBuf>,
    pub explain: bool,
    pub threshold: f64,
    /// Also write every candidate pair with its weight (for blocking recall and tuning).
    pub candidates: Option<PathBuf>,
}

/// What `f` made and how long it took.
fn timed<T>(f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<(T, Duration)> {
    let started = Instant::now();
    Ok((f()?, started.elapsed()))
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Runs the command; the report goes to stderr. The process ends after it (the records
/// are left to its exit).
pub fn run(args: &MatchArgs) -> anyhow::Result<()> {
    if !(0.0..1.0).contains(&args.threshold) {
        bail!("--threshold must be at least 0 and below 1, got {}", args.threshold);
    }
    let started = Instant::now();
    // The two files side by side: each is read in parallel runs already, but its split
    // into runs and its gathering are one core's work, which the other file's fills.
    let (crm, network) = std::thread::scope(|s| {
        let network =
            s.spawn(|| timed(|| Ok(read_network(&args.network.display().to_string(), &read(&args.network)?)?)));
        let crm = timed(|| Ok(read_crm(&args.crm.display().to_string(), &read(&args.crm)?)?));
        (crm, network.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let ((mut crm, crm_read), (mut network, network_read)) = (crm?, network?);
    let decisions = match &args.decisions {
        Some(path) => read_decisions(path)?,
        None => Decisions::default(),
    };
    report_loaded("CRM people", &crm.people);
    report_loaded("CRM accounts", &crm.accounts);
    report_loaded("network people", &network.people);
    report_loaded("network companies", &network.companies);
    let loaded_at = started.elapsed();
    let (((crm_people, people_from), (crm_accounts, accounts_from)), (network_people, network_companies)) =
        std::thread::scope(|s| {
            let network = s.spawn(|| {
                let people = in_name_order(std::mem::take(&mut network.people.records)).0;
                (people, in_name_order(std::mem::take(&mut network.companies.records)).0)
            });
            let crm_people = in_name_order(std::mem::take(&mut crm.people.records));
            let crm = (crm_people, in_name_order(std::mem::take(&mut crm.accounts.records)));
            (crm, network.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        });
    let laid_out_at = started.elapsed();

    let options = LinkOptions {
        threshold: args.threshold,
        explain: args.explain,
        clock: Some(seconds),
        ..LinkOptions::default()
    };
    let mut out = Vec::new();
    let header: &[&str] = if args.explain {
        &["crm_id", "network_id", "probability", "match_weight", "method", "explanation"]
    } else {
        &["crm_id", "network_id", "probability", "match_weight", "method"]
    };
    out.extend_from_slice(csv::line(header).as_bytes());
    let mut candidates =
        args.candidates.as_ref().map(|_| csv::line(&["crm_id", "network_id", "match_weight"]).into_bytes());
    let mut total = 0;
    total += link_and_write(
        "people",
        (&crm_people, &people_from),
        &network_people,
        &decisions,
        &options,
        &mut out,
        candidates.as_mut(),
    );
    total += link_and_write(
        "companies",
        (&crm_accounts, &accounts_from),
        &network_companies,
        &decisions,
        &options,
        &mut out,
        candidates.as_mut(),
    );
    if let (Some(path), Some(bytes)) = (&args.candidates, candidates) {
        std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut file = std::fs::File::create(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    file.write_all(&out).with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "crmsync match: {total} matches written to {} in {:.2} s (reading {:.2} s: CRM {:.2} s and network {:.2} s \
         side by side; laid out in name order in {:.2} s)",
        args.out.display(),
        started.elapsed().as_secs_f64(),
        loaded_at.as_secs_f64(),
        crm_read.as_secs_f64(),
        network_read.as_secs_f64(),
        (laid_out_at - loaded_at).as_secs_f64()
    );
    // The command ends here and the process with it: freeing two million records one by
    // one, on one core, took most of a second that the system's exit does at once.
    #[expect(clippy::mem_forget, reason = "the process exits next; its memory goes back whole")]
    std::mem::forget((crm_people, network_people, crm_accounts, network_companies));
    Ok(())
}

/// Seconds since the command's first reading: the clock the matcher's phases are timed by.
fn seconds() -> f64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

fn report_loaded<R>(what: &str, loaded: &Loaded<R>) {
    if loaded.records.is_empty() && loaded.skipped_total() == 0 {
        return;
    }
    eprintln!("{what}: {} read, {} skipped", loaded.records.len(), loaded.skipped_total());
    for (reason, n) in &loaded.skipped {
        eprintln!("  skipped {n}: {reason}");
    }
    for line in loaded.reported.iter().take(5) {
        eprintln!("  e.g. {line}");
    }
}

/// Links one kind of record and writes its matches in the CRM file's order (`crm_from`:
/// each laid-out CRM record's position in the file).
fn link_and_write<R: Linkable>(
    what: &str,
    (crm, crm_from): (&[R], &[u32]),
    network: &[R],
    decisions: &Decisions,
    options: &LinkOptions,
    out: &mut Vec<u8>,
    candidates: Option<&mut Vec<u8>>,
) -> usize {
    if crm.is_empty() || network.is_empty() {
        return 0;
    }
    let started = Instant::now();
    let linkage = link(crm, network, decisions, options);
    eprintln!(
        "{what}: {} × {} records, {} candidate pairs, {} matches ({} manual) in {:.2} s; prior {:.2e}",
        crm.len(),
        network.len(),
        linkage.candidate_pairs,
        linkage.links.len(),
        linkage.links.iter().filter(|l| l.method == Method::Manual).count(),
        started.elapsed().as_secs_f64(),
        linkage.params.prior
    );
    eprintln!("  phases: {}", linkage.phases.summary());
    for r in &linkage.per_rule {
        eprintln!(
            "  blocking rule {:?}: {} pairs; {} common blocks split, {} parts bounded to their {NEIGHBOURS} nearest",
            r.rule, r.pairs, r.split, r.bounded
        );
    }
    let mut links: Vec<&Link> = linkage.links.iter().collect();
    links.sort_by_key(|l| (crm_from[l.crm], l.network));
    for l in links {
        out.extend_from_slice(row(l, crm, network).as_bytes());
    }
    if let Some(buf) = candidates {
        for &(i, j, w) in &linkage.scored {
            buf.extend_from_slice(
                csv::line(&[crm[i as usize].id(), network[j as usize].id(), &format!("{w:.3}")]).as_bytes(),
            );
        }
    }
    linkage.links.len()
}

fn row<R: Linkable>(l: &Link, crm: &[R], network: &[R]) -> String {
    let method = match l.method {
        Method::Auto => "auto",
        Method::Manual => "manual",
    };
    let mut fields = vec![
        crm[l.crm].id().to_string(),
        network[l.network].id().to_string(),
        format!("{:.6}", l.probability),
        format!("{:.3}", l.match_weight),
        method.to_string(),
    ];
    if let Some(e) = &l.explanation {
        fields.push(e.compact());
    }
    csv::line(&fields)
}

/// `crm_id,network_id,decision` with decision `match`, `not_match` or `unmatch`, in the
/// order they were made.
fn read_decisions(path: &Path) -> anyhow::Result<Decisions> {
    let text = read(path)?;
    let mut rows = csv::Reader::new(&text);
    let header = rows.next().context("the decisions file is empty")??.fields;
    let col = |name: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(c), Some(n), Some(d)) = (col("crm_id"), col("network_id"), col("decision")) else {
        bail!("{}: the header must have crm_id, network_id and decision columns", path.display());
    };
    let mut history = Vec::new();
    for row in rows {
        let row = row.with_context(|| format!("{}", path.display()))?;
        if row.fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |i: usize| row.fields.get(i).map(|s| s.trim()).unwrap_or("");
        let crm_id = SalesforceId::parse(get(c))
            .with_context(|| format!("{} line {}: crm_id {:?}", path.display(), row.line, get(c)))?;
        let kind = match get(d).to_ascii_lowercase().replace('-', "_").as_str() {
            "match" | "manual" => DecisionKind::Match,
            "not_match" | "no_match" | "reject" => DecisionKind::NotMatch,
            "unmatch" => DecisionKind::Unmatch,
            other => {
                bail!("{} line {}: decision {other:?} is not match, not_match or unmatch", path.display(), row.line)
            }
        };
        history.push(Decision { crm_id: crm_id.to_string(), network_id: get(n).to_string(), kind });
    }
    Ok(Decisions::from_history(history))
}
