//! Phone numbers to E.164 (`+14155550123`), using the record's country (or a default
//! region) for national numbers, so "(415) 555-0123" and "+1 415 555 0123" are equal.

/// Country calling code and national trunk prefix, by ISO 3166 alpha-2 code.
/// Italy keeps its leading 0 in international form, so it has no trunk prefix here.
const REGIONS: &[(&str, &str, &str)] = &[
    ("US", "1", "1"),
    ("CA", "1", "1"),
    ("GB", "44", "0"),
    ("IE", "353", "0"),
    ("DE", "49", "0"),
    ("AT", "43", "0"),
    ("CH", "41", "0"),
    ("FR", "33", "0"),
    ("BE", "32", "0"),
    ("NL", "31", "0"),
    ("LU", "352", ""),
    ("ES", "34", ""),
    ("PT", "351", ""),
    ("IT", "39", ""),
    ("DK", "45", ""),
    ("NO", "47", ""),
    ("SE", "46", "0"),
    ("FI", "358", "0"),
    ("PL", "48", ""),
    ("CZ", "420", ""),
    ("AU", "61", "0"),
    ("NZ", "64", "0"),
    ("SG", "65", ""),
    ("HK", "852", ""),
    ("JP", "81", "0"),
    ("KR", "82", "0"),
    ("CN", "86", "0"),
    ("IN", "91", "0"),
    ("IL", "972", "0"),
    ("AE", "971", "0"),
    ("ZA", "27", "0"),
    ("BR", "55", "0"),
    ("MX", "52", ""),
    ("AR", "54", "0"),
    ("TR", "90", "0"),
    ("RU", "7", "8"),
];

/// Normalises `raw` to E.164; `region` (ISO alpha-2) decides national numbers.
/// `None` when it is not a plausible phone number.
pub fn to_e164(raw: &str, region: &str) -> Option<String> {
    let lower = raw.to_ascii_lowercase();
    // Drop extensions: "x123", "ext. 123", "#123".
    let main = ["ext", "x", "#"].iter().fold(lower.as_str(), |s, sep| s.split(sep).next().unwrap_or(s));
    let main: std::borrow::Cow<'_, str> =
        if main.contains("(0)") { main.replace("(0)", "").into() } else { main.into() };
    let plus = main.trim_start().starts_with('+');
    let digits: String = main.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() || main.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let (code, trunk) =
        REGIONS.iter().find(|(r, _, _)| r.eq_ignore_ascii_case(region)).map(|(_, c, t)| (*c, *t)).unwrap_or(("1", "1"));
    let international = if plus {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else if let Some(rest) = digits.strip_prefix("011").filter(|_| code == "1") {
        rest.to_string()
    } else if code == "1" && digits.len() == 11 && digits.starts_with('1') {
        digits
    } else {
        let national = if trunk.is_empty() { digits.as_str() } else { digits.strip_prefix(trunk).unwrap_or(&digits) };
        if code == "1" && national.len() != 10 {
            return None;
        }
        format!("{code}{national}")
    };
    (8..=15).contains(&international.len()).then(|| format!("+{international}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_e164_national_and_international_forms() {
        assert_eq!(to_e164("(415) 555-0123", "US").as_deref(), Some("+14155550123"));
        assert_eq!(to_e164("1-415-555-0123", "US").as_deref(), Some("+14155550123"));
        assert_eq!(to_e164("+1 415 555 0123 ext. 12", "DE").as_deref(), Some("+14155550123"));
        assert_eq!(to_e164("020 7946 0958", "GB").as_deref(), Some("+442079460958"));
        assert_eq!(to_e164("+44 (0) 20 7946 0958", "US").as_deref(), Some("+442079460958"));
        assert_eq!(to_e164("0049 30 1234567", "US").as_deref(), Some("+49301234567"));
        assert_eq!(to_e164("(02) 9876 5432", "AU").as_deref(), Some("+61298765432"));
        assert_eq!(to_e164("06 1234 5678", "IT").as_deref(), Some("+390612345678"));
    }

    #[test]
    fn to_e164_rejects_junk() {
        for bad in ["", "n/a", "555-0123", "call me", "+1 2", "12345678901234567"] {
            assert_eq!(to_e164(bad, "US"), None, "{bad}");
        }
    }
}
