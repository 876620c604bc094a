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
    /// The user's role (a `UserRole` id), if any; `None` for users without a role.
    #[serde(default)]
    pub role_id: Option<String>,
    /// Job title, as the User's `Title`.
    #[serde(default)]
    pub title: String,
}

/// A role of the demo org's hierarchy (`UserRole`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoRole {
    pub id: String,
    pub name: String,
    /// The parent role's id; `None` at the top.
    pub parent_id: Option<String>,
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
    /// The role hierarchy, parents before children.
    #[serde(default)]
    pub roles: Vec<DemoRole>,
}

/// Roles in the order an org grows them: (name, index of the parent in this list).
const ROLE_PLAN: &[(&str, Option<usize>)] = &[
    ("CEO", None),
    ("VP Sales", Some(0)),
    ("Sales Manager East", Some(1)),
    ("Sales Manager West", Some(1)),
    ("VP Sales EMEA", Some(0)),
    ("Sales Manager UK", Some(4)),
    ("Sales Manager DACH", Some(4)),
    ("Sales Operations", Some(0)),
    ("VP Sales APAC", Some(0)),
    ("Sales Manager ANZ", Some(8)),
    ("Sales Manager Japan", Some(8)),
    ("Sales Manager Central", Some(1)),
];

impl DemoOrg {
    /// The org a seed yields for a data set of about `rows` records: the seven users every
    /// demo org has (integration user, admin, four reps, one former employee) and, as the
    /// org grows, more reps in a deeper role hierarchy (about 30 users in 8 roles three
    /// levels deep for 1,000 rows; some inactive, a few without a role).
    pub fn generate_for_rows(seed: u64, rows: usize) -> Self {
        let mut org = Self::generate(seed);
        let role_count = (4 + rows / 250).clamp(4, 50);
        org.roles = (0..role_count)
            .map(|i| {
                let (name, parent) = match ROLE_PLAN.get(i) {
                    Some(&(name, parent)) => (name.to_string(), parent),
                    // Past the plan: sales teams under the managers, round robin.
                    None => (format!("Sales Team {}", i - ROLE_PLAN.len() + 1), Some(2 + (i % 3) * 3 % 10)),
                };
                DemoRole {
                    id: make_id("00E", i as u64 + 1),
                    name,
                    parent_id: parent.map(|p| make_id("00E", p as u64 + 1)),
                }
            })
            .collect();
        let mut rng = SeededRng::new(seed ^ 0x0005_e475);
        let domain = org.users[0].username.split('@').nth(1).unwrap_or("demo.example.com").to_string();
        let extra = (rows / 43).min(5_000);
        for n in 0..extra as u64 {
            let first = *rng.pick(FIRST_NAMES);
            let last = *rng.pick(LAST_NAMES);
            let login = format!("{}.{}{}@{domain}", first.to_lowercase(), last.to_lowercase(), n + 4);
            let mut u = user(8 + n, first, last, &login);
            u.is_active = n % 9 != 8;
            // Managers' roles and below get most people; every eleventh has no role.
            u.role_id = (n % 11 != 10).then(|| org.roles[1 + (n as usize % (org.roles.len() - 1))].id.clone());
            u.title = if n % 5 == 0 { "Sales Manager".into() } else { "Account Executive".into() };
            org.users.push(u);
        }
        // The seven first users keep the roles they always had.
        for (i, u) in org.users.iter_mut().take(7).enumerate() {
            u.role_id = Some(org.roles[(i + 1).min(3)].id.clone());
            u.title = if i < 2 { "Administrator".into() } else { "Account Executive".into() };
        }
        org
    }

    /// The seven-user org a seed yields (no roles): always the same ids, names and secrets
    /// for the same seed; [`DemoOrg::generate_for_rows`] grows it to the data set.
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
            roles: Vec::new(),
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
        role_id: None,
        title: String::new(),
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

    #[test]
    fn the_hierarchy_grows_with_the_org() {
        let small = DemoOrg::generate_for_rows(1, 300);
        assert_eq!(small.users[..7], DemoOrg::generate_for_rows(1, 5000).users[..7], "the first seven stay");
        let org = DemoOrg::generate_for_rows(1, 1000);
        assert!((28..=32).contains(&org.users.len()), "{} users", org.users.len());
        assert_eq!(org.roles.len(), 8);
        let depth = |role: &DemoRole| {
            let (mut d, mut id) = (1, role.id.clone());
            while let Some(p) = org.roles.iter().find(|r| r.id == id).and_then(|r| r.parent_id.clone()) {
                d += 1;
                id = p;
            }
            d
        };
        assert_eq!(org.roles.iter().map(depth).max(), Some(3));
        assert!(org.users.iter().filter(|u| !u.is_active).count() >= 2);
        assert!(org.users.iter().any(|u| u.role_id.is_none()));
        let big = DemoOrg::generate_for_rows(1, 200_000);
        assert_eq!(big.roles.len(), 50);
        assert!(big
            .roles
            .iter()
            .all(|r| r.parent_id.is_none() || big.roles.iter().any(|p| Some(&p.id) == r.parent_id.as_ref())));
    }
}
