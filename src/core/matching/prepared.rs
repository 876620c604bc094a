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

    /// CRM records sharing a block with any of the network records `rows`.
    pub fn crm_near<R: Linkable>(&self, network: &[R], rows: &[usize]) -> Vec<usize> {
        near(&self.crm, rows.iter().map(|&j| &network[j]), true)
    }

    /// Network records sharing a block with any of the CRM records `rows`.
    pub fn network_near<R: Linkable>(&self, crm: &[R], rows: &[usize]) -> Vec<usize> {
        near(&self.network, rows.iter().map(|&i| &crm[i]), false)
    }
}

/// Every record of the other side's `keyed` blocks that `records` fall into.
fn near<'a, R: Linkable + 'a>(keyed: &Keyed, records: impl Iterator<Item = &'a R>, network: bool) -> Vec<usize> {
    let mut out: HashSet<u32> = HashSet::default();
    let mut keys = Vec::new();
    for r in records {
        for (rule, map) in R::blocking_rules().iter().zip(keyed) {
            keys.clear();
            let keyer = if network { rule.network_keys.unwrap_or(rule.keys) } else { rule.keys };
            keyer(r, &mut keys);
            for k in &keys {
                out.extend(map.get(k).into_iter().flatten());
            }
        }
    }
    let mut out: Vec<usize> = out.into_iter().map(|i| i as usize).collect();
    out.sort_unstable();
    out
}
