//! Tracked document links: what a rep may share (a PDF up to 20 MB, checked by its
//! content, or a web address), whether a link still opens, and which view becomes an
//! activity — the first of each day (UTC), as a `document_view` for the rep on the
//! record, "Viewed: <title>", with the view's time and count in the description.

use crate::core::time::rfc3339_from_unix_ms;

/// Largest PDF a rep may upload.
pub const MAX_PDF_BYTES: usize = 20 * 1024 * 1024;
/// Longest title.
pub const MAX_TITLE: usize = 200;
/// Longest web address.
pub const MAX_URL: usize = 2000;

/// Why something cannot be shared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("the upload is empty")]
    Empty,
    #[error("the upload is {0} bytes; a document may be at most 20 MB")]
    TooLarge(usize),
    #[error("the upload is not a PDF (it does not start with %PDF-); share other files as a web address")]
    NotPdf,
    #[error("url: {0:?} is not an http(s) address")]
    BadUrl(String),
    #[error("title: give a title of 1 to {MAX_TITLE} characters")]
    BadTitle,
}

/// Checks an upload by its content: a PDF (`%PDF-`) of at most [`MAX_PDF_BYTES`].
pub fn check_pdf(bytes: &[u8]) -> Result<(), DocumentError> {
    if bytes.is_empty() {
        return Err(DocumentError::Empty);
    }
    if bytes.len() > MAX_PDF_BYTES {
        return Err(DocumentError::TooLarge(bytes.len()));
    }
    // Some writers put a few bytes (a BOM, whitespace) before the header; readers look in
    // the first kilobyte.
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(DocumentError::NotPdf);
    }
    Ok(())
}

/// Checks a shared web address: absolute http or https, no spaces or control characters.
pub fn check_url(url: &str) -> Result<String, DocumentError> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default()).unwrap_or_default();
    let fine = url.len() <= MAX_URL && !host.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if fine {
        Ok(url.to_string())
    } else {
        Err(DocumentError::BadUrl(url.chars().take(100).collect()))
    }
}

/// A title, whitespace collapsed.
pub fn check_title(title: &str) -> Result<String, DocumentError> {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return Err(DocumentError::BadTitle);
    }
    Ok(title)
}

/// Whether a link opens at `now_ms`: not revoked and not past its expiry.
pub fn is_live(expires_at_ms: Option<i64>, revoked_at_ms: Option<i64>, now_ms: i64) -> bool {
    revoked_at_ms.is_none() && expires_at_ms.is_none_or(|e| now_ms < e)
}

/// The UTC day of an instant (days since 1970-01-01).
pub fn day_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(86_400_000)
}

/// Whether a view at `at_ms` is the first of its day, given the earlier views' times.
pub fn first_of_day(earlier_views_ms: &[i64], at_ms: i64) -> bool {
    !earlier_views_ms.iter().any(|v| day_of(*v) == day_of(at_ms))
}

/// The activity's subject.
pub fn subject(title: &str) -> String {
    format!("Viewed: {title}")
}

/// The activity's description: when it was viewed, and which view of the link it was.
pub fn description(at_ms: i64, view_number: usize) -> String {
    let at = rfc3339_from_unix_ms(at_ms);
    format!("Opened {} {} UTC: view {view_number} of this link.", &at[..10], &at[11..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfs_are_checked_by_content_and_size() {
        assert_eq!(check_pdf(b"%PDF-1.7\n..."), Ok(()));
        assert_eq!(check_pdf(b"\xef\xbb\xbf%PDF-1.4"), Ok(()));
        assert_eq!(check_pdf(b"<html><script>alert(1)</script>"), Err(DocumentError::NotPdf));
        assert_eq!(check_pdf(b""), Err(DocumentError::Empty));
        let big = vec![b'%'; MAX_PDF_BYTES + 1];
        assert_eq!(check_pdf(&big), Err(DocumentError::TooLarge(MAX_PDF_BYTES + 1)));
    }

    #[test]
    fn addresses_and_titles() {
        assert_eq!(check_url(" https://acme.example/deck "), Ok("https://acme.example/deck".into()));
        for bad in ["javascript:alert(1)", "ftp://x", "https://", "https://a b", "data:text/html,x"] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        assert_eq!(check_title("  Q1   deck "), Ok("Q1 deck".into()));
        assert_eq!(check_title(" "), Err(DocumentError::BadTitle));
    }

    #[test]
    fn the_first_view_of_each_day_counts_and_links_expire_or_are_revoked() {
        let day = 86_400_000;
        let first = 20_000 * day + 3_600_000;
        assert!(first_of_day(&[], first));
        assert!(!first_of_day(&[first], first + 60_000));
        assert!(first_of_day(&[first, first + 60_000], first + day));
        assert!(is_live(None, None, first));
        assert!(is_live(Some(first + 1), None, first));
        assert!(!is_live(Some(first), None, first));
        assert!(!is_live(None, Some(first - 1), first));
        assert_eq!(subject("Q1 deck"), "Viewed: Q1 deck");
        assert_eq!(description(first, 2), "Opened 2024-10-04 01:00 UTC: view 2 of this link.");
    }
}
