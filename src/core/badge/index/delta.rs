//! Index deltas: the records an import changed, the ids it deleted and the decisions made
//! since a version, applied by the browser to the index it holds.

use super::wire::*;
use super::*;
use crate::core::badge::codec::{Reader, Writer};

pub(super) const DELTA_MAGIC: &[u8; 4] = b"CRMD";

/// Changes from one index version to the next.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexDelta {
    pub base_version: u64,
    pub version: u64,
    /// `None`: records as built (with clear contact data, hashed when applied or
    /// encoded); `Some(key)`: read from the wire, already hashed under `key`.
    pub key: Option<HashKey>,
    pub people: Vec<(PersonRecord, Label)>,
    pub companies: Vec<(CompanyRecord, Label)>,
    /// CRM ids removed from the org.
    pub deleted: Vec<String>,
    /// Decisions made since the base version, in order.
    pub decisions: Vec<Decision>,
    /// The relay's links changed since the browser's matching run, and the run now.
    pub matches: RelayMatches,
}

impl IndexDelta {
    /// The delta as bytes for browsers holding an index hashed under `key`: contact data
    /// is hashed here (if it is not already), never sent in clear.
    pub fn encode(&self, key: &HashKey) -> Vec<u8> {
        let (people, people_labels): (Vec<PersonRecord>, Vec<Label>) = self
            .people
            .iter()
            .map(|(r, l)| (if self.key.is_some() { r.clone() } else { minimise_person(key, r.clone()) }, l.clone()))
            .unzip();
        let (companies, company_labels): (Vec<CompanyRecord>, Vec<Label>) = self
            .companies
            .iter()
            .map(|(r, l)| (if self.key.is_some() { r.clone() } else { minimise_company(key, r.clone()) }, l.clone()))
            .unzip();
        let mut w = Writer::default();
        w.raw(DELTA_MAGIC);
        w.varint(u64::from(INDEX_FORMAT));
        w.varint(self.base_version);
        w.varint(self.version);
        w.raw(self.key.as_ref().unwrap_or(key));
        put_people(&mut w, &people, &people_labels);
        put_companies(&mut w, &companies, &company_labels);
        w.varint(self.deleted.len() as u64);
        w.column(&self.deleted.iter().map(String::as_str).collect::<Vec<_>>());
        put_decisions(&mut w, &self.decisions);
        put_matches(&mut w, &self.matches);
        w.bytes
    }

    /// Reads bytes made by [`IndexDelta::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, IndexError> {
        let mut r = Reader::new(bytes);
        if r.raw(4)? != DELTA_MAGIC {
            return Err(CodecError::BadMagic.into());
        }
        let format = r.varint()? as u32;
        if format != INDEX_FORMAT {
            return Err(CodecError::UnsupportedFormat(format, INDEX_FORMAT).into());
        }
        let (base_version, version) = (r.varint()?, r.varint()?);
        let key: HashKey = r.raw(16)?.try_into().map_err(|_| CodecError::Truncated(r.pos))?;
        let people = get_people(&mut r)?;
        let companies = get_companies(&mut r)?;
        let n = r.count()?;
        let deleted = r.column(n)?;
        let decisions = get_decisions(&mut r)?;
        let matches = get_matches(&mut r)?;
        if !r.done() {
            return Err(CodecError::Invalid { at: r.pos, what: "trailing bytes".into() }.into());
        }
        Ok(Self { base_version, version, key: Some(key), people, companies, deleted, decisions, matches })
    }
}
