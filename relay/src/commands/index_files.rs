//! `crmsync index build|lookup`: the browser's badge index from a CRM export, and timed
//! look-ups against it (what the extension does per page, measured natively).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use crmsync::core::badge::{BadgeIndex, Label};
use crmsync::core::csv;
use crmsync::core::matching::comparison::{COMPANY_COMPARISONS, PERSON_COMPARISONS};
use crmsync::core::matching::decisions::Decisions;
use crmsync::core::matching::input::{read_crm, read_network};
use crmsync::core::matching::params::Params;
use crmsync::core::matching::{link, LinkOptions};

/// Builds an index from `crm`, training parameters against `network` when given.
pub fn build(crm: &PathBuf, network: Option<&PathBuf>, out: &PathBuf, key: [u8; 16]) -> anyhow::Result<()> {
    let started = Instant::now();
    let text = std::fs::read_to_string(crm).with_context(|| format!("cannot read {}", crm.display()))?;
    let tables = read_crm(&crm.display().to_string(), &text)?;
    let (person_params, company_params) = match network {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            let net = read_network(&path.display().to_string(), &text)?;
            let options = LinkOptions::default();
            let none = Decisions::default();
            (
                link(&tables.people.records, &net.people.records, &none, &options).params,
                link(&tables.accounts.records, &net.companies.records, &none, &options).params,
            )
        }
        None => (Params::defaults(&PERSON_COMPARISONS), Params::defaults(&COMPANY_COMPARISONS)),
    };
    let label =
        |first: &str, last: &str| Label { name: format!("{first} {last}").trim().to_string(), owner: String::new() };
    let people = tables.people.records.into_iter().map(|r| {
        let l = label(&r.name.first, &r.name.last);
        (r, l)
    });
    let companies = tables.accounts.records.into_iter().map(|r| {
        let l = Label { name: r.name.to_string(), owner: String::new() };
        (r, l)
    });
    let index =
        BadgeIndex::build(1, key, people.collect(), companies.collect(), (person_params, company_params), vec![]);
    let bytes = index.encode();
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    let (p, c) = index.len();
    eprintln!(
        "crmsync index build: {p} people, {c} accounts, {} bytes in {:.2} s → {}",
        bytes.len(),
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

/// Looks up every network person in `network` against the index; writes hits and prints
/// the load time and the per-lookup time distribution.
pub fn lookup(index_path: &PathBuf, network: &PathBuf, out: Option<&PathBuf>) -> anyhow::Result<()> {
    let started = Instant::now();
    let bytes = std::fs::read(index_path).with_context(|| format!("cannot read {}", index_path.display()))?;
    let index = BadgeIndex::decode(&bytes).with_context(|| index_path.display().to_string())?;
    let loaded = started.elapsed();
    let text = std::fs::read_to_string(network).with_context(|| format!("cannot read {}", network.display()))?;
    let net = read_network(&network.display().to_string(), &text)?;
    if net.people.records.is_empty() {
        bail!("{}: no network people to look up", network.display());
    }
    let mut times = Vec::with_capacity(net.people.records.len());
    let mut buf = csv::line(&["network_id", "crm_id", "object", "probability", "method"]);
    let mut hits = 0;
    for p in &net.people.records {
        let t = Instant::now();
        let hit = index.lookup_person(&p.id, p);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        if let Some(h) = hit {
            hits += 1;
            let method = format!("{:?}", h.method).to_lowercase();
            buf.push_str(&csv::line(&[p.id.as_str(), &h.crm_id, &h.object, &format!("{:.6}", h.probability), &method]));
        }
    }
    if let Some(path) = out {
        std::fs::write(path, buf).with_context(|| format!("cannot write {}", path.display()))?;
    }
    times.sort_by(f64::total_cmp);
    let pct = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    eprintln!(
        "crmsync index lookup: index of {} people loaded in {:.2} s; {} lookups, {hits} hits; per lookup median {:.4} ms, p99 {:.4} ms, max {:.4} ms",
        index.len().0,
        loaded.as_secs_f64(),
        times.len(),
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    Ok(())
}
