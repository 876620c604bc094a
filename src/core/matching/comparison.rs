//! Comparisons as data (splink's vocabulary): each is an ordered list of levels, best
//! first; the first level that holds wins; `None` is the null level (a side unknown),
//! which weighs nothing. Default m/u probabilities live here; trained ones in `params`.

use super::record::{CompanyRecord, PersonRecord};
use super::similarity::{jaro_winkler, token_jaccard, within_one_edit};
use crate::core::normalize::{shares_group, Location};

/// One level of a comparison with its default probabilities: m = P(level | match),
/// u = P(level | non-match).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelSpec {
    pub name: &'static str,
    pub m: f64,
    pub u: f64,
}

/// A comparison of one aspect of two records.
pub struct Comparison<R: 'static> {
    pub name: &'static str,
    /// Best first; the last is the catch-all "else" level.
    pub levels: &'static [LevelSpec],
    /// The index of the first level that holds, or `None` when either side is unknown.
    pub level: fn(&R, &R) -> Option<usize>,
    /// For term-frequency adjustment of the exact level (level 0): the compared value.
    pub tf_value: Option<fn(&R) -> &str>,
}

const fn lv(name: &'static str, m: f64, u: f64) -> LevelSpec {
    LevelSpec { name, m, u }
}

fn both<'a>(a: &'a str, b: &'a str) -> Option<(&'a str, &'a str)> {
    (!a.is_empty() && !b.is_empty()).then_some((a, b))
}

/// True when one side's first and last names are the other's, swapped (a common entry
/// error), allowing small typos.
fn swapped(a: &PersonRecord, b: &PersonRecord) -> bool {
    // Jaro-Winkler ≥ 0.92 on names almost always keeps the first letter: check that first.
    let close = |x: &str, y: &str| {
        !x.is_empty() && !y.is_empty() && x.as_bytes()[0] == y.as_bytes()[0] && (x == y || jaro_winkler(x, y) >= 0.92)
    };
    close(&a.name.first, &b.name.last) && close(&a.name.last, &b.name.first)
}

fn first_name(a: &PersonRecord, b: &PersonRecord) -> Option<usize> {
    let (x, y) = both(&a.name.first, &b.name.first)?;
    Some(if x == y {
        0
    } else if swapped(a, b) {
        1
    } else if shares_group(&a.first_name_groups, &b.first_name_groups) {
        2
    } else if jaro_winkler(x, y) >= 0.92 {
        3
    } else if x.len() >= 3 && y.len() >= 3 && within_one_edit(x, y) {
        // A typo Jaro-Winkler forgives too little in a short name: "Jobn", "Eobert".
        4
    } else if (x.len() == 1 || y.len() == 1) && x.as_bytes()[0] == y.as_bytes()[0] {
        5
    } else {
        6
    })
}

fn last_name(a: &PersonRecord, b: &PersonRecord) -> Option<usize> {
    let (x, y) = both(&a.name.last, &b.name.last)?;
    Some(if x == y {
        0
    } else if swapped(a, b) {
        1
    } else {
        let jw = jaro_winkler(x, y);
        if jw >= 0.92 || (x.contains(' ') || y.contains(' ')) && token_jaccard(x, y) > 0.0 {
            2
        } else if jw >= 0.8 {
            3
        } else {
            4
        }
    })
}

fn email(a: &PersonRecord, b: &PersonRecord) -> Option<usize> {
    let (x, y) = (a.email.as_ref()?, b.email.as_ref()?);
    Some(if x == y { 0 } else { 1 })
}

fn phones(a: &[String], b: &[String]) -> Option<usize> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    fn tail(p: &str) -> &[u8] {
        &p.as_bytes()[p.len().saturating_sub(7)..]
    }
    Some(if a.iter().any(|p| b.contains(p)) {
        0
    } else if a.iter().any(|p| b.iter().any(|q| tail(p) == tail(q))) {
        1
    } else {
        2
    })
}

fn company_names(x: &str, y: &str) -> Option<usize> {
    let (x, y) = both(x, y)?;
    Some(if x == y {
        0
    } else if jaro_winkler(x, y) >= 0.92 || token_jaccard(x, y) >= 0.5 {
        1
    } else {
        2
    })
}

