//! Comparisons as data (splink's vocabulary): each is an ordered list of levels, best
//! first, and each level owns its test (exact, Jaro-Winkler at a threshold, one edit, a
//! named predicate) and its default m/u probabilities; the first level whose test holds
//! wins, so reordering levels moves their weights with them. A comparison is unknown
//! (the null level, which weighs nothing) when either side lacks the value. Trained m/u
//! live in `params`.

use std::borrow::Cow;

use super::record::{CompanyRecord, PersonRecord};
use super::similarity::{jaro_winkler_at_least, token_jaccard, within_one_edit};
use crate::core::normalize::{shares_group, Location, Text};

/// What must hold of a pair for a level. The text tests read the comparison's `text`.
pub enum Test<R: 'static> {
    /// The texts are equal.
    Exact,
    /// Jaro-Winkler similarity of the texts at least this.
    JaroWinkler(f64),
    /// Share of distinct words in common (Jaccard) at least this.
    TokenJaccard(f64),
    /// One insertion, deletion, substitution or transposition apart, both texts at least
    /// `min_len` long (in a short name one edit is another name).
    OneEdit { min_len: usize },
    /// A named predicate over the two records.
    Holds(&'static str, fn(&R, &R) -> bool),
    /// Any of these.
    Any(&'static [Test<R>]),
    /// Always: the catch-all last level.
    Else,
}

impl<R> Test<R> {
    /// What the test checks, as explanations show it ("similar (Jaro-Winkler ≥ 0.92)").
    pub fn label(&self) -> Cow<'static, str> {
        match self {
            Test::Exact => "exact".into(),
            Test::JaroWinkler(t) => format!("similar (Jaro-Winkler ≥ {t})").into(),
            Test::TokenJaccard(t) => format!("words shared (Jaccard ≥ {t})").into(),
            Test::OneEdit { .. } => "one edit apart".into(),
            Test::Holds(label, _) => (*label).into(),
            Test::Any(tests) => tests.iter().map(Test::label).collect::<Vec<_>>().join(" or ").into(),
            Test::Else => "else".into(),
        }
    }

    /// Whether the test holds; `jw` keeps the texts' Jaro-Winkler once computed, as
    /// several levels of one comparison may ask for it.
    fn holds(&self, a: &R, b: &R, (x, y): (&str, &str), jw: &mut Option<f64>) -> bool {
        match self {
            Test::Exact => x == y,
            Test::JaroWinkler(t) => jaro_winkler_at_least(x, y, *t, jw),
            Test::TokenJaccard(t) => token_jaccard(x, y) >= *t,
            Test::OneEdit { min_len } => x.len() >= *min_len && y.len() >= *min_len && within_one_edit(x, y),
            Test::Holds(_, holds) => holds(a, b),
            Test::Any(tests) => tests.iter().any(|t| t.holds(a, b, (x, y), jw)),
            Test::Else => true,
        }
    }
}

/// One level of a comparison: its test and default probabilities, m = P(level | match)
/// and u = P(level | non-match).
pub struct Level<R: 'static> {
    pub test: Test<R>,
    pub m: f64,
    pub u: f64,
}

impl<R> Level<R> {
    /// The level's name in explanations.
    pub fn label(&self) -> Cow<'static, str> {
        self.test.label()
    }
}

/// A comparison of one aspect of two records.
pub struct Comparison<R: 'static> {
    pub name: &'static str,
    /// The compared text of a record ("" when unknown): what the text tests read and what
    /// term frequencies count.
    pub text: Option<fn(&R) -> &str>,
    /// Whether both records know the value; without it, both texts are non-empty.
    pub known: Option<fn(&R, &R) -> bool>,
    /// Best first; the last is the catch-all `Else`.
    pub levels: &'static [Level<R>],
    /// Adjust the exact level's weight by how common the value is ("Smith" says less
    /// than "Okonkwo").
    pub term_frequencies: bool,
}

impl<R> Comparison<R> {
    /// The index of the first level that holds, or `None` when either side is unknown.
    pub fn level_of(&self, a: &R, b: &R) -> Option<usize> {
        let (x, y) = self.text.map_or(("", ""), |text| (text(a), text(b)));
        if !self.knows((x, y), a, b) {
            return None;
        }
        let mut jw = None;
        let last = self.levels.len().saturating_sub(1);
        Some(self.levels.iter().position(|l| l.test.holds(a, b, (x, y), &mut jw)).unwrap_or(last))
    }

