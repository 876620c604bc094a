//! Relay settings, read from the environment and an optional config file of the same
//! `KEY=VALUE` names (documented in README.md); the environment wins over the file.
//!
//! Secrets are kept out of `Debug` so a settings dump in a log can never leak them.

use std::fmt;
use std::path::PathBuf;

/// A setting that is present but unusable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Only some of the three Salesforce settings were given.
    #[error("incomplete Salesforce settings: {missing} is not set (set CRMSYNC_SALESFORCE_LOGIN_URL, CRMSYNC_SALESFORCE_CLIENT_ID and CRMSYNC_SALESFORCE_CLIENT_SECRET together, or none of them)")]
    IncompleteSalesforce { missing: &'static str },
    /// The login URL is not an absolute http(s) URL.
    #[error("CRMSYNC_SALESFORCE_LOGIN_URL {0:?} must look like https://login.salesforce.com, https://test.salesforce.com or https://<my-domain>.my.salesforce.com")]
    BadLoginUrl(String),
    /// The import interval is not a positive number of hours.
    #[error("CRMSYNC_IMPORT_INTERVAL_HOURS {0:?} must be a positive number of hours, e.g. 12 or 0.5")]
    BadInterval(String),
    /// The Bulk page size is not a positive whole number.
    #[error("CRMSYNC_BULK_PAGE_RECORDS {0:?} must be a positive whole number of rows")]
    BadPageSize(String),
    /// `CRMSYNC_CONNECT_ON_START` is not one of the known ways.
    #[error("CRMSYNC_CONNECT_ON_START {0:?} must be client-credentials, jwt or none")]
    BadConnectOnStart(String),
    /// `CRMSYNC_PUBLIC_URL` is not an absolute URL.
    #[error(
        "CRMSYNC_PUBLIC_URL {0:?} must be the relay's address as browsers reach it, e.g. https://crmsync.example.com"
    )]
    BadPublicUrl(String),
    /// `CRMSYNC_PUBLIC_URL` is plain http to another machine: cookies and tokens would
    /// cross the network in clear.
    #[error("CRMSYNC_PUBLIC_URL {0:?} uses plain http to another machine; put the relay behind https (http is allowed for 127.0.0.1, [::1] and localhost only)")]
    InsecurePublicUrl(String),
    /// An id in `CRMSYNC_EXTENSION_IDS` is not an extension id.
    #[error("CRMSYNC_EXTENSION_IDS: {0:?} is not an extension id (Chromium: 32 letters a-p; Firefox: the UUID of its moz-extension:// address)")]
    BadExtensionId(String),
    /// The rate limit is not a positive whole number.
    #[error("CRMSYNC_RATE_LIMIT_PER_MINUTE {0:?} must be a positive whole number of requests")]
    BadRateLimit(String),
    /// The seat limit is not a whole number.
    #[error("CRMSYNC_SEAT_LIMIT {0:?} must be a whole number of seats (0 allows none; leave it unset for no limit)")]
    BadSeatLimit(String),
    /// A number of seconds is not a whole number (or range) in bounds.
    #[error("{key} {value:?} must be {expected}")]
    BadSeconds { key: &'static str, value: String, expected: &'static str },
    /// The config file cannot be read.
    #[error("cannot read the config file {path}: {source}")]
    ReadFile { path: String, source: std::io::Error },
    /// A config file line is not `KEY=VALUE` with a known key.
    #[error("config file {path}, line {line}: {reason}")]
    FileLine { path: String, line: usize, reason: String },
    /// Plain HTTP is only allowed to this machine (sfsim); real orgs need TLS.
    #[error("CRMSYNC_SALESFORCE_LOGIN_URL {0:?} uses plain http to another machine; use https")]
    InsecureLoginUrl(String),
}

/// The connected app crmsync logs in with, and where the org logs in.
#[derive(Clone)]
pub struct SalesforceSettings {
    /// `https://login.salesforce.com`, `https://test.salesforce.com` (sandboxes) or the
    /// org's My Domain; no trailing slash.
    pub login_url: String,
    pub client_id: String,
    pub client_secret: String,
}

impl fmt::Debug for SalesforceSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SalesforceSettings")
            .field("login_url", &self.login_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// How `crmsync serve` connects when no connection is stored yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectOnStart {
    /// The client-credentials flow (the default; needs a Run-As user on the app).
    ClientCredentials,
    /// The JWT bearer flow with `CRMSYNC_SALESFORCE_JWT_KEY` and `CRMSYNC_SALESFORCE_USERNAME`.
    Jwt,
    /// Wait for an admin to connect from the admin page.
    None,
}

