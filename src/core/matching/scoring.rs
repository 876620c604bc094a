//! Scoring a pair: the prior weight plus each comparison's level weight, with a
//! term-frequency adjustment on exact agreement (sharing "Smith" says less than sharing
//! "Okonkwo"), and the explanation the UI shows.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::comparison::Comparison;
use super::params::{probability, Params, PROBABILITY_FLOOR};

/// Marks a null level (either side unknown) in a level vector.
pub const NULL_LEVEL: u8 = u8::MAX;

/// Bound on a term-frequency adjustment, in bits, so one rare value cannot decide alone.
const MAX_TF_ADJUSTMENT: f64 = 6.0;

/// How often each value occurs, per comparison that asks for term frequencies.
#[derive(Debug, Default, Clone)]
pub struct TermFrequencies {
    tables: Vec<Option<(HashMap<String, u32>, u64)>>,
}

impl TermFrequencies {
    /// Counts values over both sides.
    pub fn count<R>(specs: &[Comparison<R>], sides: [&[R]; 2]) -> Self {
        let tables = specs
            .iter()
            .map(|c| {
                let value = c.tf_value()?;
                let mut counts: HashMap<String, u32> = HashMap::default();
                let mut total = 0u64;
                for r in sides.iter().flat_map(|s| s.iter()) {
                    let v = value(r);
                    if !v.is_empty() {
                        count_one(&mut counts, v);
                        total += 1;
                    }
                }
                Some((counts, total))
            })
            .collect();
        Self { tables }
    }

    /// Counts the values of `records` too (profiles new since counting).
    pub fn add<'a, R: 'a>(&mut self, specs: &[Comparison<R>], records: impl Iterator<Item = &'a R> + Clone) {
        for (c, table) in specs.iter().zip(self.tables.iter_mut()) {
            let (Some(value), Some((counts, total))) = (c.tf_value(), table.as_mut()) else { continue };
            for r in records.clone() {
                let v = value(r);
                if !v.is_empty() {
                    count_one(counts, v);
                    *total += 1;
                }
            }
        }
    }

    /// log2(u_exact / tf(value)): positive for rare values, negative for common ones.
    pub fn adjustment(&self, comparison: usize, u_exact: f64, value: &str) -> f64 {
        let Some(Some((counts, total))) = self.tables.get(comparison) else { return 0.0 };
        let Some(&n) = counts.get(value) else { return 0.0 };
        // A value seen once has no frequency evidence beyond the level's own u.
        if n < 2 || *total == 0 {
            return 0.0;
        }
        let tf = f64::from(n) / *total as f64;
        (u_exact.max(PROBABILITY_FLOOR) / tf).log2().clamp(-MAX_TF_ADJUSTMENT, MAX_TF_ADJUSTMENT)
    }
}

/// Counts one occurrence of `value`, allocating only for a value not seen before (a
/// million records hold far fewer distinct names).
fn count_one(counts: &mut HashMap<String, u32>, value: &str) {
    match counts.get_mut(value) {
        Some(n) => *n += 1,
        None => {
            counts.insert(value.to_string(), 1);
        }
    }
}

/// Fills `out` with each comparison's level for the pair.
pub fn levels<R>(specs: &[Comparison<R>], a: &R, b: &R, out: &mut [u8]) {
    for (slot, c) in out.iter_mut().zip(specs) {
        *slot = c.level_of(a, b).map_or(NULL_LEVEL, |l| l as u8);
    }
}

/// Scores pairs with fixed parameters and term frequencies.
pub struct Scorer<'a, R: 'static> {
    specs: &'static [Comparison<R>],
    params: &'a Params,
    tf: &'a TermFrequencies,
    weights: Vec<Vec<f64>>,
    /// Per comparison, the most a known pair can get (its best level, a rare value's
    /// term-frequency bonus included): what bounds a score before it is computed.
    best: Vec<f64>,
    prior: f64,
}

/// One comparison's part in a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldExplanation {
    pub comparison: String,
    /// The level's name, or "null" when a side was unknown.
    pub level: String,
    /// Level weight plus term-frequency adjustment, in bits.
    pub weight: f64,
}

/// Why a pair scored what it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub prior_weight: f64,
    pub fields: Vec<FieldExplanation>,
    pub match_weight: f64,
    pub probability: f64,
}