    /// Whether both records know the value (else the pair has no level here).
    pub fn known_both(&self, a: &R, b: &R) -> bool {
        let (x, y) = self.text.map_or(("", ""), |text| (text(a), text(b)));
        self.knows((x, y), a, b)
    }

    fn knows(&self, (x, y): (&str, &str), a: &R, b: &R) -> bool {
        match self.known {
            Some(known) => known(a, b),
            None => !x.is_empty() && !y.is_empty(),
        }
    }

    /// The value term frequencies count, when the comparison asks for them.
    pub fn tf_value(&self) -> Option<fn(&R) -> &str> {
        self.text.filter(|_| self.term_frequencies)
    }
}

const fn lv<R>(test: Test<R>, m: f64, u: f64) -> Level<R> {
    Level { test, m, u }
}

/// True when one side's first and last names are the other's, swapped (a common entry
/// error), allowing small typos.
fn swapped(a: &PersonRecord, b: &PersonRecord) -> bool {
    // Jaro-Winkler ≥ 0.92 on names almost always keeps the first letter: check that first.
    let close = |x: &str, y: &str| {
        !x.is_empty()
            && !y.is_empty()
            && x.as_bytes()[0] == y.as_bytes()[0]
            && (x == y || jaro_winkler_at_least(x, y, 0.92, &mut None))
    };
    close(&a.name.first, &b.name.last) && close(&a.name.last, &b.name.first)
}

/// One side gave only an initial, and it is the other's first letter.
fn initial(a: &PersonRecord, b: &PersonRecord) -> bool {
    let (x, y) = (&a.name.first, &b.name.first);
    (x.len() == 1 || y.len() == 1) && x.as_bytes()[0] == y.as_bytes()[0]
}

/// A surname of several words shares one with the other ("garcia marquez", "garcia").
fn shares_a_surname_word(a: &PersonRecord, b: &PersonRecord) -> bool {
    let (x, y) = (&a.name.last, &b.name.last);
    (x.contains(' ') || y.contains(' ')) && token_jaccard(x, y) > 0.0
}

/// The fields people and companies share, so one set of levels serves both.
trait CommonFields {
    fn phones(&self) -> &[Text];
    fn location(&self) -> &Location;
}

impl CommonFields for PersonRecord {
    fn phones(&self) -> &[Text] {
        &self.phones
    }
    fn location(&self) -> &Location {
        &self.location
    }
}

impl CommonFields for CompanyRecord {
    fn phones(&self) -> &[Text] {
        &self.phones
    }
    fn location(&self) -> &Location {
        &self.location
    }
}

fn both_have_phones<R: CommonFields>(a: &R, b: &R) -> bool {
    !a.phones().is_empty() && !b.phones().is_empty()
}

fn same_phone<R: CommonFields>(a: &R, b: &R) -> bool {
    a.phones().iter().any(|p| b.phones().contains(p))
}

/// The same subscriber number with another country or area code.
fn same_last_7_digits<R: CommonFields>(a: &R, b: &R) -> bool {
    fn tail(p: &str) -> &[u8] {
        &p.as_bytes()[p.len().saturating_sub(7)..]
    }
    a.phones().iter().any(|p| b.phones().iter().any(|q| tail(p) == tail(q)))
}

/// Region and country agree as far as both sides know them; `None` when unknown.
fn region_and_country<R: CommonFields>(a: &R, b: &R) -> (Option<bool>, Option<bool>) {
    let (a, b) = (a.location(), b.location());
    let known = |x: &str, y: &str| (!x.is_empty() && !y.is_empty()).then(|| x == y);
    (known(&a.region, &b.region), known(&a.country, &b.country))
}

/// Region and country say something only where the city does not: the same city
/// already places both in one region, and counting the region again would double it.
fn region_known<R: CommonFields>(a: &R, b: &R) -> bool {
    let (x, y) = (&a.location().city, &b.location().city);
    let same_city = !x.is_empty() && x == y;
    !same_city && region_and_country(a, b) != (None, None)
}

