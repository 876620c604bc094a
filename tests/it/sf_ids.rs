//! Every real id recorded in the Salesforce fixtures passes the checksum, converts 15→18
//! and back, and keeps its key prefix.

use crmsync::core::sf::SalesforceId;

const OBSERVED: &str = include_str!("../fixtures/record_ids_observed.txt");

/// Rows of the fixture split on tabs, comments and blank lines skipped.
fn rows() -> impl Iterator<Item = Vec<&'static str>> {
    OBSERVED.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).map(|l| l.split('\t').collect())
}

/// The observed real ids: `id18, key_prefix, id15`.
fn observed() -> impl Iterator<Item = Vec<&'static str>> {
    rows().filter(|cols| cols.get(1) != Some(&"->"))
}

#[test]
fn published_vectors_convert() {
    let mut checked = 0;
    for cols in rows().filter(|cols| cols.get(1) == Some(&"->")) {
        let id = SalesforceId::parse(cols[0]).unwrap_or_else(|e| panic!("{}: {e}", cols[0]));
        assert_eq!(id.as_str(), cols[2]);
        checked += 1;
    }
    assert_eq!(checked, 4, "the fixture lists 4 published vectors");
}

#[test]
fn observed_ids_validate_and_convert() {
    let mut checked = 0;
    for cols in observed() {
        let [id18, prefix, id15] = cols.as_slice() else {
            panic!("fixture line without three columns: {cols:?}");
        };
        let from15 = SalesforceId::parse(id15).unwrap_or_else(|e| panic!("{id15}: {e}"));
        let from18 = SalesforceId::parse(id18).unwrap_or_else(|e| panic!("{id18}: {e}"));
        assert_eq!(from15, from18);
        assert_eq!(from15.as_str(), *id18);
        assert_eq!(from18.to_15(), *id15);
        assert_eq!(from18.key_prefix(), *prefix);
        checked += 1;
    }
    assert_eq!(checked, 39, "the fixture lists 39 real ids");
}

#[test]
fn observed_ids_with_changed_case_are_repaired_only_with_suffix() {
    for cols in observed() {
        let id18 = cols[0];
        // Lower-casing the whole id is repaired from the suffix to the same record.
        let lowered = id18.to_ascii_lowercase();
        let repaired = SalesforceId::parse(&lowered).unwrap_or_else(|e| panic!("{lowered}: {e}"));
        assert_eq!(repaired.as_str(), id18);
        // Changing the 15-char body's case without the suffix names another record.
        let body_changed = id18[..15].to_ascii_uppercase();
        if body_changed != id18[..15] {
            let other = SalesforceId::parse(&body_changed).unwrap_or_else(|e| panic!("{body_changed}: {e}"));
            assert_ne!(other.as_str(), id18);
        }
    }
}
