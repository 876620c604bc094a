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
}

impl SecretBox {
    /// Uses `configured` (base64) when given, else `<data_dir>/secret.key`, creating it
    /// with a fresh random key and mode 0600 on first use.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> Result<Self, SecretError> {
        let key = match configured {
            Some(b64) => decode_key(b64, "CRMSYNC_SECRET_KEY")?,
            None => key_from_file(&data_dir.join(KEY_FILE))?,
        };
        Ok(Self { cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)) })
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
        Ok(text) => decode_key(&text, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(file_err)?;
            }
            let key = Aes256Gcm::generate_key(&mut OsRng);
            write_private(path, &B64.encode(key)).map_err(file_err)?;
            Ok(key.to_vec())
        }
        Err(e) => Err(file_err(e)),
    }
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
    fn secret_debug_is_redacted() {
        assert_eq!(format!("{:?}", Secret::new("pw")), "Secret(<redacted>)");
    }
}
