//! Record linkage of CRM people and accounts to network profiles and companies
//! (Fellegi–Sunter, in splink's vocabulary): blocking → comparisons → trained m/u →
//! scores with explanations → decisions → one-to-one assignment.

pub mod assignment;
pub mod batch;
pub mod blocking;
pub mod comparison;
pub mod decisions;
pub mod input;
mod key_join;
pub mod layout;
pub mod link;
pub mod parallel;
pub mod params;
pub mod prepared;
pub mod record;
pub mod rivals;
pub mod scoring;
pub mod similarity;
mod sorted_runs;
pub mod stopwatch;
pub mod training;

use serde::{Deserialize, Serialize};

use assignment::{one_to_one, ScoredPair};
use blocking::{candidate_pairs, BlockingRule, COMPANY_RULES, PERSON_RULES};
use comparison::{Comparison, COMPANY_COMPARISONS, PERSON_COMPARISONS};
use decisions::Decisions;
use params::{probability, Params};
use record::{CompanyRecord, CrmKind, PersonRecord};
use scoring::{levels, Explanation, Scorer, TermFrequencies, NULL_LEVEL};

/// A record type the linker can match: its comparisons, blocking rules and identity.
pub trait Linkable: Sync + Sized + 'static {
    fn comparisons() -> &'static [Comparison<Self>];
    fn blocking_rules() -> &'static [BlockingRule<Self>];
    fn id(&self) -> &str;
    /// Lower wins among near-equal duplicates (contact before lead).
    fn precedence(&self) -> u8;
    /// Sorting by this puts records a rule pairs near each other in memory ([`layout`]).
    fn layout_key(&self) -> u64;
    /// Bits a pair's comparisons must add to the prior before the one-to-one posterior
    /// may raise it ([`rivals`]): below this a pair's evidence is mostly what blocked it
    /// (the same first name in the same city), where treating the comparisons as
    /// independent overstates it. It bounds the evidence, not the pairwise probability:
    /// the prior falls as the org grows (λ ≈ share / profiles), so a bound on the
    /// probability would ask a million-record org for 8 bits more than a
    /// three-thousand-record one for the same person.
    const RAISED_EVIDENCE: f64;
}

impl Linkable for PersonRecord {
    /// Tuned on the generated sets and `jobchange_people` with the two-sided posterior and
    /// the region counted apart from the city: at 12.5 job changers with a common full
    /// name were lost (jobchange recall 0.934). Once a city everyone shares stopped
    /// costing every pair a third of a bit, 10 reached recall 0.950 on jobchange against
    /// 0.9495 at 11, for one more namesake on gen3k (P 0.9992 against 0.9996); at 9
    /// gen3k matched four more and jobchange gained nothing.
    const RAISED_EVIDENCE: f64 = 10.0;
    fn comparisons() -> &'static [Comparison<Self>] {
        &PERSON_COMPARISONS
    }
    fn blocking_rules() -> &'static [BlockingRule<Self>] {
        &PERSON_RULES
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn precedence(&self) -> u8 {
        match self.kind {
            Some(CrmKind::Lead) => 1,
            _ => 0,
        }
    }
    fn layout_key(&self) -> u64 {
        blocking::name_order(self)
    }
}

impl Linkable for CompanyRecord {
    /// Companies share more by chance (a city, a first name word, a legal form): 12.5
    /// matched namesake businesses in the generated set before the region stopped
    /// doubling the city; since then 14 loses the same name in the same city (recall
    /// 0.977 on gen_companies 5000) and 13 does not (0.997, P 0.9997).
    const RAISED_EVIDENCE: f64 = 13.0;
    fn comparisons() -> &'static [Comparison<Self>] {
        &COMPANY_COMPARISONS
    }
    fn blocking_rules() -> &'static [BlockingRule<Self>] {
        &COMPANY_RULES
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn precedence(&self) -> u8 {
        0
    }
    fn layout_key(&self) -> u64 {
        blocking::company_order(self)
    }
}

/// How a link was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Auto,
    Manual,
}

/// One link between a CRM record and a network record.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub crm: usize,
    pub network: usize,
    pub match_weight: f64,
    pub probability: f64,
    pub method: Method,
    pub explanation: Option<Explanation>,
}

/// Knobs of a linking run.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// Pairs below this probability are never shown as matches.
    pub threshold: f64,
    /// Random pairs drawn to estimate u.
    pub u_samples: usize,
    /// Candidate pairs (at most) used for EM.
    pub em_pairs: usize,
    pub em_iterations: usize,
    pub seed: u64,
    /// Attach explanations to links.
    pub explain: bool,
    /// Use these parameters instead of training.
    pub params: Option<Params>,
    /// A clock to time the phases by (the caller's: the core reads none).
    pub clock: Option<stopwatch::Clock>,
}

impl Default for LinkOptions {
    fn default() -> Self {
        Self {
            threshold: DEFAULT_THRESHOLD,
            u_samples: 300_000,
            em_pairs: 2_000_000,
            em_iterations: 20,
            seed: 42,
            explain: false,
            params: None,
            clock: None,
        }
    }
}