fn same_region<R: CommonFields>(a: &R, b: &R) -> bool {
    matches!(region_and_country(a, b), (Some(true), Some(true) | None))
}

fn same_country<R: CommonFields>(a: &R, b: &R) -> bool {
    region_and_country(a, b).1 == Some(true)
}

/// The street line without a leading house number.
fn without_number(street: &str) -> &str {
    match street.split_once(' ') {
        Some((first, rest)) if first.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => street,
    }
}

/// One side has no house number and the street names are alike.
fn same_street_name(x: &str, y: &str) -> bool {
    let one_lacks_number = (without_number(x) == x) != (without_number(y) == y);
    one_lacks_number && jaro_winkler_at_least(without_number(x), without_number(y), 0.9, &mut None)
}

fn postal_prefix(x: &str, y: &str) -> bool {
    x.len() >= 3 && y.len() >= 3 && x.as_bytes()[..3] == y.as_bytes()[..3]
}

/// Phone numbers: any number in common, else the same subscriber number.
macro_rules! phone {
    ($r:ty) => {
        Comparison {
            name: "phone",
            text: None,
            known: Some(both_have_phones::<$r>),
            levels: &[
                lv(Test::Holds("exact", same_phone::<$r>), 0.85, 1e-6),
                lv(Test::Holds("same last 7 digits", same_last_7_digits::<$r>), 0.05, 1e-4),
                lv(Test::Else, 0.10, 0.999899),
            ],
            term_frequencies: false,
        }
    };
}

macro_rules! city {
    ($r:ty) => {
        Comparison {
            name: "city",
            text: Some(|r: &$r| &r.location.city),
            known: None,
            levels: &[
                lv(Test::Exact, 0.75, 0.02),
                lv(Test::JaroWinkler(0.9), 0.10, 0.005),
                lv(Test::Else, 0.15, 0.975),
            ],
            term_frequencies: false,
        }
    };
}

macro_rules! region {
    ($r:ty) => {
        Comparison {
            name: "region",
            text: None,
            known: Some(region_known::<$r>),
            levels: &[
                lv(Test::Holds("same region", same_region::<$r>), 0.85, 0.15),
                lv(Test::Holds("same country only", same_country::<$r>), 0.10, 0.35),
                lv(Test::Else, 0.05, 0.5),
            ],
            term_frequencies: false,
        }
    };
}

macro_rules! postal_code {
    ($r:ty) => {
        Comparison {
            name: "postal_code",
            text: Some(|r: &$r| &r.postal),
            known: None,
            levels: &[
                lv(Test::Exact, 0.75, 0.002),
                lv(Test::OneEdit { min_len: 0 }, 0.08, 0.004),
                lv(
                    Test::Holds("same first 3 characters", |a: &$r, b: &$r| postal_prefix(&a.postal, &b.postal)),
                    0.05,
                    0.01,
                ),
                lv(Test::Else, 0.12, 0.984),
            ],
            term_frequencies: false,
        }
    };
}

macro_rules! street {
    ($r:ty) => {
        Comparison {
            name: "street",
            text: Some(|r: &$r| &r.street),
            known: None,
            levels: &[
                lv(Test::Exact, 0.65, 0.0005),
                lv(
                    Test::Any(&[
                        Test::JaroWinkler(0.88),
                        Test::TokenJaccard(0.6),
                        Test::Holds("same street name, one without a house number", |a: &$r, b: &$r| {
                            same_street_name(&a.street, &b.street)
                        }),
                    ]),
                    0.20,
                    0.002,
                ),
                lv(Test::Else, 0.15, 0.9975),
            ],
            term_frequencies: false,
        }
    };
}

