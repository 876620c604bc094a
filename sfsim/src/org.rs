//! The demo org: its identity, the connected app crmsync logs in with, and its users.
//! Generated once from a seed, then persisted, so a demo keeps its ids across restarts.

use serde::{Deserialize, Serialize};

use crate::ids::make_id;
use crmsync::core::rng::SeededRng;

const FIRST_NAMES: &[&str] = &["Ava", "Noah", "Mia", "Liam", "Zoe", "Omar", "Ines", "Kenji", "Priya", "Lars"];
const LAST_NAMES: &[&str] =
    &["Fischer", "Okafor", "Novak", "Santos", "Larsen", "Tanaka", "Dubois", "Khan", "Rossi", "Meyer"];
const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8] = b"0123456789ABCDEF";

/// A Salesforce user of the demo org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoUser {
    pub id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub is_active: bool,
}

impl DemoUser {
    /// "First Last", as Salesforce's `Name` and the identity `display_name`.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// The org and its connected app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoOrg {
    /// 18-character Organization id (prefix 00D).
    pub org_id: String,
    pub name: String,
    /// The connected app's consumer key.
    pub client_id: String,
    /// The connected app's consumer secret.
    pub client_secret: String,
    /// The client-credentials "Run As" user.
    pub integration_user_id: String,
    pub users: Vec<DemoUser>,
}

impl DemoOrg {
    /// The org a seed yields: always the same ids, names and secrets for the same seed.
    pub fn generate(seed: u64) -> Self {
        let mut rng = SeededRng::new(seed);
        let org_seq = rng.next_u64() % 1_000_000;
        let domain = format!("demo{org_seq}.example.com");
        let mut users = vec![
            user(1, "Integration", "User", &format!("integration@{domain}")),
            user(2, "Ada", "Admin", &format!("admin@{domain}")),
        ];
        for n in 0..4u64 {
            let first = *rng.pick(FIRST_NAMES);
            let last = *rng.pick(LAST_NAMES);
            let login = format!("{}.{}{n}@{domain}", first.to_lowercase(), last.to_lowercase());
            users.push(user(3 + n, first, last, &login));
        }
        // A user who left: records may name them, writes may not (INACTIVE_OWNER_OR_USER).
        users.push(DemoUser { is_active: false, ..user(7, "Former", "Employee", &format!("former@{domain}")) });
        Self {
            org_id: make_id("00D", org_seq),
            name: format!("Demo Org {org_seq}"),
            client_id: format!("3MVG9{}", rng.string(ALNUM, 80)),
            client_secret: rng.string(HEX, 64),
            integration_user_id: users[0].id.clone(),
            users,
        }
    }

    /// The demo password of `user`: derived from the app secret and the user id, so it is
    /// stable for a seed without being stored, and printed in sfsim's banner.
    pub fn password_of(&self, user: &DemoUser) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("{}:{}", self.client_secret, user.id));
        let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
        format!("Demo-{hex}")
    }

    /// The user with this username (case-insensitive, as Salesforce logins are).
    pub fn user_named(&self, username: &str) -> Option<&DemoUser> {
        self.users.iter().find(|u| u.username.eq_ignore_ascii_case(username.trim()))
    }

    /// The user with this 18-character id.
    pub fn user(&self, id: &str) -> Option<&DemoUser> {
        self.users.iter().find(|u| u.id == id)
    }
}

fn user(seq: u64, first: &str, last: &str, username: &str) -> DemoUser {
    DemoUser {
        id: make_id("005", seq),
        username: username.to_string(),
        first_name: first.to_string(),
        last_name: last.to_string(),
        email: username.to_string(),
        is_active: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_is_deterministic_by_seed() {
        assert_eq!(DemoOrg::generate(3), DemoOrg::generate(3));
        assert_ne!(DemoOrg::generate(3).client_secret, DemoOrg::generate(4).client_secret);
    }

    #[test]
    fn generate_has_an_active_integration_user() {
        let org = DemoOrg::generate(1);
        let integration = org.user(&org.integration_user_id).unwrap();
        assert!(integration.is_active);
        assert!(org.org_id.starts_with("00D"));
        assert_eq!(org.users.len(), 7);
        assert!(!org.users[6].is_active);
    }
}
