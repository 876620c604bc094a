//! String similarity measures used by comparison levels.

/// Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 characters), on bytes:
/// inputs are already folded to ASCII.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    // Names and streets are short; past 64 bytes only the start is compared.
    let (a, b) = (&a.as_bytes()[..a.len().min(64)], &b.as_bytes()[..b.len().min(64)]);
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_matched = [false; 64];
    let mut b_matched = [false; 64];
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_matched[j] && b[j] == ca {
                a_matched[i] = true;
                b_matched[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for i in 0..a.len() {
        if a_matched[i] {
            while !b_matched[j] {
                j += 1;
            }
            if a[i] != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64 / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// True when `a` and `b` differ by at most one edit: a substitution, an insertion or
/// deletion, or a swap of two neighbours (Damerau–Levenshtein ≤ 1), e.g. "6158"/"6185".
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if prefix == short.len() {
        return true;
    }
    if short.len() == long.len() {
        let same_rest = |from: usize| short[from..] == long[from..];
        same_rest(prefix + 1)
            || (prefix + 1 < short.len()
                && short[prefix] == long[prefix + 1]
                && short[prefix + 1] == long[prefix]
                && same_rest(prefix + 2))
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// Share of distinct tokens in common (Jaccard), for multi-word names and streets.
/// Allocation-free: it runs on millions of candidate pairs.
pub fn token_jaccard(a: &str, b: &str) -> f64 {
    fn tokens(s: &str) -> impl Iterator<Item = &str> {
        s.split(' ').filter(|t| !t.is_empty())
    }
    let distinct = |s: &str| tokens(s).enumerate().filter(|(i, t)| !tokens(s).take(*i).any(|u| u == *t)).count();
    let (na, nb) = (distinct(a), distinct(b));
    if na == 0 || nb == 0 {
        return 0.0;
    }
    let common = tokens(a)
        .enumerate()
        .filter(|(i, t)| !tokens(a).take(*i).any(|u| u == *t) && tokens(b).any(|u| u == *t))
        .count();
    common as f64 / (na + nb - common) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_reference_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 1e-3);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.8133).abs() < 1e-3);
        assert_eq!(jaro_winkler("", "x"), 0.0);
        assert_eq!(jaro_winkler("same", "same"), 1.0);
    }

    #[test]
    fn within_one_edit_cases() {
        assert!(within_one_edit("6158", "6185"));
        assert!(within_one_edit("6158", "6159"));
        assert!(within_one_edit("615", "6158"));
        assert!(within_one_edit("abc", "abc"));
        assert!(!within_one_edit("6158", "8516"));
        assert!(!within_one_edit("12", "1234"));
        assert!(!within_one_edit("ab", "ba c"));
    }

    #[test]
    fn token_jaccard_counts_shared_tokens() {
        assert_eq!(token_jaccard("acme software", "acme"), 0.5);
        assert_eq!(token_jaccard("a b", "c d"), 0.0);
        assert_eq!(token_jaccard("", "a"), 0.0);
        assert_eq!(token_jaccard("a a b", "a c"), 1.0 / 3.0);
    }
}
