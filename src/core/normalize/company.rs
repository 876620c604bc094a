//! Company names without legal forms and noise ("The ACME Group, Inc." → "acme"), so a
//! CRM account and a network company page compare on what actually names the business.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::text::tokens;

/// Legal-form suffixes: `data/legal_forms.txt` (PyPI `cleanco` 2.3, MIT).
const LEGAL_FORMS: &str = include_str!("data/legal_forms.txt");

/// Words that decorate a company name without distinguishing it.
const NOISE: &[&str] =
    &["the", "group", "holding", "holdings", "international", "intl", "worldwide", "global", "and", "co", "company"];

/// Legal forms as folded token sequences ("pty ltd" → ["pty", "ltd"]), indexed by their
/// last token, longest first within each.
fn legal_forms() -> &'static HashMap<String, Vec<Vec<String>>> {
    static FORMS: OnceLock<HashMap<String, Vec<Vec<String>>>> = OnceLock::new();
    FORMS.get_or_init(|| {
        let set: HashSet<Vec<String>> = LEGAL_FORMS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(tokens)
            .filter(|t| !t.is_empty())
            .collect();
        let mut by_last: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        for form in set {
            by_last.entry(form[form.len() - 1].clone()).or_default().push(form);
        }
        for forms in by_last.values_mut() {
            forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        }
        by_last
    })
}

/// The comparable core of a company name; empty when nothing distinctive remains.
pub fn company_key(name: &str) -> String {
    let mut t = tokens(&name.replace('&', " and "));
    // Strip trailing legal forms repeatedly ("Acme Holdings Pty Ltd"), keeping one token.
    'strip: loop {
        let candidates = t.last().and_then(|last| legal_forms().get(last)).map(Vec::as_slice).unwrap_or_default();
        for form in candidates {
            if t.len() > form.len() && t.ends_with(form) {
                t.truncate(t.len() - form.len());
                continue 'strip;
            }
        }
        if t.len() > 1 && t.last().is_some_and(|w| NOISE.contains(&w.as_str())) {
            t.pop();
            continue;
        }
        break;
    }
    while t.len() > 1 && NOISE.contains(&t[0].as_str()) {
        t.remove(0);
    }
    t.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_key_strips_legal_forms_and_noise() {
        assert_eq!(company_key("The ACME Group, Inc."), "acme");
        assert_eq!(company_key("Siemens AG"), "siemens");
        assert_eq!(company_key("Müller & Söhne GmbH & Co. KG"), "muller and sohne");
        assert_eq!(company_key("Acme Holdings Pty Ltd"), "acme");
        assert_eq!(company_key("Philips N.V."), "philips");
        assert_eq!(company_key("Banco Santander, S.A."), "banco santander");
        assert_eq!(company_key("Limited"), "limited");
        assert_eq!(company_key(""), "");
    }
}