/// How people are compared: names, contact data, employer, location, role.
pub static PERSON_COMPARISONS: [Comparison<PersonRecord>; 10] = [
    Comparison {
        name: "first_name",
        text: Some(|r| &r.name.first),
        known: None,
        // Defaults near what matches show where both names are known (on jobchange_people
        // 94 % of first names and 96 % of surnames agree exactly): lower ones, at EM's
        // prior strength, made a different first name cost a matched-looking pair little.
        levels: &[
            lv(Test::Exact, 0.85, 0.01),
            lv(Test::Holds("swapped with last name", swapped), 0.01, 0.0001),
            lv(Test::Holds("nickname", |a, b| shares_group(a.first_name_groups, b.first_name_groups)), 0.04, 0.002),
            lv(Test::JaroWinkler(0.92), 0.04, 0.005),
            // A typo Jaro-Winkler forgives too little in a short name: "Jobn", "Eobert".
            lv(Test::OneEdit { min_len: 3 }, 0.02, 0.002),
            lv(Test::Holds("initial", initial), 0.02, 0.03),
            // Two typos or a misread letter pair ("Dichatd", "Mykael"): far likelier a
            // match than another name, though chance pairs land here too ("Marie", "Mario").
            lv(Test::JaroWinkler(0.8), 0.01, 0.02),
            lv(Test::Else, 0.01, 0.9309),
        ],
        term_frequencies: true,
    },
    Comparison {
        name: "last_name",
        text: Some(|r| &r.name.last),
        known: None,
        levels: &[
            lv(Test::Exact, 0.90, 0.001),
            lv(Test::Holds("swapped with first name", swapped), 0.01, 0.0001),
            lv(
                Test::Any(&[Test::JaroWinkler(0.92), Test::Holds("a surname word shared", shares_a_surname_word)]),
                0.05,
                0.002,
            ),
            lv(Test::JaroWinkler(0.8), 0.02, 0.02),
            lv(Test::Else, 0.02, 0.9769),
        ],
        term_frequencies: true,
    },
    Comparison {
        name: "email",
        text: None,
        known: Some(|a, b| a.email.is_some() && b.email.is_some()),
        levels: &[lv(Test::Holds("exact", |a, b| a.email == b.email), 0.9, 1e-6), lv(Test::Else, 0.1, 0.999999)],
        term_frequencies: false,
    },
    phone!(PersonRecord),
    Comparison {
        name: "company",
        text: Some(|r| &r.company),
        known: None,
        levels: &[
            lv(Test::Exact, 0.6, 0.005),
            lv(Test::Any(&[Test::JaroWinkler(0.92), Test::TokenJaccard(0.5)]), 0.15, 0.01),
            lv(Test::Else, 0.25, 0.985),
        ],
        term_frequencies: true,
    },
    city!(PersonRecord),
    region!(PersonRecord),
    postal_code!(PersonRecord),
    street!(PersonRecord),
    // The role: in a large org the same full name recurs at one employer and in one city,
    // and a job title is what still tells two of them apart; it is also what a person who
    // moved on often kept. A common title ("software engineer") says less than a rare one.
    // A CRM title goes stale (a promotion is entered on the network, not in Salesforce), so
    // another title costs about a bit: at m = 0.25 for "else" a contact at their own
    // employer under another title fell below the threshold.
    Comparison {
        name: "title",
        text: Some(|r| &r.title),
        known: None,
        levels: &[lv(Test::Exact, 0.45, 0.05), lv(Test::TokenJaccard(0.5), 0.15, 0.05), lv(Test::Else, 0.40, 0.9)],
        term_frequencies: true,
    },
];

