//! How an imported record is named to users, the same on a badge, in the widget and in
//! contact details: a person as "First Last" (either part alone when the other is empty),
//! or the record's `Name` when it has neither.

/// A person's display name from a Lead's or Contact's `FirstName`, `LastName`, `Name`.
pub fn person_name(first: &str, last: &str, name: &str) -> String {
    let joined = format!("{} {}", first.trim(), last.trim());
    let joined = joined.trim();
    if joined.is_empty() {
        name.trim().to_string()
    } else {
        joined.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_and_last_else_the_name() {
        assert_eq!(person_name("Ada", "Lovelace", "x"), "Ada Lovelace");
        assert_eq!(person_name("", " Lovelace ", ""), "Lovelace");
        assert_eq!(person_name(" ", "", "Ada L."), "Ada L.");
    }
}
