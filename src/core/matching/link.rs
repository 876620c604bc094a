//! The one rule that links a record to one candidate outside the batch assignment — a
//! badge on a network page (one profile against the org's records) and the widget's
//! matched profile (one record against the directory's profiles): a manual match wins;
//! otherwise the best-scoring candidate at or above the default threshold. Callers leave
//! out what users ruled out (rejected pairs, candidates matched by hand to another).

use super::{Method, DEFAULT_THRESHOLD};

/// The match weight (log₂ odds) a probability corresponds to.
pub fn weight_of_probability(probability: f64) -> f64 {
    (probability / (1.0 - probability)).log2()
}

/// Which candidate is linked, and how: `manual` is the candidate a user matched by hand
/// (if any is among them); `scored` are the others with their match weights.
pub fn link(manual: Option<usize>, scored: impl IntoIterator<Item = (usize, f64)>) -> Option<(usize, Method)> {
    if let Some(i) = manual {
        return Some((i, Method::Manual));
    }
    let min_weight = weight_of_probability(DEFAULT_THRESHOLD);
    scored
        .into_iter()
        .filter(|&(_, w)| w >= min_weight)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| (i, Method::Auto))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_wins_then_the_best_weight_at_or_above_the_threshold() {
        let at = weight_of_probability(DEFAULT_THRESHOLD);
        assert_eq!(link(Some(7), [(1, 99.0)]), Some((7, Method::Manual)));
        assert_eq!(link(None, [(1, at - 0.01), (2, at), (3, at + 1.0)]), Some((3, Method::Auto)));
        assert_eq!(link(None, [(1, at - 0.01)]), None);
        assert_eq!(link(None, [(4, at)]), Some((4, Method::Auto)), "the threshold itself links");
        assert!((weight_of_probability(0.5)).abs() < 1e-12);
    }
}
