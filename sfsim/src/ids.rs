//! Record ids that look and check like real ones: key prefix, a pod, a base-62 sequence
//! and the checksum suffix from the core, so clients validate them like production ids.

use crmsync::core::sf::SalesforceId;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The simulator's pod, characters 4–5 of every id it makes.
const POD: &str = "5S";

/// The 18-character id number `seq` of the object with key prefix `prefix`.
pub fn make_id(prefix: &str, seq: u64) -> String {
    let mut digits = [b'0'; 10];
    let mut n = seq;
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    let id15 = format!("{prefix}{POD}{}", String::from_utf8_lossy(&digits));
    SalesforceId::parse(&id15).map(|id| id.as_str().to_string()).unwrap_or(id15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_id_is_valid_and_distinct() {
        let a = make_id("003", 1);
        let b = make_id("003", 62);
        assert_eq!(a.len(), 18);
        assert_ne!(a, b);
        assert_eq!(SalesforceId::parse(&a).unwrap().as_str(), a);
        assert!(a.starts_with("0035S"));
    }
}
