//! How a CRM record counts in the match-rate report: linked automatically, by hand, a
//! low-confidence candidate (0.5 ≤ p < the display threshold) or unmatched. One rule for
//! the report's counts and its export, so the export lists exactly what the counts call
//! unmatched or low confidence.

use crate::core::api::match_report::ObjectMatchCounts;
use crate::core::matching::batch::OutcomeState;

/// Probability from which an unlinked best candidate is "low confidence".
pub const LOW_CONFIDENCE_FLOOR: f64 = 0.5;

/// The report's class of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchClass {
    Auto,
    Manual,
    LowConfidence,
    Unmatched,
}

impl MatchClass {
    /// The export's `state` column (only the two classes it lists have one).
    pub fn export_state(self) -> Option<&'static str> {
        match self {
            MatchClass::LowConfidence => Some("low_confidence"),
            MatchClass::Unmatched => Some("unmatched"),
            _ => None,
        }
    }
}

/// The class of a record with stored outcome `state` and best probability `p` (`None`: no
/// outcome stored yet, so unmatched); `threshold` is the display threshold.
pub fn classify(outcome: Option<(OutcomeState, f64)>, threshold: f64) -> MatchClass {
    match outcome {
        Some((OutcomeState::Auto, _)) => MatchClass::Auto,
        Some((OutcomeState::Manual, _)) => MatchClass::Manual,
        Some((OutcomeState::Candidate, p)) if (LOW_CONFIDENCE_FLOOR..threshold).contains(&p) => {
            MatchClass::LowConfidence
        }
        _ => MatchClass::Unmatched,
    }
}

/// Adds one record of `class` to `counts`.
pub fn count(counts: &mut ObjectMatchCounts, class: MatchClass) {
    counts.records += 1;
    match class {
        MatchClass::Auto => counts.matched_auto += 1,
        MatchClass::Manual => counts.matched_manual += 1,
        MatchClass::LowConfidence => counts.low_confidence += 1,
        MatchClass::Unmatched => counts.unmatched += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_state_and_the_band_and_counts_add_up() {
        let t = 0.8;
        assert_eq!(classify(Some((OutcomeState::Auto, 0.99)), t), MatchClass::Auto);
        assert_eq!(classify(Some((OutcomeState::Manual, 1.0)), t), MatchClass::Manual);
        assert_eq!(classify(Some((OutcomeState::Candidate, 0.5)), t), MatchClass::LowConfidence);
        assert_eq!(classify(Some((OutcomeState::Candidate, 0.79)), t), MatchClass::LowConfidence);
        assert_eq!(classify(Some((OutcomeState::Candidate, 0.49)), t), MatchClass::Unmatched);
        assert_eq!(classify(Some((OutcomeState::None, 0.0)), t), MatchClass::Unmatched);
        assert_eq!(classify(None, t), MatchClass::Unmatched);
        let mut c = ObjectMatchCounts::default();
        for class in [MatchClass::Auto, MatchClass::Manual, MatchClass::LowConfidence, MatchClass::Unmatched] {
            count(&mut c, class);
        }
        assert_eq!(c.records, c.matched_auto + c.matched_manual + c.low_confidence + c.unmatched);
        assert_eq!(MatchClass::Auto.export_state(), None);
    }
}
