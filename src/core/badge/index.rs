//! The badge index: the compact, versioned copy of the org's CRM side that the browser
//! holds to answer "is this profile in the CRM?" offline. E-mails and phone numbers are
//! kept only as keyed hashes; street addresses are left out. Built by the relay after
//! each import, shipped as a snapshot and then deltas, looked up in wasm.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::codec::{CodecError, Reader, Writer};
use super::keyed_hash::{hashed_text, HashKey};
use crate::core::matching::decisions::{Decision, DecisionKind, Decisions};
use crate::core::matching::params::Params;
use crate::core::matching::record::{CompanyRecord, CrmKind, PersonRecord};
use crate::core::matching::scoring::{Explanation, Scorer, TermFrequencies};
use crate::core::matching::{Linkable, Method, DEFAULT_THRESHOLD};
use crate::core::normalize::{nickname_groups_of, Email, Location};

const MAGIC: &[u8; 4] = b"CRMX";
/// Binary format of snapshots and deltas.
pub const INDEX_FORMAT: u32 = 2;

/// What the badge shows about a CRM record besides its id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Display name ("Ada Lovelace", "Acme Inc.").
    pub name: String,
    /// The record owner's name.
    pub owner: String,
}

/// The best CRM record for an observed profile or company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BadgeHit {
    pub crm_id: String,
    /// `Lead`, `Contact` or `Account`.
    pub object: String,
    pub label: Label,
    pub probability: f64,
    pub match_weight: f64,
    pub method: Method,
    pub explanation: Explanation,
}

/// One side of the index (people or companies) with what lookups derive from it.
struct Side<R: Linkable> {
    records: Vec<R>,
    labels: Vec<Label>,
    params: Params,
    blocks: Vec<HashMap<u64, Vec<u32>>>,
    tf: TermFrequencies,
}

impl<R: Linkable> Side<R> {
    fn new(records: Vec<R>, labels: Vec<Label>, params: Params) -> Self {
        let mut side = Self { records, labels, params, blocks: Vec::new(), tf: TermFrequencies::default() };
        side.derive();
        side
    }

    /// Blocking maps and term frequencies: never shipped, rebuilt on load.
    fn derive(&mut self) {
        let mut keys = Vec::new();
        self.blocks = R::blocking_rules()
            .iter()
            .map(|rule| {
                let mut map: HashMap<u64, Vec<u32>> = HashMap::new();
                for (i, r) in self.records.iter().enumerate() {
                    keys.clear();
                    (rule.keys)(r, &mut keys);
                    for k in &keys {
                        map.entry(*k).or_default().push(i as u32);
                    }
                }
                map
            })
            .collect();
        self.tf = TermFrequencies::count(R::comparisons(), [&self.records, &[]]);
        if !self.params.fits(R::comparisons()) {
            self.params = Params::defaults(R::comparisons());
        }
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.records.iter().position(|r| r.id() == id)
    }