fn city(a: &Location, b: &Location) -> Option<usize> {
    let (x, y) = both(&a.city, &b.city)?;
    Some(if x == y {
        0
    } else if jaro_winkler(x, y) >= 0.9 {
        1
    } else {
        2
    })
}

fn region_country(a: &Location, b: &Location) -> Option<usize> {
    let country = match (a.country.as_str(), b.country.as_str()) {
        ("", _) | (_, "") => None,
        (x, y) => Some(x == y),
    };
    let region = both(&a.region, &b.region).map(|(x, y)| x == y);
    match (region, country) {
        (None, None) => None,
        (Some(true), Some(true) | None) => Some(0),
        (Some(false), Some(true)) | (None, Some(true)) => Some(1),
        _ => Some(2),
    }
}

fn postal(a: &str, b: &str) -> Option<usize> {
    let (x, y) = both(a, b)?;
    Some(if x == y {
        0
    } else if within_one_edit(x, y) {
        1
    } else if x.len() >= 3 && y.len() >= 3 && x[..3] == y[..3] {
        2
    } else {
        3
    })
}

/// The street line without a leading house number.
fn without_number(street: &str) -> &str {
    match street.split_once(' ') {
        Some((first, rest)) if first.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => street,
    }
}

fn street(a: &str, b: &str) -> Option<usize> {
    let (x, y) = both(a, b)?;
    // When one side has no house number, compare the street names alone.
    let one_lacks_number = (without_number(x) == x) != (without_number(y) == y);
    Some(if x == y {
        0
    } else if jaro_winkler(x, y) >= 0.88
        || token_jaccard(x, y) >= 0.6
        || (one_lacks_number && jaro_winkler(without_number(x), without_number(y)) >= 0.9)
    {
        1
    } else {
        2
    })
}

const PHONE_LEVELS: &[LevelSpec] =
    &[lv("exact", 0.85, 1e-6), lv("same last 7 digits", 0.05, 1e-4), lv("else", 0.10, 0.999899)];
const CITY_LEVELS: &[LevelSpec] =
    &[lv("exact", 0.75, 0.02), lv("similar (Jaro-Winkler ≥ 0.9)", 0.10, 0.005), lv("else", 0.15, 0.975)];
const REGION_LEVELS: &[LevelSpec] =
    &[lv("same region", 0.85, 0.15), lv("same country only", 0.10, 0.35), lv("else", 0.05, 0.5)];
const POSTAL_LEVELS: &[LevelSpec] = &[
    lv("exact", 0.75, 0.002),
    lv("one edit apart", 0.08, 0.004),
    lv("same first 3 characters", 0.05, 0.01),
    lv("else", 0.12, 0.984),
];
const STREET_LEVELS: &[LevelSpec] = &[lv("exact", 0.65, 0.0005), lv("similar", 0.20, 0.002), lv("else", 0.15, 0.9975)];

/// How people are compared: names, contact data, employer, location.
pub static PERSON_COMPARISONS: [Comparison<PersonRecord>; 9] = [
    Comparison {
        name: "first_name",
        levels: &[
            lv("exact", 0.53, 0.01),
            lv("swapped with last name", 0.02, 0.0001),
            lv("nickname", 0.10, 0.002),
            lv("similar (Jaro-Winkler ≥ 0.92)", 0.12, 0.005),
            lv("one edit apart", 0.04, 0.002),
            lv("initial", 0.08, 0.03),
            lv("else", 0.11, 0.9509),
        ],
        level: first_name,
        tf_value: Some(|r| &r.name.first),
    },
    Comparison {
        name: "last_name",
        levels: &[
            lv("exact", 0.73, 0.001),
            lv("swapped with first name", 0.02, 0.0001),
            lv("similar (Jaro-Winkler ≥ 0.92)", 0.12, 0.002),
            lv("somewhat similar (Jaro-Winkler ≥ 0.8)", 0.05, 0.02),
            lv("else", 0.08, 0.9769),
        ],
        level: last_name,
        tf_value: Some(|r| &r.name.last),
    },
    Comparison {
        name: "email",
        levels: &[lv("exact", 0.9, 1e-6), lv("else", 0.1, 0.999999)],
        level: email,
        tf_value: None,
    },
    Comparison { name: "phone", levels: PHONE_LEVELS, level: |a, b| phones(&a.phones, &b.phones), tf_value: None },
    Comparison {
        name: "company",
        levels: &[lv("exact", 0.6, 0.005), lv("similar", 0.15, 0.01), lv("else", 0.25, 0.985)],
        level: |a, b| company_names(&a.company, &b.company),
        tf_value: Some(|r| &r.company),
    },
    Comparison { name: "city", levels: CITY_LEVELS, level: |a, b| city(&a.location, &b.location), tf_value: None },
    Comparison {
        name: "region",
        levels: REGION_LEVELS,
        level: |a, b| region_country(&a.location, &b.location),
        tf_value: None,
    },
    Comparison {
        name: "postal_code",
        levels: POSTAL_LEVELS,
        level: |a, b| postal(&a.postal, &b.postal),
        tf_value: None,
    },
    Comparison { name: "street", levels: STREET_LEVELS, level: |a, b| street(&a.street, &b.street), tf_value: None },
];

