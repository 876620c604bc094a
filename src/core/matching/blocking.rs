//! Blocking: only pairs that share at least one key are compared, so the cost grows
//! close to linearly with the data. Several rules catch what one would miss (a typo in
//! the surname is caught by the e-mail, the phone or the first name and city).

use std::hash::{Hash, Hasher};

use rustc_hash::FxHashMap as HashMap;

use super::key_join::{for_each_shared_key, sorted_keys};
use super::parallel::map_runs;
use super::record::{CompanyRecord, PersonRecord};
use super::sorted_runs::merge_unique;
use crate::core::normalize::soundex;

/// A named rule yielding zero or more keys per record.
pub struct BlockingRule<R: 'static> {
    pub name: &'static str,
    pub keys: fn(&R, &mut Vec<u64>),
    /// Keys for the network side when they differ from the CRM side's (e.g. swapped names).
    pub network_keys: Option<fn(&R, &mut Vec<u64>)>,
    /// Blocks with more pairs than this are split by [`BlockingRule::refine`] (and what is
    /// still too common is bounded by [`BlockingRule::order`]): broad rules get a tighter
    /// bound.
    pub max_block_pairs: usize,
    /// Second keys, finest last, that split a block too common to pair whole: a common
    /// surname's block is paired within each full name, then within each full name and
    /// employer, instead of being dropped.
    pub refine: &'static [fn(&R) -> u64],
    /// Sorts a part still too common after the finest refining key (a sorted
    /// neighbourhood): each record is paired with the [`NEIGHBOURS`] nearest on the other
    /// side in this order, so no record of a common block is left out. The order keeps
    /// similar values close ("smith" by "smyth").
    pub order: fn(&R) -> u64,
}

/// Default bound on a block's pairs: larger blocks are split, then bounded.
pub const MAX_BLOCK_PAIRS: usize = 2_500;

/// Records on the other side each record of a bounded part is paired with: half before
/// its place in the [`BlockingRule::order`], half after.
pub const NEIGHBOURS: usize = 4;

/// Bound for broad rules (first name + city): they exist for small places and typos,
/// not for every "James" in a big city.
pub const BROAD_BLOCK_PAIRS: usize = 300;

/// A stable 64-bit hash (FNV-1a), the same natively and in wasm.
pub fn key_hash(rule: u8, parts: &[&str]) -> u64 {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325 ^ u64::from(rule));
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x100_0000_01b3);
        }
    }
}

fn initial(s: &str) -> &str {
    s.get(..1).unwrap_or("")
}

/// The house number: the first token of a street line when it starts with a digit.
fn house_number(street: &str) -> Option<&str> {
    street.split(' ').next().filter(|t| t.starts_with(|c: char| c.is_ascii_digit()))
}

/// A person's surname and first name, nicknames as one (Bob is Robert).
fn full_name(r: &PersonRecord) -> u64 {
    key_hash(20, &[&r.name.last, &first_name_group(r)])
}

/// A person's employer.
fn employer(r: &PersonRecord) -> u64 {
    key_hash(21, &[&r.company])
}

/// A person's surname initial.
fn surname_initial(r: &PersonRecord) -> u64 {
    key_hash(22, &[initial(&r.name.last)])
}

/// The first bytes of `parts` as one big-endian number, `widths` bytes of each: sorting
/// by it sorts by those prefixes.
fn prefix_order(parts: &[&str], widths: &[usize]) -> u64 {
    let mut key = 0u64;
    for (part, &width) in parts.iter().zip(widths) {
        let bytes = part.as_bytes();
        for k in 0..width {
            key = (key << 8) | u64::from(bytes.get(k).copied().unwrap_or(0));
        }
    }
    key
}

/// People in the order of surname, then first name: typos past the first letters and
/// namesakes sit side by side.
pub(crate) fn name_order(r: &PersonRecord) -> u64 {
    prefix_order(&[&r.name.last, &r.name.first], &[5, 3])
}

/// Businesses in the order of their name.
pub(crate) fn company_order(r: &CompanyRecord) -> u64 {
    prefix_order(&[&r.name], &[8])
}

/// A person's first name, nicknames as one (Bob is Robert), for keys that pair on it.
fn first_name_group(r: &PersonRecord) -> FirstNameKey<'_> {
    match r.first_name_groups.iter().min() {
        Some(&group) => FirstNameKey::group(group),
        None => FirstNameKey::Name(&r.name.first),
    }
}

