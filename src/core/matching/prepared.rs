//! What an incremental pass would otherwise rebuild from the whole org each time: every
//! record's blocking keys on both sides (key → records) and the term frequencies. Built
//! once per CRM side and kept by the caller; new and changed profiles are keyed in as
//! they arrive, so a pass after one page view looks up a handful of blocks instead of
//! re-keying a million records.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::scoring::TermFrequencies;
use super::Linkable;

type Keyed = Vec<HashMap<u64, Vec<u32>>>;

/// Both sides' blocking keys and the term frequencies.
#[derive(Debug, Clone)]
pub struct Prepared {
    crm: Keyed,
    network: Keyed,
    crm_len: usize,
    network_len: usize,
    pub tf: TermFrequencies,
}

fn key_side<'a, R: Linkable + 'a>(records: impl Iterator<Item = (usize, &'a R)>, network: bool, into: &mut Keyed) {
    let mut keys = Vec::new();
    for (i, r) in records {
        for (rule, map) in R::blocking_rules().iter().zip(into.iter_mut()) {
            keys.clear();
            let keyer = if network { rule.network_keys.unwrap_or(rule.keys) } else { rule.keys };
            keyer(r, &mut keys);
            for k in &keys {
                let ids = map.entry(*k).or_default();
                if ids.last() != Some(&(i as u32)) {
                    ids.push(i as u32);
                }
            }
        }
    }
}

impl Prepared {
    /// Keys both sides and counts their values.
    pub fn new<R: Linkable>(crm: &[R], network: &[R]) -> Self {
        let rules = R::blocking_rules().len();
        let (mut c, mut n) = (vec![HashMap::default(); rules], vec![HashMap::default(); rules]);
        key_side(crm.iter().enumerate(), false, &mut c);
        key_side(network.iter().enumerate(), true, &mut n);
        let tf = TermFrequencies::count(R::comparisons(), [crm, network]);
        Self { crm: c, network: n, crm_len: crm.len(), network_len: network.len(), tf }
    }

    /// Whether this was made for these sides (the CRM side as it is; the network side as
    /// it is or before profiles were appended).
    pub fn fits(&self, crm_len: usize, network_len: usize) -> bool {
        self.crm_len == crm_len && self.network_len <= network_len
    }

    /// Keys the profiles appended since, and re-keys `changed` ones (their old keys stay:
    /// at worst a stale key pairs a profile that is then scored on what it is now).
    pub fn update_network<R: Linkable>(&mut self, network: &[R], changed: &[usize]) {
        let appended = self.network_len..network.len();
        let fresh: HashSet<usize> = changed.iter().copied().filter(|j| !appended.contains(j)).collect();
        let mut touched: Vec<usize> = appended.clone().chain(fresh).filter(|&j| j < network.len()).collect();
        touched.sort_unstable();
        key_side(touched.iter().map(|&j| (j, &network[j])), true, &mut self.network);
        self.tf.add(R::comparisons(), network[appended.start.min(network.len())..].iter());
        self.network_len = network.len();
    }
}

impl Prepared {
    /// The candidate pairs (CRM index, network index) of the network records `rows`, read
    /// straight from the kept blocks under the same bounds as a full pass: a block small
    /// enough is paired whole, a larger one within the row's refining keys.
    pub fn pairs_of_network<R: Linkable>(&self, crm: &[R], network: &[R], rows: &[usize]) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut keys = Vec::new();
        for (r, rule) in R::blocking_rules().iter().enumerate() {
            for &j in rows {
                keys.clear();
                (rule.network_keys.unwrap_or(rule.keys))(&network[j], &mut keys);
                for k in &keys {
                    let (Some(left), Some(right)) = (self.crm[r].get(k), self.network[r].get(k)) else { continue };
                    let (part, _) = refined(rule, (crm, network), (left, right), |refine| refine(&network[j]));
                    out.extend(part.into_iter().map(|i| (i, j as u32)));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The candidate pairs (CRM index, network index) of the CRM records `rows`, as
    /// [`Prepared::pairs_of_network`] does for profiles.
    pub fn pairs_of_crm<R: Linkable>(&self, crm: &[R], network: &[R], rows: &[usize]) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut keys = Vec::new();
        for (r, rule) in R::blocking_rules().iter().enumerate() {
            for &i in rows {
                keys.clear();
                (rule.keys)(&crm[i], &mut keys);
                for k in &keys {
                    let (Some(left), Some(right)) = (self.crm[r].get(k), self.network[r].get(k)) else { continue };
                    let (_, part) = refined(rule, (crm, network), (left, right), |refine| refine(&crm[i]));
                    out.extend(part.into_iter().map(|j| (i as u32, j)));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The part of a block (`left` CRM, `right` network records) that one record, whose
/// refining keys `key_of` gives, is paired within — the whole block when it is small
/// enough, else the records sharing its refining keys, level by level, as a full pass
/// splits it; empty when even the finest part is too common.
fn refined<R>(
    rule: &super::blocking::BlockingRule<R>,
    (crm, network): (&[R], &[R]),
    (left, right): (&[u32], &[u32]),
    key_of: impl Fn(fn(&R) -> u64) -> u64,
) -> (Vec<u32>, Vec<u32>) {
    if left.len() * right.len() <= rule.max_block_pairs {
        return (left.to_vec(), right.to_vec());
    }
    let (mut left, mut right) = (left.to_vec(), right.to_vec());
    for &refine in rule.refine {
        let wanted = key_of(refine);
        left.retain(|&i| refine(&crm[i as usize]) == wanted);
        right.retain(|&j| refine(&network[j as usize]) == wanted);
        if left.len() * right.len() <= rule.max_block_pairs {
            return (left, right);
        }
    }
    (Vec::new(), Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matching::blocking::{candidate_pairs, PERSON_RULES};
    use crate::core::matching::record::{PersonInput, PersonRecord};

    fn person(first: &str, last: &str, company: &str) -> PersonRecord {
        PersonRecord::new(
            String::new(),
            None,
            &PersonInput { first_name: first, last_name: last, company, ..Default::default() },
        )
    }

    #[test]
    fn pairs_from_the_kept_blocks_are_the_full_passes_pairs() {
        // A common surname (split by full name, then employer) beside rare ones.
        let firsts = ["James", "John", "Jane", "Julia", "Jack"];
        let mut crm: Vec<PersonRecord> =
            (0..300).map(|i| person(firsts[i % 5], "Smith", &format!("Co {}", i % 7))).collect();
        crm.push(person("Ada", "Lovelace", "Engines"));
        let mut net: Vec<PersonRecord> =
            (0..40).map(|i| person(firsts[i % 5], "Smith", &format!("Co {}", i % 3))).collect();
        net.push(person("Ada", "Lovelace", "Engines"));
        let full = candidate_pairs(&PERSON_RULES, &crm, &net).pairs;
        let prepared = Prepared::new(&crm, &net);
        for j in [0, 7, 40] {
            let want: Vec<(u32, u32)> = full.iter().copied().filter(|&(_, n)| n == j as u32).collect();
            assert_eq!(prepared.pairs_of_network(&crm, &net, &[j]), want, "profile {j}");
        }
        for i in [0, 3, 299, 300] {
            let want: Vec<(u32, u32)> = full.iter().copied().filter(|&(c, _)| c == i as u32).collect();
            assert_eq!(prepared.pairs_of_crm(&crm, &net, &[i]), want, "record {i}");
        }
    }
}
