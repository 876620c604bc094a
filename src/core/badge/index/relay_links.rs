//! The relay's automatic links as the index carries them: a badge shows the org-wide
//! matcher's link for a profile the directory knows, the same one the widget shows.

use std::collections::HashMap;

/// One automatic link the relay's org-wide matcher made, as the index carries it; an
/// empty `network_id` (in a delta) says the record has no automatic link any more.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RelayMatch {
    pub crm_id: String,
    pub network_id: String,
    pub probability: f64,
}

/// The relay's automatic links and the matching run they reflect (`seq`): a badge shows
/// the relay's link for a profile the directory knows, exactly as the widget does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RelayMatches {
    pub seq: u64,
    pub links: Vec<RelayMatch>,
}

/// The relay's links, looked up both ways.
#[derive(Debug, Clone, Default)]
pub(super) struct RelayLinks {
    /// network id → (CRM id, probability).
    pub(super) by_network: HashMap<String, (String, f64)>,
    /// CRM id → network id.
    pub(super) by_crm: HashMap<String, String>,
}

impl RelayLinks {
    pub(super) fn apply(&mut self, links: &[RelayMatch]) {
        for m in links {
            if let Some(old) = self.by_crm.remove(&m.crm_id) {
                self.by_network.remove(&old);
            }
            if !m.network_id.is_empty() {
                if let Some((other, _)) =
                    self.by_network.insert(m.network_id.clone(), (m.crm_id.clone(), m.probability))
                {
                    self.by_crm.remove(&other);
                }
                self.by_crm.insert(m.crm_id.clone(), m.network_id.clone());
            }
        }
    }

    pub(super) fn export(&self, seq: u64) -> RelayMatches {
        let mut links: Vec<RelayMatch> = self
            .by_network
            .iter()
            .map(|(n, (c, p))| RelayMatch { crm_id: c.clone(), network_id: n.clone(), probability: *p })
            .collect();
        links.sort_by(|a, b| a.crm_id.cmp(&b.crm_id));
        RelayMatches { seq, links }
    }
}