/// What [`first_name_group`] keys on: a nickname group's number in decimal, or the name;
/// on the stack, as keys are made for every record under several rules.
enum FirstNameKey<'a> {
    Group([u8; 10], usize),
    Name(&'a str),
}

impl FirstNameKey<'_> {
    fn group(mut n: u32) -> Self {
        let mut digits = [0u8; 10];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        Self::Group(digits, start)
    }
}

impl std::ops::Deref for FirstNameKey<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            // Only ASCII digits were written from `start` on.
            Self::Group(digits, start) => std::str::from_utf8(&digits[*start..]).unwrap_or_default(),
            Self::Name(name) => name,
        }
    }
}

/// Person rules: e-mail, phone, sound of the surname with the first initial, the
/// sounds of first and last name swapped between the sides, first name with
/// city, postal code with the surname initial, house number with postal code, surname
/// with city, house number with the street's first word, and the first name or the
/// surname with the employer (a surname or first name missing, misspelt or a placeholder
/// on one side: "Jeanette" at Tony's Family Practice with and without "Smith").
pub static PERSON_RULES: [BlockingRule<PersonRecord>; 11] = [
    BlockingRule {
        name: "email",
        keys: |r, out| out.extend(r.email.as_ref().map(|e| key_hash(0, &[&e.local, &e.domain]))),
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[],
        order: name_order,
    },
    BlockingRule {
        name: "phone",
        keys: |r, out| out.extend(r.phones.iter().map(|p| key_hash(1, &[p]))),
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[],
        order: name_order,
    },
    BlockingRule {
        name: "surname sound + first initial",
        keys: |r, out| {
            if !r.name.last.is_empty() {
                out.push(key_hash(2, &[&soundex(&r.name.last), initial(&r.name.first)]));
            }
        },
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[full_name, employer],
        order: name_order,
    },
    BlockingRule {
        name: "first name + city",
        keys: |r, out| {
            if !r.name.first.is_empty() && !r.location.city.is_empty() {
                out.push(key_hash(3, &[&first_name_group(r), &r.location.city]));
            }
        },
        network_keys: None,
        max_block_pairs: BROAD_BLOCK_PAIRS,
        refine: &[surname_initial],
        order: name_order,
    },
    BlockingRule {
        name: "postal code + surname initial",
        keys: |r, out| {
            if !r.postal.is_empty() && !r.name.last.is_empty() {
                out.push(key_hash(4, &[&r.postal, initial(&r.name.last)]));
            }
        },
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[],
        order: name_order,
    },
    BlockingRule {
        name: "name sounds swapped",
        keys: |r, out| {
            if !r.name.first.is_empty() && !r.name.last.is_empty() {
                out.push(key_hash(5, &[&soundex(&r.name.first), &soundex(&r.name.last)]));
            }
        },
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[],
        order: name_order,
        network_keys: Some(|r, out| {
            if !r.name.first.is_empty() && !r.name.last.is_empty() {
                out.push(key_hash(5, &[&soundex(&r.name.last), &soundex(&r.name.first)]));
            }
        }),
    },
    BlockingRule {
        name: "house number + postal code",
        keys: |r, out| {
            if let (Some(number), false) = (house_number(&r.street), r.postal.is_empty()) {
                out.push(key_hash(6, &[number, &r.postal]));
            }
        },
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[],
        order: name_order,
    },
    BlockingRule {
        name: "surname + city",
        keys: |r, out| {
            if !r.name.last.is_empty() && !r.location.city.is_empty() {
                out.push(key_hash(7, &[&r.name.last, &r.location.city]));
            }
        },
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[full_name],
        order: name_order,
    },
    BlockingRule {
        name: "house number + street word",
        keys: |r, out| {
            let mut words = r.street.split(' ');
            if let (Some(number), Some(word)) =
                (words.next().filter(|t| t.starts_with(|c: char| c.is_ascii_digit())), words.next())
            {
                out.push(key_hash(8, &[number, word]));
            }
        },
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[],
        order: name_order,
    },
    BlockingRule {
        name: "first name + employer",
        keys: |r, out| {
            if !r.name.first.is_empty() && !r.company.is_empty() {
                out.push(key_hash(9, &[&first_name_group(r), &r.company]));
            }
        },
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[surname_initial],
        order: name_order,
    },
    BlockingRule {
        name: "surname + employer",
        keys: |r, out| {
            if !r.name.last.is_empty() && !r.company.is_empty() {
                out.push(key_hash(10, &[&r.name.last, &r.company]));
            }
        },
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[full_name],
        order: name_order,
    },
];

