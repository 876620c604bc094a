//! The org-wide directory of network profiles and companies: observations sent by reps'
//! browsers (with their consent) and uploaded `Connections.csv` exports, checked and
//! turned into store rows. Matching CRM records against it is in [`matching`].

pub mod decisions;
pub mod matching;
pub mod observe;

use crmsync::core::api::DirectoryProfile;
use crmsync::core::badge::Observed;
use crmsync::core::network_export::{connections_to_network, ExportError};
use crmsync::core::pages::{NetworkEntity, NetworkPage};

use crate::store::ProfileRow;

/// Most observations taken in one request.
pub const MAX_OBSERVATIONS: usize = 500;
/// Longest field kept; longer text is not a name or headline.
const MAX_FIELD: usize = 300;

/// Where an observation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Seen in a rep's browser.
    Page,
    /// A rep's uploaded `Connections.csv`.
    ConnectionsCsv,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Page => "page",
            Source::ConnectionsCsv => "connections_csv",
        }
    }
}

fn entity_name(entity: NetworkEntity) -> &'static str {
    match entity {
        NetworkEntity::Person => "person",
        NetworkEntity::Company => "company",
    }
}

/// The canonical public URL of a page (Sales Navigator ids keep their own form).
fn canonical_url(page: &NetworkPage) -> String {
    let slug = page.slug.replace('/', "");
    match (page.entity, page.sales_navigator) {
        (NetworkEntity::Person, false) => format!("https://www.linkedin.com/in/{slug}/"),
        (NetworkEntity::Company, false) => format!("https://www.linkedin.com/company/{slug}/"),
        (NetworkEntity::Person, true) => format!("https://www.linkedin.com/sales/lead/{slug}"),
        (NetworkEntity::Company, true) => format!("https://www.linkedin.com/sales/company/{slug}"),
    }
}

/// A store row for an observation, or why it cannot be one.
pub fn profile_row(observed: &Observed, source: Source, user: &str, now_ms: i64) -> Result<ProfileRow, String> {
    let page =
        observed.page().ok_or_else(|| format!("url {:?} is not a network profile or company page", observed.url))?;
    let field = |name: &str, value: &str| {
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        if value.chars().count() > MAX_FIELD {
            Err(format!("{name} of {:?} is longer than {MAX_FIELD} characters", observed.url))
        } else {
            Ok(value)
        }
    };
    let name = field("name", &observed.name)?;
    if name.is_empty() {
        return Err(format!("the observation of {:?} has no name", observed.url));
    }
    Ok(ProfileRow {
        network_id: page.slug.clone(),
        entity: entity_name(page.entity).to_string(),
        url: canonical_url(&page),
        name,
        headline: field("headline", &observed.headline)?,
        company: field("company", &observed.company)?,
        location: field("location", &observed.location)?,
        source: source.as_str().to_string(),
        observed_by: user.to_string(),
        observed_at_ms: now_ms,
    })
}

/// Rows of an uploaded `Connections.csv`; connections without a profile URL cannot be
/// recognised on a page, so they are counted as skipped.
pub fn connections_rows(text: &str, user: &str, now_ms: i64) -> Result<(Vec<ProfileRow>, usize), ExportError> {
    let (rows, mut skipped) = connections_to_network(text)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let observed = Observed {
            url: format!("https://www.linkedin.com/in/{}/", row[0]),
            name: format!("{} {}", row[1], row[2]).trim().to_string(),
            headline: row[4].clone(),
            company: row[5].clone(),
            ..Observed::default()
        };
        match profile_row(&observed, Source::ConnectionsCsv, user, now_ms) {
            Ok(profile) if !row[0].starts_with("conn-") => out.push(profile),
            _ => skipped += 1,
        }
    }
    Ok((out, skipped))
}

/// A stored row as the API shows it.
pub fn directory_profile(row: &ProfileRow) -> DirectoryProfile {
    DirectoryProfile {
        network_id: row.network_id.clone(),
        entity: if row.entity == "company" { NetworkEntity::Company } else { NetworkEntity::Person },
        url: row.url.clone(),
        name: row.name.clone(),
        headline: row.headline.clone(),
        company: row.company.clone(),
        location: row.location.clone(),
        observed_at_ms: row.observed_at_ms,
    }
}

/// The row back as an observation (what the matcher reads).
pub fn observed_of(row: &ProfileRow) -> Observed {
    Observed {
        url: row.url.clone(),
        name: row.name.clone(),
        headline: row.headline.clone(),
        company: row.company.clone(),
        location: row.location.clone(),
        website: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_are_checked_and_canonical() {
        let seen = Observed {
            url: "https://www.linkedin.com/in/Ada-Lovelace/details/experience/?x=1".into(),
            name: "  Ada   Lovelace ".into(),
            ..Observed::default()
        };
        let row = profile_row(&seen, Source::Page, "005000000000001AAA", 7).unwrap();
        assert_eq!((row.network_id.as_str(), row.name.as_str()), ("ada-lovelace", "Ada Lovelace"));
        assert_eq!(row.url, "https://www.linkedin.com/in/ada-lovelace/");
        let feed = Observed { url: "https://www.linkedin.com/feed/".into(), name: "x".into(), ..Observed::default() };
        assert!(profile_row(&feed, Source::Page, "u", 7).unwrap_err().contains("not a network profile"));
        let nameless = Observed { url: "https://www.linkedin.com/in/x/".into(), ..Observed::default() };
        assert!(profile_row(&nameless, Source::Page, "u", 7).unwrap_err().contains("no name"));
    }

    #[test]
    fn connections_without_a_url_are_skipped() {
        let text = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n\
            Ada,Lovelace,https://www.linkedin.com/in/ada-lovelace-1815,,Analytical Engines,Mathematician,10 Dec 2024\n\
            Charles,Babbage,,,Difference Ltd,Inventor,01 Jan 2025\n";
        let (rows, skipped) = connections_rows(text, "u", 1).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(skipped, 1);
        assert_eq!(rows[0].company, "Analytical Engines");
        assert_eq!(rows[0].headline, "Mathematician");
        assert_eq!(rows[0].source, "connections_csv");
    }
}
