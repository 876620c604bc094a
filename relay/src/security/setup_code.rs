//! The one-time setup code: while no org is connected, connecting one from the console
//! needs it (or the user `CRMSYNC_ADMIN_USERNAME` names), so whoever reaches a fresh
//! relay first cannot make it theirs. `crmsync serve` prints it at start,
//! `crmsync setup-code` prints it again; a connect uses it up and a disconnect makes a
//! new one. Stored sealed in `relay_facts`.

use crate::secrets::{random_token, token_hash, Secret, SecretError};
use crate::state::AppState;
use crate::store::facts::SETUP_CODE;
use crate::store::StoreError;

/// Why the setup code cannot be read or made.
#[derive(Debug, thiserror::Error)]
pub enum SetupCodeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// Letters that cannot be confused when read aloud or typed (Crockford's base 32).
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn fresh_code() -> String {
    let random = random_token(16);
    let letters: Vec<char> =
        random.bytes().take(12).map(|b| ALPHABET[usize::from(b) % ALPHABET.len()] as char).collect();
    letters.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The code as typed, compared without dashes, spaces or case.
fn normalised(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// The current setup code, made (and stored sealed) when there is none.
pub async fn current(state: &AppState) -> Result<String, SetupCodeError> {
    if let Some(sealed) = state.store.fact(SETUP_CODE).await? {
        return Ok(state.secrets.open(&sealed)?.expose().to_string());
    }
    rotate(state).await
}

/// Replaces the setup code with a new one (after a disconnect) and answers it.
pub async fn rotate(state: &AppState) -> Result<String, SetupCodeError> {
    let code = fresh_code();
    state.store.set_fact(SETUP_CODE, &state.secrets.seal(&Secret::new(code.clone()))).await?;
    Ok(code)
}

/// True when `given` is the current setup code.
pub async fn matches(state: &AppState, given: &str) -> Result<bool, SetupCodeError> {
    let Some(sealed) = state.store.fact(SETUP_CODE).await? else { return Ok(false) };
    let stored = state.secrets.open(&sealed)?;
    let (a, b) = (normalised(given), normalised(stored.expose()));
    // Compared as hashes, so the time taken says nothing about how much was right.
    Ok(!a.is_empty() && token_hash(&a) == token_hash(&b))
}

/// Uses the code up (an org was connected).
pub async fn consume(state: &AppState) -> Result<(), SetupCodeError> {
    state.store.delete_fact(SETUP_CODE).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_unambiguous_and_compared_loosely() {
        let code = fresh_code();
        assert_eq!(code.len(), 14, "{code}");
        assert!(code.chars().all(|c| c == '-' || ALPHABET.contains(&(c as u8))), "{code}");
        assert_ne!(fresh_code(), code);
        assert_eq!(normalised("ab12-cd34 ef56"), "AB12CD34EF56");
    }
}
