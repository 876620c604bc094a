//! The org-wide pass the relay runs after imports and directory changes: every CRM
//! record's outcome (linked automatically or by hand, or only its best free candidate),
//! one-to-one across the org. A full pass and an incremental one are the same code: the
//! incremental pass re-scores only the records a change can touch (the changed records,
//! the records sharing a block with a changed profile, the records linked to either) and
//! keeps every other link as stored, so the assignment stays one-to-one.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::assignment::{one_to_one, ScoredPair};
use super::blocking::{candidate_pairs, candidate_pairs_with, RuleBlocks};
use super::decisions::Decisions;
use super::link::weight_of_probability;
use super::parallel::map_chunks;
use super::params::{probability, Params};
use super::prepared::Prepared;
use super::rivals;
use super::scoring::{Scorer, TermFrequencies};
use super::{Linkable, Method};
use crate::core::rules::match_rates::LOW_CONFIDENCE_FLOOR;

/// How a record's outcome stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeState {
    /// Linked by the model (p at or above the threshold).
    Auto,
    /// Linked by a user's decision.
    Manual,
    /// Not linked; `best` is the strongest candidate no other record holds.
    Candidate,
    /// No candidate at all.
    None,
}

impl OutcomeState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeState::Auto => "auto",
            OutcomeState::Manual => "manual",
            OutcomeState::Candidate => "candidate",
            OutcomeState::None => "none",
        }
    }

    /// The state a stored name names.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "auto" => OutcomeState::Auto,
            "manual" => OutcomeState::Manual,
            "candidate" => OutcomeState::Candidate,
            "none" => OutcomeState::None,
            _ => return None,
        })
    }

    /// The link's method, when linked.
    pub fn method(self) -> Option<Method> {
        match self {
            OutcomeState::Auto => Some(Method::Auto),
            OutcomeState::Manual => Some(Method::Manual),
            _ => None,
        }
    }
}

/// What the pass concluded about one CRM record.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Index of the CRM record.
    pub crm: usize,
    pub state: OutcomeState,
    /// The linked profile, or the best free candidate (index into the network side).
    pub network: Option<usize>,
    pub match_weight: f64,
    /// 1 for a manual link; the model's probability otherwise.
    pub probability: f64,
    /// The per-comparison account, compact (`first_name=exact(+6.1); …`).
    pub explanation: String,
}

/// A link the pass keeps for a record it does not re-score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeptLink {
    pub crm: usize,
    pub network: usize,
    pub match_weight: f64,
}

/// What changed since the stored outcomes (indices into the sides).
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Every record changed: re-score the whole org.
    pub all: bool,
    pub crm: Vec<usize>,
    pub network: Vec<usize>,
    /// Per CRM record, the weight of its stored best candidate or link (`-inf`: none);
    /// empty when unknown. A record that only shares a block with a changed profile is
    /// re-scored when the new pair beats it and reaches the low-confidence floor — else
    /// nothing shown about it can change.
    pub stored_weights: Vec<f64>,
}

/// The pass's result and what it cost.
#[derive(Debug, Default)]
pub struct BatchResult {
    /// Outcomes of the records re-scored (all of them in a full pass), by CRM index.
    pub outcomes: Vec<Outcome>,
    /// Candidate pairs scored.
    pub scored_pairs: usize,
    /// Per blocking rule, pairs and split and bounded blocks, summed over the rounds.
    pub per_rule: Vec<RuleBlocks>,
    /// Stored links given up because a re-scored record took their profile and the
    /// rounds ran out before their records could be re-scored (the next pass does).
    pub displaced: usize,
}

/// Adds one blocking's per-rule figures to a pass's.
fn add_rule_counts(into: &mut Vec<RuleBlocks>, from: &[RuleBlocks]) {
    for counts in from {
        match into.iter_mut().find(|r| r.rule == counts.rule) {
            Some(total) => {
                total.pairs += counts.pairs;
                total.split += counts.split;
                total.bounded += counts.bounded;
            }
            None => into.push(*counts),
        }
    }
}

/// Rounds an incremental pass re-scores records that lost their profile to a stronger pair.
const MAX_ROUNDS: usize = 4;

/// The model and what is kept between passes.
pub struct Scoring<'a> {
    pub params: &'a Params,
    pub threshold: f64,
    /// Both sides' blocking keys and term frequencies, when the caller keeps them (they
    /// must fit the sides); `None` counts and keys afresh.
    pub prepared: Option<&'a Prepared>,
}