/// Company rules: name, domain, phone, first name word with city, postal code with
/// name initial, house number with postal code.
pub static COMPANY_RULES: [BlockingRule<CompanyRecord>; 6] = [
    BlockingRule {
        name: "name",
        keys: |r, out| out.extend((!r.name.is_empty()).then(|| key_hash(0, &[&r.name]))),
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[],
        order: company_order,
    },
    BlockingRule {
        name: "domain",
        keys: |r, out| out.extend((!r.domain.is_empty()).then(|| key_hash(1, &[&r.domain]))),
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[],
        order: company_order,
    },
    BlockingRule {
        name: "phone",
        keys: |r, out| out.extend(r.phones.iter().map(|p| key_hash(2, &[p]))),
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[],
        order: company_order,
    },
    BlockingRule {
        name: "first name word + city",
        keys: |r, out| {
            if let (Some(word), false) =
                (r.name.split(' ').next().filter(|w| !w.is_empty()), r.location.city.is_empty())
            {
                out.push(key_hash(3, &[word, &r.location.city]));
            }
        },
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[],
        order: company_order,
    },
    BlockingRule {
        name: "postal code + name initial",
        keys: |r, out| {
            if !r.postal.is_empty() && !r.name.is_empty() {
                out.push(key_hash(4, &[&r.postal, initial(&r.name)]));
            }
        },
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[],
        order: company_order,
    },
    BlockingRule {
        name: "house number + postal code",
        keys: |r, out| {
            if let (Some(number), false) = (house_number(&r.street), r.postal.is_empty()) {
                out.push(key_hash(6, &[number, &r.postal]));
            }
        },
        network_keys: None,
        max_block_pairs: MAX_BLOCK_PAIRS,
        refine: &[],
        order: company_order,
    },
];

/// What one rule did: the pairs it produced, and how many blocks it split or bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleBlocks {
    pub rule: &'static str,
    /// Pairs before de-duplication across rules.
    pub pairs: usize,
    /// Blocks too common to pair whole, split by a refining key.
    pub split: usize,
    /// Parts still too common after the finest key, paired with their nearest
    /// neighbours in the rule's order ([`NEIGHBOURS`] each) instead of whole.
    pub bounded: usize,
}

/// Candidate pairs and what blocking bounded.
#[derive(Debug, Default)]
pub struct Candidates {
    /// (CRM index, network index), sorted and unique.
    pub pairs: Vec<(u32, u32)>,
    pub per_rule: Vec<RuleBlocks>,
}

impl Candidates {
    /// Parts of blocks, over every rule, paired with their nearest neighbours only.
    pub fn bounded_blocks(&self) -> usize {
        self.per_rule.iter().map(|r| r.bounded).sum()
    }
}

/// All pairs sharing a key under any rule.
pub fn candidate_pairs<R: Sync>(rules: &[BlockingRule<R>], crm: &[R], network: &[R]) -> Candidates {
    candidate_pairs_with(rules, crm.iter(), network.iter())
}

/// [`candidate_pairs`] over borrowed records (a subset of either side); indices are
/// positions in the iterators. Rules run side by side, one per core at a time.
pub fn candidate_pairs_with<'a, R: Sync + 'a>(
    rules: &[BlockingRule<R>],
    crm: impl Iterator<Item = &'a R> + Clone,
    network: impl Iterator<Item = &'a R> + Clone,
) -> Candidates {
    let (crm, network): (Vec<&R>, Vec<&R>) = (crm.collect(), network.collect());
    let per_rule = map_runs(rules, |rule| vec![rule_pairs(rule, &crm, &network)]);
    let (runs, counts): (Vec<_>, Vec<_>) = per_rule.into_iter().unzip();
    Candidates { pairs: merge_unique(runs), per_rule: counts }
}

/// One rule's pairs, sorted and unique, and what it did.
fn rule_pairs<R>(rule: &BlockingRule<R>, crm: &[&R], network: &[&R]) -> (Vec<(u32, u32)>, RuleBlocks) {
    let left = sorted_keys(crm, rule.keys);
    let right = sorted_keys(network, rule.network_keys.unwrap_or(rule.keys));
    let mut counts = RuleBlocks { rule: rule.name, pairs: 0, split: 0, bounded: 0 };
    let mut pairs = Vec::new();
    for_each_shared_key(&left, &right, |ids_left, ids_right| {
        pair_block(rule, (crm, network), (ids_left, ids_right), 0, (&mut pairs, &mut counts));
    });
    counts.pairs = pairs.len();
    pairs.sort_unstable();
    pairs.dedup();
    pairs.shrink_to_fit();
    (pairs, counts)
}

