//! Which CRM records a rep's browser may receive: every record (`everyone`, the default,
//! as the product crmsync replaces behaves) or, under `role_hierarchy`, the records the
//! rep owns and those owned by users in roles below the rep's role — Salesforce's own
//! role-hierarchy rule. Peers in the same role do not see each other's records.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::roles::RoleTree;

/// The org's badge visibility setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadgeVisibility {
    /// Every seat holder sees every record.
    #[default]
    Everyone,
    /// A rep sees their own records and those of users in roles below theirs.
    RoleHierarchy,
}

impl BadgeVisibility {
    /// The setting's stored and typed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::RoleHierarchy => "role_hierarchy",
        }
    }

    /// Reads a typed or stored name; anything else is refused with the names allowed.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "everyone" => Ok(Self::Everyone),
            "role_hierarchy" => Ok(Self::RoleHierarchy),
            other => Err(format!("badge_visibility must be `everyone` or `role_hierarchy`, not {other:?}")),
        }
    }
}

/// A user and their role, as imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRole {
    pub user_id: String,
    pub role_id: Option<String>,
}

/// The owners whose records `rep` may receive; `None` means every record. A rep without
/// a role (or unknown to the import) sees only their own.
pub fn visible_owners(
    policy: BadgeVisibility,
    rep: &str,
    users: &[UserRole],
    roles: &RoleTree,
) -> Option<HashSet<String>> {
    if policy == BadgeVisibility::Everyone {
        return None;
    }
    let mut owners: HashSet<String> = HashSet::from([rep.to_string()]);
    let rep_role = users.iter().find(|u| u.user_id == rep).and_then(|u| u.role_id.as_deref());
    if let Some(role) = rep_role {
        let below = roles.below(role);
        owners.extend(
            users.iter().filter(|u| u.role_id.as_ref().is_some_and(|r| below.contains(r))).map(|u| u.user_id.clone()),
        );
    }
    Some(owners)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rules::roles::Role;

    #[test]
    fn role_hierarchy_sees_down_not_sideways_or_up() {
        let roles = RoleTree::new(vec![
            Role { id: "R1".into(), name: "VP".into(), parent_id: None },
            Role { id: "R2".into(), name: "East".into(), parent_id: Some("R1".into()) },
            Role { id: "R3".into(), name: "Team".into(), parent_id: Some("R2".into()) },
        ]);
        let u = |id: &str, role: Option<&str>| UserRole { user_id: id.into(), role_id: role.map(Into::into) };
        let users =
            [u("vp", Some("R1")), u("mgr", Some("R2")), u("peer", Some("R2")), u("rep", Some("R3")), u("none", None)];
        let mgr = visible_owners(BadgeVisibility::RoleHierarchy, "mgr", &users, &roles).unwrap();
        assert_eq!(mgr, HashSet::from(["mgr".to_string(), "rep".to_string()]));
        let vp = visible_owners(BadgeVisibility::RoleHierarchy, "vp", &users, &roles).unwrap();
        assert_eq!(vp.len(), 4);
        assert_eq!(visible_owners(BadgeVisibility::RoleHierarchy, "none", &users, &roles).unwrap().len(), 1);
        assert_eq!(visible_owners(BadgeVisibility::Everyone, "rep", &users, &roles), None);
    }

    #[test]
    fn names_round_trip_and_others_are_refused() {
        for v in [BadgeVisibility::Everyone, BadgeVisibility::RoleHierarchy] {
            assert_eq!(BadgeVisibility::parse(v.as_str()), Ok(v));
        }
        assert!(BadgeVisibility::parse("managers").unwrap_err().contains("role_hierarchy"));
    }
}
