//! Manual decisions by users, stored org-wide, that always override the model: "this is
//! the one" (match, or re-match to another), "not this one", and unmatch.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// What a user decided about a CRM record and a network record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// They are the same: link them, whatever the model says.
    Match,
    /// They are not the same: never link them.
    NotMatch,
    /// Forget the manual match of this CRM record; the model decides again.
    Unmatch,
}

/// One decision, in the order made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// 18-character CRM id.
    pub crm_id: String,
    pub network_id: String,
    pub kind: DecisionKind,
}

/// The net effect of all decisions: later ones replace earlier ones.
#[derive(Debug, Clone, Default)]
pub struct Decisions {
    /// crm id → network id, manual matches.
    matches: HashMap<String, String>,
    rejected: HashSet<(String, String)>,
}

impl Decisions {
    /// Applies decisions in order. A match re-matches: it replaces any earlier manual
    /// match of either record, and lifts an earlier "not this one" for the pair.
    pub fn from_history(history: impl IntoIterator<Item = Decision>) -> Self {
        let mut d = Self::default();
        for dec in history {
            let pair = (dec.crm_id.clone(), dec.network_id.clone());
            match dec.kind {
                DecisionKind::Match => {
                    d.matches.retain(|c, n| *c != dec.crm_id && *n != dec.network_id);
                    d.rejected.remove(&pair);
                    d.matches.insert(dec.crm_id, dec.network_id);
                }
                DecisionKind::NotMatch => {
                    if d.matches.get(&dec.crm_id) == Some(&dec.network_id) {
                        d.matches.remove(&dec.crm_id);
                    }
                    d.rejected.insert(pair);
                }
                DecisionKind::Unmatch => {
                    d.matches.remove(&dec.crm_id);
                }
            }
        }
        d
    }

    /// Manual matches, crm id → network id.
    pub fn matches(&self) -> &HashMap<String, String> {
        &self.matches
    }

    /// True when a user said this pair is not a match.
    pub fn is_rejected(&self, crm_id: &str, network_id: &str) -> bool {
        self.rejected.contains(&(crm_id.to_string(), network_id.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(c: &str, n: &str, kind: DecisionKind) -> Decision {
        Decision { crm_id: c.into(), network_id: n.into(), kind }
    }

    #[test]
    fn later_decisions_replace_earlier() {
        let d = Decisions::from_history([
            dec("A", "x", DecisionKind::Match),
            dec("B", "y", DecisionKind::Match),
            dec("A", "y", DecisionKind::Match), // re-match: A→y replaces A→x and B→y
            dec("C", "z", DecisionKind::NotMatch),
        ]);
        assert_eq!(d.matches().len(), 1);
        assert_eq!(d.matches().get("A").map(String::as_str), Some("y"));
        assert!(d.is_rejected("C", "z"));
        assert!(!d.is_rejected("A", "x"));
    }

    #[test]
    fn not_match_and_unmatch_remove_manual_matches() {
        let d = Decisions::from_history([dec("A", "x", DecisionKind::Match), dec("A", "x", DecisionKind::NotMatch)]);
        assert!(d.matches().is_empty() && d.is_rejected("A", "x"));
        let d = Decisions::from_history([dec("A", "x", DecisionKind::Match), dec("A", "", DecisionKind::Unmatch)]);
        assert!(d.matches().is_empty());
    }
}
