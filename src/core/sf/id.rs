//! Salesforce record ids: the 15-character case-sensitive form users see and the
//! 18-character form the API returns (docs/salesforce.md §7).
//!
//! Everything crmsync stores or compares is the 18-character form, so an id pasted from
//! a report (15), read from a Classic URL (15 or 18) or lower-cased by a spreadsheet (18,
//! case restored from the suffix) always names the same record.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::object::SObjectType;

/// The alphabet of the three checksum characters: bit patterns 0..=31.
const SUFFIX_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// Why a string is not a Salesforce record id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Ids are 15 or 18 characters; anything else was mistyped or truncated.
    #[error("a Salesforce id has 15 or 18 characters, this one has {0}")]
    WrongLength(usize),
    /// Ids are base-62: only ASCII letters and digits.
    #[error("character {ch:?} at position {position} is not allowed in a Salesforce id (only letters and digits)")]
    InvalidCharacter { ch: char, position: usize },
    /// The last three characters do not fit the first fifteen: the id was altered.
    #[error(
        "the checksum suffix {found:?} does not match the id (expected {expected:?}); check the id was copied whole"
    )]
    ChecksumMismatch { expected: String, found: String },
}

/// A validated record id, always held in its 18-character form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SalesforceId([u8; 18]);

impl SalesforceId {
    /// Parses a 15- or 18-character id. An 18-character id whose case was lost (e.g.
    /// lower-cased) is repaired from its suffix when the suffix allows it.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let trimmed = input.trim();
        let len = trimmed.chars().count();
        if len != 15 && len != 18 {
            return Err(IdError::WrongLength(len));
        }
        if let Some((position, ch)) = trimmed.chars().enumerate().find(|(_, c)| !c.is_ascii_alphanumeric()) {
            return Err(IdError::InvalidCharacter { ch, position });
        }
        let bytes = trimmed.as_bytes();
        let mut id = [0u8; 18];
        id[..15].copy_from_slice(&bytes[..15]);
        let expected = checksum(&id[..15]);
        id[15..].copy_from_slice(&expected);
        if len == 15 {
            return Ok(Self(id));
        }
        let found = bytes[15..18].to_ascii_uppercase();
        if found == expected {
            return Ok(Self(id));
        }
        // Only an id whose case was folded wholesale (a case-insensitive system lower- or
        // upper-cased it) is repaired; mixed case with a wrong suffix is an altered id.
        let body = &bytes[..15];
        let folded = !body.iter().any(u8::is_ascii_uppercase) || !body.iter().any(u8::is_ascii_lowercase);
        folded.then(|| restore_case(body, &found)).flatten().map(Self).ok_or_else(|| IdError::ChecksumMismatch {
            expected: String::from_utf8_lossy(&expected).into_owned(),
            found: String::from_utf8_lossy(&bytes[15..18]).into_owned(),
        })
    }

    /// The 18-character form, as the API returns it.
    pub fn as_str(&self) -> &str {
        // Only ASCII alphanumerics are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The 15-character, case-sensitive form shown in the Salesforce UI.
    pub fn to_15(&self) -> &str {
        &self.as_str()[..15]
    }

    /// The three-character key prefix (`003` for a Contact …).
    pub fn key_prefix(&self) -> &str {
        &self.as_str()[..3]
    }

    /// The standard object this id belongs to, if its prefix is a standard one.
    pub fn object_type(&self) -> Option<SObjectType> {
        SObjectType::from_key_prefix(self.key_prefix())
    }
}

/// The three suffix characters for a 15-character id.
fn checksum(id15: &[u8]) -> [u8; 3] {
    let mut suffix = [0u8; 3];
    for (chunk_index, chunk) in id15.chunks(5).enumerate() {
        let bits =
            chunk.iter().enumerate().filter(|(_, c)| c.is_ascii_uppercase()).fold(0usize, |acc, (i, _)| acc | (1 << i));
        suffix[chunk_index] = SUFFIX_ALPHABET[bits];
    }
    suffix
}

