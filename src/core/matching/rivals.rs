//! The one-to-one posterior. A CRM record has at most one match among the profiles, and
//! has one at all with probability π (the match share). Given every candidate the record
//! has, the chance that candidate b is the one is odds_b / ((1 − π) + Σ_j odds_j); the
//! same holds from the profile's side, and [`raise_uncontested`] weighs both. The
//! pairwise model spreads the record's chance of a match over every profile of the org,
//! blocked-out ones included; a record whose other candidates are all weak therefore
//! deserves more than its best pair's pairwise probability ("no close rival": the same
//! full name at a new employer, no namesake in sight). A pair's weight is raised to the
//! posterior, never lowered: rivals already lose in the one-to-one assignment, and a
//! pair's own evidence is never discounted. Only pairs with strong evidence of their own
//! are raised (see [`Linkable::RAISED_EVIDENCE`]).

use super::parallel::{fill_chunks, sum_by_index};
use super::params::{probability, Params};
use super::scoring::{Explanation, FieldExplanation};
#[cfg(doc)]
use super::Linkable;

/// The share is kept within these bounds: a trained prior can overshoot (more expected
/// matches than records), and a record is never assumed certain to have a match.
const MIN_SHARE: f64 = 0.05;
const MAX_SHARE: f64 = 0.95;

/// [`MIN_SHARE`] and [`MAX_SHARE`], for training's estimate of the share.
pub const SHARE_BOUNDS: (f64, f64) = (MIN_SHARE, MAX_SHARE);

/// Name of the explanation's line for the raise.
pub const RIVALS: &str = "rivals";

/// Share of CRM records expected to have their match among `profiles`: λ (the chance two
/// records drawn at random match) times the profiles, within bounds.
pub fn match_share(prior: f64, profiles: usize) -> f64 {
    (prior * profiles as f64).clamp(MIN_SHARE, MAX_SHARE)
}

/// How one pass applies the posterior: the shares of CRM records and of profiles
/// expected to have a match, and the weight a pair needs before it is raised.
#[derive(Debug, Clone, Copy)]
pub struct Contest {
    pub share: f64,
    /// Share of profiles expected to have their CRM record: the same expected matches
    /// over the other side's size.
    pub profile_share: f64,
    /// The record type's [`Linkable::RAISED_EVIDENCE`] above the prior weight.
    pub floor: f64,
}

impl Contest {
    /// The contest of a pass of `crm` records against `profiles` profiles under `params`,
    /// raising pairs with at least `evidence` bits above the prior
    /// ([`Linkable::RAISED_EVIDENCE`]).
    pub fn new(params: &Params, (crm, profiles): (usize, usize), evidence: f64) -> Self {
        let share = match_share(params.prior, profiles);
        let profile_share = (share * crm as f64 / profiles.max(1) as f64).clamp(MIN_SHARE, MAX_SHARE);
        Self { share, profile_share, floor: params.prior_weight() + evidence }
    }
}