/// How companies are compared: name, web domain, phone, address.
pub static COMPANY_COMPARISONS: [Comparison<CompanyRecord>; 7] = [
    Comparison {
        name: "name",
        text: Some(|r| &r.name),
        known: None,
        levels: &[
            lv(Test::Exact, 0.7, 0.0005),
            lv(Test::Any(&[Test::JaroWinkler(0.92), Test::TokenJaccard(0.5)]), 0.2, 0.005),
            lv(Test::Else, 0.1, 0.9945),
        ],
        term_frequencies: true,
    },
    Comparison {
        name: "domain",
        text: Some(|r| &r.domain),
        known: None,
        levels: &[lv(Test::Exact, 0.9, 1e-5), lv(Test::Else, 0.1, 0.99999)],
        term_frequencies: false,
    },
    phone!(CompanyRecord),
    city!(CompanyRecord),
    region!(CompanyRecord),
    postal_code!(CompanyRecord),
    street!(CompanyRecord),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matching::record::PersonInput;

    fn person(first: &str, last: &str, city_: &str) -> PersonRecord {
        PersonRecord::new(
            "x".into(),
            None,
            &PersonInput { first_name: first, last_name: last, city: city_, ..Default::default() },
        )
    }

    #[test]
    fn first_name_levels_in_order() {
        let first_name = |a: &PersonRecord, b: &PersonRecord| PERSON_COMPARISONS[0].level_of(a, b);
        let level = |a: &str, b: &str| first_name(&person(a, "x", ""), &person(b, "x", ""));
        assert_eq!(level("Robert", "robert"), Some(0));
        assert_eq!(level("Bob", "Robert"), Some(2));
        assert_eq!(level("Brandyn", "Brandynn"), Some(3));
        assert_eq!(level("Jobn", "John"), Some(4));
        assert_eq!(level("J", "John"), Some(5));
        assert_eq!(level("Richard", "Dichatd"), Some(6));
        assert_eq!(level("Alice", "Mary"), Some(7));
        assert_eq!(first_name(&person("Lachlan", "Beardon", ""), &person("Beardon", "Lachlan", "")), Some(1));
        assert_eq!(level("", "Mary"), None);
    }

    #[test]
    fn title_levels_read_the_role_not_its_spelling() {
        let titled = |t: &str| {
            PersonRecord::new("x".into(), None, &PersonInput { last_name: "x", title: t, ..Default::default() })
        };
        let title = |a: &str, b: &str| PERSON_COMPARISONS[9].level_of(&titled(a), &titled(b));
        assert_eq!(PERSON_COMPARISONS[9].name, "title");
        assert_eq!(title("VP Sales", "Vice President, Sales"), Some(0));
        assert_eq!(title("Senior Software Engineer", "Software Engineer"), Some(1));
        assert_eq!(title("CTO", "Account Executive"), Some(2));
        assert_eq!(title("", "CTO"), None);
    }

    #[test]
    fn region_country_levels() {
        let at =
            |c: &str, r: &str, k: &str| PersonRecord { location: Location::from_fields(c, r, k), ..Default::default() };
        let region_country = |a: &PersonRecord, b: &PersonRecord| PERSON_COMPARISONS[6].level_of(a, b);
        assert_eq!(region_country(&at("", "CA", "US"), &at("", "California", "")), Some(0));
        assert_eq!(region_country(&at("", "NY", "US"), &at("", "", "United States")), Some(1));
        assert_eq!(region_country(&at("", "", "DE"), &at("", "", "FR")), Some(2));
        assert_eq!(region_country(&at("x", "", ""), &at("", "", "FR")), None);
        assert_eq!(region_country(&at("Leeds", "", "GB"), &at("Leeds", "", "GB")), None, "the city already says it");
        assert_eq!(region_country(&at("Leeds", "", "GB"), &at("York", "", "GB")), Some(1));
    }

    #[test]
    fn every_spec_has_probabilities_in_range_and_ends_with_else() {
        let person = PERSON_COMPARISONS
            .iter()
            .map(|c| (c.name, c.levels.iter().map(|l| (l.m, l.u, l.label())).collect::<Vec<_>>()));
        let company = COMPANY_COMPARISONS
            .iter()
            .map(|c| (c.name, c.levels.iter().map(|l| (l.m, l.u, l.label())).collect::<Vec<_>>()));
        for (name, levels) in person.chain(company) {
            let (m, u): (f64, f64) = levels.iter().fold((0.0, 0.0), |(m, u), l| (m + l.0, u + l.1));
            assert!((m - 1.0).abs() < 1e-6 && (u - 1.0).abs() < 1e-6, "{name}: {levels:?}");
            assert_eq!(levels.last().map(|l| l.2.as_ref()), Some("else"), "{name}");
        }
    }

    #[test]
    fn labels_come_from_the_tests() {
        let labels: Vec<String> = PERSON_COMPARISONS[1].levels.iter().map(|l| l.label().into_owned()).collect();
        assert_eq!(
            labels,
            [
                "exact",
                "swapped with first name",
                "similar (Jaro-Winkler ≥ 0.92) or a surname word shared",
                "similar (Jaro-Winkler ≥ 0.8)",
                "else"
            ]
        );
    }
}
