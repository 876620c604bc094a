//! What an incremental pass would otherwise rebuild from the whole org each time: every
//! record's blocking keys on both sides (key → records) and the term frequencies. Built
//! once per CRM side and kept by the caller; new and changed profiles are keyed in as
//! they arrive, so a pass after one page view looks up a handful of blocks instead of
//! re-keying a million records.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::blocking::nearest_pairs;
use super::scoring::TermFrequencies;
use super::Linkable;

type Keyed = Vec<HashMap<u64, Vec<u32>>>;
/// Per blocking rule, per refining level, each record's refining key (by index).
type Refined = Vec<Vec<Vec<u64>>>;

/// Both sides' blocking keys and the term frequencies.
#[derive(Debug, Clone)]
pub struct Prepared {
    crm: Keyed,
    network: Keyed,
    /// The refining keys, computed once: a pass that splits a common block reads them
    /// instead of hashing every member's full name and employer again.
    crm_refined: Refined,
    network_refined: Refined,
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

/// Records each record's refining keys (growing the tables for appended records).
fn refine_side<'a, R: Linkable + 'a>(records: impl Iterator<Item = (usize, &'a R)>, into: &mut Refined) {
    let rules = R::blocking_rules();
    into.resize_with(rules.len(), Vec::new);
    for (rule, levels) in rules.iter().zip(into.iter_mut()) {
        levels.resize_with(rule.refine.len(), Vec::new);
    }
    for (i, r) in records {
        for (rule, levels) in rules.iter().zip(into.iter_mut()) {
            for (refine, keys) in rule.refine.iter().zip(levels.iter_mut()) {
                if keys.len() <= i {
                    keys.resize(i + 1, 0);
                }
                keys[i] = refine(r);
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
        let (mut crm_refined, mut network_refined) = (Refined::new(), Refined::new());
        refine_side(crm.iter().enumerate(), &mut crm_refined);
        refine_side(network.iter().enumerate(), &mut network_refined);
        let tf = TermFrequencies::count(R::comparisons(), [crm, network]);
        Self { crm: c, network: n, crm_refined, network_refined, crm_len: crm.len(), network_len: network.len(), tf }
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
        refine_side(touched.iter().map(|&j| (j, &network[j])), &mut self.network_refined);
        self.tf.add(R::comparisons(), network[appended.start.min(network.len())..].iter());
        self.network_len = network.len();
    }
}

/// Which side a pass's rows are on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RowsOn {
    Crm,
    Network,
}

impl Prepared {
    /// The candidate pairs (CRM index, network index) of the network records `rows`, read
    /// straight from the kept blocks under the same bounds as a full pass: a block small
    /// enough is paired whole, a larger one within the row's refining keys.
    pub fn pairs_of_network<R: Linkable>(&self, crm: &[R], network: &[R], rows: &[usize]) -> Vec<(u32, u32)> {
        self.pairs_of(crm, network, rows, RowsOn::Network)
    }

    /// The candidate pairs (CRM index, network index) of the CRM records `rows`, as
    /// [`Prepared::pairs_of_network`] does for profiles.
    pub fn pairs_of_crm<R: Linkable>(&self, crm: &[R], network: &[R], rows: &[usize]) -> Vec<(u32, u32)> {
        self.pairs_of(crm, network, rows, RowsOn::Crm)
    }

    /// The rows are grouped by block first, so a common block shared by many of them (a
    /// surname, a first name in a city) is split once per pass, not once per row.
    fn pairs_of<R: Linkable>(&self, crm: &[R], network: &[R], rows: &[usize], on: RowsOn) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut keys = Vec::new();
        for (r, rule) in R::blocking_rules().iter().enumerate() {
            let keyer = match on {
                RowsOn::Network => rule.network_keys.unwrap_or(rule.keys),
                RowsOn::Crm => rule.keys,
            };
            let mut by_key: HashMap<u64, Vec<u32>> = HashMap::default();
            for &row in rows {
                keys.clear();
                keyer(if on == RowsOn::Network { &network[row] } else { &crm[row] }, &mut keys);
                for &k in &keys {
                    by_key.entry(k).or_default().push(row as u32);
                }
            }
            for (k, block_rows) in by_key {
                let (Some(left), Some(right)) = (self.crm[r].get(&k), self.network[r].get(&k)) else { continue };
                let sides = Sides {
                    crm: &self.crm_refined[r],
                    network: &self.network_refined[r],
                    on,
                    records: (crm, network),
                    order: rule.order,
                };
                sides.pair_within(rule.max_block_pairs, (left, right), &block_rows, 0, &mut out);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The part of a block sharing one refining key: its CRM and network records, and the
/// pass's rows among them.
#[derive(Default)]
struct Part {
    left: Vec<u32>,
    right: Vec<u32>,
    rows: Vec<u32>,
}

/// One rule's refining keys of both sides (level → index → key), which side a pass's
/// rows are on, and the records with the rule's order for parts too common to split.
struct Sides<'a, R> {
    crm: &'a [Vec<u64>],
    network: &'a [Vec<u64>],
    on: RowsOn,
    records: (&'a [R], &'a [R]),
    order: fn(&R) -> u64,
}

impl<R> Sides<'_, R> {
    /// Pairs `rows` (all in the block `left` × `right`) within the block as a full pass
    /// splits it: whole when within `max_pairs`, else within each row's refining key at
    /// `level` and finer; when even the finest part is too common, with the rows' nearest
    /// neighbours in the rule's order (the full pass's pairs of that part that hold a row).
    fn pair_within(
        &self,
        max_pairs: usize,
        (left, right): (&[u32], &[u32]),
        rows: &[u32],
        level: usize,
        out: &mut Vec<(u32, u32)>,
    ) {
        if left.len() * right.len() <= max_pairs {
            match self.on {
                RowsOn::Network => out.extend(rows.iter().flat_map(|&j| left.iter().map(move |&i| (i, j)))),
                RowsOn::Crm => out.extend(rows.iter().flat_map(|&i| right.iter().map(move |&j| (i, j)))),
            }
            return;
        }
        let (Some(crm_keys), Some(network_keys)) = (self.crm.get(level), self.network.get(level)) else {
            self.nearest_of(left, right, rows, out);
            return;
        };
        let row_keys = if self.on == RowsOn::Network { network_keys } else { crm_keys };
        // The rows by their refining key, then each key's part of the block, in one walk
        // over each side of it.
        let mut parts: HashMap<u64, Part> = HashMap::default();
        for &row in rows {
            parts.entry(row_keys[row as usize]).or_default().rows.push(row);
        }
        for &i in left {
            if let Some(part) = parts.get_mut(&crm_keys[i as usize]) {
                part.left.push(i);
            }
        }
        for &j in right {
            if let Some(part) = parts.get_mut(&network_keys[j as usize]) {
                part.right.push(j);
            }
        }
        for part in parts.values() {
            self.pair_within(max_pairs, (&part.left, &part.right), &part.rows, level + 1, out);
        }
    }

    /// The pairs of a bounded part that hold one of `rows`.
    fn nearest_of(&self, left: &[u32], right: &[u32], rows: &[u32], out: &mut Vec<(u32, u32)>) {
        let ordered = |records: &[R], ids: &[u32]| -> Vec<(u64, u32)> {
            ids.iter().map(|&k| ((self.order)(&records[k as usize]), k)).collect()
        };
        let mut part = Vec::new();
        nearest_pairs(ordered(self.records.0, left), ordered(self.records.1, right), &mut part);
        let rows: HashSet<u32> = rows.iter().copied().collect();
        out.extend(part.into_iter().filter(|&(i, j)| rows.contains(if self.on == RowsOn::Network { &j } else { &i })));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matching::blocking::{candidate_pairs, PERSON_RULES};
    use crate::core::matching::record::{PersonInput, PersonRecord};

    fn person(first: &str, last: &str, company: &str) -> PersonRecord {
        PersonRecord::new(
            Default::default(),
            None,
            &PersonInput { first_name: first, last_name: last, company, ..Default::default() },
        )
    }

    #[test]
    fn a_bounded_part_gives_the_full_passes_pairs_too() {
        // 70 CRM and 50 network Margarets in one city, surnames all starting with S: the
        // first name + city part is paired with nearest neighbours, not whole.
        let in_austin = |last: String| {
            PersonRecord::new(
                Default::default(),
                None,
                &PersonInput { first_name: "Margaret", last_name: &last, city: "Austin", ..Default::default() },
            )
        };
        let crm: Vec<PersonRecord> = (0..70).map(|k| in_austin(format!("s{k:02}son"))).collect();
        let net: Vec<PersonRecord> = (0..50).map(|k| in_austin(format!("s{:02}son", k * 3 % 70))).collect();
        let full = candidate_pairs(&PERSON_RULES, &crm, &net);
        assert!(full.bounded_blocks() > 0, "{:?}", full.per_rule);
        let prepared = Prepared::new(&crm, &net);
        for j in [0, 13, 49] {
            let want: Vec<(u32, u32)> = full.pairs.iter().copied().filter(|&(_, n)| n == j as u32).collect();
            assert_eq!(prepared.pairs_of_network(&crm, &net, &[j]), want, "profile {j}");
        }
        for i in [0, 35, 69] {
            let want: Vec<(u32, u32)> = full.pairs.iter().copied().filter(|&(c, _)| c == i as u32).collect();
            assert_eq!(prepared.pairs_of_crm(&crm, &net, &[i]), want, "record {i}");
        }
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
