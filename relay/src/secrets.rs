//! Encryption at rest for OAuth tokens: AES-256-GCM under a key from
//! `CRMSYNC_SECRET_KEY`, or from a key file generated once with mode 0600.
//!
//! A stolen database file alone then yields no usable Salesforce session.

use std::fmt;
use std::path::Path;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

const NONCE_LEN: usize = 12;
const KEY_FILE: &str = "secret.key";

/// Why secrets cannot be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// `CRMSYNC_SECRET_KEY` (or the key file) is not base64 of exactly 32 bytes.
    #[error("{origin} must be base64 of 32 random bytes (e.g. `openssl rand -base64 32`)")]
    BadKey { origin: String },
    /// The key file could not be read or created.
    #[error("cannot use the key file {path}: {source}")]
    KeyFile { path: String, source: std::io::Error },
    /// The key file can be read by other users of the machine.
    #[error("the key file {path} is readable by others (mode {mode:o}); run `chmod 600 {path}` (and keep the folder 0700) before starting the relay")]
    LoosePermissions { path: String, mode: u32 },
    /// Stored ciphertext does not open with this key: the key changed or the row is corrupt.
    #[error(
        "a stored secret cannot be decrypted with the current key (was CRMSYNC_SECRET_KEY changed?); reconnect the org"
    )]
    Undecryptable,
}

/// A string that never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a sensitive value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// `bytes` random bytes from the OS, base64url without padding: session tokens, OAuth
/// `state` values and PKCE verifiers.
pub fn random_token(bytes: usize) -> String {
    use aes_gcm::aead::rand_core::RngCore;
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Hex SHA-256, how bearer tokens the relay issues are stored (never the token itself).
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Seals and opens secrets with the relay's key.
pub struct SecretBox {
    cipher: Aes256Gcm,
    /// HMAC key derived from the relay's key, for ids nobody else can predict.
    id_key: [u8; 32],
}

impl SecretBox {
    /// Uses `configured` (base64) when given, else `<data_dir>/secret.key`, creating it
    /// with a fresh random key and mode 0600 on first use.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> Result<Self, SecretError> {
        let key = match configured {
            Some(b64) => decode_key(b64, "CRMSYNC_SECRET_KEY")?,
            None => key_from_file(&data_dir.join(KEY_FILE))?,
        };
        Ok(Self::from_key(&key))
    }

    fn from_key(key: &[u8]) -> Self {
        use hmac::{Hmac, Mac};
        let mut derive = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
        derive.update(b"crmsync keyed ids v1");
        let id_key = derive.finalize().into_bytes().into();
        Self { cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)), id_key }
    }

    /// base64url(nonce ‖ ciphertext ‖ tag) of `plain`: values the relay hands to a
    /// browser and must get back unread and unchanged (an OAuth `state`).
    pub fn seal_url_safe(&self, plain: &[u8]) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self.cipher.encrypt(&nonce, plain).unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
    }

    /// Opens what [`SecretBox::seal_url_safe`] made; `None` for anything else.
    pub fn open_url_safe(&self, sealed: &str) -> Option<Vec<u8>> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sealed).ok()?;
        if raw.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = raw.split_at(NONCE_LEN);
        self.cipher.decrypt(Nonce::from_slice(nonce), ciphertext).ok()
    }

    /// A UUID (version 8) keyed by the relay's secret from `name`: stable for the same
    /// name, unpredictable to anyone without the key (backfilled activities' ids).
    pub fn keyed_uuid(&self, name: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.id_key).expect("HMAC takes keys of any length");
        mac.update(name.as_bytes());
        let d = mac.finalize().into_bytes();
        let mut b = [0u8; 16];
        b.copy_from_slice(&d[..16]);
        b[6] = (b[6] & 0x0F) | 0x80; // version 8
        b[8] = (b[8] & 0x3F) | 0x80; // RFC 4122 variant
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
    }

    /// base64(nonce ‖ ciphertext ‖ tag) with a fresh random nonce.
    pub fn seal(&self, secret: &Secret) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        // Encryption of an in-memory buffer cannot fail for sizes we store.
        let ciphertext = self.cipher.encrypt(&nonce, secret.expose().as_bytes()).unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        B64.encode(out)
    }

    /// Opens what [`SecretBox::seal`] made.
    pub fn open(&self, sealed: &str) -> Result<Secret, SecretError> {
        let raw = B64.decode(sealed).map_err(|_| SecretError::Undecryptable)?;
        if raw.len() <= NONCE_LEN {
            return Err(SecretError::Undecryptable);
        }
        let (nonce, ciphertext) = raw.split_at(NONCE_LEN);
        let plain =
            self.cipher.decrypt(Nonce::from_slice(nonce), ciphertext).map_err(|_| SecretError::Undecryptable)?;
        String::from_utf8(plain).map(Secret).map_err(|_| SecretError::Undecryptable)
    }
}

