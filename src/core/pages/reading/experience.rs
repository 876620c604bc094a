//! The experience section: the employer of the first role still held, for pages whose
//! top card does not name a current company.

use super::material::TextPiece;
use super::text::{self, clean};

/// Words that mark an ongoing role's end date.
const ONGOING: [&str; 5] = ["present", "heute", "aujourd’hui", "actualidad", "o momento"];

/// Employment types the site appends to a company ("Acme · Full-time").
const EMPLOYMENT: [&str; 9] = [
    "full-time",
    "part-time",
    "self-employed",
    "freelance",
    "contract",
    "internship",
    "apprenticeship",
    "seasonal",
    "permanent",
];

/// The company of the first ongoing role among the first entries; empty when none.
pub fn current_company(entries: &[Vec<TextPiece>]) -> String {
    for entry in entries.iter().take(3) {
        let mut texts: Vec<String> = entry.iter().map(|p| clean(&p.text)).filter(|t| !t.is_empty()).collect();
        // Pages repeat each text for screen readers.
        texts.dedup();
        if !texts.iter().any(|t| ONGOING.iter().any(|w| t.to_lowercase().contains(w))) {
            continue;
        }
        let linked = entry.iter().filter(|p| p.interactive && text::is_company_link(&p.href)).map(|p| clean(&p.text));
        if let Some(company) = linked.into_iter().find(|t| !t.is_empty()) {
            return company;
        }
        let Some(second) = texts.get(1) else { continue };
        let head = second.split(" · ").next().unwrap_or_default().trim();
        // "Acme · Full-time · 5 yrs" under a company heading: the roles are grouped.
        let company = if EMPLOYMENT.contains(&head.to_lowercase().as_str()) { texts[0].as_str() } else { head };
        if !company.is_empty() {
            return company.to_string();
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(texts: &[&str]) -> Vec<TextPiece> {
        texts.iter().map(|t| TextPiece { text: t.to_string(), ..TextPiece::default() }).collect()
    }

    #[test]
    fn the_first_ongoing_role_names_the_company() {
        let past = entry(&["Engineer", "Old Co · Full-time", "2019 - 2020"]);
        let now = entry(&["Co-Founder", "Co-Founder", "Recruitjob.se · Full-time", "Feb 2022 - Present · 2 yrs"]);
        assert_eq!(current_company(&[past.clone(), now]), "Recruitjob.se");
        let grouped = entry(&["Acme", "Full-time · 5 yrs", "Head of Sales", "Jan 2023 - Present"]);
        assert_eq!(current_company(&[grouped]), "Acme");
        assert_eq!(current_company(&[past]), "");
    }
}
