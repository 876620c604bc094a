//! Person names: titles and suffixes dropped, surname particles set aside, nicknames
//! known (Bob ↔ Robert), so the same person compares equal however a source spells them.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::text::tokens;
use crate::core::matching::similarity::within_one_edit;

/// Honorifics and titles that precede a name.
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "rev",
    "fr",
    "herr",
    "frau",
    "mme",
    "mlle",
    "sr",
    "sra",
    "srta",
    "ing",
    "dipl",
];
/// Generational suffixes and post-nominal letters that follow a name.
const SUFFIXES: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "v", "phd", "md", "mba", "cpa", "esq", "dds", "jd", "pe", "cfa", "pmp", "msc",
    "bsc", "ma", "ba", "llm", "rn", "cfp", "frm", "cissp", "ceng", "mph", "dvm", "od", "edd",
];
/// Surname particles: part of the written surname, but often dropped or moved.
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "del", "della", "dei", "da", "das", "do", "dos", "di", "du", "la", "le", "ter",
    "ten", "zu", "bin", "binti", "al", "el", "mac", "st", "y",
];

/// Words typed where a name was not known ("Occupant", "Mrs", "Lady Of House", "Hija",
/// "Declined"): a field made only of these (and of the filler words below) is unknown, so
/// it neither agrees nor disagrees with anything. Words that are also real surnames
/// ("Child", "Parent", "Friend", "Son", "Man", "House") are not among them.
const PLACEHOLDERS: &[&str] = &[
    "unknown",
    "unk",
    "none",
    "null",
    "nil",
    "name",
    "noname",
    "declined",
    "refused",
    "withheld",
    "test",
    "tbd",
    "occupant",
    "resident",
    "householder",
    "homeowner",
    "respondent",
    "ref",
    "customer",
    "client",
    "mother",
    "father",
    "mom",
    "dad",
    "daughter",
    "husband",
    "wife",
    "spouse",
    "kid",
    "boy",
    "girl",
    "baby",
    "adult",
    "male",
    "female",
    "lady",
    "gentleman",
    "gent",
    "oldest",
    "eldest",
    "youngest",
    "grandson",
    "granddaughter",
    "grandmother",
    "grandfather",
    "hijo",
    "hija",
    "senor",
    "senora",
    "household",
    "inmate",
    "brother",
    "sister",
    "woman",
    "apellido",
    "casa",
];
/// Filler words that only ever join placeholders ("Lady *of the* House", "No Name").
const PLACEHOLDER_FILLERS: &[&str] = &["of", "the", "in", "no", "not", "given", "house", "man", "de", "la", "el", "a"];

/// Placeholders only where a given name belongs: real surnames, never given names
/// ("Child Miller", "Minor Reyes", "Friend Dunigan" on a form).
const GIVEN_NAME_PLACEHOLDERS: &[&str] = &["child", "minor", "person", "friend", "infant", "newborn", "parent"];

/// A given-name placeholder mistyped ("Gentelman", "Youngesd") is still one: a word one
/// edit from a placeholder this long is not somebody's first name.
const MISTYPED_PLACEHOLDER_LEN: usize = 8;

/// Which name field a text came from: a given name has placeholders a surname does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Given,
    Surname,
    Full,
}

/// True when a name field holds only placeholders, titles and fillers, at least one of
/// them a placeholder or title ("Mr", "Adult Male", "Lady Of House"), or several fillers
/// and nothing else ("Of The House": one filler alone may be a name, "House"). A lone
/// letter joins placeholders as a filler does ("Child F").
fn is_placeholder(t: &[String], field: Field) -> bool {
    let mistyped = |w: &str| {
        w.len() >= MISTYPED_PLACEHOLDER_LEN
            && PLACEHOLDERS.iter().any(|p| p.len() >= MISTYPED_PLACEHOLDER_LEN && within_one_edit(w, p))
    };
    let strong = |w: &str| {
        PLACEHOLDERS.contains(&w)
            || TITLES.contains(&w)
            || (field == Field::Given && (GIVEN_NAME_PLACEHOLDERS.contains(&w) || mistyped(w)))
    };
    let filler = |w: &str| PLACEHOLDER_FILLERS.contains(&w) || w.len() == 1;
    (t.iter().any(|w| strong(w)) || (t.len() > 1 && t.iter().all(|w| PLACEHOLDER_FILLERS.contains(&w.as_str()))))
        && t.iter().all(|w| strong(w) || filler(w))
}