/// Every key the relay reads; a config file may only use these.
pub const KEYS: &[&str] = &[
    "CRMSYNC_LISTEN",
    "CRMSYNC_DATA_DIR",
    "DATABASE_URL",
    "CRMSYNC_WWW_DIR",
    "CRMSYNC_SECRET_KEY",
    "CRMSYNC_SALESFORCE_LOGIN_URL",
    "CRMSYNC_SALESFORCE_CLIENT_ID",
    "CRMSYNC_SALESFORCE_CLIENT_SECRET",
    "CRMSYNC_SALESFORCE_JWT_KEY",
    "CRMSYNC_SALESFORCE_USERNAME",
    "CRMSYNC_CONNECT_ON_START",
    "CRMSYNC_PUBLIC_URL",
    "CRMSYNC_IMPORT_INTERVAL_HOURS",
    "CRMSYNC_BULK_PAGE_RECORDS",
    "CRMSYNC_FLUSH_INTERVAL_SECONDS",
    "CRMSYNC_WRITEBACK_RETRY_SECONDS",
    "CRMSYNC_WRITEBACK_UNCERTAIN_SECONDS",
    "CRMSYNC_LOG",
    "CRMSYNC_EXTENSION_IDS",
    "CRMSYNC_ADMIN_USERNAME",
    "CRMSYNC_ADMIN_USERNAMES",
    "CRMSYNC_SEAT_LIMIT",
    "CRMSYNC_RATE_LIMIT_PER_MINUTE",
];

/// Everything the relay reads at start-up.
#[derive(Clone)]
pub struct Settings {
    /// `CRMSYNC_LISTEN`, default `127.0.0.1:8787`.
    pub listen: String,
    /// `CRMSYNC_DATA_DIR`, default `./data`: the SQLite file and the key file live here.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`; unset means `sqlite://<data_dir>/crmsync.sqlite`.
    pub database_url: Option<String>,
    /// `CRMSYNC_WWW_DIR`, default `./dist/www`: the built admin console and widget page.
    pub www_dir: PathBuf,
    /// `CRMSYNC_SECRET_KEY`: base64 of 32 bytes; unset means a generated key file.
    pub secret_key: Option<String>,
    /// `CRMSYNC_SALESFORCE_*`; `None` when the relay runs unconnected.
    pub salesforce: Option<SalesforceSettings>,
    /// `CRMSYNC_IMPORT_INTERVAL_HOURS`, default 12: time between scheduled imports.
    pub import_interval_hours: f64,
    /// `CRMSYNC_BULK_PAGE_RECORDS`, default 50,000: rows per Bulk results page.
    pub bulk_page_records: usize,
    /// `CRMSYNC_SALESFORCE_JWT_KEY`: PEM private key for the JWT bearer flow.
    pub jwt_key: Option<PathBuf>,
    /// `CRMSYNC_SALESFORCE_USERNAME`: the user the JWT bearer flow logs in as.
    pub jwt_username: Option<String>,
    /// `CRMSYNC_CONNECT_ON_START`, default client-credentials.
    pub connect_on_start: ConnectOnStart,
    /// `CRMSYNC_PUBLIC_URL`: the relay as browsers reach it (OAuth callbacks); unset
    /// means the request's own `Host`, accepted for loopback addresses only.
    pub public_url: Option<String>,
    /// `CRMSYNC_FLUSH_INTERVAL_SECONDS`, default `120-300`: the write-back flush runs
    /// after a random pause in this range (or exactly N seconds).
    pub flush_interval_secs: (u64, u64),
    /// `CRMSYNC_WRITEBACK_RETRY_SECONDS`, default 30: the first pause after a transient
    /// write failure (doubling per attempt, at most an hour).
    pub writeback_retry_secs: u64,
    /// `CRMSYNC_WRITEBACK_UNCERTAIN_SECONDS`, default 130 (longer than a request may
    /// take): how long a note insert with an unknown outcome waits before it is looked up.
    pub writeback_uncertain_secs: u64,
    /// `CRMSYNC_EXTENSION_IDS`: the extension ids whose identity redirect
    /// (`https://<id>.chromiumapp.org/`, `https://<id>.extensions.allizom.org/`) may
    /// receive a rep's session token; empty means any.
    pub extension_ids: Vec<String>,
    /// `CRMSYNC_ADMIN_USERNAME`: the Salesforce username that may connect the org from the
    /// console without the setup code (and the only one that may while none is connected).
    pub admin_username: Option<String>,
    /// `CRMSYNC_ADMIN_USERNAMES`: Salesforce usernames that are admins of the console
    /// (comma- or space-separated, any case), beside admins made in the console.
    pub admin_usernames: Vec<String>,
    /// `CRMSYNC_SEAT_LIMIT`: the most seats the relay gives; unset: no limit.
    pub seat_limit: Option<usize>,
    /// `CRMSYNC_RATE_LIMIT_PER_MINUTE`, default 600: requests one session token (or, for
    /// calls without one, one client address) may make per minute.
    pub rate_limit_per_minute: u32,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url.as_ref().map(|_| "<set>"))
            .field("www_dir", &self.www_dir)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<redacted>"))
            .field("salesforce", &self.salesforce)
            .field("import_interval_hours", &self.import_interval_hours)
            .field("bulk_page_records", &self.bulk_page_records)
            .field("jwt_key", &self.jwt_key)
            .field("jwt_username", &self.jwt_username)
            .field("connect_on_start", &self.connect_on_start)
            .field("public_url", &self.public_url)
            .field("flush_interval_secs", &self.flush_interval_secs)
            .field("writeback_retry_secs", &self.writeback_retry_secs)
            .field("writeback_uncertain_secs", &self.writeback_uncertain_secs)
            .field("extension_ids", &self.extension_ids)
            .field("admin_username", &self.admin_username)
            .field("admin_usernames", &self.admin_usernames)
            .field("seat_limit", &self.seat_limit)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .finish()
    }
}