    fn lookup(
        &self,
        observed: &R,
        network_id: &str,
        decisions: &Decisions,
        object: impl Fn(&R) -> &'static str,
    ) -> Option<BadgeHit> {
        let scorer = Scorer::new(R::comparisons(), &self.params, &self.tf);
        let hit = |i: usize, method: Method| {
            let e = scorer.explain(&self.records[i], observed);
            BadgeHit {
                crm_id: self.records[i].id().to_string(),
                object: object(&self.records[i]).to_string(),
                label: self.labels[i].clone(),
                probability: if method == Method::Manual { 1.0 } else { e.probability },
                match_weight: e.match_weight,
                method,
                explanation: e,
            }
        };
        if let Some((crm_id, _)) = decisions.matches().iter().find(|(_, n)| n.as_str() == network_id) {
            return self.position(crm_id).map(|i| hit(i, Method::Manual));
        }
        let mut candidates: Vec<u32> = Vec::new();
        let mut keys = Vec::new();
        for (rule, map) in R::blocking_rules().iter().zip(&self.blocks) {
            keys.clear();
            (rule.network_keys.unwrap_or(rule.keys))(observed, &mut keys);
            // One observed record against a block: allow about as many records as a
            // balanced block of the batch bound would hold on one side, times four.
            let limit = ((rule.max_block_pairs as f64).sqrt() * 4.0) as usize;
            for k in &keys {
                if let Some(ids) = map.get(k).filter(|ids| ids.len() <= limit) {
                    candidates.extend_from_slice(ids);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut scratch = Vec::new();
        let manual_elsewhere = |i: usize| decisions.matches().contains_key(self.records[i].id());
        let min_weight = (DEFAULT_THRESHOLD / (1.0 - DEFAULT_THRESHOLD)).log2();
        candidates
            .into_iter()
            .map(|i| i as usize)
            .filter(|&i| !manual_elsewhere(i) && !decisions.is_rejected(self.records[i].id(), network_id))
            .map(|i| {
                let w = scorer.weight(&self.records[i], observed, &mut scratch)
                    - f64::from(self.records[i].precedence()) * 1e-6;
                (i, w)
            })
            .filter(|&(_, w)| w >= min_weight)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| hit(i, Method::Auto))
    }
}

/// The index the browser holds.
pub struct BadgeIndex {
    /// Data version: every delta moves it forward by exactly its own step.
    pub version: u64,
    key: HashKey,
    people: Side<PersonRecord>,
    companies: Side<CompanyRecord>,
    history: Vec<Decision>,
    decisions: Decisions,
}

const DELTA_MAGIC: &[u8; 4] = b"CRMD";

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
}

/// Why a delta cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The delta was hashed under another org key: fetch a snapshot instead.
    #[error("the delta was made for another org's index; download a new snapshot")]
    KeyMismatch,
    /// The delta was made for another version: fetch a snapshot instead.
    #[error("the delta goes from version {found} but this index is at version {expected}; download a new snapshot")]
    VersionMismatch { expected: u64, found: u64 },
}

/// Keeps only what the browser needs: contact data hashed under `key`, no street.
fn minimise_person(key: &HashKey, mut r: PersonRecord) -> PersonRecord {
    r.email = r.email.map(|e| Email { local: hashed_text(key, &e.address()), domain: String::new() });
    r.phones = r.phones.iter().map(|p| hashed_text(key, p)).collect();
    r.street.clear();
    r.postal.clear();
    r
}

fn minimise_company(key: &HashKey, mut r: CompanyRecord) -> CompanyRecord {
    r.phones = r.phones.iter().map(|p| hashed_text(key, p)).collect();
    r.street.clear();
    r.postal.clear();
    r
}

impl BadgeIndex {
    /// Builds an index from normalised CRM records (contact data is hashed here).
    pub fn build(
        version: u64,
        key: HashKey,
        people: Vec<(PersonRecord, Label)>,
        companies: Vec<(CompanyRecord, Label)>,
        params: (Params, Params),
        decisions: Vec<Decision>,
    ) -> Self {
        let (people, people_labels): (Vec<_>, Vec<_>) =
            people.into_iter().map(|(r, l)| (minimise_person(&key, r), l)).unzip();
        let (companies, company_labels): (Vec<_>, Vec<_>) =
            companies.into_iter().map(|(r, l)| (minimise_company(&key, r), l)).unzip();
        Self {
            version,
            key,
            people: Side::new(people, people_labels, params.0),
            companies: Side::new(companies, company_labels, params.1),
            decisions: Decisions::from_history(decisions.iter().cloned()),
            history: decisions,
        }
    }

    /// Number of CRM people and companies held.
    pub fn len(&self) -> (usize, usize) {
        (self.people.records.len(), self.companies.records.len())
    }

    /// The best CRM person for a profile seen on the network (org-wide decisions first).
    pub fn lookup_person(&self, network_id: &str, observed: &PersonRecord) -> Option<BadgeHit> {
        let observed = minimise_person(&self.key, observed.clone());
        self.people.lookup(&observed, network_id, &self.decisions, |r| match r.kind {
            Some(CrmKind::Lead) => "Lead",
            _ => "Contact",
        })
    }

