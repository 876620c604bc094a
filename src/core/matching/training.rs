//! Training, apart from prediction: u from random pairs (what agreement looks like by
//! chance), then m and the prior by expectation–maximisation on the blocked pairs.

use rustc_hash::FxHashMap as HashMap;

use super::comparison::Comparison;
use super::parallel::map_chunks;
use super::params::{Params, PROBABILITY_FLOOR};
use super::rivals::SHARE_BOUNDS;
use super::scoring::{levels, Scorer, NULL_LEVEL};
use crate::core::rng::SeededRng;

/// Estimates u for every level from up to `samples` random (almost always non-matching)
/// pairs. Counts are smoothed so a level never seen keeps a small, finite u.
pub fn estimate_u<R: Sync>(
    specs: &[Comparison<R>],
    params: &mut Params,
    crm: &[R],
    network: &[R],
    samples: usize,
    seed: u64,
) {
    if crm.is_empty() || network.is_empty() {
        return;
    }
    let mut rng = SeededRng::new(seed);
    let samples = samples.min(crm.len().saturating_mul(network.len()));
    let pairs: Vec<(usize, usize)> = (0..samples).map(|_| (rng.below(crm.len()), rng.below(network.len()))).collect();
    let per_chunk = map_chunks(&pairs, |chunk| {
        let mut counts: Vec<Vec<f64>> = specs.iter().map(|c| vec![0.0; c.levels.len()]).collect();
        let mut lv = vec![NULL_LEVEL; specs.len()];
        for &(i, j) in chunk {
            levels(specs, &crm[i], &network[j], &mut lv);
            for (c, &l) in lv.iter().enumerate() {
                if l != NULL_LEVEL {
                    counts[c][l as usize] += 1.0;
                }
            }
        }
        vec![counts]
    });
    let mut counts: Vec<Vec<f64>> = specs.iter().map(|c| vec![0.0; c.levels.len()]).collect();
    for chunk in per_chunk {
        for (total, part) in counts.iter_mut().zip(chunk) {
            for (t, p) in total.iter_mut().zip(part) {
                *t += p;
            }
        }
    }
    for (c, spec) in specs.iter().enumerate() {
        let total: f64 = counts[c].iter().sum();
        if total < 100.0 {
            continue; // too few non-null samples: keep the defaults
        }
        let n = spec.levels.len() as f64;
        params.comparisons[c].u =
            counts[c].iter().map(|k| ((k + 0.5 / n) / (total + 0.5)).max(PROBABILITY_FLOOR)).collect();
    }
}

/// The candidate pairs of a sample of CRM records, each record's pairs whole (one-to-one
/// EM weighs a record's candidates against each other, so a record is never split).
/// Level rows repeat a lot: each distinct row is kept once, so an iteration weighs a
/// pattern once and a pair by one look-up.
#[derive(Debug, Default)]
pub struct TrainingSample {
    /// The distinct level rows, one row of levels each.
    pub patterns: Vec<u8>,
    /// Per pair, the index of its row in `patterns`.
    pub pattern_of: Vec<u32>,
    /// Per pair, the term-frequency bits of its exact agreements (fixed while u is).
    pub tf_bits: Vec<f32>,
    /// Each sampled record's pairs, as a range of pairs.
    pub groups: Vec<std::ops::Range<usize>>,
    /// CRM records sampled, those without a candidate included.
    pub records: usize,
}

