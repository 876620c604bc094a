//! Who holds a seat: users given one by hand, and every active user in a role an admin
//! set to give seats (the role alone, or with everything below it), now and at each
//! import. A user who moves out of such a role keeps the seat until an admin removes it;
//! [`outside_grants`] flags them. An optional seat limit caps the total.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::roles::RoleTree;

/// A role set to give seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    pub role_id: String,
    /// Also every role below it.
    pub subtree: bool,
}

/// A user as the seat rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatCandidate {
    pub user_id: String,
    pub role_id: Option<String>,
    pub is_active: bool,
}

/// Why seats cannot be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeatLimitError {
    /// The limit would be passed.
    #[error("the seat limit is {limit} (CRMSYNC_SEAT_LIMIT) and {used} seats are taken: {adding} more would make {total}; remove seats first or raise the limit")]
    Exceeded { limit: usize, used: usize, adding: usize, total: usize },
}

/// Checks that `adding` new seats fit beside `used` under `limit` (none: no limit).
pub fn check_limit(limit: Option<usize>, used: usize, adding: usize) -> Result<(), SeatLimitError> {
    match limit {
        Some(limit) if used + adding > limit => {
            Err(SeatLimitError::Exceeded { limit, used, adding, total: used + adding })
        }
        _ => Ok(()),
    }
}

/// The roles a grant covers.
pub fn granted_roles(grants: &[RoleGrant], roles: &RoleTree) -> HashSet<String> {
    let mut out = HashSet::new();
    for g in grants {
        if g.subtree {
            out.extend(roles.subtree(&g.role_id));
        } else {
            out.insert(g.role_id.clone());
        }
    }
    out
}

/// The active users the grants give a seat to, in input order.
pub fn granted_users<'a>(grants: &[RoleGrant], roles: &RoleTree, users: &'a [SeatCandidate]) -> Vec<&'a SeatCandidate> {
    let covered = granted_roles(grants, roles);
    users.iter().filter(|u| u.is_active && u.role_id.as_ref().is_some_and(|r| covered.contains(r))).collect()
}

/// Whether a seat given by a role grant is now outside every grant (the user moved
/// roles, or the grant was removed): kept, but flagged for the admin.
pub fn outside_grants(user: &SeatCandidate, grants: &[RoleGrant], roles: &RoleTree) -> bool {
    !user.role_id.as_ref().is_some_and(|r| granted_roles(grants, roles).contains(r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rules::roles::Role;

    fn tree() -> RoleTree {
        RoleTree::new(vec![
            Role { id: "R1".into(), name: "VP".into(), parent_id: None },
            Role { id: "R2".into(), name: "East".into(), parent_id: Some("R1".into()) },
            Role { id: "R3".into(), name: "Team".into(), parent_id: Some("R2".into()) },
        ])
    }

    fn user(id: &str, role: Option<&str>, active: bool) -> SeatCandidate {
        SeatCandidate { user_id: id.into(), role_id: role.map(Into::into), is_active: active }
    }

    #[test]
    fn grants_cover_a_role_or_its_subtree_and_only_active_users() {
        let users = [
            user("a", Some("R1"), true),
            user("b", Some("R2"), true),
            user("c", Some("R3"), true),
            user("d", Some("R3"), false),
            user("e", None, true),
        ];
        let ids =
            |g: &[RoleGrant]| granted_users(g, &tree(), &users).iter().map(|u| u.user_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&[RoleGrant { role_id: "R2".into(), subtree: false }]), ["b"]);
        assert_eq!(ids(&[RoleGrant { role_id: "R2".into(), subtree: true }]), ["b", "c"]);
        assert!(outside_grants(&users[0], &[RoleGrant { role_id: "R2".into(), subtree: true }], &tree()));
        assert!(!outside_grants(&users[2], &[RoleGrant { role_id: "R2".into(), subtree: true }], &tree()));
        assert!(outside_grants(&users[4], &[], &tree()));
    }

    #[test]
    fn the_limit_says_how_many_and_what_to_do() {
        assert_eq!(check_limit(None, 100, 100), Ok(()));
        assert_eq!(check_limit(Some(5), 3, 2), Ok(()));
        let err = check_limit(Some(5), 3, 3).unwrap_err().to_string();
        assert!(err.contains("seat limit is 5") && err.contains("3 more would make 6"), "{err}");
    }
}
