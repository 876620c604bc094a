//! `crmsync import-network FILE [--out NETWORK.csv]`: the network's `Connections.csv`
//! export to NETWORK.csv (people) form.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use crmsync::core::csv;
use crmsync::core::network_export::{connections_to_network, NETWORK_PEOPLE_COLUMNS};

/// Converts `file`, writing to `out` or standard output.
pub fn run(file: &PathBuf, out: Option<&PathBuf>) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let (rows, skipped) = connections_to_network(&text).with_context(|| file.display().to_string())?;
    let mut buf = csv::line(&NETWORK_PEOPLE_COLUMNS);
    for row in &rows {
        buf.push_str(&csv::line(row));
    }
    match out {
        Some(path) => std::fs::write(path, &buf).with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().lock().write_all(buf.as_bytes())?,
    }
    eprintln!("crmsync import-network: {} connections converted, {skipped} malformed rows skipped", rows.len());
    Ok(())
}