impl TrainingSample {
    /// Every `k`-th CRM record's candidate pairs (`pairs` grouped by CRM record, one row
    /// of `level_rows` each), `k` such that about `budget` pairs are kept, with each
    /// pair's term-frequency bits under `scorer`'s u.
    pub fn new<R>(
        specs: &[Comparison<R>],
        crm: &[R],
        (pairs, level_rows): (&[(u32, u32, f64)], &[u8]),
        scorer: &Scorer<'_, R>,
        budget: usize,
    ) -> Self {
        let width = specs.len().max(1);
        let every = pairs.len().div_ceil(budget.max(1)).max(1);
        let mut sample = Self { records: crm.len().div_ceil(every), ..Self::default() };
        let mut index = HashMap::default();
        let mut adjustments = Vec::with_capacity(width);
        let mut k = 0;
        while k < pairs.len() {
            let i = pairs[k].0;
            let end = k + pairs[k..].iter().take_while(|p| p.0 == i).count();
            if let (0, Some(record)) = (i as usize % every, crm.get(i as usize)) {
                scorer.exact_adjustments(record, &mut adjustments);
                let rows = level_rows.get(k * width..end * width).unwrap_or_default().chunks_exact(width);
                let tf = |row: &[u8]| row.iter().zip(&adjustments).filter(|&(&l, _)| l == 0).map(|(_, a)| a).sum();
                sample.push_record(&mut index, rows.map(|row| (row, tf(row))));
            }
            k = end;
        }
        sample
    }

    /// Adds one record's candidates as (level row, term-frequency bits); `index` maps the
    /// rows seen so far to their pattern.
    fn push_record<'a>(&mut self, index: &mut HashMap<&'a [u8], u32>, pairs: impl Iterator<Item = (&'a [u8], f64)>) {
        let start = self.pattern_of.len();
        for (row, tf) in pairs {
            let next = u32::try_from(index.len()).unwrap_or(u32::MAX);
            let id = *index.entry(row).or_insert_with(|| {
                self.patterns.extend_from_slice(row);
                next
            });
            self.pattern_of.push(id);
            self.tf_bits.push(tf as f32);
        }
        self.groups.push(start..self.pattern_of.len());
    }
}

/// Weight of the spec's default m against the data in EM (1 = equal). Pairwise EM took
/// namesakes for matches and needed 3 to stay sane; one-to-one, the data is cleaner.
pub const PRIOR_STRENGTH: f64 = 1.0;

/// m and the match share by EM in which a CRM record's candidates compete: record i
/// has its match among the profiles with chance π, so pair k's chance of being it is
/// o_k / ((1 − π) + Σ_j o_j), o = λ·BF/(1 − λ), λ = π / profiles. Pairwise EM lets every
/// namesake of a common name count as a match and learns that matches often disagree on
/// employer, city or title; here a record counts once, shared among its candidates.
pub fn estimate_m_one_to_one<R>(
    specs: &[Comparison<R>],
    params: &mut Params,
    sample: &TrainingSample,
    profiles: usize,
    iterations: usize,
) {
    let width = specs.len();
    if width == 0 || sample.groups.is_empty() || profiles == 0 {
        return;
    }
    let (low, high) = SHARE_BOUNDS;
    let mut share = (params.prior * profiles as f64).clamp(low, high);
    for _ in 0..iterations {
        let weights: Vec<Vec<f64>> = specs
            .iter()
            .enumerate()
            .map(|(c, spec)| (0..spec.levels.len()).map(|l| params.weight(c, l)).collect())
            .collect();
        let lambda = share / profiles as f64;
        let prior_bits = (lambda / (1.0 - lambda)).log2();
        let none = 1.0 - share;
        let pattern_bits: Vec<f64> = sample
            .patterns
            .chunks_exact(width)
            .map(|row| {
                row.iter()
                    .zip(&weights)
                    .filter(|&(&l, _)| l != NULL_LEVEL)
                    .map(|(&l, w)| w.get(usize::from(l)).copied().unwrap_or(0.0))
                    .sum()
            })
            .collect();
        // Per pattern, the match mass its pairs carry; then per level, over the patterns.
        let parts = map_chunks(&sample.groups, |groups| {
            let mut mass = vec![0.0; pattern_bits.len()];
            let mut odds = Vec::new();
            for group in groups {
                odds.clear();
                odds.extend(group.clone().map(|k| {
                    let bits = pattern_bits[sample.pattern_of[k] as usize] + f64::from(sample.tf_bits[k]);
                    (prior_bits + bits).min(200.0).exp2()
                }));
                let total = none + odds.iter().sum::<f64>();
                for (k, o) in group.clone().zip(&odds) {
                    mass[sample.pattern_of[k] as usize] += o / total;
                }
            }
            vec![mass]
        });
        let mut mass = vec![0.0; pattern_bits.len()];
        for part in parts {
            for (total, p) in mass.iter_mut().zip(part) {
                *total += p;
            }
        }
        let mut counts: Vec<Vec<f64>> = specs.iter().map(|c| vec![0.0; c.levels.len()]).collect();
        for (row, &m) in sample.patterns.chunks_exact(width).zip(&mass) {
            for (c, &l) in row.iter().enumerate() {
                if let Some(count) = counts[c].get_mut(usize::from(l)) {
                    *count += m;
                }
            }
        }
        let matched: f64 = mass.iter().sum();
        share = (matched / sample.records.max(1) as f64).clamp(low, high);
        for (c, counts) in counts.iter().enumerate() {
            let sum: f64 = counts.iter().sum();
            if sum > 1.0 {
                // MAP estimate: the spec's defaults act as `sum × PRIOR_STRENGTH` pseudo-counts,
                // so a small org's m stays near them and rare levels never reach 0.
                let alpha = sum * PRIOR_STRENGTH;
                params.comparisons[c].m = counts
                    .iter()
                    .zip(specs[c].levels)
                    .map(|(k, level)| ((k + alpha * level.m) / (sum + alpha)).max(PROBABILITY_FLOOR))
                    .collect();
                let p = &mut params.comparisons[c];
                agreement_never_against(&mut p.m, &p.u);
            }
        }
    }
    params.prior = (share / profiles as f64).clamp(1e-12, 0.5);
}