/// Pairs one block whole when it is small enough; else splits it by the rule's next
/// refining key (`level`) and pairs each part, bounding what no key makes small enough.
fn pair_block<R>(
    rule: &BlockingRule<R>,
    (crm, network): (&[&R], &[&R]),
    (left, right): (&[u32], &[u32]),
    level: usize,
    (pairs, counts): (&mut Vec<(u32, u32)>, &mut RuleBlocks),
) {
    if right.is_empty() {
        return;
    }
    if left.len() * right.len() <= rule.max_block_pairs {
        for &i in left {
            pairs.extend(right.iter().map(|&j| (i, j)));
        }
        return;
    }
    let Some(refine) = rule.refine.get(level) else {
        counts.bounded += 1;
        let order = |records: &[&R], ids: &[u32]| -> Vec<(u64, u32)> {
            ids.iter().map(|&k| ((rule.order)(records[k as usize]), k)).collect()
        };
        nearest_pairs(order(crm, left), order(network, right), pairs);
        return;
    };
    if level == 0 {
        counts.split += 1;
    }
    let mut parts: HashMap<u64, (Vec<u32>, Vec<u32>)> = HashMap::default();
    for &i in left {
        parts.entry(refine(crm[i as usize])).or_default().0.push(i);
    }
    for &j in right {
        if let Some(part) = parts.get_mut(&refine(network[j as usize])) {
            part.1.push(j);
        }
    }
    for (l, r) in parts.values() {
        pair_block(rule, (crm, network), (l, r), level + 1, (pairs, counts));
    }
}

/// The pairs of a part too common to pair whole (a sorted neighbourhood): both sides,
/// as (order key, index), sorted; each record paired with the [`NEIGHBOURS`] records of
/// the other side nearest its place. May repeat a pair; callers de-duplicate.
pub(super) fn nearest_pairs(mut left: Vec<(u64, u32)>, mut right: Vec<(u64, u32)>, out: &mut Vec<(u32, u32)>) {
    left.sort_unstable();
    right.sort_unstable();
    for &(key, j) in &right {
        out.extend(nearest(&left, key).iter().map(|&(_, i)| (i, j)));
    }
    for &(key, i) in &left {
        out.extend(nearest(&right, key).iter().map(|&(_, j)| (i, j)));
    }
}