/// Runs the pass: `kept` are the stored links (by CRM index) of records the change does
/// not touch; users' `decisions` always win.
pub fn run<R: Linkable>(
    crm: &[R],
    network: &[R],
    decisions: &Decisions,
    scoring: &Scoring<'_>,
    changes: &Changes,
    kept: &[KeptLink],
) -> BatchResult {
    let mut result = BatchResult::default();
    if crm.is_empty() {
        return result;
    }
    let (params, threshold) = (scoring.params, scoring.threshold);
    let prepared = scoring.prepared.filter(|p| p.fits(crm.len(), network.len()));
    let specs = R::comparisons();
    let counted;
    let tf = match prepared {
        Some(p) => &p.tf,
        None => {
            counted = TermFrequencies::count(specs, [crm, network]);
            &counted
        }
    };
    let scorer = Scorer::new(specs, params, tf);
    let contest = rivals::Contest::new(params, (crm.len(), network.len()), R::RAISED_EVIDENCE);
    let manual = manual_links(crm, network, decisions);
    let manual_net: HashSet<usize> = manual.values().copied().collect();

    let mut affected = affected_records(crm, network, changes, kept, prepared, (&scorer, contest.share), &mut result);
    let mut scored: Vec<(u32, u32, f64)> = Vec::new();
    let mut done: Vec<bool> = vec![false; crm.len()];
    let mut assigned: Vec<ScoredPair> = Vec::new();
    for round in 0..MAX_ROUNDS {
        let fresh: Vec<usize> = affected.iter().copied().filter(|&i| !done[i]).collect();
        if fresh.is_empty() {
            break;
        }
        for &i in &fresh {
            done[i] = true;
        }
        let mut fresh_pairs = score_records(crm, network, &fresh, &scorer, prepared, &mut result);
        rivals::raise_uncontested(&mut fresh_pairs, crm.len(), contest);
        scored.extend(fresh_pairs);
        let pairs = eligible(crm, network, decisions, &scored, &manual, &manual_net, threshold);
        let fixed =
            kept.iter().filter(|k| !done[k.crm] && !manual.contains_key(&k.crm) && !manual_net.contains(&k.network));
        let mut all: Vec<ScoredPair> = pairs;
        all.extend(fixed.map(|k| ScoredPair {
            crm: k.crm as u32,
            network: k.network as u32,
            weight: k.match_weight,
            precedence: crm[k.crm].precedence(),
        }));
        assigned = one_to_one(all, weight_of_probability(threshold), crm.len(), network.len());
        // A kept link whose profile a re-scored record took: re-score its record too.
        let linked: HashSet<u32> = assigned.iter().map(|p| p.crm).collect();
        let lost: Vec<usize> =
            kept.iter().filter(|k| !done[k.crm] && !linked.contains(&(k.crm as u32))).map(|k| k.crm).collect();
        if lost.is_empty() {
            break;
        }
        if round + 1 == MAX_ROUNDS {
            result.displaced = lost.len();
        }
        affected.extend(lost);
    }
    result.outcomes = outcomes(crm, network, decisions, &scorer, &scored, &assigned, &manual, &done);
    result
}

/// Manual links by index: both sides taken, whatever else happens. Only the few ids users
/// decided about are hashed per record, not the whole of either side.
fn manual_links<R: Linkable>(crm: &[R], network: &[R], decisions: &Decisions) -> HashMap<usize, usize> {
    let wanted: HashMap<&str, &str> = decisions.matches().iter().map(|(c, n)| (c.as_str(), n.as_str())).collect();
    if wanted.is_empty() {
        return HashMap::default();
    }
    let profiles: HashSet<&str> = wanted.values().copied().collect();
    let net_index: HashMap<&str, usize> =
        network.iter().enumerate().filter(|(_, r)| profiles.contains(r.id())).map(|(j, r)| (r.id(), j)).collect();
    crm.iter().enumerate().filter_map(|(i, r)| Some((i, *net_index.get(wanted.get(r.id())?)?))).collect()
}

