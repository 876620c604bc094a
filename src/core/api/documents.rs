//! Tracked document links on the wire: what `POST /api/v1/documents` takes for a web
//! address (a PDF is the body itself) and what the rep's popup lists.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/documents` with a JSON body: share a web address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    pub title: String,
    /// The Lead or Contact it is shared with.
    pub record: String,
    pub url: String,
    /// Days until the link stops opening (none: never); a whole number (`30` or `30.0`).
    #[serde(default)]
    pub expires_in_days: Option<f64>,
}

impl NewLink {
    /// The expiry in whole days, or why it is not one.
    pub fn expiry_days(&self) -> Result<Option<u32>, String> {
        match self.expires_in_days {
            None => Ok(None),
            Some(d) if d.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&d) => Ok(Some(d as u32)),
            Some(d) => Err(format!("expires_in_days: {d} is not a whole number of days")),
        }
    }
}

/// One shared link with its views.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedLink {
    pub id: String,
    pub title: String,
    /// `pdf` or `url`.
    pub kind: String,
    pub record: String,
    /// The address to paste into a message (`…/d/<token>`).
    pub link: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub size: i64,
    /// RFC 3339.
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked: bool,
    /// Opens now (not revoked, not expired).
    pub live: bool,
    pub views: usize,
    /// Each view's time (RFC 3339), oldest first.
    pub viewed_at: Vec<String>,
}

/// `GET /api/v1/documents`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedLinks {
    pub documents: Vec<SharedLink>,
}
