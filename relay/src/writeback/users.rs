//! Naming a Salesforce user on the command line: by id (15 or 18 characters) or by
//! username, against the org's users as last imported.

use crmsync::core::rules::roles::{Role, RoleTree};
use crmsync::core::sf::SalesforceId;
use serde_json::Value;

use crate::store::{Store, StoreError};

/// A Salesforce user of the connected org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUser {
    /// 18-character id.
    pub id: String,
    pub username: String,
    pub name: String,
    pub email: String,
    pub title: String,
    /// The user's `UserRoleId`, if any.
    pub role_id: Option<String>,
    pub is_active: bool,
}

/// Why a user reference did not name one user.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// No users are imported yet.
    #[error("no Salesforce users are imported yet; connect the org and run `crmsync import` first")]
    NoUsers,
    /// Nobody has this id or username.
    #[error("no Salesforce user has the id or username {0:?} (checked {1} imported users; run `crmsync import` if they are new)")]
    Unknown(String, usize),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The org's users as last imported.
pub async fn org_users(store: &dyn Store) -> Result<Vec<OrgUser>, StoreError> {
    let rows = store.rows("User").await?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            let fields: Value = serde_json::from_str(&row.fields_json).ok()?;
            let text = |f: &str| fields.get(f).and_then(Value::as_str).unwrap_or_default().to_string();
            Some(OrgUser {
                id: row.id.clone(),
                username: text("Username"),
                name: text("Name"),
                email: text("Email"),
                title: text("Title"),
                role_id: Some(text("UserRoleId")).filter(|r| !r.is_empty()),
                is_active: fields.get("IsActive").and_then(Value::as_str) == Some("true"),
            })
        })
        .collect())
}

/// The org's role hierarchy as last imported.
pub async fn org_roles(store: &dyn Store) -> Result<RoleTree, StoreError> {
    let rows = store.rows("UserRole").await?;
    let roles = rows
        .iter()
        .filter_map(|row| {
            let fields: Value = serde_json::from_str(&row.fields_json).ok()?;
            let text = |f: &str| fields.get(f).and_then(Value::as_str).unwrap_or_default().to_string();
            Some(Role {
                id: row.id.clone(),
                name: text("Name"),
                parent_id: Some(text("ParentRoleId")).filter(|p| !p.is_empty()),
            })
        })
        .collect();
    Ok(RoleTree::new(roles))
}

/// The one user `reference` names: an id (either length) or a username (any case).
pub async fn find_user(store: &dyn Store, reference: &str) -> Result<OrgUser, UserError> {
    let users = org_users(store).await?;
    if users.is_empty() {
        return Err(UserError::NoUsers);
    }
    let reference = reference.trim();
    let by_id = SalesforceId::parse(reference).ok().map(|id| id.as_str().to_string());
    users
        .iter()
        .find(|u| by_id.as_deref() == Some(u.id.as_str()) || u.username.eq_ignore_ascii_case(reference))
        .cloned()
        .ok_or_else(|| UserError::Unknown(reference.to_string(), users.len()))
}
