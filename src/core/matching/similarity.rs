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
    let (a_matched, b_matched) = matched(a, b);
    let matches = a_matched.count_ones();
    if matches == 0 {
        return 0.0;
    }
    // The k-th matched byte of `a` against the k-th matched byte of `b`.
    let (mut a_bits, mut b_bits, mut transpositions) = (a_matched, b_matched, 0usize);
    while a_bits != 0 {
        let (i, j) = (a_bits.trailing_zeros() as usize, b_bits.trailing_zeros() as usize);
        transpositions += usize::from(a[i] != b[j]);
        a_bits &= a_bits - 1;
        b_bits &= b_bits - 1;
    }
    let m = f64::from(matches);
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64 / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// Whether [`jaro_winkler`] of `a` and `b` is at least `threshold`, computing it only
/// when a cheap bound cannot rule it out: most compared names are strangers' and share
/// few letters (on the generated orgs the bound settles nine in ten below 0.8).
pub fn jaro_winkler_at_least(a: &str, b: &str, threshold: f64, known: &mut Option<f64>) -> bool {
    if let Some(jw) = *known {
        return jw >= threshold;
    }
    // The margin keeps rounding in the bound from settling a pair that meets `threshold`.
    if jaro_winkler_bound(a, b) < threshold - 1e-9 {
        return false;
    }
    *known.insert(jaro_winkler(a, b)) >= threshold
}

/// An upper bound on [`jaro_winkler`]: a byte of one text can only match a byte of the
/// other that it equals, so the matches are at most the bytes of each that occur in the
/// other (counted by their low six bits, which only loosens the bound), with no
/// transpositions and the real common prefix.
fn jaro_winkler_bound(a: &str, b: &str) -> f64 {
    let (a, b) = (&a.as_bytes()[..a.len().min(64)], &b.as_bytes()[..b.len().min(64)]);
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let present = |s: &[u8]| s.iter().fold(0u64, |set, &c| set | 1 << (c & 63));
    let occurring_in = |s: &[u8], set: u64| s.iter().map(|&c| (set >> (c & 63)) as u32 & 1).sum::<u32>();
    let matches = occurring_in(a, present(b)).min(occurring_in(b, present(a)));
    if matches == 0 {
        return 0.0;
    }
    let m = f64::from(matches);
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + 1.0) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// Jaro's matching (each byte of `a` takes the first free equal byte of `b` within the
/// window), as bit sets of the matched positions of `a` and of `b` (both at most 64
/// bytes). Where each byte of `b` sits is one mask per byte value, so a byte of `a` finds
/// its match in one step instead of scanning the window: this runs on every pair of
/// names and employers that is not equal, tens of millions in a large org. The loop has
/// no branch on the data (whether a byte found its match is as likely as not, and a
/// mispredicted branch per byte cost more than the matching: 150 → 90 ns a pair).
fn matched(a: &[u8], b: &[u8]) -> (u64, u64) {
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut at = [0u64; 256];
    for (j, &byte) in b.iter().enumerate() {
        at[usize::from(byte)] |= 1 << j;
    }
    let (mut a_matched, mut b_matched) = (0u64, 0u64);
    for (i, &byte) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        // Empty when `lo >= hi` (a far longer than b): nothing in b is near enough.
        let in_window = positions_below(hi) & !positions_below(lo);
        let free = at[usize::from(byte)] & in_window & !b_matched;
        let first_free = free & free.wrapping_neg();
        b_matched |= first_free;
        a_matched |= u64::from(first_free != 0) << i;
    }
    (a_matched, b_matched)
}

/// The bit set of positions `0..n` (all 64 from 64 on).
fn positions_below(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
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
    let (mut ta, mut tb) = ([""; MAX_TOKENS], [""; MAX_TOKENS]);
    let (Some(na), Some(nb)) = (distinct_tokens(a, &mut ta), distinct_tokens(b, &mut tb)) else {
        return token_jaccard_long(a, b);
    };
    if na == 0 || nb == 0 {
        return 0.0;
    }
    let common = ta[..na].iter().filter(|t| tb[..nb].contains(t)).count();
    common as f64 / (na + nb - common) as f64
}

