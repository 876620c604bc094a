//! Job titles reduced to what they say ("Sr. VP, Sales" → "president sales senior vice"),
//! so a CRM record's Title and a profile's title or headline compare on the role, not on
//! how it was abbreviated or in which order its words came.

use super::text::fold;

/// Abbreviations written out, so "VP Sales" and "Vice President of Sales" agree.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("vp", "vice president"),
    ("svp", "senior vice president"),
    ("evp", "executive vice president"),
    ("avp", "assistant vice president"),
    ("sr", "senior"),
    ("snr", "senior"),
    ("jr", "junior"),
    ("mgr", "manager"),
    ("mngr", "manager"),
    ("dir", "director"),
    ("eng", "engineer"),
    ("engr", "engineer"),
    ("exec", "executive"),
    ("acct", "account"),
    ("mktg", "marketing"),
    ("ops", "operations"),
    ("assoc", "associate"),
    ("asst", "assistant"),
    ("pres", "president"),
    ("dev", "developer"),
    ("admin", "administrator"),
    ("rep", "representative"),
    ("hr", "human resources"),
    ("it", "information technology"),
];

/// Words that join a title's parts without saying anything of the role.
const FILLERS: &[&str] = &["of", "and", "the", "for", "a", "an", "in", "at", "to"];

/// The comparable form of a title: folded, abbreviations written out, fillers dropped,
/// words sorted (a role's words say the same in any order: "Sales Director", "Director,
/// Sales"). Empty when nothing is left.
pub fn title_key(raw: &str) -> String {
    let folded = fold(raw);
    let mut words: Vec<&str> = Vec::new();
    for word in folded.split(' ').filter(|w| !w.is_empty()) {
        match ABBREVIATIONS.iter().find(|(short, _)| *short == word) {
            Some((_, long)) => words.extend(long.split(' ')),
            None if FILLERS.contains(&word) => {}
            None => words.push(word),
        }
    }
    words.sort_unstable();
    words.dedup();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_role_written_differently_is_one_key() {
        assert_eq!(title_key("VP Sales"), title_key("Vice President of Sales"));
        assert_eq!(title_key("Sales Director"), title_key("Director, Sales"));
        assert_eq!(title_key("Sr. Software Eng."), title_key("Senior Software Engineer"));
        assert_eq!(title_key("VP Sales"), "president sales vice");
        assert_ne!(title_key("VP Sales"), title_key("VP Marketing"));
        assert_eq!(title_key("  of the  "), "");
        assert_eq!(title_key(""), "");
    }
}