/// The [`NEIGHBOURS`] entries of `sorted` around where `key` falls (fewer when short).
fn nearest(sorted: &[(u64, u32)], key: u64) -> &[(u64, u32)] {
    let at = sorted.partition_point(|&(k, _)| k < key);
    let start = at.saturating_sub(NEIGHBOURS / 2).min(sorted.len().saturating_sub(NEIGHBOURS));
    &sorted[start..(start + NEIGHBOURS).min(sorted.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matching::record::PersonInput;

    fn person(first: &str, last: &str, email: &str) -> PersonRecord {
        PersonRecord::new(
            Default::default(),
            None,
            &PersonInput { first_name: first, last_name: last, email, ..Default::default() },
        )
    }

    fn person_in(first: &str, last: &str, city: &str) -> PersonRecord {
        PersonRecord::new(
            Default::default(),
            None,
            &PersonInput { first_name: first, last_name: last, city, ..Default::default() },
        )
    }

    #[test]
    fn candidate_pairs_union_of_rules() {
        let crm = vec![person("Jane", "Doe", ""), person("Max", "Mustermann", "max@acme.de")];
        let net = vec![person("Jane", "Dough", ""), person("M", "Other", "max@acme.de"), person("Zed", "Quux", "")];
        let c = candidate_pairs(&PERSON_RULES, &crm, &net);
        // Doe/Dough share a Soundex (D000 vs D200? no) — check via first initial + sound.
        assert!(c.pairs.contains(&(1, 1)), "the shared e-mail must pair them");
        assert!(!c.pairs.iter().any(|&(_, j)| j == 2));
    }

    #[test]
    fn a_rule_pairs_exactly_the_records_that_share_a_key() {
        // Surnames and cities in a pattern where some keys are on one side only.
        let surnames = ["ames", "baker", "cole", "diaz", "evans"];
        let cities = ["austin", "boston", "chicago"];
        let crm: Vec<PersonRecord> = (0..40).map(|i| person_in("x", surnames[i % 5], cities[(i / 5) % 3])).collect();
        let net: Vec<PersonRecord> =
            (0..30).map(|j| person_in("y", surnames[(j * 2) % 5], cities[(j / 4) % 2])).collect();
        let rule = PERSON_RULES.iter().find(|r| r.name == "surname + city").expect("rule");
        let c = candidate_pairs(std::slice::from_ref(rule), &crm, &net);
        let mut expected = Vec::new();
        for (i, a) in crm.iter().enumerate() {
            for (j, b) in net.iter().enumerate() {
                if a.name.last == b.name.last && a.location.city == b.location.city {
                    expected.push((i as u32, j as u32));
                }
            }
        }
        assert!(!expected.is_empty());
        assert_eq!(c.pairs, expected);
    }

    #[test]
    fn a_block_too_common_is_split_by_full_name_not_dropped() {
        // 100 CRM people and 50 profiles named J… Smith: 5,000 pairs, over the bound.
        let firsts = ["James", "John", "Jane", "Julia", "Jack"];
        let crm: Vec<PersonRecord> = (0..100).map(|i| person(firsts[i % 5], "Smith", "")).collect();
        let mut net: Vec<PersonRecord> = (0..49).map(|i| person(firsts[i % 4], "Smith", "")).collect();
        net.push(person("Jack", "Smith", ""));
        let c = candidate_pairs(&PERSON_RULES, &crm, &net);
        let rule = c.per_rule.iter().find(|r| r.rule == "surname sound + first initial");
        assert_eq!(rule.map(|r| r.split), Some(1));
        // Jack pairs with the 20 CRM Jacks only, not with every J. Smith.
        let jack: Vec<u32> = c.pairs.iter().filter(|&&(_, j)| j == 49).map(|&(i, _)| i).collect();
        assert_eq!(jack.len(), 20);
        assert!(jack.iter().all(|&i| i % 5 == 4));
    }

    #[test]
    fn a_part_too_common_after_refining_pairs_its_nearest_neighbours_not_nothing() {
        // 60 CRM and 60 network Margarets in one city, every surname starting with S:
        // 3,600 pairs, over the first name + city bound even within the surname initial.
        let letter = |k: usize| char::from(b'a' + k as u8);
        let surnames: Vec<String> = (0..60).map(|k| format!("s{}{}son", letter(k / 26), letter(k % 26))).collect();
        let crm: Vec<PersonRecord> = surnames.iter().map(|s| person_in("Margaret", s, "Austin")).collect();
        let mut net: Vec<PersonRecord> = surnames.iter().map(|s| person_in("Margaret", s, "Austin")).collect();
        // A typo past the first letters: no other rule pairs it.
        net[30] = person_in("Margaret", "sbesno", "Austin");
        let c = candidate_pairs(&PERSON_RULES[3..4], &crm, &net);
        assert_eq!(c.per_rule[0].bounded, 1);
        assert!(c.pairs.contains(&(30, 30)), "the misspelt surname's record is among its neighbours");
        assert!(c.pairs.len() <= 60 * NEIGHBOURS * 2, "bounded: {} pairs", c.pairs.len());
        assert!(c.pairs.iter().all(|&(i, j)| i.abs_diff(j) <= NEIGHBOURS as u32), "only neighbours pair");
    }

    #[test]
    fn the_order_sorts_by_surname_then_first_name() {
        let (a, b, c) = (person("Zoe", "Smith", ""), person("Adam", "Smyth", ""), person("Bea", "Smith", ""));
        assert!(name_order(&c) < name_order(&a) && name_order(&a) < name_order(&b));
    }

    #[test]
    fn a_nickname_group_keys_as_its_number() {
        for n in [0, 7, 10, 4_294_967_295, 123_456] {
            assert_eq!(&*FirstNameKey::group(n), n.to_string());
        }
    }

    #[test]
    fn key_hash_is_stable() {
        assert_eq!(key_hash(1, &["a"]), key_hash(1, &["a"]));
        assert_ne!(key_hash(1, &["a"]), key_hash(2, &["a"]));
        assert_ne!(key_hash(1, &["ab", "c"]), key_hash(1, &["a", "bc"]));
    }
}