fn decode_key(b64: &str, origin: &str) -> Result<Vec<u8>, SecretError> {
    B64.decode(b64.trim())
        .ok()
        .filter(|k| k.len() == 32)
        .ok_or_else(|| SecretError::BadKey { origin: origin.to_string() })
}

fn key_from_file(path: &Path) -> Result<Vec<u8>, SecretError> {
    let file_err = |source| SecretError::KeyFile { path: path.display().to_string(), source };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            refuse_loose_permissions(path)?;
            decode_key(&text, &path.display().to_string())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                crate::security::private_dir(dir).map_err(file_err)?;
            }
            let key = Aes256Gcm::generate_key(&mut OsRng);
            // Written whole under another name, then linked into place: a crash never
            // leaves a half-written key, and two processes starting at once agree.
            let temp = path.with_extension(format!("tmp-{}", std::process::id()));
            let _ = std::fs::remove_file(&temp);
            write_private(&temp, &B64.encode(key)).map_err(file_err)?;
            let linked = std::fs::hard_link(&temp, path);
            let _ = std::fs::remove_file(&temp);
            match linked {
                Ok(()) => Ok(key.to_vec()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => key_from_file(path),
                Err(e) => Err(file_err(e)),
            }
        }
        Err(e) => Err(file_err(e)),
    }
}

/// Refuses a key file that group or others may read or write.
fn refuse_loose_permissions(path: &Path) -> Result<(), SecretError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path)
            .map_err(|source| SecretError::KeyFile { path: path.display().to_string(), source })?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(SecretError::LoosePermissions { path: path.display().to_string(), mode });
        }
    }
    let _ = path;
    Ok(())
}

/// Creates `path` readable by its owner only, failing if it already exists.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("crmsync-secrets-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn seal_then_open_round_trips_and_hides_plaintext() {
        let dir = temp_dir("roundtrip");
        let sb = SecretBox::load(None, &dir).unwrap();
        let sealed = sb.seal(&Secret::new("00Dxx!token"));
        assert!(!sealed.contains("token"));
        assert_ne!(sealed, sb.seal(&Secret::new("00Dxx!token")), "nonces must differ");
        assert_eq!(sb.open(&sealed).unwrap().expose(), "00Dxx!token");
        // The same key file is reused on the next start.
        let again = SecretBox::load(None, &dir).unwrap();
        assert_eq!(again.open(&sealed).unwrap().expose(), "00Dxx!token");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn open_with_another_key_fails_clearly() {
        let a = SecretBox::load(Some(&B64.encode([1u8; 32])), Path::new("/nonexistent")).unwrap();
        let b = SecretBox::load(Some(&B64.encode([2u8; 32])), Path::new("/nonexistent")).unwrap();
        assert!(matches!(b.open(&a.seal(&Secret::new("x"))), Err(SecretError::Undecryptable)));
        assert!(matches!(b.open("not base64!"), Err(SecretError::Undecryptable)));
    }

    #[test]
    fn load_rejects_short_keys() {
        let err = SecretBox::load(Some("c2hvcnQ="), Path::new("/nonexistent")).err().unwrap();
        assert!(err.to_string().contains("CRMSYNC_SECRET_KEY"));
    }

    #[test]
    fn a_key_file_others_can_read_is_refused() {
        let dir = temp_dir("loose");
        SecretBox::load(None, &dir).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let dir_mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(dir_mode & 0o777, 0o700, "the data folder is private");
            std::fs::set_permissions(dir.join(KEY_FILE), std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = SecretBox::load(None, &dir).err().unwrap();
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
    }

    #[test]
    fn url_safe_seals_open_only_unchanged_and_keyed_ids_are_stable_and_secret() {
        let a = SecretBox::load(Some(&B64.encode([1u8; 32])), Path::new("/nonexistent")).unwrap();
        let b = SecretBox::load(Some(&B64.encode([2u8; 32])), Path::new("/nonexistent")).unwrap();
        let sealed = a.seal_url_safe(b"state");
        assert!(sealed.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(a.open_url_safe(&sealed).as_deref(), Some(&b"state"[..]));
        assert_eq!(b.open_url_safe(&sealed), None);
        let mut tampered = sealed.clone().into_bytes();
        tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
        assert_eq!(a.open_url_safe(&String::from_utf8(tampered).unwrap()), None);
        assert_eq!(a.keyed_uuid("x"), a.keyed_uuid("x"));
        assert_ne!(a.keyed_uuid("x"), b.keyed_uuid("x"));
        assert!(crmsync::core::activity::canonical_uuid(&a.keyed_uuid("x")).is_some());
    }

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(format!("{:?}", Secret::new("pw")), "Secret(<redacted>)");
    }
}
