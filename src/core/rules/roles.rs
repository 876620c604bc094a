//! The org's role hierarchy (`UserRole` with `ParentRoleId`): finding a role by name or
//! id, a role's subtree, and the tree as the console and `crmsync roles --json` show it.
//! Cycles and dangling parents (an org mid-edit, a partial import) never loop: a role
//! whose parent is unknown is a root, and each role is visited once.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::core::sf::SalesforceId;

/// One role as imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// 18-character `UserRole` id.
    pub id: String,
    pub name: String,
    /// The parent role, `None` at the top.
    pub parent_id: Option<String>,
}

/// A role with its children, for display (`crmsync roles --json`, the console's filter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleNode {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
    /// Users holding this role itself.
    pub users: usize,
    /// Users in this role and every role below it.
    pub users_in_subtree: usize,
    pub children: Vec<RoleNode>,
}

/// Why a role reference named no single role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    /// Nothing has this id or name.
    #[error("no role has the id or name {0:?} ({1} roles are imported; run `crmsync roles` to list them)")]
    Unknown(String, usize),
    /// Several roles share the name.
    #[error("{count} roles are named {name:?}; name the role by its id instead ({ids})")]
    Ambiguous { name: String, count: usize, ids: String },
}

/// The hierarchy, indexed.
#[derive(Debug, Clone, Default)]
pub struct RoleTree {
    roles: Vec<Role>,
    by_id: HashMap<String, usize>,
    children: HashMap<String, Vec<usize>>,
}

