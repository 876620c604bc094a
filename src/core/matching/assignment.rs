//! One-to-one assignment: each CRM record gets at most one network record and each
//! network record at most one CRM record. Strongest pairs are taken first; between
//! duplicates of one person in the CRM the contact is preferred over a lead.

/// A scored pair eligible for assignment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    pub crm: u32,
    pub network: u32,
    pub weight: f64,
    /// Lower wins among near-equal candidates (contact 0, lead 1).
    pub precedence: u8,
}

/// Bits of weight a better-ranked CRM record (a contact) may trail by and still win.
pub const PRECEDENCE_MARGIN: f64 = 2.0;

/// Greedy one-to-one assignment by weight (with the precedence margin); pairs below
/// `min_weight` are dropped. Deterministic: ties break on indices.
pub fn one_to_one(mut pairs: Vec<ScoredPair>, min_weight: f64, crm_len: usize, network_len: usize) -> Vec<ScoredPair> {
    pairs.retain(|p| p.weight >= min_weight);
    let key = |p: &ScoredPair| p.weight - f64::from(p.precedence) * PRECEDENCE_MARGIN;
    pairs.sort_by(|a, b| key(b).total_cmp(&key(a)).then(a.crm.cmp(&b.crm)).then(a.network.cmp(&b.network)));
    let mut crm_used = vec![false; crm_len];
    let mut net_used = vec![false; network_len];
    let mut out = Vec::new();
    for p in pairs {
        let (c, n) = (p.crm as usize, p.network as usize);
        if !crm_used[c] && !net_used[n] {
            crm_used[c] = true;
            net_used[n] = true;
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(crm: u32, network: u32, weight: f64, precedence: u8) -> ScoredPair {
        ScoredPair { crm, network, weight, precedence }
    }

    #[test]
    fn one_to_one_takes_best_and_respects_both_sides() {
        let out = one_to_one(
            vec![pair(0, 0, 10.0, 0), pair(0, 1, 12.0, 0), pair(1, 1, 11.0, 0), pair(2, 2, 1.0, 0)],
            5.0,
            3,
            3,
        );
        assert_eq!(out.iter().map(|p| (p.crm, p.network)).collect::<Vec<_>>(), [(0, 1)]);
    }

    #[test]
    fn one_to_one_prefers_contact_over_close_lead() {
        // crm 0 is a lead scoring slightly higher than contact crm 1 for the same profile.
        let out = one_to_one(vec![pair(0, 0, 20.5, 1), pair(1, 0, 19.5, 0)], 5.0, 2, 1);
        assert_eq!((out[0].crm, out[0].network), (1, 0));
        // A much better lead still wins.
        let out = one_to_one(vec![pair(0, 0, 30.0, 1), pair(1, 0, 19.5, 0)], 5.0, 2, 1);
        assert_eq!(out[0].crm, 0);
    }
}
