//! Auto-save: the accounts and contacts of open opportunities are saved for the
//! opportunity's owner, so owners hear about their most important records without saving
//! them by hand. The rules never remove an entry; a new owner gets the records saved too;
//! an entry a rep removed by hand is not saved again for the same opportunity (another
//! opportunity may save it again).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// The two lists every rep has, and the lists reps make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// "My CRM accounts".
    AutoAccounts,
    /// "My CRM leads and contacts".
    AutoPeople,
    /// A list the rep made.
    Manual,
}

impl ListKind {
    /// The stored (and shown) name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AutoAccounts => "auto_accounts",
            Self::AutoPeople => "auto_people",
            Self::Manual => "manual",
        }
    }

    /// Reads a stored kind.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::AutoAccounts, Self::AutoPeople, Self::Manual].into_iter().find(|k| k.as_str() == text)
    }

    /// The id an automatic list has for every rep (manual lists are numbered).
    pub fn auto_list_id(self) -> Option<&'static str> {
        match self {
            Self::AutoAccounts => Some("accounts"),
            Self::AutoPeople => Some("people"),
            Self::Manual => None,
        }
    }

    /// The name an automatic list is shown with.
    pub fn auto_list_name(self) -> Option<&'static str> {
        match self {
            Self::AutoAccounts => Some("My CRM accounts"),
            Self::AutoPeople => Some("My CRM leads and contacts"),
            Self::Manual => None,
        }
    }

    /// Whether a record of `object` belongs in a list of this kind (a manual list takes
    /// anything).
    pub fn takes(self, object: &str) -> bool {
        match self {
            Self::AutoAccounts => object == "Account",
            Self::AutoPeople => matches!(object, "Contact" | "Lead"),
            Self::Manual => true,
        }
    }
}

/// Which accounts a rep's accounts list gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountsRule {
    /// The accounts of open opportunities the rep owns (the default).
    #[default]
    OpenOpportunities,
    /// Every account the rep owns, and those of their open opportunities.
    Owned,
}

impl AccountsRule {
    /// The stored (and shown) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenOpportunities => "open_opportunities",
            Self::Owned => "owned",
        }
    }

    /// Reads a stored or typed name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::OpenOpportunities, Self::Owned].into_iter().find(|r| r.as_str() == text)
    }
}

/// The opportunity stage from which auto-save applies, in the org's stage order (the
/// `StageName` picklist's order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageThreshold {
    /// None: every stage.
    pub min_stage: Option<String>,
    /// The org's stages, first to last.
    pub order: Vec<String>,
}

impl StageThreshold {
    /// Whether an opportunity at `stage` is at or past the threshold. A stage the order
    /// does not list (added to the org since) counts as reached: saving a record too many
    /// is undone by hand, a record never saved is not noticed.
    pub fn reached(&self, stage: &str) -> bool {
        let Some(min) = &self.min_stage else { return true };
        let position = |s: &str| self.order.iter().position(|o| o.eq_ignore_ascii_case(s));
        match (position(min), position(stage)) {
            (Some(min), Some(at)) => at >= min,
            _ => true,
        }
    }
}

/// An imported Opportunity as the rules read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opportunity {
    pub id: String,
    pub name: String,
    pub account_id: Option<String>,
    pub owner_id: String,
    pub is_closed: bool,
    pub stage: String,
}

/// An imported OpportunityContactRole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRole {
    pub opportunity_id: String,
    pub contact_id: String,
}

/// An imported Account's owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedAccount {
    pub id: String,
    pub owner_id: String,
}

/// A text field of an imported row (`""` when absent).
fn text<'a>(fields: &'a serde_json::Map<String, serde_json::Value>, name: &str) -> &'a str {
    fields.get(name).and_then(serde_json::Value::as_str).unwrap_or_default()
}

impl Opportunity {
    /// Reads an imported Opportunity row's fields (`IsClosed` as Bulk CSV writes it).
    pub fn from_fields(id: &str, fields: &serde_json::Map<String, serde_json::Value>) -> Self {
        Self {
            id: id.to_string(),
            name: text(fields, "Name").to_string(),
            account_id: Some(text(fields, "AccountId").to_string()).filter(|a| !a.is_empty()),
            owner_id: text(fields, "OwnerId").to_string(),
            is_closed: text(fields, "IsClosed").eq_ignore_ascii_case("true"),
            stage: text(fields, "StageName").to_string(),
        }
    }
}