/// A field's tokens without titles and suffixes; none when it is a placeholder.
fn name_tokens(field: &str, kind: Field) -> Vec<String> {
    let t: Vec<String> = tokens(field).into_iter().map(read_digits_as_letters).collect();
    if is_placeholder(&t, kind) {
        return Vec::new();
    }
    strip_affixes(t)
}

/// A name word with letters and digits is a scanned or misread one ("Wi1liams",
/// "8rown1ey"): each digit becomes the letter it is mistaken for. A word of digits
/// only ("III" written "3") is left to the suffix and placeholder rules.
fn read_digits_as_letters(token: String) -> String {
    let has = |f: fn(&u8) -> bool| token.as_bytes().iter().any(f);
    if !(has(u8::is_ascii_digit) && has(u8::is_ascii_alphabetic)) {
        return token;
    }
    token
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' => 'l',
            '2' => 'z',
            '3' => 'e',
            '4' => 'a',
            '5' => 's',
            '6' => 'g',
            '7' => 't',
            '8' => 'b',
            '9' => 'g',
            c => c,
        })
        .collect()
}

/// The nickname table: `data/nicknames.csv` (PyPI `nicknames` 1.0.1, Apache-2.0).
const NICKNAMES_CSV: &str = include_str!("data/nicknames.csv");

/// A person's name reduced to what identifies them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonName {
    /// First given name, folded ("robert").
    pub first: super::Text,
    /// Surname without particles, tokens joined by one space ("berg" for "van der Berg").
    pub last: super::Text,
}

impl PersonName {
    /// From separate first and last name fields (either may be empty).
    pub fn from_parts(first: &str, last: &str) -> Self {
        let first_tokens = name_tokens(first, Field::Given);
        let last_tokens = name_tokens(last, Field::Surname);
        let first_was_empty = first_tokens.is_empty();
        match (first_tokens.is_empty(), last_tokens.is_empty()) {
            // A surname of several words with no first name ("Quinonez Santiago", "Garcia
            // Martin") is a surname, not a first name and a surname; only a known given
            // name in front ("Jane Doe") says the whole name was typed there.
            (true, false) if last_tokens.len() > 1 && nickname_groups_of(&last_tokens[0]).is_empty() => {
                Self { first: super::Text::default(), last: surname(&last_tokens).into() }
            }
            // Everything in one field: split it like a full name.
            (true, false) | (false, true) => {
                let mut all = first_tokens;
                all.extend(last_tokens);
                if all.len() == 1 {
                    return if first_was_empty {
                        Self { first: super::Text::default(), last: surname(&all).into() }
                    } else {
                        Self { first: all.remove(0).into(), last: super::Text::default() }
                    };
                }
                Self::from_tokens(all)
            }
            _ => Self {
                first: first_tokens.into_iter().next().unwrap_or_default().into(),
                last: surname(&last_tokens).into(),
            },
        }
    }

    /// From one full-name field ("Dr. Jan van der Berg, PhD").
    pub fn from_full(full: &str) -> Self {
        Self::from_tokens(name_tokens(full, Field::Full))
    }

    fn from_tokens(mut all: Vec<String>) -> Self {
        if all.is_empty() {
            return Self::default();
        }
        let first = all.remove(0);
        // The surname starts at the first particle after the given names, else it is the last token.
        let start = all.iter().position(|t| PARTICLES.contains(&t.as_str())).unwrap_or(all.len().saturating_sub(1));
        Self { first: first.into(), last: surname(&all[start..]).into() }
    }

    /// True when neither part is known.
    pub fn is_empty(&self) -> bool {
        self.first.is_empty() && self.last.is_empty()
    }
}