impl Settings {
    /// Reads the process environment, over the config file `CRMSYNC_CONFIG` names (or
    /// `./crmsync.conf` when that exists).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(None)
    }

    /// Like [`Settings::from_env`], with `config` (the `--config` flag) over `CRMSYNC_CONFIG`.
    pub fn load(config: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        let named = config
            .map(std::path::Path::to_path_buf)
            .or_else(|| std::env::var("CRMSYNC_CONFIG").ok().filter(|v| !v.trim().is_empty()).map(PathBuf::from));
        let file = match named {
            Some(path) => read_config_file(&path)?,
            None if std::path::Path::new("crmsync.conf").is_file() => {
                read_config_file(std::path::Path::new("crmsync.conf"))?
            }
            None => Vec::new(),
        };
        Self::from_lookup(|key| {
            std::env::var(key)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .or_else(|| file.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
        })
    }

    /// Reads settings through `get`, so tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |key: &str| get(key).filter(|v| !v.trim().is_empty());
        let salesforce = salesforce_settings(&get)?;
        Ok(Self {
            listen: get("CRMSYNC_LISTEN").unwrap_or_else(|| "127.0.0.1:8787".into()),
            data_dir: get("CRMSYNC_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| "data".into()),
            database_url: get("DATABASE_URL"),
            www_dir: get("CRMSYNC_WWW_DIR").map(PathBuf::from).unwrap_or_else(|| "dist/www".into()),
            secret_key: get("CRMSYNC_SECRET_KEY"),
            salesforce,
            import_interval_hours: match get("CRMSYNC_IMPORT_INTERVAL_HOURS") {
                None => 12.0,
                Some(v) => v
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|h| *h > 0.0 && h.is_finite())
                    .ok_or(ConfigError::BadInterval(v))?,
            },
            bulk_page_records: match get("CRMSYNC_BULK_PAGE_RECORDS") {
                None => 50_000,
                Some(v) => v.trim().parse::<usize>().ok().filter(|n| *n > 0).ok_or(ConfigError::BadPageSize(v))?,
            },
            jwt_key: get("CRMSYNC_SALESFORCE_JWT_KEY").map(PathBuf::from),
            jwt_username: get("CRMSYNC_SALESFORCE_USERNAME").map(|u| u.trim().to_string()),
            connect_on_start: match get("CRMSYNC_CONNECT_ON_START").as_deref().map(str::trim) {
                None | Some("client-credentials") => ConnectOnStart::ClientCredentials,
                Some("jwt") => ConnectOnStart::Jwt,
                Some("none") => ConnectOnStart::None,
                Some(other) => return Err(ConfigError::BadConnectOnStart(other.to_string())),
            },
            public_url: match get("CRMSYNC_PUBLIC_URL") {
                None => None,
                Some(url) => Some(public_url(url.trim())?),
            },
            flush_interval_secs: match get("CRMSYNC_FLUSH_INTERVAL_SECONDS") {
                None => (120, 300),
                Some(v) => seconds_range(&v).ok_or(ConfigError::BadSeconds {
                    key: "CRMSYNC_FLUSH_INTERVAL_SECONDS",
                    value: v,
                    expected: "a number of seconds (180) or a range (120-300), at least 1",
                })?,
            },
            writeback_retry_secs: seconds(&get, "CRMSYNC_WRITEBACK_RETRY_SECONDS", 30)?,
            writeback_uncertain_secs: seconds(&get, "CRMSYNC_WRITEBACK_UNCERTAIN_SECONDS", 130)?,
            extension_ids: match get("CRMSYNC_EXTENSION_IDS") {
                None => Vec::new(),
                Some(list) => extension_ids(&list)?,
            },
            admin_username: get("CRMSYNC_ADMIN_USERNAME").map(|u| u.trim().to_string()),
            admin_usernames: get("CRMSYNC_ADMIN_USERNAMES")
                .map(|list| {
                    list.split([',', ' ', '\n'])
                        .map(str::trim)
                        .filter(|u| !u.is_empty())
                        .map(str::to_lowercase)
                        .collect()
                })
                .unwrap_or_default(),
            seat_limit: match get("CRMSYNC_SEAT_LIMIT") {
                None => None,
                Some(v) if v.trim().is_empty() => None,
                Some(v) => Some(v.trim().parse::<usize>().map_err(|_| ConfigError::BadSeatLimit(v))?),
            },
            rate_limit_per_minute: match get("CRMSYNC_RATE_LIMIT_PER_MINUTE") {
                None => 600,
                Some(v) => v.trim().parse::<u32>().ok().filter(|n| *n > 0).ok_or(ConfigError::BadRateLimit(v))?,
            },
        })
    }
}

