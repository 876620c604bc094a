//! Small judgements about single texts of a network page: what a count, a connection
//! degree, pronouns or the "Contact info" link look like, in the languages the site is
//! most used in.

/// Whitespace collapsed and trimmed, leading bullets dropped ("· 3rd" → "3rd").
pub fn clean(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.trim_start_matches(['·', '•', '-', '–']).trim().to_string()
}

/// Phrases the site uses for a page without a subject.
const NOT_FOUND: [&str; 7] = [
    "profile not found",
    "page not found",
    "could not be found",
    "doesn’t exist",
    "doesn't exist",
    "this page isn’t available",
    "this page isn't available",
];

/// True when a title or heading says the profile or page does not exist.
pub fn says_not_found(text: &str) -> bool {
    let lower = text.to_lowercase();
    NOT_FOUND.iter().any(|p| lower.contains(p))
}

/// The name in a tab title: "(3) Ada Lovelace | LinkedIn" → "Ada Lovelace";
/// "Ada Lovelace - Engineer - Acme | LinkedIn" → "Ada Lovelace"; "Acme: Overview | …" → "Acme".
pub fn name_from_title(title: &str) -> String {
    if says_not_found(title) {
        return String::new();
    }
    let mut rest = title.trim();
    // A notification count the site puts first.
    if let Some(after) = rest.strip_prefix('(').and_then(|r| r.split_once(") ")) {
        if after.0.chars().all(|c| c.is_ascii_digit() || c == '+') {
            rest = after.1;
        }
    }
    let Some((before, _site)) = rest.rsplit_once(" | ") else { return String::new() };
    let name = before.split(" - ").next().unwrap_or_default();
    let name = name.split(": ").next().unwrap_or_default();
    clean(name)
}

/// "(He/Him)", "(she/they)": pronouns shown beside a name.
pub fn is_pronouns(text: &str) -> bool {
    text.starts_with('(') && text.ends_with(')') && text.chars().count() <= 30
}

/// "1st", "2nd", "3rd+", "3rd degree connection", "Out of network".
pub fn is_degree(text: &str) -> bool {
    let lower = text.to_lowercase();
    let word = lower.strip_suffix(" degree connection").unwrap_or(&lower);
    matches!(word, "1st" | "2nd" | "3rd" | "3rd+" | "out of network") || lower == "you"
}

/// Counts shown in a card: "500+", "connections", "698 followers", "38 employees".
pub fn is_count(text: &str) -> bool {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let counted = ["connections", "connection", "followers", "follower", "employees", "employee", "members"];
    let numeric =
        |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '+' | 'k' | 'm'));
    match words.as_slice() {
        [w] => numeric(w) || counted.contains(w),
        [n, w] => numeric(n) && counted.contains(w),
        [_, .., last] => {
            counted.contains(last) && words.iter().any(|w| numeric(w) && w.chars().any(|c| c.is_ascii_digit()))
        }
        [] => true,
    }
}

/// The "Contact info" link after a person's location.
pub fn is_contact_info(text: &str) -> bool {
    matches!(
        text.to_lowercase().as_str(),
        "contact info"
            | "contact information"
            | "kontaktinfo"
            | "kontaktinformationen"
            | "coordonnées"
            | "información de contacto"
            | "informações de contato"
            | "contactgegevens"
    )
}

/// The company an `aria-label` names: "Current company: Acme Inc.. Click to skip …" →
/// "Acme Inc.".
pub fn labelled_company(label: &str) -> Option<String> {
    const PREFIXES: [&str; 6] = [
        "current company:",
        "aktuelles unternehmen:",
        "entreprise actuelle :",
        "entreprise actuelle:",
        "empresa actual:",
        "empresa atual:",
    ];
    let lower = label.to_lowercase();
    let prefix = PREFIXES.iter().find(|p| lower.starts_with(*p))?;
    // Lower-casing can change byte lengths; cut by characters.
    let rest: String = label.chars().skip(prefix.chars().count()).collect();
    let name = match rest.find(". ") {
        // "Recruitjob.se. Click to skip" → "Recruitjob.se": the sentence after the name.
        Some(_) => rest.rsplit_once(". ").map(|(n, _)| n).unwrap_or(&rest).to_string(),
        None => rest.trim_end_matches('.').to_string(),
    };
    let name = clean(&name);
    (!name.is_empty()).then_some(name)
}

/// True when `href` points at a company page of the network.
pub fn is_company_link(href: &str) -> bool {
    href.contains("/company/") || href.contains("/sales/company/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_give_the_name_before_the_site() {
        assert_eq!(name_from_title("(3) Ada Lovelace | LinkedIn"), "Ada Lovelace");
        assert_eq!(name_from_title("Abgar Gulo - Co-Founder - Recruitjob.se | LinkedIn"), "Abgar Gulo");
        assert_eq!(name_from_title("Audiense: Overview | LinkedIn"), "Audiense");
        assert_eq!(name_from_title("Profile Not Found | LinkedIn"), "");
        assert_eq!(name_from_title("LinkedIn"), "");
    }

    #[test]
    fn counts_degrees_and_pronouns_are_not_facts() {
        for t in ["500+", "connections", "698 followers", "500+ connections", "2,362 followers", "38 employees"] {
            assert!(is_count(t), "{t}");
        }
        for t in ["Greater Stockholm Metropolitan Area", "London, England", "Researcher."] {
            assert!(!is_count(t), "{t}");
        }
        assert!(is_degree("3rd degree connection") && is_degree("2nd") && !is_degree("3rd Street"));
        assert!(is_pronouns("(He/Him)") && !is_pronouns("(Acme) Sales"));
        assert_eq!(clean("  · 3rd \n "), "3rd");
    }

    #[test]
    fn company_labels_keep_dots_inside_the_name() {
        assert_eq!(
            labelled_company("Current company: Recruitjob.se. Click to skip to experience card").as_deref(),
            Some("Recruitjob.se")
        );
        assert_eq!(labelled_company("Current company: Acme").as_deref(), Some("Acme"));
        assert_eq!(labelled_company("Education: KTH. Click to skip"), None);
        assert_eq!(labelled_company("Current company: . Click"), None);
    }
}