/// Raises each pair's weight to the one-to-one posterior over its CRM record's
/// candidates and its profile's. Every candidate pair of a record in `scored` must be
/// there (the passes score records whole); `crm_len` bounds the CRM indices.
///
/// Both sides are one-to-one, and both have records without a match. A pair alone in
/// its row and its column is set against both being unmatched: odds o / (n_r · n_c),
/// n_r = 1 − share and n_c = 1 − profile share, so a profile that most likely has a CRM
/// record, and no other record near it, counts for the pair as much as the record's own
/// lack of rivals does. Rivals on either side weigh in as (K + row rivals) · (K + column
/// rivals), K = n_r · n_c: exact when the rivals share nothing else.
///
/// A rival that another record claims for certain is no rival (two "John Holland"s on
/// each side, one pair at the same employer: the other CRM record is the other
/// profile's). So the posterior is refined over a few rounds, each row rival counted with
/// the chance that no other record has its profile, and each column rival with the
/// chance that its record has no other profile.
pub fn raise_uncontested(scored: &mut [(u32, u32, f64)], crm_len: usize, contest: Contest) {
    let none = 1.0 - contest.share.clamp(MIN_SHARE, MAX_SHARE);
    let both_none = none * (1.0 - contest.profile_share.clamp(MIN_SHARE, MAX_SHARE));
    let network_len = scored.iter().map(|&(_, j, _)| j as usize + 1).max().unwrap_or(0);
    // Each pair's odds once: every round reads them several times, and a power of 2 per
    // read was most of the posterior's time (at a million records the level rows are
    // gone by now, so the vector stays below the run's peak).
    let mut pair_odds = vec![0.0f64; scored.len()];
    fill_chunks(&mut pair_odds, 1, |start, share| {
        for (o, &(_, _, w)) in share.iter_mut().zip(&scored[start..]) {
            *o = odds(w);
        }
    });
    // A pair's share of its record's odds `o`, its profile counted with the chance `f`
    // that no other record has it: the chance the record's match is this profile.
    // Recomputed where needed rather than kept.
    let row_posterior = |(i, o, f): (u32, f64, f32), rows: &[f64]| o * f64::from(f) / (none + rows[i as usize]);
    // Per pair, the chance its profile is not another record's (1 until a round says).
    let mut free = vec![1.0f32; scored.len()];
    let mut rows = vec![0.0f64; crm_len];
    let mut columns = vec![0.0f64; network_len];
    let (crm_of, network_of) = (|k: usize| scored[k].0 as usize, |k: usize| scored[k].1 as usize);
    for round in 0..ROUNDS {
        sum_by_index(&mut rows, scored.len(), crm_of, |k| pair_odds[k] * f64::from(free[k]));
        if round + 1 == ROUNDS {
            break;
        }
        sum_by_index(&mut columns, scored.len(), network_of, |k| {
            row_posterior((scored[k].0, pair_odds[k], free[k]), &rows)
        });
        fill_chunks(&mut free, 1, |start, share| {
            for ((&(i, j, _), &o), f) in scored[start..].iter().zip(&pair_odds[start..]).zip(share) {
                let others = columns[j as usize] - row_posterior((i, o, *f), &rows);
                *f = (1.0 - others).clamp(0.0, 1.0) as f32;
            }
        });
    }
    // Per record, the chance it has one of its profiles; a column rival's odds count with
    // the chance its record has none of its other profiles.
    let mut claimed = vec![0.0f64; crm_len];
    sum_by_index(&mut claimed, scored.len(), crm_of, |k| row_posterior((scored[k].0, pair_odds[k], free[k]), &rows));
    let column_weight = |(i, o, f): (u32, f64, f32)| {
        o * (1.0 - (claimed[i as usize] - row_posterior((i, o, f), &rows))).clamp(0.0, 1.0)
    };
    sum_by_index(&mut columns, scored.len(), network_of, |k| column_weight((scored[k].0, pair_odds[k], free[k])));
    fill_chunks(scored, 1, |start, share| {
        for (((i, j, w), &f), &o) in share.iter_mut().zip(&free[start..]).zip(&pair_odds[start..]) {
            let own = o * f64::from(f);
            let row_rivals = (rows[*i as usize] - own).max(0.0);
            let column_rivals = (columns[*j as usize] - column_weight((*i, o, f))).max(0.0);
            // log₂ of own · K / ((K + row rivals) · (K + column rivals)).
            let posterior =
                own.log2() + both_none.log2() - (both_none + row_rivals).log2() - (both_none + column_rivals).log2();
            if *w >= contest.floor && posterior > *w {
                *w = posterior;
            }
        }
    });
}

/// Rounds of the two-sided refinement: the first is the one-sided posterior, each next
/// one discounts profiles other records claim. At 3 a namesake's claim had not yet
/// reached the records two claims away (Zipf 1M: recall 0.9190 at 3, 0.9204 at 6 and at
/// 12, precision 0.9927 at all three; about 0.15 s a round there).
const ROUNDS: usize = 6;

/// Weights beyond this many bits are certain either way; capping keeps the sums finite.
const MAX_BITS: f64 = 200.0;

/// The odds of a weight in bits, capped at [`MAX_BITS`].
fn odds(w: f64) -> f64 {
    w.min(MAX_BITS).exp2()
}

