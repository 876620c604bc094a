//! The sObject types crmsync reads or writes, and the key prefixes that identify them.
//!
//! Key prefixes are the same in every org (docs/salesforce.md §7), so an id alone tells the
//! object: a pasted id, a Classic URL or a CSV row needs no describe call.

use serde::{Deserialize, Serialize};

/// A standard sObject type that crmsync knows by name and key prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SObjectType {
    Account,
    Note,
    Contact,
    User,
    Opportunity,
    Organization,
    UserRole,
    Lead,
    Task,
    Event,
    RecordType,
    OpportunityContactRole,
    ContentDocument,
    Case,
    Campaign,
    Contract,
}

/// Key prefix ↔ type, the single table both directions read from.
const PREFIXES: &[(&str, SObjectType)] = &[
    ("001", SObjectType::Account),
    ("002", SObjectType::Note),
    ("003", SObjectType::Contact),
    ("005", SObjectType::User),
    ("006", SObjectType::Opportunity),
    ("00D", SObjectType::Organization),
    ("00E", SObjectType::UserRole),
    ("00Q", SObjectType::Lead),
    ("00T", SObjectType::Task),
    ("00U", SObjectType::Event),
    ("012", SObjectType::RecordType),
    ("00K", SObjectType::OpportunityContactRole),
    ("069", SObjectType::ContentDocument),
    ("500", SObjectType::Case),
    ("701", SObjectType::Campaign),
    ("800", SObjectType::Contract),
];

impl SObjectType {
    /// The type named by a record id's first three characters, if it is a standard one.
    pub fn from_key_prefix(prefix: &str) -> Option<Self> {
        PREFIXES.iter().find(|(p, _)| *p == prefix).map(|(_, t)| *t)
    }

    /// The three-character key prefix of this type's record ids.
    pub fn key_prefix(self) -> &'static str {
        PREFIXES.iter().find(|(_, t)| *t == self).map(|(p, _)| *p).unwrap_or("000")
    }

    /// The API name, as used in URLs and SOQL (`Contact`, `Lead` …).
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Account => "Account",
            Self::Note => "Note",
            Self::Contact => "Contact",
            Self::User => "User",
            Self::Opportunity => "Opportunity",
            Self::Organization => "Organization",
            Self::UserRole => "UserRole",
            Self::Lead => "Lead",
            Self::Task => "Task",
            Self::Event => "Event",
            Self::RecordType => "RecordType",
            Self::OpportunityContactRole => "OpportunityContactRole",
            Self::ContentDocument => "ContentDocument",
            Self::Case => "Case",
            Self::Campaign => "Campaign",
            Self::Contract => "Contract",
        }
    }

    /// The type with this API name (exact, as Salesforce spells it).
    pub fn from_api_name(name: &str) -> Option<Self> {
        PREFIXES.iter().map(|(_, t)| *t).find(|t| t.api_name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_prefix_round_trips_for_every_type() {
        for (prefix, ty) in PREFIXES {
            assert_eq!(SObjectType::from_key_prefix(prefix), Some(*ty));
            assert_eq!(ty.key_prefix(), *prefix);
            assert_eq!(SObjectType::from_api_name(ty.api_name()), Some(*ty));
        }
    }

    #[test]
    fn from_key_prefix_unknown_is_none() {
        assert_eq!(SObjectType::from_key_prefix("a0B"), None);
        assert_eq!(SObjectType::from_api_name("contact"), None);
    }
}