impl Explanation {
    /// `first_name=exact(+5.8); last_name=…`, for CSV output and logs.
    pub fn compact(&self) -> String {
        self.fields
            .iter()
            .filter(|f| f.level != "null")
            .map(|f| format!("{}={}({:+.1})", f.comparison, f.level, f.weight))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl<'a, R> Scorer<'a, R> {
    /// A scorer for `specs` with trained `params`.
    pub fn new(specs: &'static [Comparison<R>], params: &'a Params, tf: &'a TermFrequencies) -> Self {
        let weights: Vec<Vec<f64>> =
            (0..specs.len()).map(|c| (0..specs[c].levels.len()).map(|l| params.weight(c, l)).collect()).collect();
        let best = weights
            .iter()
            .zip(specs)
            .map(|(w, spec): (&Vec<f64>, &Comparison<R>)| {
                let exact =
                    w.first().copied().unwrap_or(0.0) + if spec.term_frequencies { MAX_TF_ADJUSTMENT } else { 0.0 };
                w.iter().copied().fold(exact, f64::max)
            })
            .collect();
        Self { specs, params, tf, weights, best, prior: params.prior_weight() }
    }

    /// The pair's match weight if it can reach `needed`, else `None` (then it is below
    /// `needed`, for certain). Comparisons are evaluated in order and the rest bounded by
    /// their best levels, so a pair that disagrees early (a namesake in a surname's block)
    /// costs a comparison or two instead of all of them.
    pub fn weight_reaching(&self, a: &R, b: &R, needed: f64, scratch: &mut Vec<u8>) -> Option<f64> {
        let known: u64 =
            self.specs.iter().enumerate().fold(
                0,
                |bits, (c, spec)| {
                    if c < 64 && spec.known_both(a, b) {
                        bits | 1 << c
                    } else {
                        bits
                    }
                },
            );
        let known_at = |c: usize| c >= 64 || known & (1 << c) != 0;
        let mut bound: f64 = (0..self.specs.len()).filter(|&c| known_at(c)).map(|c| self.best[c]).sum();
        // Summed as `weight_of` sums, so a pair that reaches `needed` gets the same figure.
        let mut sum = 0.0;
        scratch.resize(self.specs.len(), NULL_LEVEL);
        for (c, spec) in self.specs.iter().enumerate() {
            if !known_at(c) {
                scratch[c] = NULL_LEVEL;
                continue;
            }
            bound -= self.best[c];
            let level = spec.level_of(a, b).map_or(NULL_LEVEL, |l| l as u8);
            scratch[c] = level;
            sum += self.field_weight(c, level, a);
            // The margin keeps rounding in the running bound from stopping a pair at `needed`.
            if self.prior + sum + bound < needed - 1e-9 {
                return None;
            }
        }
        Some(self.prior + sum)
    }

    fn field_weight(&self, c: usize, level: u8, a: &R) -> f64 {
        self.field_weight_adjusted(c, level, || self.exact_adjustment(c, a))
    }

    /// A comparison's weight at `level`, with `exact` (what an exact agreement adds for how
    /// common the value is) asked only for an exact agreement: the one rule both the
    /// per-pair and the per-record sums follow.
    fn field_weight_adjusted(&self, c: usize, level: u8, exact: impl FnOnce() -> f64) -> f64 {
        match level {
            NULL_LEVEL => 0.0,
            0 => self.weights[c][0] + exact(),
            l => self.weights[c][usize::from(l)],
        }
    }

    fn exact_adjustment(&self, c: usize, a: &R) -> f64 {
        self.specs[c].tf_value().map_or(0.0, |value| self.tf.adjustment(c, self.params.comparisons[c].u[0], value(a)))
    }

    /// The pair's total match weight (bits) given its level vector.
    pub fn weight_of(&self, levels: &[u8], a: &R) -> f64 {
        self.prior + levels.iter().enumerate().map(|(c, &l)| self.field_weight(c, l, a)).sum::<f64>()
    }

    /// Into `out`, per comparison, what an exact agreement on `a`'s value adds for how
    /// common it is (0 where term frequencies do not apply): one look-up per record for
    /// [`Scorer::weight_with`], instead of one per pair of a record's many.
    pub fn exact_adjustments(&self, a: &R, out: &mut Vec<f64>) {
        out.clear();
        out.extend((0..self.specs.len()).map(|c| self.exact_adjustment(c, a)));
    }

    /// [`Scorer::weight_of`] with the CRM record's [`Scorer::exact_adjustments`]: the
    /// same figure, summed in the same order.
    pub fn weight_with(&self, levels: &[u8], adjustments: &[f64]) -> f64 {
        let field = |(c, &l): (usize, &u8)| self.field_weight_adjusted(c, l, || adjustments[c]);
        self.prior + levels.iter().enumerate().map(field).sum::<f64>()
    }

    /// The pair's total match weight.
    pub fn weight(&self, a: &R, b: &R, scratch: &mut Vec<u8>) -> f64 {
        scratch.resize(self.specs.len(), NULL_LEVEL);
        levels(self.specs, a, b, scratch);
        self.weight_of(scratch, a)
    }

    /// The per-comparison account of a pair's score.
    pub fn explain(&self, a: &R, b: &R) -> Explanation {
        let mut lv = vec![NULL_LEVEL; self.specs.len()];
        levels(self.specs, a, b, &mut lv);
        let fields: Vec<FieldExplanation> = self
            .specs
            .iter()
            .enumerate()
            .map(|(c, spec)| FieldExplanation {
                comparison: spec.name.to_string(),
                level: if lv[c] == NULL_LEVEL {
                    "null".into()
                } else {
                    spec.levels[lv[c] as usize].label().into_owned()
                },
                weight: self.field_weight(c, lv[c], a),
            })
            .collect();
        let match_weight = self.prior + fields.iter().map(|f| f.weight).sum::<f64>();
        Explanation { prior_weight: self.prior, fields, match_weight, probability: probability(match_weight) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matching::comparison::PERSON_COMPARISONS;
    use crate::core::matching::record::{PersonInput, PersonRecord};

    fn person(first: &str, last: &str, email: &str, company: &str, city: &str) -> PersonRecord {
        let input = PersonInput { first_name: first, last_name: last, email, company, city, ..Default::default() };
        PersonRecord::new(format!("{first}-{last}-{company}").into(), None, &input)
    }

    /// Namesakes, near-namesakes and missing fields, so pairs land on every kind of level.
    fn mixed_people() -> Vec<PersonRecord> {
        let (firsts, lasts) = (["Ada", "Adam", "Grace", "", "Jon", "John"], ["Smith", "Smyth", "Okonkwo", ""]);
        let (emails, companies) = (["", "a@x.example", "b@x.example"], ["", "Acme", "Acme Corp", "Globex"]);
        let mut people = Vec::new();
        for (n, f) in firsts.iter().enumerate() {
            for (k, l) in lasts.iter().enumerate() {
                let (e, c) = (emails[(n + k) % 3], companies[(n * 3 + k) % 4]);
                people.push(person(f, l, e, c, if k % 2 == 0 { "Leeds" } else { "" }));
            }
        }
        people
    }

    /// Runs `check` on [`mixed_people`] and a scorer of default parameters and their own
    /// term frequencies.
    fn with_mixed_scorer(check: impl FnOnce(&[PersonRecord], &Scorer<PersonRecord>)) {
        let people = mixed_people();
        let params = Params::defaults(&PERSON_COMPARISONS);
        let tf = TermFrequencies::count(&PERSON_COMPARISONS, [&people, &people]);
        check(&people, &Scorer::new(&PERSON_COMPARISONS, &params, &tf));
    }

    #[test]
    fn a_records_adjustments_give_each_pair_the_weight_it_gets_alone() {
        with_mixed_scorer(|people, scorer| {
            let (mut levels_of, mut adjustments, mut adjusted) = (vec![0; PERSON_COMPARISONS.len()], Vec::new(), 0);
            for a in people {
                scorer.exact_adjustments(a, &mut adjustments);
                adjusted += adjustments.iter().filter(|&&x| x != 0.0).count();
                for b in people {
                    levels(&PERSON_COMPARISONS, a, b, &mut levels_of);
                    assert_eq!(scorer.weight_with(&levels_of, &adjustments), scorer.weight_of(&levels_of, a));
                }
            }
            assert!(adjusted > 0, "no record's value was common or rare enough to adjust an exact agreement");
        });
    }

    #[test]
    fn a_bounded_score_is_the_score_or_surely_below_what_was_needed() {
        with_mixed_scorer(|people, scorer| {
            let (mut scratch, mut stopped) = (Vec::new(), 0);
            for a in people {
                for b in people {
                    let full = scorer.weight(a, b, &mut scratch);
                    for needed in [-20.0, -5.0, 0.0, 5.0, 15.0, full] {
                        match scorer.weight_reaching(a, b, needed, &mut scratch) {
                            Some(w) => assert_eq!(w, full),
                            None => {
                                assert!(full < needed, "stopped below {needed} though the pair scores {full}");
                                stopped += 1;
                            }
                        }
                    }
                }
            }
            assert!(stopped > 1_000, "the bound stopped only {stopped} pairs early");
        });
    }
}