/// How companies are compared: name, web domain, phone, address.
pub static COMPANY_COMPARISONS: [Comparison<CompanyRecord>; 7] = [
    Comparison {
        name: "name",
        levels: &[lv("exact", 0.7, 0.0005), lv("similar", 0.2, 0.005), lv("else", 0.1, 0.9945)],
        level: |a, b| company_names(&a.name, &b.name),
        tf_value: Some(|r| &r.name),
    },
    Comparison {
        name: "domain",
        levels: &[lv("exact", 0.9, 1e-5), lv("else", 0.1, 0.99999)],
        level: |a, b| both(&a.domain, &b.domain).map(|(x, y)| usize::from(x != y)),
        tf_value: None,
    },
    Comparison { name: "phone", levels: PHONE_LEVELS, level: |a, b| phones(&a.phones, &b.phones), tf_value: None },
    Comparison { name: "city", levels: CITY_LEVELS, level: |a, b| city(&a.location, &b.location), tf_value: None },
    Comparison {
        name: "region",
        levels: REGION_LEVELS,
        level: |a, b| region_country(&a.location, &b.location),
        tf_value: None,
    },
    Comparison {
        name: "postal_code",
        levels: POSTAL_LEVELS,
        level: |a, b| postal(&a.postal, &b.postal),
        tf_value: None,
    },
    Comparison { name: "street", levels: STREET_LEVELS, level: |a, b| street(&a.street, &b.street), tf_value: None },
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
        let level = |a: &str, b: &str| first_name(&person(a, "x", ""), &person(b, "x", ""));
        assert_eq!(level("Robert", "robert"), Some(0));
        assert_eq!(level("Bob", "Robert"), Some(2));
        assert_eq!(level("Brandyn", "Brandynn"), Some(3));
        assert_eq!(level("Jobn", "John"), Some(4));
        assert_eq!(level("J", "John"), Some(5));
        assert_eq!(level("Alice", "Mary"), Some(6));
        assert_eq!(first_name(&person("Lachlan", "Beardon", ""), &person("Beardon", "Lachlan", "")), Some(1));
        assert_eq!(level("", "Mary"), None);
    }

    #[test]
    fn region_country_levels() {
        let l = |c: &str, r: &str, k: &str| Location::from_fields(c, r, k);
        assert_eq!(region_country(&l("", "CA", "US"), &l("", "California", "")), Some(0));
        assert_eq!(region_country(&l("", "NY", "US"), &l("", "", "United States")), Some(1));
        assert_eq!(region_country(&l("", "", "DE"), &l("", "", "FR")), Some(2));
        assert_eq!(region_country(&l("x", "", ""), &l("", "", "FR")), None);
    }

    #[test]
    fn every_spec_has_probabilities_in_range() {
        for c in PERSON_COMPARISONS.iter().map(|c| c.levels).chain(COMPANY_COMPARISONS.iter().map(|c| c.levels)) {
            let (m, u): (f64, f64) = c.iter().fold((0.0, 0.0), |(m, u), l| (m + l.m, u + l.u));
            assert!((m - 1.0).abs() < 1e-6 && (u - 1.0).abs() < 1e-6, "{c:?}");
        }
    }
}
