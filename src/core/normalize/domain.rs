//! Web and e-mail domains reduced to the registrable domain ("eu.shop.acme.co.uk" →
//! "acme.co.uk") with the Public Suffix List, and free-mail providers recognised, since
//! "gmail.com" says nothing about where someone works.

use std::collections::HashSet;
use std::sync::OnceLock;

/// ICANN section of the Public Suffix List (MPL-2.0; provenance in the file header).
const PSL: &str = include_str!("data/public_suffix_icann.dat");

/// Consumer mailbox providers: never a company domain.
const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "yahoo.de",
    "ymail.com",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "hotmail.de",
    "outlook.com",
    "live.com",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "gmx.de",
    "gmx.net",
    "gmx.com",
    "web.de",
    "t-online.de",
    "mail.ru",
    "yandex.ru",
    "yandex.com",
    "protonmail.com",
    "proton.me",
    "pm.me",
    "zoho.com",
    "qq.com",
    "163.com",
    "126.com",
    "naver.com",
    "free.fr",
    "orange.fr",
    "laposte.net",
    "libero.it",
    "virgilio.it",
    "btinternet.com",
    "comcast.net",
    "verizon.net",
    "att.net",
    "sbcglobal.net",
    "bigpond.com",
    "optusnet.com.au",
    "rediffmail.com",
    "fastmail.com",
    "hey.com",
    "tutanota.com",
    "seznam.cz",
    "wp.pl",
    "o2.pl",
    "interia.pl",
    "uol.com.br",
    "bol.com.br",
    "terra.com.br",
];

struct Rules {
    exact: HashSet<&'static str>,
    wildcard: HashSet<&'static str>,
    exception: HashSet<&'static str>,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut r = Rules { exact: HashSet::new(), wildcard: HashSet::new(), exception: HashSet::new() };
        for line in PSL.lines().filter(|l| !l.starts_with("//") && !l.is_empty()) {
            if let Some(rest) = line.strip_prefix("*.") {
                r.wildcard.insert(rest);
            } else if let Some(rest) = line.strip_prefix('!') {
                r.exception.insert(rest);
            } else {
                r.exact.insert(line);
            }
        }
        r
    })
}

/// True for consumer mail providers (gmail.com, outlook.com …).
pub fn is_free_mail(domain: &str) -> bool {
    FREE_MAIL.contains(&domain)
}

/// The host of a URL, bare host or e-mail address, lower-cased, without `www.`.
pub fn host_of(input: &str) -> Option<String> {
    let s = input.trim().to_ascii_lowercase();
    let s = s.rsplit_once('@').map_or(s.as_str(), |(_, d)| d);
    let s = s.split_once("://").map_or(s, |(_, rest)| rest);
    let host = s.split(['/', '?', '#']).next()?.rsplit('@').next()?.split(':').next()?.trim_end_matches('.');
    let host = host.strip_prefix("www.").unwrap_or(host);
    let valid = host.contains('.')
        && host.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    valid.then(|| host.to_string())
}

/// The registrable domain (public suffix plus one label) of a URL, host or e-mail.
pub fn registrable_domain(input: &str) -> Option<String> {
    let host = host_of(input)?;
    let labels: Vec<&str> = host.split('.').collect();
    let r = rules();
    // Length of the longest matching public suffix, in labels (default rule "*": 1).
    let mut suffix_len = 1;
    for i in 0..labels.len() {
        let candidate = labels[i..].join(".");
        let parent = labels[i + 1..].join(".");
        if r.exception.contains(candidate.as_str()) {
            suffix_len = labels.len() - i - 1;
            break;
        }
        if r.exact.contains(candidate.as_str()) || (i + 1 < labels.len() && r.wildcard.contains(parent.as_str())) {
            suffix_len = labels.len() - i;
            break;
        }
    }
    (labels.len() > suffix_len).then(|| labels[labels.len() - suffix_len - 1..].join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domain_uses_the_list() {
        assert_eq!(registrable_domain("https://eu.shop.acme.co.uk/about").as_deref(), Some("acme.co.uk"));
        assert_eq!(registrable_domain("www.Acme.com").as_deref(), Some("acme.com"));
        assert_eq!(registrable_domain("jane@mail.acme.com.au").as_deref(), Some("acme.com.au"));
        assert_eq!(registrable_domain("http://acme.de:8080").as_deref(), Some("acme.de"));
        assert_eq!(registrable_domain("co.uk"), None);
        assert_eq!(registrable_domain("not a domain"), None);
    }

    #[test]
    fn registrable_domain_wildcards_and_exceptions() {
        // PSL: *.ck with the exception !www.ck
        assert_eq!(registrable_domain("shop.acme.co.ck").as_deref(), Some("acme.co.ck"));
        assert_eq!(registrable_domain("www.ck").as_deref(), None);
        assert_eq!(registrable_domain("a.www.ck").as_deref(), Some("www.ck"));
    }

    #[test]
    fn free_mail_is_known() {
        assert!(is_free_mail("gmail.com"));
        assert!(!is_free_mail("acme.com"));
    }
}
