//! The badge index: the compact, versioned copy of the org's CRM side that the browser
//! holds to answer "is this profile in the CRM?" offline. E-mails and phone numbers are
//! kept only as keyed hashes; street addresses are left out. Built by the relay after
//! each import, shipped as a snapshot and then deltas, looked up in wasm.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

mod delta;
mod relay_links;
mod wire;
mod writer;

pub use delta::IndexDelta;
use relay_links::RelayLinks;
pub use relay_links::{RelayMatch, RelayMatches};
pub use wire::INDEX_FORMAT;
pub use writer::IndexWriter;

use super::codec::{CodecError, Reader};
use super::keyed_hash::{hashed_text, HashKey};
use crate::core::matching::blocking::key_hash;
use crate::core::matching::decisions::{Decision, DecisionKind, Decisions};
use crate::core::matching::link::link;
use crate::core::matching::params::Params;
use crate::core::matching::record::{CompanyRecord, CrmKind, PersonRecord};
use crate::core::matching::scoring::{Explanation, Scorer, TermFrequencies};
use crate::core::matching::{Linkable, Method};
use crate::core::normalize::{nickname_groups_of, Email, Location, Text};
use wire::{get_companies, get_decisions, get_matches, get_people, write_index, MAGIC};

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
    /// The page names an employer and the CRM another one: the record is out of date.
    #[serde(default)]
    pub company_differs: bool,
}

/// One side of the index (people or companies) with what lookups derive from it.
struct Side<R: Linkable> {
    records: Vec<R>,
    labels: Vec<Label>,
    params: Params,
    blocks: Vec<HashMap<u64, Vec<u32>>>,
    tf: TermFrequencies,
    /// (hash of the id, index), sorted: a record found by id without reading a million ids
    /// on every look-up of a linked profile.
    by_id: Vec<(u64, u32)>,
}

/// The hash `Side::by_id` sorts on.
fn id_hash(id: &str) -> u64 {
    key_hash(u8::MAX, &[id])
}

impl<R: Linkable> Side<R> {
    fn new(records: Vec<R>, labels: Vec<Label>, params: Params) -> Self {
        let mut side =
            Self { records, labels, params, blocks: Vec::new(), tf: TermFrequencies::default(), by_id: Vec::new() };
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
        self.by_id = self.records.iter().enumerate().map(|(i, r)| (id_hash(r.id()), i as u32)).collect();
        self.by_id.sort_unstable();
        if !self.params.fits(R::comparisons()) {
            self.params = Params::defaults(R::comparisons());
        }
    }

    fn position(&self, id: &str) -> Option<usize> {
        let h = id_hash(id);
        let from = self.by_id.partition_point(|&(k, _)| k < h);
        self.by_id[from..]
            .iter()
            .take_while(|&&(k, _)| k == h)
            .map(|&(_, i)| i as usize)
            .find(|&i| self.records[i].id() == id)
    }

    fn lookup(
        &self,
        observed: &R,
        network_id: &str,
        decisions: &Decisions,
        relay: &RelayLinks,
        object: impl Fn(&R) -> &'static str,
    ) -> Option<BadgeHit> {
        let scorer = Scorer::new(R::comparisons(), &self.params, &self.tf);
        let hit = |i: usize, method: Method, probability: Option<f64>| {
            let e = scorer.explain(&self.records[i], observed);
            BadgeHit {
                crm_id: self.records[i].id().to_string(),
                object: object(&self.records[i]).to_string(),
                label: self.labels[i].clone(),
                probability: if method == Method::Manual { 1.0 } else { probability.unwrap_or(e.probability) },
                match_weight: e.match_weight,
                method,
                explanation: e,
                company_differs: false,
            }
        };
        if let Some((crm_id, _)) = decisions.matches().iter().find(|(_, n)| n.as_str() == network_id) {
            let manual = self.position(crm_id);
            return link(manual, std::iter::empty()).map(|(i, method)| hit(i, method, None));
        }
        // The relay linked this profile org-wide (unless a user ruled the pair out since).
        if let Some((crm_id, p)) = relay.by_network.get(network_id) {
            if let Some(i) = self.position(crm_id).filter(|_| !decisions.is_rejected(crm_id, network_id)) {
                return Some(hit(i, Method::Auto, Some(*p)));
            }
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
        // One-to-one: a record linked to another profile (by hand or by the relay) is theirs.
        let manual_elsewhere = |i: usize| {
            let id = self.records[i].id();
            decisions.matches().contains_key(id) || relay.by_crm.get(id).is_some_and(|n| n != network_id)
        };
        let scored = candidates
            .into_iter()
            .map(|i| i as usize)
            .filter(|&i| !manual_elsewhere(i) && !decisions.is_rejected(self.records[i].id(), network_id))
            .map(|i| {
                let w = scorer.weight(&self.records[i], observed, &mut scratch)
                    - f64::from(self.records[i].precedence()) * 1e-6;
                (i, w)
            });
        link(None, scored).map(|(i, method)| hit(i, method, None))
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
    relay: RelayLinks,
    /// The relay's matching run the links reflect.
    match_seq: u64,
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
    r.email = r.email.map(|e| Email { local: hashed_text(key, &e.address()).into(), domain: Text::default() });
    r.phones = r.phones.iter().map(|p| hashed_text(key, p).into()).collect();
    r.street = Text::default();
    r.postal = Text::default();
    r
}

fn minimise_company(key: &HashKey, mut r: CompanyRecord) -> CompanyRecord {
    r.phones = r.phones.iter().map(|p| hashed_text(key, p).into()).collect();
    r.street = Text::default();
    r.postal = Text::default();
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
            relay: RelayLinks::default(),
            match_seq: 0,
        }
    }