/// The explanation of a pair whose weight the one-to-one posterior raised to `weight`:
/// a line says by how much, and the total and probability follow it.
pub fn explained(mut e: Explanation, weight: f64) -> Explanation {
    let raise = weight - e.match_weight;
    if raise > 1e-9 {
        e.fields.push(FieldExplanation { comparison: RIVALS.into(), level: "no close rival".into(), weight: raise });
        e.match_weight = weight;
        e.probability = probability(weight);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A contest at `share` that raises pairs from 1 bit (p = 2/3).
    fn at(share: f64) -> Contest {
        Contest { share, profile_share: share, floor: 1.0 }
    }

    #[test]
    fn a_lone_candidate_is_raised_and_a_contested_one_is_not() {
        // Record 0: one candidate at p = 0.75 (odds 3), nothing else. Record 1: the same
        // pair, and a rival just as strong.
        let w = 3f64.log2();
        let mut scored = vec![(0, 0, w), (1, 1, w), (1, 2, w)];
        raise_uncontested(&mut scored, 2, at(0.8));
        // Against both being unmatched: 3 / (0.2 · 0.2) = 75, p = 75/76.
        assert!((probability(scored[0].2) - 75.0 / 76.0).abs() < 1e-9, "{}", probability(scored[0].2));
        assert_eq!(scored[1].2, w, "a rival as strong leaves the pairwise weight");
        assert_eq!(scored[2].2, w);
    }

    #[test]
    fn weak_rivals_lower_the_raise_and_it_never_lowers_a_weight() {
        let mut alone = vec![(0, 0, 1.5)];
        let mut crowded = vec![(0, 0, 1.5), (0, 1, -3.0), (0, 2, -3.0)];
        raise_uncontested(&mut alone, 1, at(0.8));
        raise_uncontested(&mut crowded, 1, at(0.8));
        assert!(alone[0].2 > crowded[0].2 && crowded[0].2 > 1.5);
        assert_eq!(crowded[1].2, -3.0, "a rival's own weight stays");
        let mut strong = vec![(0, 0, 30.0)];
        raise_uncontested(&mut strong, 1, at(0.05));
        assert!(strong[0].2 >= 30.0);
    }

    #[test]
    fn a_rival_profile_another_record_claims_is_no_rival() {
        // Two John Hollands on each side: record 0 and profile 0 share an employer (a
        // strong pair); record 1 is as close to both profiles on names alone.
        let (strong, names) = (6.0, 1.7);
        let mut scored = vec![(0, 0, strong), (0, 1, names), (1, 0, names), (1, 1, names)];
        raise_uncontested(&mut scored, 2, at(0.8));
        assert!(probability(scored[3].2) > 0.85, "record 1 is profile 1's: {}", probability(scored[3].2));
        assert!(probability(scored[2].2) < 0.8, "profile 0 stays record 0's: {}", probability(scored[2].2));
        assert!(scored[0].2 >= strong);
    }

    #[test]
    fn a_profile_that_likely_has_a_record_counts_for_its_lone_pair() {
        // The same lone pair (odds 1/2) where most profiles have a CRM record, and where
        // few do: the first is set against both being unmatched, far likelier wrong.
        let w = -1.0;
        let raised = |profile_share: f64| {
            let mut alone = vec![(0, 0, w)];
            raise_uncontested(&mut alone, 1, Contest { share: 0.8, profile_share, floor: -5.0 });
            probability(alone[0].2)
        };
        // 0.5 / (0.2 · 0.2) = 12.5 against 0.5 / (0.2 · 0.95) ≈ 2.6.
        assert!((raised(0.8) - 12.5 / 13.5).abs() < 1e-9, "{}", raised(0.8));
        assert!(raised(0.05) < 0.75, "{}", raised(0.05));
        // A second record as close to the profile: the column's rival takes the raise away.
        let mut contested = vec![(0, 0, w), (1, 0, w)];
        raise_uncontested(&mut contested, 2, Contest { share: 0.8, profile_share: 0.8, floor: -5.0 });
        assert!(probability(contested[0].2) < 0.6, "{}", probability(contested[0].2));
    }

    #[test]
    fn a_pair_below_the_floor_is_never_raised() {
        let mut weak = vec![(0, 0, 0.9)];
        raise_uncontested(&mut weak, 1, at(0.95));
        assert_eq!(weak[0].2, 0.9);
    }

    #[test]
    fn the_same_evidence_is_raised_in_a_small_org_and_a_large_one() {
        // The same person (rare full name, new employer, no rival): 21 bits of evidence.
        // In a million profiles that is under 1 bit pairwise (p < 2/3), yet no one else
        // comes close: the posterior must still raise it.
        for profiles in [3_000usize, 1_000_000] {
            let params = Params { version: 1, prior: 0.8 / profiles as f64, comparisons: Vec::new() };
            let contest = Contest::new(&params, (profiles, profiles), 12.5);
            let mut alone = vec![(0, 0, params.prior_weight() + 21.0)];
            raise_uncontested(&mut alone, 1, contest);
            assert!(probability(alone[0].2) > 0.85, "{profiles} profiles: {}", probability(alone[0].2));
        }
        let large = Params { version: 1, prior: 0.8 / 1e6, comparisons: Vec::new() };
        assert!(large.prior_weight() + 21.0 < 1.0, "the case a bound on the pairwise probability refused");
    }

    #[test]
    fn the_share_stays_within_bounds() {
        assert_eq!(match_share(1.0, 10), MAX_SHARE);
        assert_eq!(match_share(0.0, 10), MIN_SHARE);
        assert!((match_share(1e-4, 5000) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn the_explanation_says_how_much_was_added() {
        let e =
            Explanation { prior_weight: -10.0, fields: Vec::new(), match_weight: 1.0, probability: probability(1.0) };
        let raised = explained(e.clone(), 2.5);
        assert_eq!(raised.fields.last().map(|f| (f.comparison.as_str(), f.weight)), Some((RIVALS, 1.5)));
        assert_eq!(raised.match_weight, 2.5);
        assert_eq!(explained(e.clone(), 1.0), e, "nothing raised, nothing said");
    }
}