impl ContactRole {
    /// Reads an imported OpportunityContactRole row's fields (`None` without a contact).
    pub fn from_fields(fields: &serde_json::Map<String, serde_json::Value>) -> Option<Self> {
        let (opportunity_id, contact_id) = (text(fields, "OpportunityId"), text(fields, "ContactId"));
        (!opportunity_id.is_empty() && !contact_id.is_empty())
            .then(|| Self { opportunity_id: opportunity_id.to_string(), contact_id: contact_id.to_string() })
    }
}

impl OwnedAccount {
    /// Reads an imported Account row's owner.
    pub fn from_fields(id: &str, fields: &serde_json::Map<String, serde_json::Value>) -> Self {
        Self { id: id.to_string(), owner_id: text(fields, "OwnerId").to_string() }
    }
}

/// Why the rules save a record, kept with the entry (and what a removal by hand blocks).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// An open opportunity (id, name) of the owner.
    OpenOpportunity { id: String, name: String },
    /// The rep owns the account (accounts rule `owned`).
    OwnedAccount,
}

impl Source {
    /// The key a removal by hand is remembered under.
    pub fn key(&self) -> &str {
        match self {
            Self::OpenOpportunity { id, .. } => id,
            Self::OwnedAccount => "owned",
        }
    }

    /// The reason shown with the entry.
    pub fn reason(&self) -> String {
        match self {
            Self::OpenOpportunity { name, .. } => format!("auto: open opportunity {name}"),
            Self::OwnedAccount => "auto: account owner".to_string(),
        }
    }
}

/// The reason of an entry saved by hand.
pub const BY_HAND: &str = "by hand";

/// Each rep's auto-save choices (defaults for a rep never set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepChoice {
    pub enabled: bool,
    pub accounts: AccountsRule,
}

impl Default for RepChoice {
    fn default() -> Self {
        Self { enabled: true, accounts: AccountsRule::default() }
    }
}

/// A record the rules want saved for a rep, with every source that wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub owner_id: String,
    pub list: ListKind,
    pub crm_id: String,
    /// `Account` or `Contact`.
    pub object: &'static str,
    /// In a stable order (opportunities by id, then ownership).
    pub sources: Vec<Source>,
}

/// The imported rows the rules read.
#[derive(Debug, Clone, Copy)]
pub struct OrgRows<'a> {
    pub opportunities: &'a [Opportunity],
    pub contact_roles: &'a [ContactRole],
    pub accounts: &'a [OwnedAccount],
}

/// Every record the rules want in an automatic list, per owner, list and record, in a
/// stable order; `choices` gives reps' choices (a rep not in it has the defaults).
pub fn wanted(rows: OrgRows<'_>, stage: &StageThreshold, choices: &HashMap<String, RepChoice>) -> Vec<Wanted> {
    let choice = |owner: &str| choices.get(owner).copied().unwrap_or_default();
    let mut by_key: BTreeMap<(String, ListKind, String), (&'static str, Vec<Source>)> = BTreeMap::new();
    let mut add = |owner: &str, list: ListKind, crm_id: &str, object: &'static str, source: Source| {
        let entry = by_key.entry((owner.to_string(), list, crm_id.to_string())).or_insert((object, Vec::new()));
        if !entry.1.contains(&source) {
            entry.1.push(source);
        }
    };
    let mut roles: HashMap<&str, Vec<&str>> = HashMap::new();
    for r in rows.contact_roles {
        roles.entry(r.opportunity_id.as_str()).or_default().push(r.contact_id.as_str());
    }
    let mut open: Vec<&Opportunity> = rows
        .opportunities
        .iter()
        .filter(|o| !o.is_closed && !o.owner_id.is_empty() && stage.reached(&o.stage))
        .collect();
    open.sort_by(|a, b| a.id.cmp(&b.id));
    for o in open {
        if !choice(&o.owner_id).enabled {
            continue;
        }
        let source = Source::OpenOpportunity { id: o.id.clone(), name: o.name.clone() };
        if let Some(account) = o.account_id.as_deref().filter(|a| !a.is_empty()) {
            add(&o.owner_id, ListKind::AutoAccounts, account, "Account", source.clone());
        }
        let mut contacts = roles.get(o.id.as_str()).cloned().unwrap_or_default();
        contacts.sort_unstable();
        contacts.dedup();
        for contact in contacts {
            add(&o.owner_id, ListKind::AutoPeople, contact, "Contact", source.clone());
        }
    }
    for a in rows.accounts {
        let c = choice(&a.owner_id);
        if c.enabled && c.accounts == AccountsRule::Owned && !a.owner_id.is_empty() {
            add(&a.owner_id, ListKind::AutoAccounts, &a.id, "Account", Source::OwnedAccount);
        }
    }
    by_key
        .into_iter()
        .map(|((owner_id, list, crm_id), (object, sources))| Wanted { owner_id, list, crm_id, object, sources })
        .collect()
}