/// Words a text may have for [`token_jaccard`] to count them on the stack.
const MAX_TOKENS: usize = 16;

/// The distinct words of `s` into `out`, and how many; `None` past [`MAX_TOKENS`] words.
fn distinct_tokens<'s>(s: &'s str, out: &mut [&'s str; MAX_TOKENS]) -> Option<usize> {
    let mut n = 0;
    for t in s.split(' ').filter(|t| !t.is_empty()) {
        if !out[..n].contains(&t) {
            *out.get_mut(n)? = t;
            n += 1;
        }
    }
    Some(n)
}

/// [`token_jaccard`] for texts of many words, re-reading them instead of keeping them.
fn token_jaccard_long(a: &str, b: &str) -> f64 {
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

    /// Texts the similarity tests compare pairwise: short, repeated letters, transposed,
    /// several words, past 64 bytes.
    const WORDS: [&str; 23] = [
        "",
        "a",
        "ab",
        "ba",
        "p",
        "martha",
        "marhta",
        "dwayne",
        "duane",
        "dixon",
        "dicksonx",
        "aaaa",
        "aaab",
        "abab",
        "greenfordfield",
        "bryantbaumsen",
        "falcon materials group",
        "falcon works east",
        "granite logistics global",
        "x",
        "x-1 9",
        "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123",
        "zyxwvutsrqponmlkjihgfedcba9876543210zyxwvutsrqponmlkjihgfedcba98xyz",
    ];

    #[test]
    fn jaro_winkler_reference_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler("dwayne", "duane") - 0.84).abs() < 1e-3);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.8133).abs() < 1e-3);
        assert_eq!(jaro_winkler("", "x"), 0.0);
        assert_eq!(jaro_winkler("same", "same"), 1.0);
    }

    /// Jaro's matching by scanning the window, as the textbook states it.
    fn matched_by_scanning(a: &[u8], b: &[u8]) -> (u64, u64) {
        let window = (a.len().max(b.len()) / 2).saturating_sub(1);
        let (mut a_matched, mut b_matched) = (0u64, 0u64);
        for (i, &ca) in a.iter().enumerate() {
            let hi = (i + window + 1).min(b.len());
            if let Some(j) = (i.saturating_sub(window)..hi).find(|&j| b_matched & (1 << j) == 0 && b[j] == ca) {
                a_matched |= 1 << i;
                b_matched |= 1 << j;
            }
        }
        (a_matched, b_matched)
    }

    #[test]
    fn matching_by_masks_is_matching_by_scanning() {
        for a in WORDS {
            for b in WORDS {
                let (x, y) = (&a.as_bytes()[..a.len().min(64)], &b.as_bytes()[..b.len().min(64)]);
                assert_eq!(matched(x, y), matched_by_scanning(x, y), "{a:?} / {b:?}");
            }
        }
    }

    #[test]
    fn the_bound_is_never_below_jaro_winkler_and_settles_strangers() {
        for a in WORDS {
            for b in WORDS {
                let jw = jaro_winkler(a, b);
                assert!(jaro_winkler_bound(a, b) >= jw - 1e-12, "{a:?} / {b:?}");
                for t in [0.0, 0.5, 0.8, 0.92, jw, 1.0] {
                    let mut known = None;
                    assert_eq!(jaro_winkler_at_least(a, b, t, &mut known), jw >= t, "{a:?} / {b:?} at {t}");
                    assert_eq!(jaro_winkler_at_least(a, b, t, &mut known), jw >= t, "again, {a:?} / {b:?} at {t}");
                }
            }
        }
        let mut known = None;
        assert!(!jaro_winkler_at_least("greenfordfield", "bryantbaumsen", 0.8, &mut known));
        assert_eq!(known, None, "settled by the bound alone");
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
        let many = "a b c d e f g h i j k l m n o p q r s";
        assert_eq!(token_jaccard(many, "a z"), 1.0 / 20.0, "past the stack's words");
        assert_eq!(token_jaccard(many, many), token_jaccard_long(many, many));
        assert_eq!(token_jaccard("x  y x", " y z"), token_jaccard_long("x  y x", " y z"));
    }
}
