//! `crmsync roi [--from] [--to] [--by rep|month|quarter] [--json | --csv FILE]
//! [--opportunities]`: the ROI report on the relay host, the same numbers as the console's.

use std::path::Path;

use anyhow::Context as _;
use crmsync::core::rules::roi::RoiRow;

use crate::admin::roi::{self, RoiQuery};
use crate::state::AppState;

fn money(v: f64) -> String {
    format!("{v:.2}")
}

fn rate(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |r| format!("{:.0} %", r * 100.0))
}

fn print_row(r: &RoiRow) {
    let who = if r.rep_name.is_empty() { r.rep.clone() } else { format!("{} ({})", r.rep_name, r.rep) };
    println!(
        "{who:<40} {:<8} influenced open {:>14}  influenced won {:>14} ({:>3})  won {:>14} ({:>3})  win rate {:>5} vs {:>5}",
        r.period,
        money(r.influenced_open_pipeline),
        money(r.influenced_won_amount),
        r.influenced_won_count,
        money(r.won_amount),
        r.won_count,
        rate(r.win_rate_influenced),
        rate(r.win_rate_other),
    );
}

/// Prints (or writes) the report.
pub async fn run(state: &AppState, q: &RoiQuery, json: bool, csv: Option<&Path>, list: bool) -> anyhow::Result<()> {
    let report = roi::report(state, q).await?;
    if let Some(path) = csv {
        std::fs::write(path, roi::csv_text(&report)).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {} rows and the totals to {}", report.rows.len(), path.display());
    }
    if json {
        if list {
            let opportunities = roi::opportunities(state, q).await?;
            let both = serde_json::json!({ "report": report, "opportunities": opportunities.opportunities });
            println!("{}", serde_json::to_string_pretty(&both)?);
        } else {
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        return Ok(());
    }
    if csv.is_some() {
        return Ok(());
    }
    println!(
        "ROI: revenue field {}, network work from {} days before creation to the close",
        report.revenue_field, report.lookback_days
    );
    for r in &report.rows {
        print_row(r);
    }
    print_row(&report.totals);
    if list {
        for o in roi::opportunities(state, q).await?.opportunities {
            let what: Vec<String> = o.influences.iter().map(|t| format!("{} on {}", t.kind, t.record_id)).collect();
            println!("  {} {} ({}, {}, {}): {}", o.id, o.name, o.owner, o.stage, money(o.amount), what.join(", "));
        }
    }
    Ok(())
}