    /// The best CRM account for a company page seen on the network.
    pub fn lookup_company(&self, network_id: &str, observed: &CompanyRecord) -> Option<BadgeHit> {
        let observed = minimise_company(&self.key, observed.clone());
        self.companies.lookup(&observed, network_id, &self.decisions, |_| "Account")
    }

    /// Applies a delta made for this version.
    pub fn apply(&mut self, delta: IndexDelta) -> Result<(), IndexError> {
        if delta.base_version != self.version {
            return Err(IndexError::VersionMismatch { expected: self.version, found: delta.base_version });
        }
        let key = self.key;
        let hashed = match delta.key {
            Some(k) if k != key => return Err(IndexError::KeyMismatch),
            Some(_) => true,
            None => false,
        };
        let person = |r| if hashed { r } else { minimise_person(&key, r) };
        let company = |r| if hashed { r } else { minimise_company(&key, r) };
        upsert(&mut self.people, delta.people.into_iter().map(|(r, l)| (person(r), l)), &delta.deleted);
        upsert(&mut self.companies, delta.companies.into_iter().map(|(r, l)| (company(r), l)), &delta.deleted);
        self.history.extend(delta.decisions);
        self.decisions = Decisions::from_history(self.history.iter().cloned());
        self.version = delta.version;
        Ok(())
    }

    /// The whole index as bytes (format [`INDEX_FORMAT`]).
    pub fn encode(&self) -> Vec<u8> {
        let people = (self.people.records.as_slice(), self.people.labels.as_slice());
        let companies = (self.companies.records.as_slice(), self.companies.labels.as_slice());
        let params = (&self.people.params, &self.companies.params);
        write_index(self.version, &self.key, params, people, companies, &self.history)
    }

    /// Reads bytes made by [`BadgeIndex::encode`]; hashes stay as they were built.
    pub fn decode(bytes: &[u8]) -> Result<Self, IndexError> {
        let mut r = Reader::new(bytes);
        if r.raw(4)? != MAGIC {
            return Err(CodecError::BadMagic.into());
        }
        let format = r.varint()? as u32;
        if format != INDEX_FORMAT {
            return Err(CodecError::UnsupportedFormat(format, INDEX_FORMAT).into());
        }
        let version = r.varint()?;
        let key: HashKey = r.raw(16)?.try_into().map_err(|_| CodecError::Truncated(r.pos))?;
        let params = |r: &mut Reader<'_>| -> Result<Params, CodecError> {
            let at = r.pos;
            serde_json::from_str(&r.str()?).map_err(|e| CodecError::Invalid { at, what: e.to_string() })
        };
        let (pp, cp) = (params(&mut r)?, params(&mut r)?);
        let (people, people_labels) = get_people(&mut r)?.into_iter().unzip();
        let (companies, company_labels) = get_companies(&mut r)?.into_iter().unzip();
        let history = get_decisions(&mut r)?;
        if !r.done() {
            return Err(CodecError::Invalid { at: r.pos, what: "trailing bytes".into() }.into());
        }
        Ok(Self {
            version,
            key,
            people: Side::new(people, people_labels, pp),
            companies: Side::new(companies, company_labels, cp),
            decisions: Decisions::from_history(history.iter().cloned()),
            history,
        })
    }
}

/// The bytes of an index (format [`INDEX_FORMAT`]) from its parts.
fn write_index(
    version: u64,
    key: &HashKey,
    params: (&Params, &Params),
    people: (&[PersonRecord], &[Label]),
    companies: (&[CompanyRecord], &[Label]),
    decisions: &[Decision],
) -> Vec<u8> {
    let mut w = Writer::default();
    w.raw(MAGIC);
    w.varint(u64::from(INDEX_FORMAT));
    w.varint(version);
    w.raw(key);
    w.str(&serde_json::to_string(params.0).unwrap_or_default());
    w.str(&serde_json::to_string(params.1).unwrap_or_default());
    put_people(&mut w, people.0, people.1);
    put_companies(&mut w, companies.0, companies.1);
    put_decisions(&mut w, decisions);
    w.bytes
}

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

    /// The index's bytes, with scoring `params` and the users' `decisions`.
    pub fn encode(&self, params: (&Params, &Params), decisions: &[Decision]) -> Vec<u8> {
        let people = (self.people.0.as_slice(), self.people.1.as_slice());
        let companies = (self.companies.0.as_slice(), self.companies.1.as_slice());
        write_index(self.version, &self.key, params, people, companies, decisions)
    }
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
        if !r.done() {
            return Err(CodecError::Invalid { at: r.pos, what: "trailing bytes".into() }.into());
        }
        Ok(Self { base_version, version, key: Some(key), people, companies, deleted, decisions })
    }
}

