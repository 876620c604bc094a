//! What the console's seat table shows: the role tree flattened for the filter, a role's
//! subtree, and the users a filter keeps (role, role and below, a search over name,
//! username, e-mail and title). Plain Rust, tested natively.

use std::collections::HashSet;

use crate::core::api::admin::SeatUser;
use crate::core::rules::roles::RoleNode;

/// The tree as (id, name, depth) in display order.
pub fn flatten(nodes: &[RoleNode]) -> Vec<(String, String, usize)> {
    fn walk(nodes: &[RoleNode], depth: usize, out: &mut Vec<(String, String, usize)>) {
        for n in nodes {
            out.push((n.id.clone(), n.name.clone(), depth));
            walk(&n.children, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(nodes, 0, &mut out);
    out
}

/// `id` and every role below it.
pub fn subtree(nodes: &[RoleNode], id: &str) -> HashSet<String> {
    fn all(n: &RoleNode, out: &mut HashSet<String>) {
        out.insert(n.id.clone());
        for c in &n.children {
            all(c, out);
        }
    }
    fn find<'a>(nodes: &'a [RoleNode], id: &str) -> Option<&'a RoleNode> {
        nodes.iter().find_map(|n| if n.id == id { Some(n) } else { find(&n.children, id) })
    }
    let mut out = HashSet::new();
    if let Some(n) = find(nodes, id) {
        all(n, &mut out);
    }
    out
}

/// The console's user filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// A role id; empty for every user.
    pub role: String,
    pub with_subtree: bool,
    pub search: String,
}

/// The users `filter` keeps, in order.
pub fn filtered<'a>(users: &'a [SeatUser], roles: &[RoleNode], filter: &UserFilter) -> Vec<&'a SeatUser> {
    let covered: Option<HashSet<String>> = (!filter.role.is_empty()).then(|| {
        if filter.with_subtree {
            subtree(roles, &filter.role)
        } else {
            HashSet::from([filter.role.clone()])
        }
    });
    let needle = filter.search.trim().to_lowercase();
    users
        .iter()
        .filter(|u| covered.as_ref().is_none_or(|c| u.role_id.as_ref().is_some_and(|r| c.contains(r))))
        .filter(|u| {
            needle.is_empty()
                || [&u.name, &u.username, &u.email, &u.title].iter().any(|f| f.to_lowercase().contains(&needle))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::api::admin::UserWriteback;

    fn node(id: &str, children: Vec<RoleNode>) -> RoleNode {
        RoleNode { id: id.into(), name: format!("role {id}"), parent_id: None, users: 0, users_in_subtree: 0, children }
    }

    fn user(id: &str, role: Option<&str>, name: &str) -> SeatUser {
        SeatUser {
            user_id: id.into(),
            username: format!("{id}@x"),
            name: name.into(),
            email: String::new(),
            title: "Account Executive".into(),
            role: role.map(|r| format!("role {r}")),
            role_id: role.map(Into::into),
            is_active: true,
            seat: false,
            seat_source: None,
            outside_grant: false,
            admin: false,
            last_sign_in: None,
            writeback: UserWriteback::default(),
            autosave: true,
        }
    }

    #[test]
    fn a_role_alone_or_with_everything_below_and_a_search() {
        let roles = vec![node("A", vec![node("B", vec![node("C", vec![])])]), node("D", vec![])];
        assert_eq!(
            flatten(&roles).iter().map(|(id, _, d)| (id.as_str(), *d)).collect::<Vec<_>>(),
            [("A", 0), ("B", 1), ("C", 2), ("D", 0)]
        );
        let users = [
            user("1", Some("A"), "Ada"),
            user("2", Some("B"), "Bo"),
            user("3", Some("C"), "Cy"),
            user("4", None, "Di"),
        ];
        let ids = |f: &UserFilter| filtered(&users, &roles, f).iter().map(|u| u.user_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&UserFilter::default()).len(), 4);
        assert_eq!(ids(&UserFilter { role: "B".into(), ..Default::default() }), ["2"]);
        assert_eq!(ids(&UserFilter { role: "B".into(), with_subtree: true, ..Default::default() }), ["2", "3"]);
        assert_eq!(ids(&UserFilter { search: "  cY ".into(), ..Default::default() }), ["3"]);
        assert_eq!(
            ids(&UserFilter { search: "executive".into(), role: "A".into(), with_subtree: true }),
            ["1", "2", "3"]
        );
    }
}
