//! The network's own data export, `Connections.csv`, read into NETWORK.csv rows. Real
//! exports start with a few "Notes:" lines before the header, may lack the `URL`
//! column, and contain rows that are only commas.

use crate::core::csv::Reader;
use crate::core::matching::blocking::key_hash;
use crate::core::pages::{NetworkPage, Page};

/// The NETWORK.csv people columns, in order.
pub const NETWORK_PEOPLE_COLUMNS: [&str; 14] = [
    "id",
    "first_name",
    "last_name",
    "headline",
    "title",
    "company",
    "location",
    "email",
    "phone",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
];

/// Why an export cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("no header row with \"First Name\" and \"Last Name\" was found; is this the network's Connections.csv?")]
    NoHeader,
}

/// One connection as a NETWORK.csv row (values in [`NETWORK_PEOPLE_COLUMNS`] order).
pub type NetworkRow = [String; 14];

/// Converts `Connections.csv` text. The id is the profile slug when the URL is given,
/// else a stable hash of name and company (so re-imports keep the same ids).
pub fn connections_to_network(text: &str) -> Result<(Vec<NetworkRow>, usize), ExportError> {
    let mut reader = Reader::new(text);
    let header = loop {
        match reader.next() {
            None => return Err(ExportError::NoHeader),
            Some(Ok(row))
                if row.fields.iter().any(|f| f.trim() == "First Name")
                    && row.fields.iter().any(|f| f.trim() == "Last Name") =>
            {
                break row.fields;
            }
            Some(_) => {}
        }
    };
    let col = |name: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (first, last, url, email, company, position) =
        (col("First Name"), col("Last Name"), col("URL"), col("Email Address"), col("Company"), col("Position"));
    let mut rows = Vec::new();
    let mut skipped = 0;
    for row in reader {
        let Ok(row) = row else {
            skipped += 1;
            continue;
        };
        let get =
            |c: Option<usize>| c.and_then(|i| row.fields.get(i)).map(|s| s.trim().to_string()).unwrap_or_default();
        let (first_name, last_name) = (get(first), get(last));
        if first_name.is_empty() && last_name.is_empty() {
            if row.fields.iter().any(|f| !f.trim().is_empty()) {
                skipped += 1;
            }
            continue;
        }
        let company_name = get(company);
        let slug = match Page::classify(&get(url)) {
            Page::Network(NetworkPage { slug, .. }) => slug,
            _ => format!("conn-{:016x}", key_hash(9, &[&first_name, &last_name, &company_name])),
        };
        let mut out: NetworkRow = Default::default();
        out[0] = slug;
        out[1] = first_name;
        out[2] = last_name;
        out[4] = get(position);
        out[5] = company_name;
        out[7] = get(email);
        rows.push(out);
    }
    Ok((rows, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_notes_header_and_comma_rows() {
        let text = "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\n\
            First Name,Last Name,URL,Email Address,Company,Position,Connected On\n\
            Ada,Lovelace,https://www.linkedin.com/in/ada-lovelace-1815,ada@engines.co.uk,Analytical Engines,Mathematician,10 Dec 2024\n\
            ,,,,,,\n\
            Charles,Babbage,,,Difference Ltd,Inventor,01 Jan 2025\n";
        let (rows, skipped) = connections_to_network(text).unwrap();
        assert_eq!(skipped, 0);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][0], "ada-lovelace-1815");
        assert_eq!((rows[0][4].as_str(), rows[0][7].as_str()), ("Mathematician", "ada@engines.co.uk"));
        assert!(rows[1][0].starts_with("conn-"));
        let (again, _) = connections_to_network(text).unwrap();
        assert_eq!(again[1][0], rows[1][0], "ids are stable across imports");
    }

    #[test]
    fn without_url_column_and_without_header() {
        let (rows, _) = connections_to_network("First Name,Last Name,Company\nA,B,C\n").unwrap();
        assert_eq!(rows[0][5], "C");
        assert_eq!(connections_to_network("a,b\n1,2\n"), Err(ExportError::NoHeader));
    }
}
