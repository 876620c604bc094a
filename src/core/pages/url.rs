//! Just enough URL parsing for page recognition: scheme, host, path segments, query.
//!
//! A full URL crate would bring IDNA tables into the wasm module for hosts we only
//! compare against a handful of ASCII suffixes.

/// The parts of an absolute `http(s)` URL that page recognition looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUrl {
    /// Lower-cased host without port.
    pub host: String,
    /// Path segments, still percent-encoded, empty segments dropped.
    pub segments: Vec<String>,
    /// The raw query string without `?`, if any.
    pub query: Option<String>,
}

impl PageUrl {
    /// Parses `https://host[:port]/path?query#fragment`; `None` for anything else.
    pub fn parse(url: &str) -> Option<Self> {
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
        let rest = rest.split('#').next().unwrap_or_default();
        let (authority, path_and_query) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let host_port = authority.rsplit('@').next().unwrap_or_default();
        let host = host_port.split(':').next().unwrap_or_default().to_ascii_lowercase();
        if host.is_empty() || !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
            return None;
        }
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q.to_string())),
            None => (path_and_query, None),
        };
        let segments = path.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
        Some(Self { host, segments, query })
    }

    /// True when the host is `suffix` itself or a subdomain of it.
    pub fn host_is_under(&self, suffix: &str) -> bool {
        self.host == suffix
            || (self.host.len() > suffix.len()
                && self.host.ends_with(suffix)
                && self.host.as_bytes()[self.host.len() - suffix.len() - 1] == b'.')
    }
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(input: &str) -> String {
    input
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Decodes `%XX` escapes as UTF-8; invalid escapes are kept literally and invalid UTF-8
/// is replaced, so a hostile URL can never make decoding fail.
pub fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex_value(bytes[i + 1]), hex_value(bytes[i + 2])) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_splits_host_path_query() {
        let u = PageUrl::parse("https://Acme.Lightning.force.com:443/lightning/r/Contact/x/view?ws=1#frag").unwrap();
        assert_eq!(u.host, "acme.lightning.force.com");
        assert_eq!(u.segments, ["lightning", "r", "Contact", "x", "view"]);
        assert_eq!(u.query.as_deref(), Some("ws=1"));
    }

    #[test]
    fn parse_rejects_non_http_and_bad_hosts() {
        assert_eq!(PageUrl::parse("chrome://extensions"), None);
        assert_eq!(PageUrl::parse("https:///path"), None);
        assert_eq!(PageUrl::parse("https://ex ample.com/"), None);
    }

    #[test]
    fn host_is_under_needs_a_dot_boundary() {
        let u = PageUrl::parse("https://evil-my.salesforce.com.example.org/").unwrap();
        assert!(!u.host_is_under("my.salesforce.com"));
        let u = PageUrl::parse("https://acme.my.salesforce.com/").unwrap();
        assert!(u.host_is_under("my.salesforce.com"));
        let u = PageUrl::parse("https://xmy.salesforce.com/").unwrap();
        assert!(!u.host_is_under("my.salesforce.com"));
    }

    #[test]
    fn percent_decode_handles_utf8_and_garbage() {
        assert_eq!(percent_decode("j%C3%BCrgen"), "jürgen");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
        assert_eq!(percent_decode("%aé%"), "%aé%");
    }
}