fn upsert<R: Linkable>(side: &mut Side<R>, records: impl Iterator<Item = (R, Label)>, deleted: &[String]) {
    let mut at: HashMap<String, usize> =
        side.records.iter().enumerate().map(|(i, r)| (r.id().to_string(), i)).collect();
    for (record, label) in records {
        match at.get(record.id()) {
            Some(&i) => {
                side.records[i] = record;
                side.labels[i] = label;
            }
            None => {
                at.insert(record.id().to_string(), side.records.len());
                side.records.push(record);
                side.labels.push(label);
            }
        }
    }
    if !deleted.is_empty() {
        let keep: Vec<bool> = side.records.iter().map(|r| !deleted.iter().any(|d| d == r.id())).collect();
        let mut i = 0;
        side.records.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        let mut i = 0;
        side.labels.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
    side.derive();
}

/// Positions of `ids` in id order: records are written sorted, so neighbouring ids
/// share their prefix and compress well.
fn id_order<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let ids: Vec<&str> = ids.collect();
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by_key(|&i| ids[i]);
    order
}

/// Writes a list-valued field (phones) as counts, then all values as one column.
fn put_lists(w: &mut Writer, lists: &[&[String]]) {
    for list in lists {
        w.varint(list.len() as u64);
    }
    let flat: Vec<&str> = lists.iter().flat_map(|l| l.iter().map(String::as_str)).collect();
    w.column(&flat);
}

fn get_lists(r: &mut Reader<'_>, n: usize) -> Result<Vec<Vec<String>>, CodecError> {
    let counts = (0..n).map(|_| r.count()).collect::<Result<Vec<_>, _>>()?;
    let mut flat = r.column(counts.iter().sum())?.into_iter();
    Ok(counts.into_iter().map(|c| flat.by_ref().take(c).collect()).collect())
}

fn put_locations(w: &mut Writer, locations: &[&Location]) {
    w.column(&locations.iter().map(|l| l.city.as_str()).collect::<Vec<_>>());
    w.column(&locations.iter().map(|l| l.region.as_str()).collect::<Vec<_>>());
    w.column(&locations.iter().map(|l| l.country.as_str()).collect::<Vec<_>>());
}

fn get_locations(r: &mut Reader<'_>, n: usize) -> Result<Vec<Location>, CodecError> {
    let (city, region, country) = (r.column(n)?, r.column(n)?, r.column(n)?);
    Ok(city
        .into_iter()
        .zip(region)
        .zip(country)
        .map(|((city, region), country)| Location { city, region, country })
        .collect())
}

fn put_labels(w: &mut Writer, labels: &[&Label]) {
    w.column(&labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>());
    w.column(&labels.iter().map(|l| l.owner.as_str()).collect::<Vec<_>>());
}

fn get_labels(r: &mut Reader<'_>, n: usize) -> Result<Vec<Label>, CodecError> {
    let (names, owners) = (r.column(n)?, r.column(n)?);
    Ok(names.into_iter().zip(owners).map(|(name, owner)| Label { name, owner }).collect())
}

