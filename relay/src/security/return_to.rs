//! Where a rep's sign-in may hand its session token (`?return_to=`), decided by the
//! WHATWG URL parser (the `url` crate), the one browsers follow: a path of this relay, or
//! the extension's identity redirect, or this machine when the relay itself is local.

/// What a sign-in's `return_to` may name.
#[derive(Debug, Clone, Copy)]
pub struct ReturnPolicy<'a> {
    /// `CRMSYNC_EXTENSION_IDS`: the only extension ids accepted; empty means any.
    pub extension_ids: &'a [String],
    /// The relay runs on loopback (its public URL is this machine): `http://localhost…`
    /// and `http://127.0.0.1…` destinations are allowed for development.
    pub loopback_relay: bool,
}

/// Why a `return_to` is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReturnToError {
    /// Browsers strip or reinterpret these, so what was checked is not where they go.
    #[error("return_to must not contain backslashes or control characters")]
    Unsafe,
    /// A path must start with exactly one `/`.
    #[error("return_to must be a path of this relay starting with a single '/'")]
    NotAPath,
    /// The URL parser rejected it.
    #[error("return_to is not a valid URL")]
    Unparsable,
    /// User names, passwords and ports hide the real host from a reader.
    #[error("return_to must not carry a user name, password or port")]
    Userinfo,
    /// Not an extension identity URL.
    #[error("return_to must be the extension's identity URL (https://<id>.chromiumapp.org/… or https://<id>.extensions.allizom.org/…) or a path of this relay")]
    NotAllowedHost,
    /// An extension id the admin did not list.
    #[error("return_to names extension {0:?}, which is not in CRMSYNC_EXTENSION_IDS")]
    UnknownExtension(String),
}

/// Extension identity redirect suffixes: Chromium, Firefox.
const EXTENSION_SUFFIXES: [&str; 2] = [".chromiumapp.org", ".extensions.allizom.org"];