/// What is already stored: entries per (owner, list, record), and removals by hand per
/// (owner, list, record, source key).
#[derive(Debug, Clone, Default)]
pub struct Saved {
    pub entries: HashSet<(String, ListKind, String)>,
    pub removed: HashSet<(String, ListKind, String, String)>,
}

/// A new entry for an automatic list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub owner_id: String,
    pub list: ListKind,
    pub crm_id: String,
    pub object: &'static str,
    /// The first source no removal blocks.
    pub source: Source,
}

/// The entries an import adds: each wanted record not saved yet, by its first source the
/// rep did not remove it for. Nothing is ever removed here.
pub fn to_add(wanted: &[Wanted], saved: &Saved) -> Vec<NewEntry> {
    wanted
        .iter()
        .filter(|w| !saved.entries.contains(&(w.owner_id.clone(), w.list, w.crm_id.clone())))
        .filter_map(|w| {
            let source = w.sources.iter().find(|s| {
                !saved.removed.contains(&(w.owner_id.clone(), w.list, w.crm_id.clone(), s.key().to_string()))
            })?;
            Some(NewEntry {
                owner_id: w.owner_id.clone(),
                list: w.list,
                crm_id: w.crm_id.clone(),
                object: w.object,
                source: source.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opp(id: &str, owner: &str, account: &str, closed: bool, stage: &str) -> Opportunity {
        Opportunity {
            id: id.into(),
            name: format!("Deal {id}"),
            account_id: Some(account.into()).filter(|a: &String| !a.is_empty()),
            owner_id: owner.into(),
            is_closed: closed,
            stage: stage.into(),
        }
    }

    fn role(opp: &str, contact: &str) -> ContactRole {
        ContactRole { opportunity_id: opp.into(), contact_id: contact.into() }
    }

    fn keys(w: &[Wanted]) -> Vec<(String, &'static str, String, Vec<String>)> {
        w.iter()
            .map(|w| {
                (w.owner_id.clone(), w.list.as_str(), w.crm_id.clone(), w.sources.iter().map(|s| s.reason()).collect())
            })
            .collect()
    }

    #[test]
    fn open_opportunities_save_their_account_and_contact_roles_for_the_owner() {
        let opps = [
            opp("O1", "U1", "A1", false, "Prospecting"),
            opp("O2", "U2", "A1", false, "Prospecting"),
            opp("O3", "U1", "A2", true, "Closed Won"),
            opp("O4", "U1", "", false, "Prospecting"),
        ];
        let roles = [role("O1", "C1"), role("O1", "C1"), role("O3", "C2"), role("O4", "C3"), role("O2", "C1")];
        let rows = OrgRows { opportunities: &opps, contact_roles: &roles, accounts: &[] };
        let w = wanted(rows, &StageThreshold::default(), &HashMap::new());
        assert_eq!(
            keys(&w),
            [
                ("U1".into(), "auto_accounts", "A1".into(), vec!["auto: open opportunity Deal O1".into()]),
                ("U1".into(), "auto_people", "C1".into(), vec!["auto: open opportunity Deal O1".into()]),
                ("U1".into(), "auto_people", "C3".into(), vec!["auto: open opportunity Deal O4".into()]),
                ("U2".into(), "auto_accounts", "A1".into(), vec!["auto: open opportunity Deal O2".into()]),
                ("U2".into(), "auto_people", "C1".into(), vec!["auto: open opportunity Deal O2".into()]),
            ]
        );
    }

    #[test]
    fn the_stage_threshold_follows_the_org_order_and_unknown_stages_count() {
        let stage = StageThreshold {
            min_stage: Some("Qualification".into()),
            order: vec!["Prospecting".into(), "Qualification".into(), "Negotiation".into()],
        };
        assert!(!stage.reached("Prospecting"));
        assert!(stage.reached("qualification"));
        assert!(stage.reached("Negotiation"));
        assert!(stage.reached("Custom Stage"));
        let opps = [opp("O1", "U1", "A1", false, "Prospecting"), opp("O2", "U1", "A2", false, "Negotiation")];
        let rows = OrgRows { opportunities: &opps, contact_roles: &[], accounts: &[] };
        let w = wanted(rows, &stage, &HashMap::new());
        assert_eq!(w.iter().map(|w| w.crm_id.as_str()).collect::<Vec<_>>(), ["A2"]);
    }

    #[test]
    fn reps_choose_owned_accounts_or_switch_auto_save_off() {
        let opps = [opp("O1", "U1", "A1", false, "Prospecting"), opp("O2", "U2", "A3", false, "Prospecting")];
        let accounts = [
            OwnedAccount { id: "A1".into(), owner_id: "U1".into() },
            OwnedAccount { id: "A2".into(), owner_id: "U1".into() },
            OwnedAccount { id: "A3".into(), owner_id: "U2".into() },
        ];
        let choices = HashMap::from([
            ("U1".to_string(), RepChoice { enabled: true, accounts: AccountsRule::Owned }),
            ("U2".to_string(), RepChoice { enabled: false, accounts: AccountsRule::Owned }),
        ]);
        let rows = OrgRows { opportunities: &opps, contact_roles: &[], accounts: &accounts };
        let w = wanted(rows, &StageThreshold::default(), &choices);
        assert_eq!(
            keys(&w),
            [
                (
                    "U1".into(),
                    "auto_accounts",
                    "A1".into(),
                    vec!["auto: open opportunity Deal O1".into(), "auto: account owner".into()]
                ),
                ("U1".into(), "auto_accounts", "A2".into(), vec!["auto: account owner".into()]),
            ]
        );
    }

    #[test]
    fn saved_entries_stay_and_removals_block_only_their_source() {
        let opps = [opp("O1", "U1", "A1", false, "Prospecting"), opp("O2", "U1", "A2", false, "Prospecting")];
        let rows = OrgRows { opportunities: &opps, contact_roles: &[], accounts: &[] };
        let w = wanted(rows, &StageThreshold::default(), &HashMap::new());
        let mut saved = Saved::default();
        saved.entries.insert(("U1".into(), ListKind::AutoAccounts, "A1".into()));
        saved.removed.insert(("U1".into(), ListKind::AutoAccounts, "A2".into(), "O2".into()));
        assert!(to_add(&w, &saved).is_empty());
        // A second open opportunity on the removed account saves it again, for that one.
        let opps = [opps[0].clone(), opps[1].clone(), opp("O3", "U1", "A2", false, "Prospecting")];
        let rows = OrgRows { opportunities: &opps, contact_roles: &[], accounts: &[] };
        let added = to_add(&wanted(rows, &StageThreshold::default(), &HashMap::new()), &saved);
        assert_eq!(added.len(), 1);
        assert_eq!((added[0].crm_id.as_str(), added[0].source.key()), ("A2", "O3"));
        assert_eq!(added[0].source.reason(), "auto: open opportunity Deal O3");
    }

    #[test]
    fn kinds_take_their_objects_and_read_back() {
        assert!(ListKind::AutoAccounts.takes("Account") && !ListKind::AutoAccounts.takes("Contact"));
        assert!(ListKind::AutoPeople.takes("Lead") && !ListKind::AutoPeople.takes("Account"));
        assert!(ListKind::Manual.takes("Account"));
        for k in [ListKind::AutoAccounts, ListKind::AutoPeople, ListKind::Manual] {
            assert_eq!(ListKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AccountsRule::parse("owned"), Some(AccountsRule::Owned));
        assert_eq!(AccountsRule::parse("all"), None);
    }
}