/// People column by column (format 2), in id order.
fn put_people(w: &mut Writer, records: &[PersonRecord], labels: &[Label]) {
    let order = id_order(records.iter().map(|p| p.id.as_str()));
    let people: Vec<&PersonRecord> = order.iter().map(|&i| &records[i]).collect();
    w.varint(people.len() as u64);
    let col = |f: fn(&PersonRecord) -> &str| people.iter().map(|p| f(p)).collect::<Vec<&str>>();
    w.column(&col(|p| &p.id));
    for p in &people {
        w.varint(u64::from(p.kind == Some(CrmKind::Lead)));
    }
    w.column(&col(|p| &p.name.first));
    w.column(&col(|p| &p.name.last));
    w.column(&col(|p| p.email.as_ref().map_or("", |e| e.local.as_str())));
    put_lists(w, &people.iter().map(|p| p.phones.as_slice()).collect::<Vec<_>>());
    w.column(&col(|p| &p.company));
    put_locations(w, &people.iter().map(|p| &p.location).collect::<Vec<_>>());
    put_labels(w, &order.iter().map(|&i| &labels[i]).collect::<Vec<_>>());
}

fn get_people(r: &mut Reader<'_>) -> Result<Vec<(PersonRecord, Label)>, CodecError> {
    let n = r.count()?;
    let ids = r.column(n)?;
    let leads = r.numbers(n)?;
    let (first, last, emails) = (r.column(n)?, r.column(n)?, r.column(n)?);
    let phones = get_lists(r, n)?;
    let companies = r.column(n)?;
    let locations = get_locations(r, n)?;
    let labels = get_labels(r, n)?;
    let mut out = Vec::with_capacity(n);
    let columns = ids.into_iter().zip(leads).zip(first).zip(last).zip(emails).zip(phones).zip(companies);
    for (((((((id, lead), first), last), email), phones), company), (location, label)) in
        columns.zip(locations.into_iter().zip(labels))
    {
        let person = PersonRecord {
            id,
            kind: Some(if lead == 1 { CrmKind::Lead } else { CrmKind::Contact }),
            first_name_groups: nickname_groups_of(&first),
            name: crate::core::normalize::PersonName { first, last },
            email: (!email.is_empty()).then(|| Email { local: email, domain: String::new() }),
            phones,
            company,
            location,
            ..Default::default()
        };
        out.push((person, label));
    }
    Ok(out)
}

/// Companies column by column (format 2), in id order.
fn put_companies(w: &mut Writer, records: &[CompanyRecord], labels: &[Label]) {
    let order = id_order(records.iter().map(|c| c.id.as_str()));
    let companies: Vec<&CompanyRecord> = order.iter().map(|&i| &records[i]).collect();
    w.varint(companies.len() as u64);
    let col = |f: fn(&CompanyRecord) -> &str| companies.iter().map(|c| f(c)).collect::<Vec<&str>>();
    w.column(&col(|c| &c.id));
    w.column(&col(|c| &c.name));
    w.column(&col(|c| &c.domain));
    put_lists(w, &companies.iter().map(|c| c.phones.as_slice()).collect::<Vec<_>>());
    put_locations(w, &companies.iter().map(|c| &c.location).collect::<Vec<_>>());
    put_labels(w, &order.iter().map(|&i| &labels[i]).collect::<Vec<_>>());
}

fn get_companies(r: &mut Reader<'_>) -> Result<Vec<(CompanyRecord, Label)>, CodecError> {
    let n = r.count()?;
    let (ids, names, domains) = (r.column(n)?, r.column(n)?, r.column(n)?);
    let phones = get_lists(r, n)?;
    let locations = get_locations(r, n)?;
    let labels = get_labels(r, n)?;
    Ok(ids
        .into_iter()
        .zip(names)
        .zip(domains)
        .zip(phones)
        .zip(locations.into_iter().zip(labels))
        .map(|((((id, name), domain), phones), (location, label))| {
            (CompanyRecord { id, name, domain, phones, location, ..Default::default() }, label)
        })
        .collect())
}

fn put_decisions(w: &mut Writer, decisions: &[Decision]) {
    w.varint(decisions.len() as u64);
    for d in decisions {
        w.str(&d.crm_id);
        w.str(&d.network_id);
        w.varint(match d.kind {
            DecisionKind::Match => 0,
            DecisionKind::NotMatch => 1,
            DecisionKind::Unmatch => 2,
        });
    }
}