/// `N` or `MIN-MAX` whole seconds, at least 1, MIN ≤ MAX.
fn seconds_range(text: &str) -> Option<(u64, u64)> {
    let number = |t: &str| t.trim().parse::<u64>().ok().filter(|n| *n >= 1);
    let (min, max) = match text.split_once('-') {
        Some((a, b)) => (number(a)?, number(b)?),
        None => (number(text)?, number(text)?),
    };
    (min <= max).then_some((min, max))
}

/// A whole number of seconds (0 allowed), or `default` when unset.
fn seconds(get: &impl Fn(&str) -> Option<String>, key: &'static str, default: u64) -> Result<u64, ConfigError> {
    match get(key) {
        None => Ok(default),
        Some(v) => v.trim().parse::<u64>().map_err(|_| ConfigError::BadSeconds {
            key,
            value: v,
            expected: "a whole number of seconds",
        }),
    }
}

/// An absolute https URL (http only to this machine) of an origin, without a trailing
/// slash, userinfo, query or fragment.
fn public_url(url: &str) -> Result<String, ConfigError> {
    let bad = || ConfigError::BadPublicUrl(url.to_string());
    let parsed = url::Url::parse(url).map_err(|_| bad())?;
    let plain = parsed.scheme() == "http";
    let clean = (plain || parsed.scheme() == "https")
        && parsed.host().is_some()
        && parsed.username().is_empty()
        && parsed.password().is_none()
        && parsed.query().is_none()
        && parsed.fragment().is_none();
    if !clean {
        return Err(bad());
    }
    if plain && !crate::security::is_loopback_host(&parsed) {
        return Err(ConfigError::InsecurePublicUrl(url.to_string()));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// A comma- or space-separated list of extension ids, lower-cased.
fn extension_ids(list: &str) -> Result<Vec<String>, ConfigError> {
    list.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| {
            let id = id.to_ascii_lowercase();
            let ok = id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            ok.then_some(id.clone()).ok_or(ConfigError::BadExtensionId(id))
        })
        .collect()
}

/// Reads a config file: `KEY=VALUE` per line, `#` comments and blank lines skipped,
/// values optionally in single or double quotes; only the keys in [`KEYS`].
pub fn read_config_file(path: &std::path::Path) -> Result<Vec<(String, String)>, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile { path: shown.clone(), source })?;
    parse_config(&text).map_err(|(line, reason)| ConfigError::FileLine { path: shown, line, reason })
}