fn strip_affixes(mut t: Vec<String>) -> Vec<String> {
    while t.len() > 1 && TITLES.contains(&t[0].as_str()) {
        t.remove(0);
    }
    while t.len() > 1 && t.last().is_some_and(|s| SUFFIXES.contains(&s.as_str())) {
        t.pop();
    }
    t
}

/// Surname tokens without particles (all kept if they are all particles).
fn surname(t: &[String]) -> String {
    let core: Vec<&str> = t.iter().map(String::as_str).filter(|s| !PARTICLES.contains(s)).collect();
    if core.is_empty() {
        t.join(" ")
    } else {
        core.join(" ")
    }
}

/// Groups of names that can stand for each other: name → group ids.
fn nickname_groups() -> &'static HashMap<String, Vec<u32>> {
    static GROUPS: OnceLock<HashMap<String, Vec<u32>>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut formal_ids: HashMap<&str, u32> = HashMap::new();
        let mut groups: HashMap<String, Vec<u32>> = HashMap::new();
        for line in NICKNAMES_CSV.lines().filter(|l| !l.starts_with('#')).skip(1) {
            let mut cols = line.split(',');
            let (Some(formal), Some(_), Some(nick)) = (cols.next(), cols.next(), cols.next()) else { continue };
            let next = formal_ids.len() as u32;
            let id = *formal_ids.entry(formal).or_insert(next);
            for name in [formal, nick] {
                let ids = groups.entry(name.to_string()).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        groups
    })
}

/// The nickname groups a (folded) first name belongs to; looked up once per record so
/// comparing millions of pairs needs no table look-ups. The table's own list: a record
/// keeps no copy (a copy was an allocation per record, and a cache miss per blocked one).
pub fn nickname_groups_of(first: &str) -> &'static [u32] {
    nickname_groups().get(first).map_or(&[], Vec::as_slice)
}

/// True when two (folded) first names can name the same person: equal, or one a
/// nickname of the other, or both nicknames of one formal name.
pub fn nickname_compatible(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    a == b || shares_group(nickname_groups_of(a), nickname_groups_of(b))
}

/// True when two group lists (from [`nickname_groups_of`]) intersect.
pub fn shares_group(a: &[u32], b: &[u32]) -> bool {
    a.iter().any(|id| b.contains(id))
}

