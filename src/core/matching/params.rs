//! Trained parameters, kept apart from the comparison specs: the prior match
//! probability and each level's m and u. Serialisable, so a relay can store what it
//! learned from the org's data and the browser can score with the same numbers.

use serde::{Deserialize, Serialize};

use super::comparison::Comparison;

/// m and u per level of one comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonParams {
    pub name: String,
    pub m: Vec<f64>,
    pub u: Vec<f64>,
}

/// The model's numbers for one record type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Format version of this structure.
    pub version: u32,
    /// λ: the probability that two records drawn at random are a match.
    pub prior: f64,
    pub comparisons: Vec<ComparisonParams>,
}

/// Probabilities are kept away from 0 and 1 so every weight is finite.
pub const PROBABILITY_FLOOR: f64 = 1e-9;

impl Params {
    /// The spec's default probabilities.
    pub fn defaults<R>(specs: &[Comparison<R>]) -> Self {
        Self {
            version: 1,
            prior: 1e-4,
            comparisons: specs
                .iter()
                .map(|c| ComparisonParams {
                    name: c.name.to_string(),
                    m: c.levels.iter().map(|l| l.m).collect(),
                    u: c.levels.iter().map(|l| l.u).collect(),
                })
                .collect(),
        }
    }

    /// The spec's defaults with the prior sized to the data: without training, assume
    /// half of the smaller side has its match on the other (λ = ½·min(n, m) / (n·m)), so
    /// a large org needs more evidence per pair than a small one, as a trained λ would.
    pub fn defaults_for<R>(specs: &[Comparison<R>], crm: usize, network: usize) -> Self {
        let mut params = Self::defaults(specs);
        let pairs = (crm.max(1) as f64) * (network.max(1) as f64);
        params.prior = (0.5 * crm.min(network).max(1) as f64 / pairs).clamp(1e-12, 0.5);
        params
    }

    /// True when these parameters fit `specs` (same comparisons and level counts).
    pub fn fits<R>(&self, specs: &[Comparison<R>]) -> bool {
        self.comparisons.len() == specs.len()
            && self
                .comparisons
                .iter()
                .zip(specs)
                .all(|(p, s)| p.name == s.name && p.m.len() == s.levels.len() && p.u.len() == s.levels.len())
    }

    /// log2(m/u) of a level: its match weight.
    pub fn weight(&self, comparison: usize, level: usize) -> f64 {
        let c = &self.comparisons[comparison];
        (c.m[level].max(PROBABILITY_FLOOR) / c.u[level].max(PROBABILITY_FLOOR)).log2()
    }

    /// log2(λ / (1 − λ)): the starting weight of every pair.
    pub fn prior_weight(&self) -> f64 {
        let p = self.prior.clamp(PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR);
        (p / (1.0 - p)).log2()
    }
}

/// Match probability of a total match weight.
pub fn probability(weight: f64) -> f64 {
    let odds = weight.exp2();
    if odds.is_infinite() {
        1.0
    } else {
        odds / (1.0 + odds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matching::comparison::PERSON_COMPARISONS;

    #[test]
    fn defaults_fit_and_round_trip_json() {
        let p = Params::defaults(&PERSON_COMPARISONS);
        assert!(p.fits(&PERSON_COMPARISONS));
        let back: Params = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn sized_defaults_ask_more_of_a_pair_in_a_larger_org() {
        let small = Params::defaults_for(&PERSON_COMPARISONS, 120, 20);
        let large = Params::defaults_for(&PERSON_COMPARISONS, 1_000_000, 200_000);
        assert!((small.prior - 0.5 * 20.0 / 2400.0).abs() < 1e-12);
        assert!(large.prior_weight() < small.prior_weight() - 10.0);
        assert_eq!(small.comparisons, Params::defaults(&PERSON_COMPARISONS).comparisons);
    }

    #[test]
    fn weight_and_probability() {
        let p = Params::defaults(&PERSON_COMPARISONS);
        assert!(p.weight(1, 0) > 9.0, "exact surname is strong evidence");
        assert!(p.weight(1, 4) < 0.0, "different surnames count against");
        assert!((probability(0.0) - 0.5).abs() < 1e-12);
        assert!(probability(2000.0) == 1.0 && probability(-2000.0) == 0.0);
    }
}