/// The parser behind [`read_config_file`]; errors carry the 1-based line number.
fn parse_config(text: &str) -> Result<Vec<(String, String)>, (usize, String)> {
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let (key, value) = line.split_once('=').ok_or((n + 1, format!("expected KEY=VALUE, found {line:?}")))?;
        let key = key.trim();
        if !KEYS.contains(&key) {
            return Err((n + 1, format!("unknown setting {key:?} (known: {})", KEYS.join(", "))));
        }
        let value = value.trim();
        let unquoted = [('"', '"'), ('\'', '\'')]
            .iter()
            .find_map(|(open, close)| value.strip_prefix(*open).and_then(|v| v.strip_suffix(*close)))
            .unwrap_or(value);
        out.push((key.to_string(), unquoted.to_string()));
    }
    Ok(out)
}

fn salesforce_settings(get: &impl Fn(&str) -> Option<String>) -> Result<Option<SalesforceSettings>, ConfigError> {
    let login = get("CRMSYNC_SALESFORCE_LOGIN_URL");
    let id = get("CRMSYNC_SALESFORCE_CLIENT_ID");
    let secret = get("CRMSYNC_SALESFORCE_CLIENT_SECRET");
    let (login_url, client_id, client_secret) = match (login, id, secret) {
        (None, None, None) => return Ok(None),
        (Some(l), Some(i), Some(s)) => (l, i, s),
        (None, _, _) => return Err(ConfigError::IncompleteSalesforce { missing: "CRMSYNC_SALESFORCE_LOGIN_URL" }),
        (_, None, _) => return Err(ConfigError::IncompleteSalesforce { missing: "CRMSYNC_SALESFORCE_CLIENT_ID" }),
        (_, _, None) => return Err(ConfigError::IncompleteSalesforce { missing: "CRMSYNC_SALESFORCE_CLIENT_SECRET" }),
    };
    let login_url = checked_base_url(login_url.trim())?;
    Ok(Some(SalesforceSettings {
        login_url,
        client_id: client_id.trim().into(),
        client_secret: client_secret.trim().into(),
    }))
}