/// The probability from which the product shows a match: on Febrl and the generated CRM
/// sets it keeps precision above 0.99 while recall is within a pair or two of p ≥ 0.5.
pub const DEFAULT_THRESHOLD: f64 = 0.8;

/// What a linking run produced, with the figures a report needs.
#[derive(Debug)]
pub struct Linkage {
    pub links: Vec<Link>,
    pub params: Params,
    pub candidate_pairs: usize,
    /// Per blocking rule: its pairs, and the blocks it split and bounded.
    pub per_rule: Vec<blocking::RuleBlocks>,
    /// Every candidate pair with its weight, for evaluation (index pairs).
    pub scored: Vec<(u32, u32, f64)>,
    /// Where the run's time went, natively.
    pub phases: stopwatch::Stopwatch,
}

/// Links `crm` to `network`: trains on the data at hand (unless parameters are given),
/// applies decisions, and assigns one-to-one.
pub fn link<R: Linkable>(crm: &[R], network: &[R], decisions: &Decisions, options: &LinkOptions) -> Linkage {
    let specs = R::comparisons();
    let mut watch = stopwatch::Stopwatch::start(options.clock);
    let candidates = candidate_pairs(R::blocking_rules(), crm, network);
    let per_rule = candidates.per_rule;
    // The pairs become the scored list at once: holding both, with the level rows, was a
    // run's peak memory.
    let mut scored = unweighted(candidates.pairs);
    watch.lap("blocking");
    let level_rows = level_rows(crm, network, &scored);
    watch.lap("comparing");
    let stored = options.params.as_ref().filter(|p| p.fits(specs));
    let tf = TermFrequencies::count(specs, [crm, network]);
    let mut params = match stored {
        Some(p) => p.clone(),
        None => train(specs, crm, network, (&scored, &level_rows), &tf, options),
    };
    watch.lap("training");
    score(&Scorer::new(specs, &params, &tf), crm, &mut scored, &level_rows);
    let candidate_count = scored.len();
    drop(level_rows);
    if stored.is_none() {
        reprior(&mut params, &mut scored, (crm.len(), network.len()));
    }
    let scorer = Scorer::new(specs, &params, &tf);
    watch.lap("scoring");
    rivals::raise_uncontested(
        &mut scored,
        crm.len(),
        rivals::Contest::new(&params, (crm.len(), network.len()), R::RAISED_EVIDENCE),
    );
    watch.lap("one-to-one posterior");

    let manual = manual_links(crm, network, decisions);
    let mut crm_taken = vec![false; crm.len()];
    let mut net_taken = vec![false; network.len()];
    for &(i, j) in &manual {
        crm_taken[i] = true;
        net_taken[j] = true;
    }
    let min_weight = (options.threshold / (1.0 - options.threshold)).log2();
    let eligible: Vec<ScoredPair> = scored
        .iter()
        .filter(|&&(i, j, w)| w >= min_weight && !crm_taken[i as usize] && !net_taken[j as usize])
        .filter(|&&(i, j, _)| !decisions.is_rejected(crm[i as usize].id(), network[j as usize].id()))
        .map(|&(i, j, weight)| ScoredPair { crm: i, network: j, weight, precedence: crm[i as usize].precedence() })
        .collect();
    let mut links: Vec<Link> = manual
        .into_iter()
        .map(|(i, j)| {
            let e = scorer.explain(&crm[i], &network[j]);
            Link {
                crm: i,
                network: j,
                match_weight: e.match_weight,
                probability: 1.0,
                method: Method::Manual,
                explanation: options.explain.then_some(e),
            }
        })
        .collect();
    links.extend(one_to_one(eligible, min_weight, crm.len(), network.len()).into_iter().map(|p| Link {
        crm: p.crm as usize,
        network: p.network as usize,
        match_weight: p.weight,
        probability: probability(p.weight),
        method: Method::Auto,
        explanation:
            options.explain.then(|| {
                rivals::explained(scorer.explain(&crm[p.crm as usize], &network[p.network as usize]), p.weight)
            }),
    }));
    links.sort_by_key(|l| (l.crm, l.network));
    watch.lap("assignment");
    Linkage { links, params, candidate_pairs: candidate_count, per_rule, scored, phases: watch }
}

/// Fills in the weights of `scored` from its level rows (one row per pair, in order).
fn score<R: Linkable>(scorer: &Scorer<'_, R>, crm: &[R], scored: &mut [(u32, u32, f64)], level_rows: &[u8]) {
    let width = R::comparisons().len();
    parallel::fill_chunks(scored, 1, |start, share| {
        let rows = level_rows[start * width..].chunks_exact(width);
        // Pairs come grouped by CRM record: its adjustments are looked up once a group.
        let (mut of, mut adjustments) = (None, Vec::with_capacity(width));
        for ((i, _, w), lv) in share.iter_mut().zip(rows) {
            if of != Some(*i) {
                scorer.exact_adjustments(&crm[*i as usize], &mut adjustments);
                of = Some(*i);
            }
            *w = scorer.weight_with(lv, &adjustments);
        }
    });
}

