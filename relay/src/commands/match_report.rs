//! `crmsync match-report [--json | --csv FILE] [--rematch]`: the org's match rates (what
//! the console's Matching panel shows) and the full export of unmatched and
//! low-confidence records.

use std::path::Path;

use anyhow::Context;
use crmsync::core::api::match_report::MatchReport;

use crate::matching::{report, Trigger};
use crate::state::AppState;

/// Prints the report (as JSON with `json`), writes the export to `csv` when given, after a
/// full matching pass when `rematch`.
pub async fn run(state: &AppState, json: bool, csv: Option<&Path>, rematch: bool) -> anyhow::Result<()> {
    if rematch {
        let done = crate::matching::run(state, Trigger::Everything).await?;
        eprintln!(
            "crmsync match-report: re-matched {} people and {} accounts in {:.2} s",
            done.people.records,
            done.companies.records,
            done.duration_ms as f64 / 1000.0
        );
    }
    if let Some(path) = csv {
        let rows = report::export_rows(state.store.as_ref()).await?;
        std::fs::write(path, crate::handlers::match_report::match_report_text(&rows))
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "crmsync match-report: {} unmatched or low-confidence records written to {}",
            rows.len(),
            path.display()
        );
    }
    let report = report::match_report(state.store.as_ref()).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if csv.is_none() {
        print_text(&report);
    }
    Ok(())
}

fn print_text(report: &MatchReport) {
    println!("{:<8} {:>9} {:>9} {:>9} {:>9} {:>9}", "object", "records", "auto", "manual", "low conf", "unmatched");
    for (object, c) in &report.objects {
        println!(
            "{object:<8} {:>9} {:>9} {:>9} {:>9} {:>9}",
            c.records, c.matched_auto, c.matched_manual, c.low_confidence, c.unmatched
        );
    }
    println!("directory: {} people, {} companies", report.directory.people, report.directory.companies);
    match &report.model.trained_at {
        Some(at) => {
            println!("model: trained {at} on {} records and {} profiles", report.model.records, report.model.profiles)
        }
        None => println!("model: not trained yet (too little data); the default parameters score"),
    }
}