/// American Soundex (4 characters) of a folded name, for blocking on sound-alike surnames.
pub fn soundex(name: &str) -> String {
    let code = |c: char| match c {
        'b' | 'f' | 'p' | 'v' => '1',
        'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => '2',
        'd' | 't' => '3',
        'l' => '4',
        'm' | 'n' => '5',
        'r' => '6',
        _ => '0',
    };
    let mut letters = name.chars().filter(char::is_ascii_alphabetic);
    let Some(first) = letters.next() else { return String::new() };
    let mut out = String::from(first.to_ascii_uppercase());
    let mut last = code(first);
    for c in letters {
        let d = code(c);
        if d != '0' && d != last {
            out.push(d);
            if out.len() == 4 {
                break;
            }
        }
        if c != 'h' && c != 'w' {
            last = d;
        }
    }
    while out.len() < 4 {
        out.push('0');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_full_drops_titles_suffixes_and_particles() {
        assert_eq!(
            PersonName::from_full("Dr. Jan van der Berg, PhD"),
            PersonName { first: "jan".into(), last: "berg".into() }
        );
        assert_eq!(
            PersonName::from_full("Mary Ann Smith Jr."),
            PersonName { first: "mary".into(), last: "smith".into() }
        );
        assert_eq!(PersonName::from_full("   "), PersonName::default());
    }

    #[test]
    fn from_parts_handles_one_field_and_particles() {
        assert_eq!(
            PersonName::from_parts("Ludwig", "van Beethoven"),
            PersonName { first: "ludwig".into(), last: "beethoven".into() }
        );
        assert_eq!(PersonName::from_parts("", "Jane Doe"), PersonName { first: "jane".into(), last: "doe".into() });
        assert_eq!(PersonName::from_parts("", "Doe"), PersonName { first: "".into(), last: "doe".into() });
        assert_eq!(
            PersonName::from_parts("", "Quinonez Santiago"),
            PersonName { first: "".into(), last: "quinonez santiago".into() },
            "a two-word surname without a first name stays the surname"
        );
        assert_eq!(PersonName::from_parts("Kid", "Garcia Martin").last, "garcia martin");
        assert_eq!(
            PersonName::from_parts("José", "García Márquez"),
            PersonName { first: "jose".into(), last: "garcia marquez".into() }
        );
    }

    #[test]
    fn digits_misread_in_a_name_are_read_as_letters() {
        assert_eq!(
            PersonName::from_parts("B1ake", "8rown1ey"),
            PersonName { first: "blake".into(), last: "brownley".into() }
        );
        assert_eq!(PersonName::from_parts("Ann", "Wi1liams").last, "williams");
    }

    #[test]
    fn placeholders_are_unknown_names_not_names() {
        assert_eq!(PersonName::from_parts("Mrs", "Zachary"), PersonName { first: "".into(), last: "zachary".into() });
        assert_eq!(PersonName::from_parts("Lady Of House", "Doe"), PersonName { first: "".into(), last: "doe".into() });
        assert_eq!(PersonName::from_parts("Ann", "Occupant"), PersonName { first: "ann".into(), last: "".into() });
        assert_eq!(PersonName::from_parts("Adult Male", "Unknown"), PersonName::default());
        assert_eq!(PersonName::from_full("No Name Given"), PersonName::default());
        assert_eq!(
            PersonName::from_parts("Randy", "Of The House"),
            PersonName { first: "randy".into(), last: "".into() }
        );
        assert_eq!(PersonName::from_parts("Eric", "Household"), PersonName { first: "eric".into(), last: "".into() });
        assert_eq!(PersonName::from_parts("Ann", "House"), PersonName { first: "ann".into(), last: "house".into() });
        // Real names that look like placeholders' words stay names.
        assert_eq!(
            PersonName::from_parts("Julia", "Child"),
            PersonName { first: "julia".into(), last: "child".into() }
        );
        assert_eq!(PersonName::from_parts("Nina", "House"), PersonName { first: "nina".into(), last: "house".into() });
        assert_eq!(PersonName::from_parts("A", "La"), PersonName { first: "a".into(), last: "la".into() });
    }

    #[test]
    fn a_given_name_field_has_placeholders_of_its_own_and_mistyped_ones() {
        let unknown_given = |first: &str| PersonName::from_parts(first, "Weis");
        for first in ["Child", "Child F", "Female Child", "Minor", "Friend", "Gentelman", "Gentlemen", "Youngesd"] {
            assert_eq!(unknown_given(first), PersonName { first: "".into(), last: "weis".into() }, "{first}");
        }
        // The same words as surnames stay surnames, and real given names stay names.
        assert_eq!(PersonName::from_parts("Gary", "Friend").last, "friend");
        assert_eq!(PersonName::from_parts("Gentelman", "").last, "", "a lone placeholder is no surname either");
        assert_eq!(PersonName::from_parts("J R", "Smith").first, "j", "two initials are a name, not fillers");
        assert_eq!(PersonName::from_parts("Christopher", "Weis").first, "christopher");
        assert_eq!(PersonName::from_parts("Gwendolyn", "Weis").first, "gwendolyn");
    }

    #[test]
    fn nickname_compatible_uses_the_table() {
        assert!(nickname_compatible("bob", "robert"));
        assert!(nickname_compatible("bob", "rob"));
        assert!(nickname_compatible("liz", "elizabeth"));
        assert!(!nickname_compatible("bob", "william"));
        assert!(!nickname_compatible("", "robert"));
    }

    #[test]
    fn soundex_reference_values() {
        assert_eq!(soundex("robert"), "R163");
        assert_eq!(soundex("rupert"), "R163");
        assert_eq!(soundex("ashcraft"), "A261");
        assert_eq!(soundex("tymczak"), "T522");
        assert_eq!(soundex("pfister"), "P236");
        assert_eq!(soundex(""), "");
    }
}