/// The records to re-score: every record on a full pass; else the changed ones, those
/// linked to a changed profile, and those sharing a block with one.
fn affected_records<R: Linkable>(
    crm: &[R],
    network: &[R],
    changes: &Changes,
    kept: &[KeptLink],
    prepared: Option<&Prepared>,
    (scorer, share): (&Scorer<'_, R>, f64),
    result: &mut BatchResult,
) -> Vec<usize> {
    if changes.all {
        return (0..crm.len()).collect();
    }
    let mut affected: HashSet<usize> = changes.crm.iter().copied().filter(|&i| i < crm.len()).collect();
    let changed_net: HashSet<usize> = changes.network.iter().copied().collect();
    affected.extend(kept.iter().filter(|k| changed_net.contains(&k.network)).map(|k| k.crm));
    if !changed_net.is_empty() {
        let subset: Vec<usize> = changed_net.iter().copied().filter(|&j| j < network.len()).collect();
        // Only the CRM records in the changed profiles' blocks can pair with them.
        let pairs: Vec<(u32, u32)> = match prepared {
            Some(p) => p.pairs_of_network(crm, network, &subset),
            None => {
                let c = candidate_pairs_with(R::blocking_rules(), crm.iter(), subset.iter().map(|&j| &network[j]));
                add_rule_counts(&mut result.per_rule, &c.per_rule);
                c.pairs.into_iter().map(|(i, j)| (i, subset[j as usize] as u32)).collect()
            }
        };
        // A pair below the low-confidence floor changes nothing the report or a badge
        // shows; the next full pass records it as a best candidate. The one-to-one
        // posterior can raise a pair by up to `reach` bits (a record with no rival), so a
        // new pair counts when, raised that far, it would reach the floor and come within
        // a bit of the stored weight (a rival a bit weaker still lowers that raise; one
        // weaker than that is left to the next full pass).
        let reach = -(1.0 - share).log2();
        let floor = weight_of_probability(LOW_CONFIDENCE_FLOOR) - reach;
        let beating = map_chunks(&pairs, |chunk| {
            let mut scratch = Vec::new();
            chunk
                .iter()
                .map(|&(i, j)| (i as usize, j as usize))
                .filter(|&(i, j)| match changes.stored_weights.get(i) {
                    Some(&stored) => {
                        // Most of a common surname's block is namesakes: bounded, they stop early.
                        let needed = floor.max(stored - reach - 1.0);
                        scorer
                            .weight_reaching(&crm[i], &network[j], needed, &mut scratch)
                            .is_some_and(|w| w + reach + 1.0 > stored && w >= floor)
                    }
                    None => true,
                })
                .map(|(i, _)| i)
                .collect()
        });
        affected.extend(beating);
    }
    let mut affected: Vec<usize> = affected.into_iter().collect();
    affected.sort_unstable();
    affected
}

/// Scores every candidate pair of the records `rows` (their whole candidate sets).
fn score_records<R: Linkable>(
    crm: &[R],
    network: &[R],
    rows: &[usize],
    scorer: &Scorer<'_, R>,
    prepared: Option<&Prepared>,
    result: &mut BatchResult,
) -> Vec<(u32, u32, f64)> {
    let candidates = if rows.len() == crm.len() {
        candidate_pairs(R::blocking_rules(), crm, network)
    } else if let Some(p) = prepared {
        // Straight from the kept blocks: only these records' parts of them.
        super::blocking::Candidates { pairs: p.pairs_of_crm(crm, network, rows), ..Default::default() }
    } else {
        let mut c = candidate_pairs_with(R::blocking_rules(), rows.iter().map(|&i| &crm[i]), network.iter());
        for p in &mut c.pairs {
            p.0 = rows[p.0 as usize] as u32;
        }
        c
    };
    add_rule_counts(&mut result.per_rule, &candidates.per_rule);
    result.scored_pairs += candidates.pairs.len();
    map_chunks(&candidates.pairs, |chunk| {
        let mut scratch = Vec::new();
        chunk
            .iter()
            .map(|&(i, j)| (i, j, scorer.weight(&crm[i as usize], &network[j as usize], &mut scratch)))
            .collect()
    })
}

/// Scored pairs the model may link: not ruled out, neither side linked by hand.
fn eligible<R: Linkable>(
    crm: &[R],
    network: &[R],
    decisions: &Decisions,
    scored: &[(u32, u32, f64)],
    manual: &HashMap<usize, usize>,
    manual_net: &HashSet<usize>,
    threshold: f64,
) -> Vec<ScoredPair> {
    let min_weight = weight_of_probability(threshold);
    scored
        .iter()
        .filter(|&&(i, j, w)| {
            w >= min_weight && !manual.contains_key(&(i as usize)) && !manual_net.contains(&(j as usize))
        })
        .filter(|&&(i, j, _)| !decisions.is_rejected(crm[i as usize].id(), network[j as usize].id()))
        .map(|&(i, j, weight)| ScoredPair { crm: i, network: j, weight, precedence: crm[i as usize].precedence() })
        .collect()
}

/// The outcome of every re-scored record (`done`).
#[allow(clippy::too_many_arguments)]
fn outcomes<R: Linkable>(
    crm: &[R],
    network: &[R],
    decisions: &Decisions,
    scorer: &Scorer<'_, R>,
    scored: &[(u32, u32, f64)],
    assigned: &[ScoredPair],
    manual: &HashMap<usize, usize>,
    done: &[bool],
) -> Vec<Outcome> {
    let taken: HashSet<usize> = assigned.iter().map(|p| p.network as usize).chain(manual.values().copied()).collect();
    let linked: HashMap<usize, (usize, f64)> =
        assigned.iter().map(|p| (p.crm as usize, (p.network as usize, p.weight))).collect();
    let mut best: HashMap<usize, (usize, f64)> = HashMap::default();
    for &(i, j, w) in scored {
        let (i, j) = (i as usize, j as usize);
        if taken.contains(&j) || decisions.is_rejected(crm[i].id(), network[j].id()) {
            continue;
        }
        let entry = best.entry(i).or_insert((j, w));
        if w > entry.1 || (w == entry.1 && j < entry.0) {
            *entry = (j, w);
        }
    }
    // `weight`: the pair's weight as the pass scored it (raised by the one-to-one
    // posterior); none for a manual link, which shows the pair's own evidence.
    let outcome = |i: usize, state: OutcomeState, pair: Option<(usize, Option<f64>)>| {
        let Some((j, weight)) = pair else {
            return Outcome {
                crm: i,
                state,
                network: None,
                match_weight: 0.0,
                probability: 0.0,
                explanation: String::new(),
            };
        };
        let e = scorer.explain(&crm[i], &network[j]);
        let e = match weight {
            Some(w) => rivals::explained(e, w),
            None => e,
        };
        let p = if state == OutcomeState::Manual { 1.0 } else { probability(e.match_weight) };
        Outcome {
            crm: i,
            state,
            network: Some(j),
            match_weight: e.match_weight,
            probability: p,
            explanation: e.compact(),
        }
    };
    (0..crm.len())
        .filter(|&i| done[i])
        .map(|i| {
            if let Some(&j) = manual.get(&i) {
                outcome(i, OutcomeState::Manual, Some((j, None)))
            } else if let Some(&(j, w)) = linked.get(&i) {
                outcome(i, OutcomeState::Auto, Some((j, Some(w))))
            } else if let Some(&(j, w)) = best.get(&i) {
                outcome(i, OutcomeState::Candidate, Some((j, Some(w))))
            } else {
                outcome(i, OutcomeState::None, None)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matching::decisions::{Decision, DecisionKind};
    use crate::core::matching::record::{PersonInput, PersonRecord};
    use crate::core::matching::{comparison::PERSON_COMPARISONS, DEFAULT_THRESHOLD};

    fn person(id: &str, first: &str, last: &str, email: &str, company: &str) -> PersonRecord {
        PersonRecord::new(
            id.into(),
            None,
            &PersonInput { first_name: first, last_name: last, email, company, ..Default::default() },
        )
    }

    fn sides() -> (Vec<PersonRecord>, Vec<PersonRecord>) {
        let crm = vec![
            person("c1", "Ada", "Lovelace", "ada@engines.example", "Analytical Engines"),
            person("c2", "Grace", "Hopper", "grace@navy.example", "Navy"),
            person("c3", "Alan", "Turing", "alan@bletchley.example", "Bletchley"),
        ];
        let net = vec![
            person("ada-lovelace", "Ada", "Lovelace", "ada@engines.example", "Analytical Engines"),
            person("grace-h", "Grace", "Hopper", "grace@navy.example", "Navy"),
        ];
        (crm, net)
    }

    fn all() -> Changes {
        Changes { all: true, ..Changes::default() }
    }

    fn params() -> Params {
        Params::defaults(&PERSON_COMPARISONS)
    }

    fn scoring(p: &Params) -> Scoring<'_> {
        Scoring { params: p, threshold: DEFAULT_THRESHOLD, prepared: None }
    }

    #[test]
    fn a_full_pass_links_one_to_one_and_says_why() {
        let (crm, net) = sides();
        let r = run(&crm, &net, &Decisions::default(), &scoring(&params()), &all(), &[]);
        assert_eq!(r.outcomes.len(), 3);
        assert_eq!((r.outcomes[0].state, r.outcomes[0].network), (OutcomeState::Auto, Some(0)));
        assert_eq!((r.outcomes[1].state, r.outcomes[1].network), (OutcomeState::Auto, Some(1)));
        assert_eq!(r.outcomes[2].state, OutcomeState::None);
        assert!(r.outcomes[0].probability >= DEFAULT_THRESHOLD && r.outcomes[0].explanation.contains("last_name"));
    }

    #[test]
    fn decisions_win_and_a_rejected_pair_is_never_linked() {
        let (crm, net) = sides();
        let decisions = Decisions::from_history([
            Decision { crm_id: "c3".into(), network_id: "grace-h".into(), kind: DecisionKind::Match },
            Decision { crm_id: "c1".into(), network_id: "ada-lovelace".into(), kind: DecisionKind::NotMatch },
        ]);
        let r = run(&crm, &net, &decisions, &scoring(&params()), &all(), &[]);
        assert_eq!(
            (r.outcomes[2].state, r.outcomes[2].network, r.outcomes[2].probability),
            (OutcomeState::Manual, Some(1), 1.0)
        );
        assert_eq!(r.outcomes[1].state, OutcomeState::None, "grace-h is taken by hand, nothing else pairs");
        assert_eq!(r.outcomes[0].state, OutcomeState::None, "the only candidate was ruled out");
    }

    #[test]
    fn an_incremental_pass_rescores_only_what_a_change_touches() {
        let (crm, mut net) = sides();
        let full = run(&crm, &net, &Decisions::default(), &scoring(&params()), &all(), &[]);
        let kept: Vec<KeptLink> = full
            .outcomes
            .iter()
            .filter(|o| o.state == OutcomeState::Auto)
            .map(|o| KeptLink { crm: o.crm, network: o.network.unwrap(), match_weight: o.match_weight })
            .collect();
        net.push(person("alan-t", "Alan", "Turing", "alan@bletchley.example", "Bletchley"));
        let stored_weights = full
            .outcomes
            .iter()
            .map(|o| if o.network.is_some() { o.match_weight } else { f64::NEG_INFINITY })
            .collect();
        let changes = Changes { network: vec![2], stored_weights, ..Changes::default() };
        let r = run(&crm, &net, &Decisions::default(), &scoring(&params()), &changes, &kept);
        assert_eq!(r.outcomes.len(), 1, "only Alan shares a block with the new profile: {:?}", r.outcomes);
        assert_eq!((r.outcomes[0].crm, r.outcomes[0].state, r.outcomes[0].network), (2, OutcomeState::Auto, Some(2)));
        // The same with the keys kept from before the profile arrived, keyed in after.
        let mut prepared = Prepared::new(&crm, &net[..2]);
        prepared.update_network(&net, &[2]);
        let p = params();
        let kept_scoring = Scoring { prepared: Some(&prepared), ..scoring(&p) };
        let again = run(&crm, &net, &Decisions::default(), &kept_scoring, &changes, &kept);
        assert_eq!(again.outcomes, r.outcomes);
    }

    #[test]
    fn a_weaker_namesake_in_the_same_block_rescores_nobody() {
        let (crm, mut net) = sides();
        let full = run(&crm, &net, &Decisions::default(), &scoring(&params()), &all(), &[]);
        let kept: Vec<KeptLink> = full
            .outcomes
            .iter()
            .filter_map(|o| Some(KeptLink { crm: o.crm, network: o.network?, match_weight: o.match_weight }))
            .collect();
        let stored_weights = full
            .outcomes
            .iter()
            .map(|o| if o.network.is_some() { o.match_weight } else { f64::NEG_INFINITY })
            .collect();
        net.push(person("ada-baker", "Ada", "Lovelace", "", "Crumbs Bakery"));
        let changes = Changes { network: vec![2], stored_weights, ..Changes::default() };
        let r = run(&crm, &net, &Decisions::default(), &scoring(&params()), &changes, &kept);
        assert!(r.outcomes.is_empty(), "Ada's link is stronger than the namesake: {:?}", r.outcomes);
    }

    #[test]
    fn a_stronger_new_pair_takes_a_kept_profile_and_its_record_is_rescored() {
        let crm = vec![
            person("c1", "Ada", "Lovelace", "", "Analytical Engines"),
            person("c2", "Ada", "Lovelace", "ada@engines.example", "Analytical Engines"),
        ];
        let net = vec![person("ada", "Ada", "Lovelace", "ada@engines.example", "Analytical Engines")];
        // c1 held the profile; c2 is new and stronger.
        let w = run(&crm[..1], &net, &Decisions::default(), &scoring(&params()), &all(), &[]).outcomes[0].match_weight;
        let kept = [KeptLink { crm: 0, network: 0, match_weight: w }];
        let changes = Changes { crm: vec![1], ..Changes::default() };
        let r = run(&crm, &net, &Decisions::default(), &scoring(&params()), &changes, &kept);
        let states: Vec<(usize, OutcomeState)> = r.outcomes.iter().map(|o| (o.crm, o.state)).collect();
        assert_eq!(
            states,
            vec![(0, OutcomeState::None), (1, OutcomeState::Auto)],
            "c1 lost the profile and was re-scored"
        );
        assert_eq!(r.displaced, 0);
    }
}