impl RoleTree {
    /// Indexes `roles` (any order); children are kept by name.
    pub fn new(mut roles: Vec<Role>) -> Self {
        roles.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
        let by_id: HashMap<String, usize> = roles.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();
        let mut children: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, role) in roles.iter().enumerate() {
            if let Some(parent) = role.parent_id.as_ref().filter(|p| by_id.contains_key(*p) && **p != role.id) {
                children.entry(parent.clone()).or_default().push(i);
            }
        }
        Self { roles, by_id, children }
    }

    /// Every role, by name.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// The role with this id.
    pub fn get(&self, id: &str) -> Option<&Role> {
        self.by_id.get(id).map(|&i| &self.roles[i])
    }

    /// The one role `reference` names: an id (15 or 18 characters) or a name (any case).
    pub fn find(&self, reference: &str) -> Result<&Role, RoleError> {
        let reference = reference.trim();
        if let Ok(id) = SalesforceId::parse(reference) {
            let id15 = id.as_str().get(..15).unwrap_or_default();
            if let Some(role) = self.roles.iter().find(|r| r.id.get(..15) == Some(id15)) {
                return Ok(role);
            }
        }
        let named: Vec<&Role> = self.roles.iter().filter(|r| r.name.eq_ignore_ascii_case(reference)).collect();
        match named.as_slice() {
            [one] => Ok(one),
            [] => Err(RoleError::Unknown(reference.to_string(), self.roles.len())),
            many => Err(RoleError::Ambiguous {
                name: reference.to_string(),
                count: many.len(),
                ids: many.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(", "),
            }),
        }
    }

    /// The roles strictly below `id` (children, their children, …).
    pub fn below(&self, id: &str) -> HashSet<String> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut stack = vec![id.to_string()];
        while let Some(at) = stack.pop() {
            for &child in self.children.get(&at).map(Vec::as_slice).unwrap_or_default() {
                let child_id = &self.roles[child].id;
                if child_id != id && seen.insert(child_id.clone()) {
                    stack.push(child_id.clone());
                }
            }
        }
        seen
    }

    /// `id` and every role below it.
    pub fn subtree(&self, id: &str) -> HashSet<String> {
        let mut all = self.below(id);
        all.insert(id.to_string());
        all
    }

    /// Whether `role` is `top` or below it.
    pub fn within(&self, role: &str, top: &str) -> bool {
        let mut at = role;
        let mut steps = 0;
        loop {
            if at == top {
                return true;
            }
            match self.get(at).and_then(|r| r.parent_id.as_deref()).filter(|p| self.by_id.contains_key(*p)) {
                Some(parent) if steps < self.roles.len() => {
                    at = parent;
                    steps += 1;
                }
                _ => return false,
            }
        }
    }

    /// The tree for display, roots first; `users_of(role id)` counts the role's users.
    pub fn nodes(&self, users_of: &dyn Fn(&str) -> usize) -> Vec<RoleNode> {
        let mut placed: HashSet<usize> = HashSet::new();
        let roots: Vec<usize> = (0..self.roles.len())
            .filter(|&i| {
                let r = &self.roles[i];
                r.parent_id.as_ref().is_none_or(|p| !self.by_id.contains_key(p) || *p == r.id)
            })
            .collect();
        let mut out: Vec<RoleNode> = roots.into_iter().map(|i| self.node(i, users_of, &mut placed)).collect();
        // Roles on a cycle have no root above them: shown at the top, once each.
        for i in 0..self.roles.len() {
            if !placed.contains(&i) {
                out.push(self.node(i, users_of, &mut placed));
            }
        }
        out
    }

    fn node(&self, i: usize, users_of: &dyn Fn(&str) -> usize, placed: &mut HashSet<usize>) -> RoleNode {
        placed.insert(i);
        let role = &self.roles[i];
        let mut children = Vec::new();
        for &child in self.children.get(&role.id).map(Vec::as_slice).unwrap_or_default() {
            if !placed.contains(&child) {
                children.push(self.node(child, users_of, placed));
            }
        }
        let users = users_of(&role.id);
        RoleNode {
            id: role.id.clone(),
            name: role.name.clone(),
            parent_id: role.parent_id.clone(),
            users,
            users_in_subtree: users + children.iter().map(|c| c.users_in_subtree).sum::<usize>(),
            children,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(id: &str, name: &str, parent: Option<&str>) -> Role {
        Role { id: id.into(), name: name.into(), parent_id: parent.map(Into::into) }
    }

    /// CEO → VP → (East, West); East → Team; "Loop A" ↔ "Loop B" point at each other.
    fn tree() -> RoleTree {
        RoleTree::new(vec![
            role("00E000000000001AAA", "CEO", None),
            role("00E000000000002AAA", "VP Sales", Some("00E000000000001AAA")),
            role("00E000000000003AAA", "East", Some("00E000000000002AAA")),
            role("00E000000000004AAA", "West", Some("00E000000000002AAA")),
            role("00E000000000005AAA", "Team", Some("00E000000000003AAA")),
            role("00E000000000006AAA", "Loop A", Some("00E000000000007AAA")),
            role("00E000000000007AAA", "Loop B", Some("00E000000000006AAA")),
            role("00E000000000008AAA", "Orphan", Some("00E0000000000ZZAAA")),
        ])
    }

    #[test]
    fn subtrees_and_within() {
        let t = tree();
        let vp = t.find("vp sales").unwrap().id.clone();
        let below = t.below(&vp);
        assert_eq!(below.len(), 3);
        assert!(below.contains("00E000000000005AAA"));
        assert!(!below.contains(&vp));
        assert!(t.subtree(&vp).contains(&vp));
        assert!(t.within("00E000000000005AAA", &vp));
        assert!(!t.within(&vp, "00E000000000005AAA"));
        // A cycle ends.
        assert_eq!(t.below("00E000000000006AAA").len(), 1);
        assert!(!t.within("00E000000000006AAA", "00E000000000001AAA"));
    }

    #[test]
    fn find_by_id_either_length_or_name_and_say_why_not() {
        let t = tree();
        assert_eq!(t.find("00E000000000003").unwrap().name, "East");
        assert_eq!(t.find(" west ").unwrap().id, "00E000000000004AAA");
        assert!(matches!(t.find("North"), Err(RoleError::Unknown(_, 8))));
        let dup =
            RoleTree::new(vec![role("00E000000000001AAA", "Sales", None), role("00E000000000002AAA", "sales", None)]);
        let err = dup.find("Sales").unwrap_err().to_string();
        assert!(err.contains("2 roles are named") && err.contains("00E000000000002AAA"), "{err}");
    }

    #[test]
    fn nodes_show_every_role_once_with_user_counts() {
        let t = tree();
        let nodes = t.nodes(&|id| if id == "00E000000000005AAA" { 3 } else { 1 });
        fn count(n: &[RoleNode]) -> usize {
            n.iter().map(|c| 1 + count(&c.children)).sum()
        }
        assert_eq!(count(&nodes), 8);
        let ceo = nodes.iter().find(|n| n.name == "CEO").unwrap();
        assert_eq!(ceo.users_in_subtree, 1 + 1 + 1 + 1 + 3);
        assert_eq!(ceo.children[0].children.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["East", "West"]);
        assert!(nodes.iter().any(|n| n.name == "Orphan"), "a dangling parent makes a root");
    }
}
