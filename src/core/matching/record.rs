//! The records the matcher compares: CRM people (Lead, Contact) and accounts on one
//! side, network profiles and companies on the other, every field already normalised.
//! Any field may be empty, meaning unknown.

use crate::core::normalize::{
    company_key, fold, nickname_groups_of, registrable_domain, title_key, to_e164, Email, Location, PersonName, Text,
};
use crate::core::sf::{SObjectType, SalesforceId};

/// What a CRM record is, which decides precedence among duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CrmKind {
    Contact,
    Lead,
    Account,
}

impl CrmKind {
    /// The kind of an id's object, if it is one crmsync matches.
    pub fn of(id: &SalesforceId) -> Option<Self> {
        match id.object_type()? {
            SObjectType::Contact => Some(Self::Contact),
            SObjectType::Lead => Some(Self::Lead),
            SObjectType::Account => Some(Self::Account),
            _ => None,
        }
    }
}

/// A person, normalised: a CRM Lead/Contact or a network profile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonRecord {
    /// CRM 18-character id, or the network's profile id.
    pub id: Text,
    pub kind: Option<CrmKind>,
    pub name: PersonName,
    /// Nickname groups of the first name (see `normalize::name`).
    pub first_name_groups: &'static [u32],
    pub email: Option<Email>,
    /// E.164 numbers (work, mobile).
    pub phones: Vec<Text>,
    /// `company_key` of the employer.
    pub company: Text,
    /// `title_key` of the job title: among namesakes at one employer, or a person who
    /// moved on, the role still tells people apart.
    pub title: Text,
    pub location: Location,
    /// Folded street line(s).
    pub street: Text,
    /// Postal code without spaces.
    pub postal: Text,
}

/// A company, normalised: a CRM Account or a network company page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompanyRecord {
    pub id: Text,
    pub name: Text,
    /// Registrable domain of the website.
    pub domain: Text,
    pub phones: Vec<Text>,
    pub location: Location,
    pub street: Text,
    pub postal: Text,
}

/// Raw person fields by meaning, before normalisation (any may be empty).
#[derive(Debug, Clone, Default)]
pub struct PersonInput<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    /// Used when first/last are both empty.
    pub full_name: &'a str,
    pub email: &'a str,
    pub phones: [&'a str; 2],
    pub company: &'a str,
    /// Job title (a CRM Title, a profile's title or its headline's role).
    pub title: &'a str,
    pub street: &'a str,
    pub city: &'a str,
    pub state: &'a str,
    pub postal_code: &'a str,
    pub country: &'a str,
    /// Free-text location ("Greater Boston Area"), used when city/state/country are empty.
    pub location_text: &'a str,
}

/// Raw company fields by meaning.
#[derive(Debug, Clone, Default)]
pub struct CompanyInput<'a> {
    pub name: &'a str,
    pub website: &'a str,
    pub phone: &'a str,
    pub street: &'a str,
    pub city: &'a str,
    pub state: &'a str,
    pub postal_code: &'a str,
    pub country: &'a str,
    pub location_text: &'a str,
}

/// Default phone region when a record names no country.
pub const DEFAULT_REGION: &str = "US";

fn location_of(city: &str, state: &str, country: &str, text: &str) -> Location {
    if city.trim().is_empty() && state.trim().is_empty() && country.trim().is_empty() {
        Location::from_text(text)
    } else {
        Location::from_fields(city, state, country)
    }
}

fn phones_of(raw: &[&str], location: &Location) -> Vec<Text> {
    let region =
        if location.country.is_empty() { DEFAULT_REGION.to_string() } else { location.country.to_ascii_uppercase() };
    let mut out: Vec<Text> = raw.iter().filter_map(|p| to_e164(p, &region)).map(Text::from).collect();
    out.dedup();
    out
}

fn postal_of(raw: &str) -> Text {
    raw.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

impl PersonRecord {
    /// Normalises raw fields into a comparable record.
    pub fn new(id: Text, kind: Option<CrmKind>, input: &PersonInput<'_>) -> Self {
        let name = if input.first_name.trim().is_empty() && input.last_name.trim().is_empty() {
            PersonName::from_full(input.full_name)
        } else {
            PersonName::from_parts(input.first_name, input.last_name)
        };
        let location = location_of(input.city, input.state, input.country, input.location_text);
        Self {
            id,
            kind,
            first_name_groups: nickname_groups_of(&name.first),
            name,
            email: Email::parse(input.email),
            phones: phones_of(&input.phones, &location),
            company: company_key(input.company).into(),
            title: title_key(input.title).into(),
            street: fold(input.street).into(),
            postal: postal_of(input.postal_code),
            location,
        }
    }
}

impl CompanyRecord {
    /// Normalises raw fields into a comparable record.
    pub fn new(id: Text, input: &CompanyInput<'_>) -> Self {
        let location = location_of(input.city, input.state, input.country, input.location_text);
        Self {
            id,
            name: company_key(input.name).into(),
            domain: registrable_domain(input.website).unwrap_or_default().into(),
            phones: phones_of(&[input.phone], &location),
            street: fold(input.street).into(),
            postal: postal_of(input.postal_code),
            location,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_new_normalises_every_field() {
        let input = PersonInput {
            first_name: "Bob",
            last_name: "van der Berg",
            email: "Bob.Berg+x@Acme.com",
            phones: ["(415) 555-0123", ""],
            company: "Acme, Inc.",
            title: "Sr. Account Exec",
            city: "San Francisco",
            state: "CA",
            country: "USA",
            postal_code: "94105 ",
            ..Default::default()
        };
        let p = PersonRecord::new("x".into(), None, &input);
        assert_eq!(p.name.last, "berg");
        assert_eq!(p.email.unwrap().address(), "bob.berg@acme.com");
        assert_eq!(p.phones, ["+14155550123"]);
        assert_eq!(p.company, "acme");
        assert_eq!(p.title, "account executive senior");
        assert_eq!(p.location.region, "ca");
        assert_eq!(p.postal, "94105");
    }

    #[test]
    fn person_new_uses_free_text_location_and_full_name() {
        let input = PersonInput {
            full_name: "Dr. Jane Doe",
            location_text: "Sydney, New South Wales, Australia",
            phones: ["0412 345 678", ""],
            ..Default::default()
        };
        let p = PersonRecord::new("p".into(), None, &input);
        assert_eq!(p.name.first, "jane");
        assert_eq!(p.location.country, "au");
        assert_eq!(p.phones, ["+61412345678"]);
    }

    #[test]
    fn company_new_reduces_website_to_domain() {
        let c = CompanyRecord::new(
            "c".into(),
            &CompanyInput { name: "ACME GmbH", website: "https://www.acme.de/kontakt", ..Default::default() },
        );
        assert_eq!((c.name.as_str(), c.domain.as_str()), ("acme", "acme.de"));
    }
}
