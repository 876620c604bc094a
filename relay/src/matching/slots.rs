//! What the stored outcomes say of each CRM record, by its index in the side: its stored
//! weight, the profile it is linked to (or its best candidate), and whether the link is
//! automatic. Read from the stored rows once per CRM side and model, then brought up to
//! date from each pass's outcomes, so a pass after a page view or an upload does not look
//! up a million records by id to learn what it may keep.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crmsync::core::matching::batch::{Changes, KeptLink, Outcome, OutcomeState};
use crmsync::core::matching::Linkable;

use crate::store::MatchOutcomeRow;

/// No profile stored for the record.
const NO_PROFILE: u32 = u32::MAX;
/// The stored profile is no longer in the directory.
const LEFT: u32 = u32::MAX - 1;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Standing {
    /// No pass scored the record yet.
    Never,
    Scored,
    /// Linked by the model.
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Slot {
    /// The stored link's or best candidate's weight (`-inf`: none).
    weight: f64,
    network: u32,
    standing: Standing,
}

const NEVER: Slot = Slot { weight: f64::NEG_INFINITY, network: NO_PROFILE, standing: Standing::Never };

/// One CRM side's stored standing, as of the model `model_version`.
#[derive(Debug, Clone)]
pub struct StoredSlots {
    model_version: i64,
    slots: Vec<Slot>,
}

impl StoredSlots {
    /// Reads every record's stored outcome; `None` when one was scored by another model
    /// (then the pass is a full one, and its outcomes make the slots).
    pub fn read<R: Linkable>(
        crm: &[R],
        stored: &HashMap<String, MatchOutcomeRow>,
        net_index: &HashMap<String, usize>,
        model_version: i64,
    ) -> Option<Self> {
        let mut slots = Vec::with_capacity(crm.len());
        for r in crm {
            let Some(s) = stored.get(r.id()) else {
                slots.push(NEVER);
                continue;
            };
            if s.model_version != model_version {
                return None;
            }
            let network = match s.network_id.as_deref() {
                None => NO_PROFILE,
                Some(id) => net_index.get(id).map_or(LEFT, |&j| j as u32),
            };
            let weight = if network == NO_PROFILE { f64::NEG_INFINITY } else { s.match_weight };
            let auto = OutcomeState::parse(&s.state) == Some(OutcomeState::Auto);
            slots.push(Slot { weight, network, standing: if auto { Standing::Auto } else { Standing::Scored } });
        }
        Some(Self { model_version, slots })
    }

    /// Slots for a side no pass scored yet under `model_version` (a full pass fills them).
    pub fn unscored(len: usize, model_version: i64) -> Self {
        Self { model_version, slots: vec![NEVER; len] }
    }

    /// Whether these slots describe a side of `len` records under `model_version`.
    pub fn fits(&self, len: usize, model_version: i64) -> bool {
        self.slots.len() == len && self.model_version == model_version
    }

    /// What an incremental pass must re-score and may keep: records never scored, changed
    /// (`changed_crm`, by id) or whose profile left; automatic links of the others.
    pub fn changes<R: Linkable>(&self, crm: &[R], changed_crm: &HashSet<String>) -> (Changes, Vec<KeptLink>) {
        let mut changes = Changes { stored_weights: Vec::with_capacity(self.slots.len()), ..Changes::default() };
        let mut kept = Vec::new();
        for (i, slot) in self.slots.iter().enumerate() {
            changes.stored_weights.push(slot.weight);
            let changed = !changed_crm.is_empty() && changed_crm.contains(crm[i].id());
            if slot.standing == Standing::Never || slot.network == LEFT || changed {
                changes.crm.push(i);
            } else if slot.standing == Standing::Auto && slot.network != NO_PROFILE {
                kept.push(KeptLink { crm: i, network: slot.network as usize, match_weight: slot.weight });
            }
        }
        (changes, kept)
    }

    /// Takes in a pass's outcomes (what is stored for those records now).
    pub fn update(&mut self, outcomes: &[Outcome]) {
        for o in outcomes {
            let Some(slot) = self.slots.get_mut(o.crm) else { continue };
            let network = o.network.map_or(NO_PROFILE, |j| j as u32);
            *slot = Slot {
                weight: if network == NO_PROFILE { f64::NEG_INFINITY } else { o.match_weight },
                network,
                standing: if o.state == OutcomeState::Auto { Standing::Auto } else { Standing::Scored },
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crmsync::core::matching::record::{PersonInput, PersonRecord};

    fn person(id: &str) -> PersonRecord {
        PersonRecord::new(id.into(), None, &PersonInput { first_name: "Ada", last_name: id, ..Default::default() })
    }

    fn outcome(crm: usize, state: OutcomeState, network: Option<usize>, weight: f64) -> Outcome {
        Outcome { crm, state, network, match_weight: weight, probability: 0.9, explanation: String::new() }
    }

    fn row(crm: &[PersonRecord], net: &[PersonRecord], o: &Outcome, version: i64) -> MatchOutcomeRow {
        MatchOutcomeRow {
            crm_id: crm[o.crm].id.to_string(),
            object: "Contact".into(),
            state: o.state.as_str().into(),
            network_id: o.network.map(|j| net[j].id.to_string()),
            probability: o.probability,
            match_weight: o.match_weight,
            explanation: String::new(),
            model_version: version,
            matched_at_ms: 0,
            seq: 1,
            folded_into: None,
        }
    }

    #[test]
    fn slots_kept_from_passes_say_what_reading_the_stored_rows_says() {
        let crm: Vec<PersonRecord> = ["c0", "c1", "c2", "c3"].into_iter().map(person).collect();
        let net: Vec<PersonRecord> = ["n0", "n1"].into_iter().map(person).collect();
        let net_index: HashMap<String, usize> = net.iter().enumerate().map(|(j, r)| (r.id.to_string(), j)).collect();
        let outcomes = [
            outcome(0, OutcomeState::Auto, Some(1), 9.0),
            outcome(1, OutcomeState::Candidate, Some(0), 1.5),
            outcome(2, OutcomeState::None, None, f64::NEG_INFINITY),
        ];
        let mut kept = StoredSlots::unscored(crm.len(), 7);
        kept.update(&outcomes);
        let stored: HashMap<String, MatchOutcomeRow> =
            outcomes.iter().map(|o| (crm[o.crm].id.to_string(), row(&crm, &net, o, 7))).collect();
        let read = StoredSlots::read(&crm, &stored, &net_index, 7).unwrap();
        assert_eq!(read.slots, kept.slots);
        let (changes, links) = read.changes(&crm, &HashSet::default());
        assert_eq!(changes.crm, vec![3], "only the record never scored");
        assert_eq!(links, vec![KeptLink { crm: 0, network: 1, match_weight: 9.0 }]);
        assert_eq!(changes.stored_weights, vec![9.0, 1.5, f64::NEG_INFINITY, f64::NEG_INFINITY]);
        let changed: HashSet<String> = ["c0".to_string()].into_iter().collect();
        assert_eq!(read.changes(&crm, &changed).0.crm, vec![0, 3], "a changed record is re-scored, not kept");
        // Another model's row makes the whole side stale; a profile gone is re-scored.
        assert!(StoredSlots::read(&crm, &stored, &net_index, 8).is_none());
        let fewer: HashMap<String, usize> =
            net_index.iter().filter(|(id, _)| *id != "n1").map(|(k, v)| (k.clone(), *v)).collect();
        let left = StoredSlots::read(&crm, &stored, &fewer, 7).unwrap();
        assert_eq!(left.changes(&crm, &HashSet::default()).0.crm, vec![0, 3]);
    }
}