/// Accepts `https://host[:port]` (any path dropped), or `http://` to loopback only.
pub fn checked_base_url(url: &str) -> Result<String, ConfigError> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| ConfigError::BadLoginUrl(url.into()))?;
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    if host.is_empty() || !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
        return Err(ConfigError::BadLoginUrl(url.into()));
    }
    match scheme {
        "https" => Ok(format!("https://{authority}")),
        "http" if is_loopback(host) => Ok(format!("http://{authority}")),
        "http" => Err(ConfigError::InsecureLoginUrl(url.into())),
        _ => Err(ConfigError::BadLoginUrl(url.into())),
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.starts_with("127.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn from_lookup_defaults_without_salesforce() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.listen, "127.0.0.1:8787");
        assert!(s.salesforce.is_none());
    }

    #[test]
    fn flush_interval_takes_a_number_or_a_range() {
        assert_eq!(settings(&[]).map(|s| s.flush_interval_secs).ok(), Some((120, 300)));
        let one = settings(&[("CRMSYNC_FLUSH_INTERVAL_SECONDS", "5")]).map(|s| s.flush_interval_secs);
        assert_eq!(one.ok(), Some((5, 5)));
        let range = settings(&[("CRMSYNC_FLUSH_INTERVAL_SECONDS", "1-3")]).map(|s| s.flush_interval_secs);
        assert_eq!(range.ok(), Some((1, 3)));
        for bad in ["0", "5-2", "soon", "1-"] {
            let err = settings(&[("CRMSYNC_FLUSH_INTERVAL_SECONDS", bad)]).err().map(|e| e.to_string());
            assert!(err.is_some_and(|e| e.contains("CRMSYNC_FLUSH_INTERVAL_SECONDS")), "{bad}");
        }
        let err = settings(&[("CRMSYNC_WRITEBACK_RETRY_SECONDS", "-1")]).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("CRMSYNC_WRITEBACK_RETRY_SECONDS")));
    }

    #[test]
    fn from_lookup_partial_salesforce_names_the_missing_one() {
        let err = settings(&[("CRMSYNC_SALESFORCE_LOGIN_URL", "https://login.salesforce.com")]).unwrap_err();
        assert!(err.to_string().contains("CRMSYNC_SALESFORCE_CLIENT_ID"), "{err}");
    }

    #[test]
    fn from_lookup_import_interval() {
        assert_eq!(settings(&[]).unwrap().import_interval_hours, 12.0);
        assert_eq!(settings(&[("CRMSYNC_IMPORT_INTERVAL_HOURS", "0.5")]).unwrap().import_interval_hours, 0.5);
        let err = settings(&[("CRMSYNC_IMPORT_INTERVAL_HOURS", "-1")]).unwrap_err();
        assert!(err.to_string().contains("positive number of hours"), "{err}");
    }

    #[test]
    fn checked_base_url_requires_tls_off_loopback() {
        assert_eq!(checked_base_url("https://acme.my.salesforce.com/").unwrap(), "https://acme.my.salesforce.com");
        assert_eq!(checked_base_url("http://127.0.0.1:8788").unwrap(), "http://127.0.0.1:8788");
        assert!(matches!(checked_base_url("http://login.salesforce.com"), Err(ConfigError::InsecureLoginUrl(_))));
        assert!(matches!(checked_base_url("login.salesforce.com"), Err(ConfigError::BadLoginUrl(_))));
        assert!(matches!(checked_base_url("ftp://x"), Err(ConfigError::BadLoginUrl(_))));
    }

    #[test]
    fn parse_config_reads_pairs_and_names_bad_lines() {
        let text = "# comment\n\nCRMSYNC_LISTEN=0.0.0.0:9000\nexport DATABASE_URL=\"sqlite://x.db\"\n";
        let pairs = parse_config(text).unwrap();
        assert_eq!(
            pairs,
            vec![("CRMSYNC_LISTEN".into(), "0.0.0.0:9000".into()), ("DATABASE_URL".into(), "sqlite://x.db".into())]
        );
        let (line, reason) = parse_config("CRMSYNC_LISTEN=1\nCRMSYNC_LISTNE=2\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(reason.contains("CRMSYNC_LISTNE"), "{reason}");
        assert_eq!(parse_config("just words").unwrap_err().0, 1);
    }

    #[test]
    fn from_lookup_connect_on_start_and_public_url() {
        assert_eq!(settings(&[]).unwrap().connect_on_start, ConnectOnStart::ClientCredentials);
        assert_eq!(settings(&[("CRMSYNC_CONNECT_ON_START", "none")]).unwrap().connect_on_start, ConnectOnStart::None);
        assert!(settings(&[("CRMSYNC_CONNECT_ON_START", "maybe")]).is_err());
        let s = settings(&[("CRMSYNC_PUBLIC_URL", "https://crm.example.com/")]).unwrap();
        assert_eq!(s.public_url.as_deref(), Some("https://crm.example.com"));
        assert!(settings(&[("CRMSYNC_PUBLIC_URL", "crm.example.com")]).is_err());
    }

    #[test]
    fn a_public_url_in_clear_text_off_this_machine_is_refused() {
        let err = settings(&[("CRMSYNC_PUBLIC_URL", "http://crm.example.com")]).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("https")));
        for local in ["http://127.0.0.1:8787", "http://localhost:8787/", "http://[::1]:8787"] {
            assert!(settings(&[("CRMSYNC_PUBLIC_URL", local)]).is_ok(), "{local}");
        }
        for bad in ["https://user@crm.example.com", "https://crm.example.com/?x=1", "ftp://crm.example.com"] {
            assert!(matches!(settings(&[("CRMSYNC_PUBLIC_URL", bad)]), Err(ConfigError::BadPublicUrl(_))), "{bad}");
        }
    }

    #[test]
    fn extension_ids_are_a_list_of_ids() {
        let s = settings(&[("CRMSYNC_EXTENSION_IDS", "ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP, 0b8e4e62-5f7c")]).unwrap();
        assert_eq!(s.extension_ids, ["abcdefghijklmnopabcdefghijklmnop", "0b8e4e62-5f7c"]);
        assert!(matches!(settings(&[("CRMSYNC_EXTENSION_IDS", "evil.example/")]), Err(ConfigError::BadExtensionId(_))));
    }

    #[test]
    fn debug_redacts_secrets() {
        let s = settings(&[
            ("CRMSYNC_SALESFORCE_LOGIN_URL", "https://login.salesforce.com"),
            ("CRMSYNC_SALESFORCE_CLIENT_ID", "id"),
            ("CRMSYNC_SALESFORCE_CLIENT_SECRET", "hunter2"),
            ("CRMSYNC_SECRET_KEY", "k3y"),
        ])
        .unwrap();
        let dump = format!("{s:?}");
        assert!(!dump.contains("hunter2") && !dump.contains("k3y"), "{dump}");
    }
}