/// Keeps a comparison's first level (its closest agreement) from counting against a
/// match: matches agree there at least as often as chance pairs do. Where nearly every
/// record shares the value (a one-city org, one region), the defaults' pull in EM would
/// otherwise leave m below u, and that agreement would cost every pair, true ones
/// included, a fraction of a bit. The other levels give up the difference pro rata.
fn agreement_never_against(m: &mut [f64], u: &[f64]) {
    let (Some(&first_u), Some(first_m)) = (u.first(), m.first().copied()) else { return };
    let rest = 1.0 - first_m;
    if first_m >= first_u || rest <= 0.0 {
        return;
    }
    let scale = (1.0 - first_u) / rest;
    m[0] = first_u;
    for x in &mut m[1..] {
        *x = (*x * scale).max(PROBABILITY_FLOOR);
    }
}

/// Rounds of the share's fixed point (a fixed count keeps training's time bounded).
const SHARE_ROUNDS: usize = 30;

/// The prior λ re-estimated one-to-one from each pair's evidence in bits (its weight
/// less the prior weight): (CRM index, bits) per candidate pair, `prior` the starting λ.
/// Each record counts once: with λ = π / profiles, record i has a match with chance
/// S_i / ((1 − π) + S_i), S_i its best pair's odds, and π (the share of CRM records with
/// their match among the profiles) is the mean of that over the records (a fixed point).
pub fn share_prior(
    evidence: impl Iterator<Item = (u32, f64)>,
    prior: f64,
    (crm_len, network_len): (usize, usize),
    share_bounds: (f64, f64),
) -> f64 {
    if crm_len == 0 || network_len == 0 {
        return prior;
    }
    // Per CRM record, its best pair's Bayes factor (odds without the prior): summing
    // every pair would count a common name's namesakes as more evidence of a match. The
    // best bits first, then one power per record (2^x rises with x).
    let mut best = vec![f64::NEG_INFINITY; crm_len];
    for (i, bits) in evidence {
        if let Some(b) = best.get_mut(i as usize) {
            *b = b.max(bits);
        }
    }
    let factors: Vec<f64> = best.into_iter().map(|bits| bits.min(200.0).exp2()).collect();
    let (low, high) = share_bounds;
    let mut share = (prior * network_len as f64).clamp(low, high);
    for _ in 0..SHARE_ROUNDS {
        let lambda = share / network_len as f64;
        let odds_of = |bf: f64| lambda * bf / (1.0 - lambda);
        let matched: f64 = factors.iter().map(|&bf| odds_of(bf) / ((1.0 - share) + odds_of(bf))).sum();
        share = (matched / crm_len as f64).clamp(low, high);
    }
    (share / network_len as f64).clamp(1e-12, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matching::comparison::PERSON_COMPARISONS;
    use crate::core::matching::record::{PersonInput, PersonRecord};

    fn person(first: &str, last: &str, city: &str) -> PersonRecord {
        PersonRecord::new(
            Default::default(),
            None,
            &PersonInput { first_name: first, last_name: last, city, ..Default::default() },
        )
    }

    #[test]
    fn estimate_u_reflects_chance_agreement() {
        let names = ["ann", "bob", "cid", "dee", "eve", "fay", "gus", "hal", "ivy", "jon"];
        let people: Vec<PersonRecord> = (0..200).map(|i| person(names[i % 10], &format!("last{i}"), "x")).collect();
        let mut params = Params::defaults(&PERSON_COMPARISONS);
        estimate_u(&PERSON_COMPARISONS, &mut params, &people, &people, 20_000, 1);
        let u_exact_first = params.comparisons[0].u[0];
        assert!((u_exact_first - 0.1).abs() < 0.02, "{u_exact_first}");
        assert!(params.comparisons[5].u[0] > 0.95, "every city is x");
    }

    /// A sample whose records' candidates have these level rows (no term frequencies).
    fn sample_of<const W: usize>(records: &[Vec<[u8; W]>]) -> TrainingSample {
        let mut sample = TrainingSample { records: records.len(), ..TrainingSample::default() };
        let mut index = HashMap::default();
        for pairs in records {
            sample.push_record(&mut index, pairs.iter().map(|row| (&row[..], 0.0)));
        }
        sample
    }

    /// The defaults of the first two comparisons, with a first name shared by one pair in
    /// five by chance (so a first name alone is no match; a full name is).
    fn names_params() -> Params {
        let mut params = Params::defaults(&PERSON_COMPARISONS[..2]);
        let u = &mut params.comparisons[0].u;
        let last = u.len() - 1;
        u[last] -= 0.2 - u[0];
        u[0] = 0.2;
        params
    }

    /// First-name and surname levels: both exact, or the same first name only.
    const FULL_NAME: [u8; 2] = [0, 0];
    const FIRST_NAME_ONLY: [u8; 2] = [0, 4];

    #[test]
    fn em_learns_matches_from_each_records_best_candidate() {
        // 1000 records against 100 profiles: 800 have their profile (both names exact) and
        // two namesakes who share the first name only; 200 have only such namesakes.
        let specs = &PERSON_COMPARISONS[..2];
        let records: Vec<Vec<[u8; 2]>> = (0..1000)
            .map(|i| if i < 800 { vec![FULL_NAME, FIRST_NAME_ONLY, FIRST_NAME_ONLY] } else { vec![FIRST_NAME_ONLY; 2] })
            .collect();
        let mut params = names_params();
        params.prior = 0.5 / 100.0;
        estimate_m_one_to_one(specs, &mut params, &sample_of(&records), 100, 20);
        assert!((params.prior * 100.0 - 0.8).abs() < 0.02, "share {}", params.prior * 100.0);
        // Every match agrees on the surname: m moves toward 1 by 1 / (1 + PRIOR_STRENGTH) of the way.
        let default = PERSON_COMPARISONS[1].levels[0].m;
        let moved = (params.comparisons[1].m[0] - default) / (1.0 - default);
        assert!((moved - 1.0 / (1.0 + PRIOR_STRENGTH)).abs() < 0.05, "m moves toward the data: {moved}");
    }

    #[test]
    fn a_records_namesakes_share_its_one_match() {
        // 100 records, 80 with four candidates that agree on both names alike (their own
        // profile and three namesakes), 20 with first-name namesakes only.
        let specs = &PERSON_COMPARISONS[..2];
        let records: Vec<Vec<[u8; 2]>> =
            (0..100).map(|i| if i < 80 { vec![FULL_NAME; 4] } else { vec![FIRST_NAME_ONLY; 2] }).collect();
        let mut params = names_params();
        params.prior = 0.5 / 100.0;
        estimate_m_one_to_one(specs, &mut params, &sample_of(&records), 100, 20);
        let share = params.prior * 100.0;
        assert!((0.75..0.85).contains(&share), "{share}: the 80 records with a full-name pair, each once");
        // The one-to-one prior from scored weights counts each record once too.
        let weights = |row: [u8; 2]| params.weight(0, row[0].into()) + params.weight(1, row[1].into());
        let evidence =
            records.iter().enumerate().flat_map(|(i, pairs)| pairs.iter().map(move |&r| (i as u32, weights(r))));
        let again = share_prior(evidence, params.prior, (100, 100), SHARE_BOUNDS) * 100.0;
        assert!((0.75..0.85).contains(&again), "{again}");
    }

    #[test]
    fn an_agreement_nearly_everyone_shares_costs_a_pair_nothing() {
        // A one-city org: every record is in the same city, so agreeing there is chance.
        let specs = &PERSON_COMPARISONS[5..6];
        let sample = sample_of(&vec![vec![[0u8]]; 1000]);
        let mut params = Params::defaults(specs);
        params.comparisons[0].u = vec![0.98, 0.01, 0.01];
        // One profile: each record's candidate is it, or the record has none.
        estimate_m_one_to_one(specs, &mut params, &sample, 1, 20);
        let m = &params.comparisons[0].m;
        assert!(m[0] >= 0.98 - 1e-12, "m {m:?} below u: the shared city would count against every pair");
        assert!((m.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{m:?}");
        let mut informative = vec![0.9, 0.05, 0.05];
        agreement_never_against(&mut informative, &[0.02, 0.005, 0.975]);
        assert_eq!(informative, vec![0.9, 0.05, 0.05], "an informative field is left as trained");
    }

    #[test]
    fn the_share_respects_its_bounds() {
        // Every record's one candidate agrees on both names: the share stops at its bound.
        let specs = &PERSON_COMPARISONS[..2];
        let mut params = Params::defaults(specs);
        estimate_m_one_to_one(specs, &mut params, &sample_of(&vec![vec![FULL_NAME]; 100]), 100, 20);
        assert!(params.prior * 100.0 <= SHARE_BOUNDS.1 + 1e-12, "{}", params.prior);
    }

    #[test]
    fn the_sample_keeps_every_kth_record_whole() {
        let specs = &PERSON_COMPARISONS;
        let crm: Vec<PersonRecord> = (0..10).map(|i| person("ann", &format!("doe{i}"), "x")).collect();
        let network: Vec<PersonRecord> = (0..3).map(|i| person("ann", &format!("doe{i}"), "x")).collect();
        // Each record against all three profiles: 30 pairs, grouped by record.
        let pairs: Vec<(u32, u32, f64)> = (0..10).flat_map(|i| (0..3).map(move |j| (i, j, 0.0))).collect();
        let mut rows = vec![NULL_LEVEL; pairs.len() * specs.len()];
        for (row, &(i, j, _)) in rows.chunks_exact_mut(specs.len()).zip(&pairs) {
            levels(specs, &crm[i as usize], &network[j as usize], row);
        }
        let (params, tf) = (Params::defaults(specs), super::super::scoring::TermFrequencies::default());
        let sample = TrainingSample::new(specs, &crm, (&pairs, &rows), &Scorer::new(specs, &params, &tf), 15);
        // 30 pairs for 15: every second record, its three candidates together.
        assert_eq!(sample.records, 5);
        assert_eq!(sample.groups, vec![0..3, 3..6, 6..9, 9..12, 12..15]);
        // Record i's pair with profile j is ann doe-i against ann doe-j: exact surname at
        // j = i only. Each pair's pattern is its row.
        let w = specs.len();
        let row_of = |k: usize| &sample.patterns[sample.pattern_of[k] as usize * w..][..w];
        let kept = [0usize, 2, 4, 6, 8].iter().flat_map(|&i| (0..3).map(move |j| i * 3 + j));
        for (k, original) in kept.enumerate() {
            assert_eq!(row_of(k), &rows[original * w..][..w], "pair {k} is pair {original}");
        }
        assert!(sample.patterns.len() / w < 15, "rows that repeat are kept once");
        assert_eq!(sample.tf_bits, vec![0.0; 15]);
    }
}