fn get_decisions(r: &mut Reader<'_>) -> Result<Vec<Decision>, CodecError> {
    (0..r.count()?)
        .map(|_| {
            let (crm_id, network_id) = (r.str()?, r.str()?);
            let at = r.pos;
            let kind = match r.varint()? {
                0 => DecisionKind::Match,
                1 => DecisionKind::NotMatch,
                2 => DecisionKind::Unmatch,
                other => return Err(CodecError::Invalid { at, what: format!("decision kind {other}") }),
            };
            Ok(Decision { crm_id, network_id, kind })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matching::comparison::{COMPANY_COMPARISONS, PERSON_COMPARISONS};
    use crate::core::matching::record::{CompanyInput, PersonInput};

    fn person(id: &str, first: &str, last: &str, email: &str, city: &str) -> (PersonRecord, Label) {
        let kind = if id.starts_with("00Q") { CrmKind::Lead } else { CrmKind::Contact };
        let input =
            PersonInput { first_name: first, last_name: last, email, city, street: "1 Main St", ..Default::default() };
        (
            PersonRecord::new(id.into(), Some(kind), &input),
            Label { name: format!("{first} {last}"), owner: "Ava Rep".into() },
        )
    }

    fn profile(first: &str, last: &str, email: &str, city: &str) -> PersonRecord {
        person("p", first, last, email, city).0
    }

    fn index() -> BadgeIndex {
        let people = vec![
            person("0037e00001WZ30qAAD", "Robert", "Okonkwo", "rob@acme.com", "Boston"),
            person("00Qg5000008th4XEAQ", "Ingrid", "Svensson", "", "Stockholm"),
        ];
        let acme = CompanyRecord::new(
            "0015Y00002ZbgP3QAJ".into(),
            &CompanyInput { name: "Acme Inc", website: "acme.com", ..Default::default() },
        );
        BadgeIndex::build(
            1,
            [7; 16],
            people,
            vec![(acme, Label { name: "Acme Inc".into(), owner: "Ava Rep".into() })],
            (Params::defaults(&PERSON_COMPARISONS), Params::defaults(&COMPANY_COMPARISONS)),
            vec![],
        )
    }

    #[test]
    fn lookup_finds_the_crm_person_with_explanation() {
        let idx = index();
        let hit = idx
            .lookup_person("bob-okonkwo", &profile("Bob", "Okonkwo", "rob@acme.com", "Greater Boston Area"))
            .unwrap();
        assert_eq!((hit.crm_id.as_str(), hit.object.as_str()), ("0037e00001WZ30qAAD", "Contact"));
        assert!(hit.probability > 0.99 && hit.method == Method::Auto);
        assert!(hit.explanation.fields.iter().any(|f| f.comparison == "email" && f.level == "exact"));
        assert!(idx.lookup_person("x", &profile("Zed", "Quux", "", "Paris")).is_none());
    }

    #[test]
    fn encoded_index_holds_no_clear_contact_data_and_round_trips() {
        let idx = index();
        let bytes = idx.encode();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("rob@acme.com") && !text.contains("Main"), "PII in the index");
        let back = BadgeIndex::decode(&bytes).unwrap();
        assert_eq!(back.encode(), bytes);
        let hit = back.lookup_person("bob", &profile("Robert", "Okonkwo", "rob@acme.com", "Boston")).unwrap();
        assert_eq!(hit.crm_id, "0037e00001WZ30qAAD");
        let company = back.lookup_company(
            "acme",
            &CompanyRecord::new(
                "acme".into(),
                &CompanyInput { name: "ACME", website: "https://www.acme.com", ..Default::default() },
            ),
        );
        assert_eq!(company.unwrap().object, "Account");
    }

    #[test]
    fn decode_rejects_bad_bytes_clearly() {
        assert!(matches!(BadgeIndex::decode(b"nope"), Err(IndexError::Codec(CodecError::BadMagic))));
        let bytes = index().encode();
        assert!(matches!(BadgeIndex::decode(&bytes[..bytes.len() - 3]), Err(IndexError::Codec(_))));
        let mut future = bytes.clone();
        future[4] = 9;
        assert!(matches!(
            BadgeIndex::decode(&future),
            Err(IndexError::Codec(CodecError::UnsupportedFormat(9, INDEX_FORMAT)))
        ));
    }

    #[test]
    fn deltas_apply_in_order_with_decisions() {
        let mut idx = index();
        let delta = IndexDelta {
            base_version: 1,
            version: 2,
            people: vec![person("0037e00001WZ30rAAD", "Jane", "Doe", "", "Austin")],
            deleted: vec!["00Qg5000008th4XEAQ".into()],
            decisions: vec![Decision {
                crm_id: "0037e00001WZ30qAAD".into(),
                network_id: "someone".into(),
                kind: DecisionKind::Match,
            }],
            ..Default::default()
        };
        idx.apply(delta.clone()).unwrap();
        assert_eq!((idx.version, idx.len()), (2, (2, 1)));
        assert!(idx.lookup_person("p", &profile("Ingrid", "Svensson", "", "Stockholm")).is_none());
        assert_eq!(idx.lookup_person("p", &profile("Jane", "Doe", "", "Austin")).unwrap().crm_id, "0037e00001WZ30rAAD");
        let manual = idx.lookup_person("someone", &profile("Totally", "Different", "", "")).unwrap();
        assert_eq!((manual.crm_id.as_str(), manual.method), ("0037e00001WZ30qAAD", Method::Manual));
        assert_eq!(idx.apply(delta), Err(IndexError::VersionMismatch { expected: 2, found: 1 }));
    }

    #[test]
    fn the_writer_encodes_what_the_index_encodes() {
        let people = vec![
            person("0037e00001WZ30qAAD", "Robert", "Okonkwo", "rob@acme.com", "Boston"),
            person("00Qg5000008th4XEAQ", "Ingrid", "Svensson", "", "Stockholm"),
        ];
        let decisions =
            vec![Decision { crm_id: "0037e00001WZ30qAAD".into(), network_id: "rob".into(), kind: DecisionKind::Match }];
        let params = (Params::defaults(&PERSON_COMPARISONS), Params::defaults(&COMPANY_COMPARISONS));
        let index = BadgeIndex::build(4, [7; 16], people.clone(), vec![], params.clone(), decisions.clone());
        let mut writer = IndexWriter::new(4, [7; 16]);
        for (r, l) in people {
            writer.add_person(r, l);
        }
        assert_eq!(writer.len(), (2, 0));
        assert_eq!(writer.encode((&params.0, &params.1), &decisions), index.encode());
    }

    #[test]
    fn deltas_travel_hashed_and_only_to_their_orgs_index() {
        let jane = person("0037e00001WZ30rAAD", "Jane", "Doe", "jane.doe@example.com", "Austin");
        let delta = IndexDelta {
            base_version: 1,
            version: 2,
            people: vec![jane],
            deleted: vec!["00Qg5000008th4XEAQ".into()],
            ..Default::default()
        };
        let mut idx = index();
        let key = idx.key;
        let bytes = delta.encode(&key);
        assert!(!String::from_utf8_lossy(&bytes).contains("jane.doe"), "no clear e-mail on the wire");
        let decoded = IndexDelta::decode(&bytes).unwrap();
        assert_eq!((decoded.base_version, decoded.version, decoded.key), (1, 2, Some(key)));
        idx.apply(decoded.clone()).unwrap();
        let hit = idx.lookup_person("p", &profile("Jane", "Doe", "jane.doe@example.com", "Austin")).unwrap();
        assert_eq!(hit.crm_id, "0037e00001WZ30rAAD");
        assert!(hit.explanation.compact().contains("email"), "{}", hit.explanation.compact());
        let mut other = index();
        other.key = [9; 16];
        assert_eq!(other.apply(decoded), Err(IndexError::KeyMismatch));
        assert!(matches!(IndexDelta::decode(b"CRMX"), Err(IndexError::Codec(CodecError::BadMagic))));
    }
}
