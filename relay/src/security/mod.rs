//! The relay's defences, each in its own file: where a sign-in may hand its token, how a
//! login is bound to the browser that started it, the one-time setup code, same-origin
//! checks, security headers, and rate limits.

pub mod headers;
pub mod login;
pub mod origin;
pub mod rate_limit;
pub mod return_to;
pub mod setup_code;

use std::path::Path;

/// True when the URL's host is this machine: `localhost`, `127.0.0.0/8` or `[::1]`.
pub fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Creates `dir` (and its parents) and makes it readable by its owner only (0700), so the
/// SQLite file and the key file are never exposed by a permissive umask.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Makes `file` readable and writable by its owner only (0600), when it exists.
pub fn private_file(file: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if file.exists() {
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    let _ = file;
    Ok(())
}
