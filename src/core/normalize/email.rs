//! E-mail addresses in canonical form: lower case, no `+tag`, and for Gmail no dots, so
//! one mailbox written several ways compares equal.

use super::domain::is_free_mail;

/// A syntactically valid, canonical e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email {
    pub local: super::Text,
    pub domain: super::Text,
}

impl Email {
    /// Parses and canonicalises; `None` for anything that is not one address.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().trim_start_matches("mailto:").to_ascii_lowercase();
        let (local, domain) = raw.rsplit_once('@')?;
        let domain = domain.trim_end_matches('.');
        let valid_domain = domain.contains('.')
            && domain.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if local.is_empty()
            || local.len() > 64
            || !valid_domain
            || local.contains(char::is_whitespace)
            || local.contains('@')
        {
            return None;
        }
        let mut local = local.split('+').next().unwrap_or(local).to_string();
        let domain = if domain == "googlemail.com" { "gmail.com".to_string() } else { domain.to_string() };
        if domain == "gmail.com" {
            local.retain(|c| c != '.');
        }
        (!local.is_empty()).then(|| Self { local: local.into(), domain: domain.into() })
    }

    /// `local@domain`.
    pub fn address(&self) -> String {
        format!("{}@{}", self.local, self.domain)
    }

    /// The domain when it can say where someone works (not a free-mail provider).
    pub fn company_domain(&self) -> Option<&str> {
        (!is_free_mail(&self.domain)).then_some(self.domain.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_canonicalises() {
        assert_eq!(Email::parse(" Jane.Doe+crm@GoogleMail.com ").unwrap().address(), "janedoe@gmail.com");
        assert_eq!(Email::parse("j.doe+x@Acme.co.uk").unwrap().address(), "j.doe@acme.co.uk");
    }

    #[test]
    fn parse_rejects_non_addresses() {
        for bad in ["", "jane", "jane@", "@acme.com", "jane@acme", "a b@acme.com", "x@y@acme.com", "j@acme..com"] {
            assert_eq!(Email::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn company_domain_ignores_free_mail() {
        assert_eq!(Email::parse("a@gmail.com").unwrap().company_domain(), None);
        assert_eq!(Email::parse("a@acme.com").unwrap().company_domain(), Some("acme.com"));
    }
}
