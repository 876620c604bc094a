//! Training, apart from prediction: u from random pairs (what agreement looks like by
//! chance), then m and the prior by expectation–maximisation on the blocked pairs.

use rustc_hash::FxHashMap as HashMap;

use super::comparison::Comparison;
use super::parallel::map_chunks;
use super::params::{Params, PROBABILITY_FLOOR};
use super::scoring::{levels, NULL_LEVEL};
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

/// Weight of the spec's default m-probabilities against the data in EM (1 = equal). EM on
/// blocked pairs takes some namesakes for matches (the same rare surname in the same city)
/// and learns that a different first name costs little; at 1 that let strangers with one
/// shared rare name through on the generated 100k set (P 0.986), at 3 it does not (0.992).
pub const PRIOR_STRENGTH: f64 = 3.0;

/// Re-estimates m and the prior by EM over the level vectors of candidate pairs
/// (`level_rows` holds one row of `specs.len()` levels per pair); u stays fixed.
/// `max_prior` bounds the match rate among the pairs: with one match per record at
/// most, it cannot exceed (smaller side) / (pairs), and without the bound EM can drift
/// into calling every similar pair a match.
pub fn estimate_m_em<R>(
    specs: &[Comparison<R>],
    params: &mut Params,
    level_rows: &[u8],
    iterations: usize,
    max_prior: f64,
) {
    let width = specs.len();
    if width == 0 || level_rows.is_empty() {
        return;
    }
    // Identical level vectors are common: iterate over distinct patterns with counts.
    let mut patterns: HashMap<&[u8], f64> = HashMap::default();
    for row in level_rows.chunks_exact(width) {
        *patterns.entry(row).or_default() += 1.0;
    }
    let patterns: Vec<(&[u8], f64)> = patterns.into_iter().collect();
    let total: f64 = patterns.iter().map(|(_, n)| n).sum();
    let max_prior = max_prior.clamp(1e-6, 1.0 - 1e-6);
    let mut prior = params.prior.clamp(1e-6, 0.5).max(0.01).min(max_prior);
    for _ in 0..iterations {
        let mut m_counts: Vec<Vec<f64>> = specs.iter().map(|c| vec![0.0; c.levels.len()]).collect();
        let mut matched = 0.0;
        for (row, n) in &patterns {
            let mut log_odds = (prior / (1.0 - prior)).ln();
            for (c, &l) in row.iter().enumerate() {
                if l != NULL_LEVEL {
                    let p = &params.comparisons[c];
                    log_odds += (p.m[l as usize].max(PROBABILITY_FLOOR) / p.u[l as usize].max(PROBABILITY_FLOOR)).ln();
                }
            }
            let p_match = 1.0 / (1.0 + (-log_odds).exp());
            matched += p_match * n;
            for (c, &l) in row.iter().enumerate() {
                if l != NULL_LEVEL {
                    m_counts[c][l as usize] += p_match * n;
                }
            }
        }
        prior = (matched / total).clamp(1e-6, max_prior);
        for (c, counts) in m_counts.iter().enumerate() {
            let sum: f64 = counts.iter().sum();
            if sum > 1.0 {
                // MAP estimate: the spec's defaults act as `sum × PRIOR_STRENGTH` pseudo-counts,
                // so EM refines m but cannot wander into a degenerate solution (e.g. calling
                // namesakes matches and learning that a different domain means nothing).
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
    params.prior = prior;
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

/// The prior λ re-estimated one-to-one: the share π of CRM records that have their match
/// among the profiles, divided by the profiles. EM counts every candidate pair on its
/// own, so a record's namesakes each add to the match rate and π comes out near 1
/// (every record "has" a match). Here each record counts once: with λ = π / profiles,
/// record i has a match with chance S_i / ((1 − π) + S_i), S_i its best pair's odds, and
/// π is the mean of that over the CRM records (a fixed point, found by iterating). `pairs` and `level_rows` are the candidate pairs and their levels.
pub fn one_to_one_prior<R>(
    specs: &[Comparison<R>],
    params: &Params,
    pairs: &[(u32, u32, f64)],
    level_rows: &[u8],
    sizes: (usize, usize),
    share_bounds: (f64, f64),
) -> f64 {
    let width = specs.len();
    if width == 0 {
        return params.prior;
    }
    // Each level's weight once, not a logarithm per level of each of millions of pairs.
    let weights: Vec<Vec<f64>> = specs
        .iter()
        .enumerate()
        .map(|(c, spec)| (0..spec.levels.len()).map(|l| params.weight(c, l)).collect())
        .collect();
    let evidence = pairs.iter().zip(level_rows.chunks_exact(width)).map(|(&(i, _, _), row)| {
        let bits: f64 = row
            .iter()
            .zip(&weights)
            .filter(|&(&l, _)| l != NULL_LEVEL)
            .map(|(&l, w)| w.get(usize::from(l)).copied().unwrap_or(0.0))
            .sum();
        (i, bits)
    });
    share_prior(evidence, params.prior, sizes, share_bounds)
}

/// [`one_to_one_prior`] from each pair's evidence in bits (its weight less the prior
/// weight): (CRM index, bits) per candidate pair, `prior` the starting λ.
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

    #[test]
    fn em_separates_matches_from_non_matches() {
        // 100 agreeing pairs and 900 disagreeing ones on (first, last).
        let specs = &PERSON_COMPARISONS[..2];
        let mut rows = Vec::new();
        for i in 0..1000 {
            rows.extend_from_slice(if i < 100 { &[0u8, 0] } else { &[6u8, 4] });
        }
        let mut params = Params::defaults(specs);
        estimate_m_em(specs, &mut params, &rows, 20, 1.0);
        assert!((params.prior - 0.1).abs() < 0.02, "{}", params.prior);
        // Every match agrees exactly: m moves toward 1 by 1 / (1 + PRIOR_STRENGTH) of the way.
        let default = PERSON_COMPARISONS[1].levels[0].m;
        let moved = (params.comparisons[1].m[0] - default) / (1.0 - default);
        assert!((moved - 1.0 / (1.0 + PRIOR_STRENGTH)).abs() < 0.05, "m moves toward the data: {moved}");
    }

    #[test]
    fn the_one_to_one_prior_counts_a_record_once_not_each_namesake() {
        // 100 CRM records and 100 profiles: records 0–79 each agree on both names with
        // their own profile and with three namesakes; 80–99 only with namesakes' first names.
        let specs = &PERSON_COMPARISONS[..2];
        let (mut pairs, mut rows) = (Vec::new(), Vec::new());
        for i in 0..100u32 {
            let partners: &[u32] = if i < 80 { &[0, 1, 2, 3] } else { &[0, 1] };
            for &p in partners {
                pairs.push((i, (i + p * 7) % 100, 0.0));
                rows.extend_from_slice(if i < 80 { &[0u8, 0] } else { &[0u8, 4] });
            }
        }
        let mut params = Params::defaults(specs);
        params.prior = 0.99 / 100.0;
        let prior = one_to_one_prior(specs, &params, &pairs, &rows, (100, 100), (0.05, 0.95));
        let share = prior * 100.0;
        assert!((0.75..0.85).contains(&share), "{share}: the 80 records with a full-name pair, each once");
    }

    #[test]
    fn an_agreement_nearly_everyone_shares_costs_a_pair_nothing() {
        // A one-city org: every record is in the same city, so agreeing there is chance.
        let specs = &PERSON_COMPARISONS[5..6];
        let rows: Vec<u8> = std::iter::repeat_n(0u8, 1000).collect();
        let mut params = Params::defaults(specs);
        params.comparisons[0].u = vec![0.98, 0.01, 0.01];
        estimate_m_em(specs, &mut params, &rows, 20, 0.5);
        let m = &params.comparisons[0].m;
        assert!(m[0] >= 0.98 - 1e-12, "m {m:?} below u: the shared city would count against every pair");
        assert!((m.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{m:?}");
        let mut informative = vec![0.9, 0.05, 0.05];
        agreement_never_against(&mut informative, &[0.02, 0.005, 0.975]);
        assert_eq!(informative, vec![0.9, 0.05, 0.05], "an informative field is left as trained");
    }

    #[test]
    fn em_prior_respects_its_bound() {
        let specs = &PERSON_COMPARISONS[..2];
        let rows: Vec<u8> = std::iter::repeat_n([0u8, 0], 1000).flatten().collect();
        let mut params = Params::defaults(specs);
        estimate_m_em(specs, &mut params, &rows, 20, 0.05);
        assert!(params.prior <= 0.05 + 1e-12, "{}", params.prior);
    }
}