    /// The index with the relay's automatic links.
    pub fn with_matches(mut self, matches: &RelayMatches) -> Self {
        self.relay = RelayLinks::default();
        self.relay.apply(&matches.links);
        self.match_seq = matches.seq;
        self
    }

    /// The relay's matching run this index reflects (the `matches` cursor of deltas).
    pub fn match_seq(&self) -> u64 {
        self.match_seq
    }

    /// Number of CRM people and companies held.
    pub fn len(&self) -> (usize, usize) {
        (self.people.records.len(), self.companies.records.len())
    }

    /// The best CRM person for a profile seen on the network (org-wide decisions first).
    pub fn lookup_person(&self, network_id: &str, observed: &PersonRecord) -> Option<BadgeHit> {
        let observed = minimise_person(&self.key, observed.clone());
        let mut hit = self.people.lookup(&observed, network_id, &self.decisions, &self.relay, |r| match r.kind {
            Some(CrmKind::Lead) => "Lead",
            _ => "Contact",
        })?;
        if let Some(i) = self.people.position(&hit.crm_id) {
            let crm = &self.people.records[i].company;
            hit.company_differs = !crm.is_empty() && !observed.company.is_empty() && *crm != observed.company;
        }
        Some(hit)
    }

    /// The best CRM account for a company page seen on the network.
    pub fn lookup_company(&self, network_id: &str, observed: &CompanyRecord) -> Option<BadgeHit> {
        let observed = minimise_company(&self.key, observed.clone());
        self.companies.lookup(&observed, network_id, &self.decisions, &self.relay, |_| "Account")
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
        for id in &delta.deleted {
            self.relay.apply(&[RelayMatch { crm_id: id.clone(), ..RelayMatch::default() }]);
        }
        self.relay.apply(&delta.matches.links);
        self.match_seq = self.match_seq.max(delta.matches.seq);
        self.version = delta.version;
        Ok(())
    }

    /// The whole index as bytes (format [`INDEX_FORMAT`]).
    pub fn encode(&self) -> Vec<u8> {
        let people = (self.people.records.as_slice(), self.people.labels.as_slice());
        let companies = (self.companies.records.as_slice(), self.companies.labels.as_slice());
        let params = (&self.people.params, &self.companies.params);
        write_index(
            self.version,
            &self.key,
            params,
            people,
            companies,
            &self.history,
            &self.relay.export(self.match_seq),
        )
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
        let matches = get_matches(&mut r)?;
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
            relay: RelayLinks::default(),
            match_seq: 0,
        }
        .with_matches(&matches))
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
    fn the_relays_links_answer_known_profiles_and_stay_one_to_one() {
        let matches = RelayMatches {
            seq: 3,
            links: vec![RelayMatch {
                crm_id: "0037e00001WZ30qAAD".into(),
                network_id: "robert-okonkwo".into(),
                probability: 0.97,
            }],
        };
        let mut idx = BadgeIndex::decode(&index().with_matches(&matches).encode()).unwrap();
        // The directory's profile: the relay's link and probability, whatever the page shows.
        let hit = idx.lookup_person("robert-okonkwo", &profile("R", "Okonkwo", "", "")).unwrap();
        assert_eq!((hit.crm_id.as_str(), hit.method, hit.probability), ("0037e00001WZ30qAAD", Method::Auto, 0.97));
        // Another profile of the same name: the record is taken.
        assert!(idx.lookup_person("bob-2", &profile("Robert", "Okonkwo", "rob@acme.com", "Boston")).is_none());
        // A delta takes the link away; the record is free to be scored again.
        let delta = IndexDelta {
            base_version: 1,
            version: 2,
            matches: RelayMatches {
                seq: 4,
                links: vec![RelayMatch { crm_id: "0037e00001WZ30qAAD".into(), ..Default::default() }],
            },
            ..Default::default()
        };
        idx.apply(IndexDelta::decode(&delta.encode(&[7; 16])).unwrap()).unwrap();
        assert_eq!(idx.match_seq(), 4);
        let scored = idx.lookup_person("bob-2", &profile("Robert", "Okonkwo", "rob@acme.com", "Boston")).unwrap();
        assert_eq!(scored.crm_id, "0037e00001WZ30qAAD");
        assert!(idx
            .lookup_person("robert-okonkwo", &profile("R", "Okonkwo", "", ""))
            .is_none_or(|h| h.probability != 0.97));
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
        let matches = RelayMatches {
            seq: 9,
            links: vec![RelayMatch {
                crm_id: "00Qg5000008th4XEAQ".into(),
                network_id: "ingrid".into(),
                probability: 0.93,
            }],
        };
        let index = BadgeIndex::build(4, [7; 16], people.clone(), vec![], params.clone(), decisions.clone())
            .with_matches(&matches);
        let mut writer = IndexWriter::new(4, [7; 16]);
        for (r, l) in people {
            writer.add_person(r, l);
        }
        assert_eq!(writer.len(), (2, 0));
        assert_eq!(writer.encode((&params.0, &params.1), &decisions, &matches), index.encode());
        assert_eq!(BadgeIndex::decode(&index.encode()).unwrap().match_seq(), 9);
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
