//! One Bulk API 2.0 results page (CSV with a header) read into rows to store: each row's
//! fields as one JSON object (empty fields left out), its `SystemModstamp`, and the ids
//! an incremental run saw deleted (`IsDeleted`).

use crmsync::core::csv::Reader;
use crmsync::core::sf::schema::MODSTAMP;

use super::import::ImportError;
use crate::store::CrmRow;

/// A results page split into rows to upsert and ids to delete.
pub struct Page {
    pub(super) rows: Vec<CrmRow>,
    pub(super) deleted: Vec<String>,
}

/// Reads one Bulk API 2.0 results page of `object` (CSV with a header) into rows to
/// upsert and ids deleted; a malformed page is an error naming the line.
pub fn parse_page(object: &str, csv: &str) -> Result<Page, ImportError> {
    let bad = |reason: String| ImportError::BadCsv { object: object.to_string(), reason };
    let mut reader = Reader::new(csv);
    let header = match reader.next() {
        Some(Ok(row)) => row.fields,
        Some(Err(e)) => return Err(bad(e.to_string())),
        None => return Ok(Page { rows: vec![], deleted: vec![] }),
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    let id_col = col("Id").ok_or_else(|| bad("no Id column".into()))?;
    let stamp_col = col(MODSTAMP);
    let deleted_col = col("IsDeleted");
    let mut page = Page { rows: vec![], deleted: vec![] };
    // Room for the names and punctuation of each row's JSON object.
    let header_bytes: usize = header.iter().map(|h| h.len() + 6).sum();
    let mut values = Vec::with_capacity(header.len());
    while let Some(line) = reader.next_record(&mut values) {
        let line = line.map_err(|e| bad(e.to_string()))?;
        if values.len() != header.len() {
            return Err(bad(format!("line {line} has {} values for {} columns", values.len(), header.len())));
        }
        let id = values[id_col].to_string();
        if deleted_col.is_some_and(|c| values[c] == "true") {
            page.deleted.push(id);
            continue;
        }
        let mut fields_json = String::with_capacity(header_bytes + values.iter().map(|v| v.len()).sum::<usize>());
        fields_json.push('{');
        let columns = header.iter().zip(&values).enumerate().filter(|(i, _)| Some(*i) != deleted_col);
        // Empty (null) fields are left out: an absent key reads as null, and the rows of a
        // large org are a fifth smaller on disk.
        for (name, value) in columns.map(|(_, pair)| pair).filter(|(_, value)| !value.is_empty()) {
            if fields_json.len() > 1 {
                fields_json.push(',');
            }
            push_json_string(&mut fields_json, name);
            fields_json.push(':');
            push_json_string(&mut fields_json, value);
        }
        fields_json.push('}');
        page.rows.push(CrmRow {
            id,
            fields_json,
            system_modstamp: stamp_col.map(|c| values[c].to_string()).unwrap_or_default(),
        });
    }
    Ok(page)
}

/// Appends `text` as a JSON string literal (quotes, backslashes and control characters
/// escaped), the one JSON the import writes per row, built without an intermediate map.
fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    let mut plain_from = 0;
    for (i, b) in text.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[plain_from..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(escape);
        }
        plain_from = i + 1;
    }
    out.push_str(&text[plain_from..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_json_string_round_trips_through_serde() {
        for text in ["plain", "quote \" and \\ slash", "line\nbreak\ttab\u{1}", "ünïcödé 名前"] {
            let mut out = String::new();
            push_json_string(&mut out, text);
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), text);
        }
    }

    #[test]
    fn parse_page_splits_rows_and_deletions() {
        let csv = "\"Id\",\"Name\",\"SystemModstamp\",\"IsDeleted\"\n\"001A\",\"Acme, \"\"Inc\"\"\",\"2025-01-02T00:00:00.000Z\",\"false\"\n\"001B\",,\"2025-01-03T00:00:00.000Z\",\"true\"\n";
        let page = parse_page("Account", csv).unwrap();
        assert_eq!(page.deleted, ["001B"]);
        assert_eq!(page.rows.len(), 1);
        let fields: serde_json::Value = serde_json::from_str(&page.rows[0].fields_json).unwrap();
        assert_eq!(fields["Name"], "Acme, \"Inc\"");
        assert!(fields.get("IsDeleted").is_none());
        assert_eq!(page.rows[0].system_modstamp, "2025-01-02T00:00:00.000Z");
    }

    #[test]
    fn parse_page_rejects_ragged_rows() {
        let err = parse_page("Lead", "\"Id\",\"Name\"\n\"00Q1\"\n").err().unwrap();
        assert!(err.to_string().contains("line 2 has 1 values for 2 columns"), "{err}");
    }
}
