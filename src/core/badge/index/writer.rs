//! The relay's side of the index: records collected and hashed as they are read from the
//! store, encoded to the bytes the browser decodes, without the look-up structures.

use super::wire::write_index;
use super::*;

/// Collects records for an index that is only shipped, never looked up in (the relay):
/// contact data is hashed as records are added, and the look-up structures a
/// [`BadgeIndex`] derives are never built. Encodes to the same bytes as the index.
pub struct IndexWriter {
    version: u64,
    key: HashKey,
    people: (Vec<PersonRecord>, Vec<Label>),
    companies: (Vec<CompanyRecord>, Vec<Label>),
}

impl IndexWriter {
    pub fn new(version: u64, key: HashKey) -> Self {
        Self { version, key, people: Default::default(), companies: Default::default() }
    }

    pub fn add_person(&mut self, record: PersonRecord, label: Label) {
        self.people.0.push(minimise_person(&self.key, record));
        self.people.1.push(label);
    }

    pub fn add_company(&mut self, record: CompanyRecord, label: Label) {
        self.companies.0.push(minimise_company(&self.key, record));
        self.companies.1.push(label);
    }

    /// Number of people and companies added.
    pub fn len(&self) -> (usize, usize) {
        (self.people.0.len(), self.companies.0.len())
    }

    /// The index's bytes, with scoring `params`, the users' `decisions` and the relay's
    /// automatic `matches`.
    pub fn encode(&self, params: (&Params, &Params), decisions: &[Decision], matches: &RelayMatches) -> Vec<u8> {
        let people = (self.people.0.as_slice(), self.people.1.as_slice());
        let companies = (self.companies.0.as_slice(), self.companies.1.as_slice());
        write_index(self.version, &self.key, params, people, companies, decisions, matches)
    }
}