/// Re-creates the original case of `id15` from a suffix: each suffix character says which
/// of its five characters were upper case. `None` when the suffix marks a digit as upper
/// case, i.e. the suffix does not belong to these characters.
fn restore_case(id15: &[u8], suffix: &[u8]) -> Option<[u8; 18]> {
    let mut id = [0u8; 18];
    for (chunk_index, &s) in suffix.iter().enumerate() {
        let bits = SUFFIX_ALPHABET.iter().position(|&a| a == s)?;
        for i in 0..5 {
            let c = id15[chunk_index * 5 + i];
            let upper = bits & (1 << i) != 0;
            id[chunk_index * 5 + i] = match (upper, c.is_ascii_alphabetic()) {
                (true, false) => return None,
                (true, true) => c.to_ascii_uppercase(),
                (false, _) => c.to_ascii_lowercase(),
            };
        }
    }
    id[15..].copy_from_slice(suffix);
    Some(id)
}

impl fmt::Display for SalesforceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for SalesforceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SalesforceId({})", self.as_str())
    }
}

impl FromStr for SalesforceId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for SalesforceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SalesforceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_15_adds_published_suffixes() {
        let vectors = [
            ("a0BA0000000L2ZC", "a0BA0000000L2ZCMA0"),
            ("70130000001tcyI", "70130000001tcyIAAQ"),
            ("AaaAABbbBBCccCC", "AaaAABbbBBCccCCZZZ"),
            ("AAaAAbbBBBCcCCC", "AAaAAbbBBBCcCCC123"),
        ];
        for (id15, id18) in vectors {
            assert_eq!(SalesforceId::parse(id15).unwrap().as_str(), id18);
            assert_eq!(SalesforceId::parse(id18).unwrap().to_15(), id15);
        }
    }

    #[test]
    fn parse_18_case_folded_restores_case() {
        let id = SalesforceId::parse("0037e00001wz30qaad").unwrap();
        assert_eq!(id.as_str(), "0037e00001WZ30qAAD");
        let id = SalesforceId::parse("0037E00001WZ30QAAD").unwrap();
        assert_eq!(id.as_str(), "0037e00001WZ30qAAD");
    }

    #[test]
    fn parse_rejects_doc_placeholders() {
        assert!(matches!(SalesforceId::parse("7986gEXAMPLE4X2OPT"), Err(IdError::ChecksumMismatch { .. })));
        assert!(matches!(SalesforceId::parse("0055fEXAMPLEtG4AAM"), Err(IdError::ChecksumMismatch { .. })));
    }

    #[test]
    fn parse_rejects_wrong_length_and_characters() {
        assert_eq!(SalesforceId::parse("003abc"), Err(IdError::WrongLength(6)));
        assert_eq!(SalesforceId::parse(""), Err(IdError::WrongLength(0)));
        assert_eq!(SalesforceId::parse("0037e00001WZ30-"), Err(IdError::InvalidCharacter { ch: '-', position: 14 }));
        assert_eq!(SalesforceId::parse("0037e00001WZ30é"), Err(IdError::InvalidCharacter { ch: 'é', position: 14 }));
    }

    #[test]
    fn parse_rejects_altered_suffix() {
        let err = SalesforceId::parse("0037e00001WZ30qAAE").unwrap_err();
        assert!(err.to_string().contains("\"AAE\""), "{err}");
    }

    #[test]
    fn object_type_comes_from_prefix() {
        let id = SalesforceId::parse("00Qg5000008th4X").unwrap();
        assert_eq!(id.object_type(), Some(SObjectType::Lead));
        assert_eq!(id.as_str(), "00Qg5000008th4XEAQ");
    }

    #[test]
    fn serde_round_trip_normalises_to_18() {
        let id: SalesforceId = serde_json::from_str("\"0015Y00002ZbgP3\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"0015Y00002ZbgP3QAJ\"");
        assert!(serde_json::from_str::<SalesforceId>("\"nope\"").is_err());
    }
}