/// The one-to-one prior once more, from the weights as scored, and `scored` moved to it.
/// Training estimates the share from the levels alone, where every exact name counts
/// alike; with term frequencies a common name weighs less, and the same record's best
/// pair says less about whether it has a match. Without this, a million-record org's
/// share came out at 0.72 for 0.80 true (and its lone pairs were raised a bit too
/// little), while a hundred-thousand-record one came out right.
fn reprior(params: &mut Params, scored: &mut [(u32, u32, f64)], sizes: (usize, usize)) {
    let before = params.prior_weight();
    let evidence = scored.iter().map(|&(i, _, w)| (i, w - before));
    params.prior = training::share_prior(evidence, params.prior, sizes, rivals::SHARE_BOUNDS);
    let shift = params.prior_weight() - before;
    parallel::fill_chunks(scored, 1, |_, share| {
        for pair in share {
            pair.2 += shift;
        }
    });
}

/// Candidate pairs as (CRM index, network index, weight), the weights still to come.
fn unweighted(pairs: Vec<(u32, u32)>) -> Vec<(u32, u32, f64)> {
    pairs.into_iter().map(|(i, j)| (i, j, 0.0)).collect()
}

/// The level vectors of `pairs`, one row of `R::comparisons().len()` levels per pair.
fn level_rows<R: Linkable>(crm: &[R], network: &[R], pairs: &[(u32, u32, f64)]) -> Vec<u8> {
    let specs = R::comparisons();
    let width = specs.len();
    let mut out = vec![NULL_LEVEL; pairs.len() * width];
    parallel::fill_chunks(&mut out, width, |start, share| {
        for (row, &(i, j, _)) in share.chunks_exact_mut(width).zip(&pairs[start..]) {
            levels(specs, &crm[i as usize], &network[j as usize], row);
        }
    });
    out
}

/// Trains the model on the org's data as [`link`] does (u by sampling, m and λ by EM on
/// the blocked pairs), for a caller that stores the parameters and scores later.
pub fn train_params<R: Linkable>(crm: &[R], network: &[R], options: &LinkOptions) -> Params {
    let specs = R::comparisons();
    let mut pairs = unweighted(candidate_pairs(R::blocking_rules(), crm, network).pairs);
    let rows = level_rows(crm, network, &pairs);
    let tf = TermFrequencies::count(specs, [crm, network]);
    let mut params = train(specs, crm, network, (&pairs, &rows), &tf, options);
    score(&Scorer::new(specs, &params, &tf), crm, &mut pairs, &rows);
    reprior(&mut params, &mut pairs, (crm.len(), network.len()));
    params
}

fn train<R: Linkable>(
    specs: &'static [Comparison<R>],
    crm: &[R],
    network: &[R],
    (pairs, level_rows): (&[(u32, u32, f64)], &[u8]),
    tf: &TermFrequencies,
    options: &LinkOptions,
) -> Params {
    let mut params = Params::defaults(specs);
    training::estimate_u(specs, &mut params, crm, network, options.u_samples, options.seed);
    // Each record's candidates whole, from an evenly spread sample of records.
    let sample = training::TrainingSample::new(
        specs,
        crm,
        (pairs, level_rows),
        &Scorer::new(specs, &params, tf),
        options.em_pairs,
    );
    params.prior = 0.5 / network.len().max(1) as f64;
    training::estimate_m_one_to_one(specs, &mut params, &sample, network.len(), options.em_iterations);
    params
}

/// Manual matches whose records are both present, as index pairs.
fn manual_links<R: Linkable>(crm: &[R], network: &[R], decisions: &Decisions) -> Vec<(usize, usize)> {
    if decisions.matches().is_empty() {
        return Vec::new();
    }
    let net_index: std::collections::HashMap<&str, usize> =
        network.iter().enumerate().map(|(j, r)| (r.id(), j)).collect();
    crm.iter()
        .enumerate()
        .filter_map(|(i, r)| decisions.matches().get(r.id()).and_then(|n| net_index.get(n.as_str())).map(|&j| (i, j)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reprior_sets_the_share_from_the_scored_weights_and_keeps_each_pairs_evidence() {
        // 100 records and 100 profiles: 60 records have a pair with 30 bits of evidence,
        // 40 only one with none (a common name elsewhere). The share is 0.6, whatever
        // the prior was before.
        let start = Params { version: 1, prior: 0.9 / 100.0, comparisons: Vec::new() };
        let evidence = |i: u32| if i < 60 { 30.0 } else { 0.0 };
        let mut scored: Vec<(u32, u32, f64)> = (0..100).map(|i| (i, i, start.prior_weight() + evidence(i))).collect();
        let mut params = start.clone();
        reprior(&mut params, &mut scored, (100, 100));
        let share = params.prior * 100.0;
        assert!((share - 0.6).abs() < 0.02, "share {share}");
        for &(i, _, w) in &scored {
            assert!((w - params.prior_weight() - evidence(i)).abs() < 1e-9, "pair {i}: the evidence moved");
        }
    }
}