/// The loopback hosts a local relay may hand tokens to.
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// The written form, checked before any parsing (so the OpenAPI pattern says exactly
/// what is taken): `/path`, `https://<id>.<extension suffix>[/path]`, or
/// `http://<loopback>[:port][/path]`, the path without spaces, `\` or control characters.
fn plain_form(raw: &str) -> bool {
    let path_ok = |rest: &str| rest.is_empty() || (rest.starts_with('/') && !rest.chars().any(|c| c == ' '));
    if let Some(rest) = raw.strip_prefix("https://") {
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let id_ok = EXTENSION_SUFFIXES
            .iter()
            .filter_map(|s| host.strip_suffix(s))
            .any(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        return id_ok && path_ok(path);
    }
    if let Some(rest) = raw.strip_prefix("http://") {
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (host, port) = match authority.rsplit_once(':').filter(|(h, _)| !h.ends_with('[') && *h != "[") {
            Some((h, p)) if !authority.ends_with(']') => (h, Some(p)),
            _ => (authority, None),
        };
        let port_ok = port.is_none_or(|p| {
            !p.is_empty() && p.len() <= 5 && !(p.len() > 1 && p.starts_with('0')) && p.parse::<u16>().is_ok()
        });
        return LOOPBACK_HOSTS.contains(&host) && port_ok && path_ok(path);
    }
    raw.starts_with('/')
}

/// Checks `raw` and answers the URL to redirect to, as the parser serialised it (so the
/// browser goes exactly where the check looked).
pub fn check(raw: &str, policy: ReturnPolicy<'_>) -> Result<String, ReturnToError> {
    if raw.chars().any(|c| c == '\\' || c.is_control()) {
        return Err(ReturnToError::Unsafe);
    }
    if !plain_form(raw) {
        return Err(if raw.starts_with("http") { ReturnToError::NotAllowedHost } else { ReturnToError::Unparsable });
    }
    if raw.starts_with('/') {
        if raw.starts_with("//") {
            return Err(ReturnToError::NotAPath);
        }
        let base = url::Url::parse("https://relay.invalid/").map_err(|_| ReturnToError::Unparsable)?;
        let joined = base.join(raw).map_err(|_| ReturnToError::Unparsable)?;
        if joined.origin() != base.origin() || !joined.username().is_empty() {
            return Err(ReturnToError::NotAPath);
        }
        return Ok(joined[url::Position::BeforePath..].to_string());
    }
    let url = url::Url::parse(raw).map_err(|_| ReturnToError::Unparsable)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ReturnToError::Userinfo);
    }
    match url.scheme() {
        "https" => {
            if url.port().is_some() {
                return Err(ReturnToError::Userinfo);
            }
            let Some(url::Host::Domain(host)) = url.host() else { return Err(ReturnToError::NotAllowedHost) };
            let id = EXTENSION_SUFFIXES
                .iter()
                .find_map(|suffix| host.strip_suffix(suffix))
                .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
                .ok_or(ReturnToError::NotAllowedHost)?;
            if !policy.extension_ids.is_empty() && !policy.extension_ids.iter().any(|allowed| allowed == id) {
                return Err(ReturnToError::UnknownExtension(id.to_string()));
            }
            Ok(url.to_string())
        }
        "http" if policy.loopback_relay && super::is_loopback_host(&url) => Ok(url.to_string()),
        _ => Err(ReturnToError::NotAllowedHost),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANY: ReturnPolicy<'static> = ReturnPolicy { extension_ids: &[], loopback_relay: true };

    #[test]
    fn the_review_s_bypasses_are_refused() {
        for evil in [
            "/\\evil.example/",
            "/\t/evil.example/",
            "https://x.chromiumapp.org:1@evil.example/",
            "http://localhost:@evil.example/",
            "//evil.example.com/x",
            "https://evil.example.com/x.chromiumapp.org",
            "http://abc.chromiumapp.org/",
            "https://chromiumapp.org.evil.com/",
            "https://abc.chromiumapp.org:444/",
            "https://a.b.chromiumapp.org/",
            "javascript:alert(1)",
            "chrome-extension://abcdefghijklmnopabcdefghijklmnop/signed-in.html",
            "https://user@abc.chromiumapp.org/",
            "/\n/evil.example/",
        ] {
            assert!(check(evil, ANY).is_err(), "{evil:?} was accepted as {:?}", check(evil, ANY));
        }
    }

    #[test]
    fn the_extension_the_relay_s_pages_and_local_development_are_allowed() {
        let id = "abcdefghijklmnopabcdefghijklmnop";
        assert_eq!(
            check(&format!("https://{id}.chromiumapp.org/signed-in"), ANY).unwrap(),
            format!("https://{id}.chromiumapp.org/signed-in")
        );
        assert!(check("https://0b8e4e62-5f7c-4a43.extensions.allizom.org/", ANY).is_ok());
        assert_eq!(check("/signed-in.html?x=1", ANY).unwrap(), "/signed-in.html?x=1");
        assert_eq!(check("/a/../signed-in.html", ANY).unwrap(), "/signed-in.html");
        assert!(check("http://127.0.0.1:9000/cb", ANY).is_ok());
        assert!(check("http://localhost/cb", ANY).is_ok());
        assert!(check("http://[::1]:9000/cb", ANY).is_ok());
        assert!(check("/caf\u{e9}", ANY).is_ok(), "a path may hold any printable character");
    }

    #[test]
    fn only_the_plain_written_forms_are_taken() {
        for odd in [
            "https://ABC.chromiumapp.org/x y",
            "https://\u{e9}.chromiumapp.org/",
            "https://abc.chromiumapp.org?x",
            "http://localhost:99999/",
            "http://localhost:/",
            "http://127.0.0.1.evil/",
            "x",
        ] {
            assert!(check(odd, ANY).is_err(), "{odd:?}");
        }
        assert!(check("https://ABC.chromiumapp.org", ANY).is_ok(), "the id's case and a missing path are fine");
    }

    #[test]
    fn loopback_only_for_a_local_relay_and_ids_can_be_pinned() {
        let remote = ReturnPolicy { extension_ids: &[], loopback_relay: false };
        assert_eq!(check("http://127.0.0.1:9000/cb", remote), Err(ReturnToError::NotAllowedHost));
        let pinned = ["abcdefghijklmnopabcdefghijklmnop".to_string()];
        let policy = ReturnPolicy { extension_ids: &pinned, loopback_relay: false };
        assert!(check("https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/", policy).is_ok());
        assert_eq!(
            check("https://ponmlkjihgfedcbaponmlkjihgfedcba.chromiumapp.org/", policy),
            Err(ReturnToError::UnknownExtension("ponmlkjihgfedcbaponmlkjihgfedcba".into()))
        );
    }
}
