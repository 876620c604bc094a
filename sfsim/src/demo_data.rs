//! The demo org's CRM data: a role hierarchy, users, accounts, contacts, leads (some
//! converted), opportunities (open, won, lost) and contact roles. Deterministic by seed;
//! values are stored as Bulk API 2.0 CSV writes them (booleans `true`/`false`, numbers with
//! a decimal part, datetimes ending in `Z`).

use std::collections::BTreeMap;

use crmsync::core::rng::SeededRng;

use crate::ids::make_id;
use crate::org::DemoOrg;

/// One record: object, 18-character id, field values (`None` = null), modstamp.
#[derive(Debug, Clone, PartialEq)]
pub struct SimRecord {
    pub object: &'static str,
    pub id: String,
    pub fields: BTreeMap<String, Option<String>>,
}

impl SimRecord {
    fn new(object: &'static str, id: String, stamp: &str) -> Self {
        let mut r = Self { object, id: id.clone(), fields: BTreeMap::new() };
        r.set("Id", &id);
        r.set("CreatedDate", stamp);
        r.set("LastModifiedDate", stamp);
        r.set("SystemModstamp", stamp);
        r
    }

    fn set(&mut self, field: &str, value: impl AsRef<str>) {
        let value = value.as_ref();
        self.fields.insert(field.to_string(), (!value.is_empty()).then(|| value.to_string()));
    }

    /// The value of `field`, if set.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(|v| v.as_deref())
    }
}

const FIRST: &[&str] = &[
    "Ava", "Noah", "Mia", "Liam", "Zoe", "Omar", "Ines", "Kenji", "Priya", "Lars", "Sofia", "Mateo", "Hana", "Jonas",
    "Amara", "Diego", "Elif", "Felix", "Grace", "Ivan",
];
const LAST: &[&str] = &[
    "Fischer", "Okafor", "Novak", "Santos", "Larsen", "Tanaka", "Dubois", "Khan", "Rossi", "Meyer", "Nguyen", "Costa",
    "Berg", "Kowalski", "Haddad", "Murphy", "Silva", "Weber", "Ali", "Brown",
];
const WORDS: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Wonka",
    "Gringotts",
    "Oscorp",
    "Aperture",
    "Nakatomi",
];
const KINDS: &[&str] =
    &["Systems", "Labs", "Analytics", "Logistics", "Health", "Foods", "Energy", "Media", "Robotics", "Capital"];
const CITIES: &[(&str, &str, &str)] = &[
    ("San Francisco", "CA", "United States"),
    ("Boston", "MA", "United States"),
    ("Austin", "TX", "United States"),
    ("London", "", "United Kingdom"),
    ("Berlin", "", "Germany"),
    ("Sydney", "NSW", "Australia"),
    ("Toronto", "ON", "Canada"),
    ("Paris", "", "France"),
];
const STAGES_OPEN: &[&str] = &["Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review"];
/// Every Opportunity stage, in a new org's picklist order.
pub const STAGES: &[&str] = &[
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
];

/// A datetime `days` after 2025-01-01 plus `secs`, in Bulk CSV form.
pub fn stamp(days: u64, secs: u64) -> String {
    crmsync::core::time::rfc3339_from_unix_ms(((1_735_689_600 + days * 86_400 + secs) * 1000) as i64)
}

/// Generates about `rows` records for `org` from `seed`.
pub fn generate(org: &DemoOrg, rows: usize, seed: u64) -> Vec<SimRecord> {
    let mut rng = SeededRng::new(seed ^ 0x5eed_da7a);
    let mut out = Vec::with_capacity(rows + 16);
    org_users(org, &mut out);
    let owners: Vec<&str> = org.users.iter().skip(2).map(|u| u.id.as_str()).collect();
    let owners = if owners.is_empty() { vec![org.integration_user_id.as_str()] } else { owners };
    let accounts = accounts(&mut rng, (rows / 5).max(1), &owners, &mut out);
    let contacts = contacts(&mut rng, rows * 2 / 5, &accounts, &owners, &mut out);
    leads(&mut rng, rows * 3 / 10, &accounts, &contacts, &owners, &mut out);
    let opps = opportunities(&mut rng, rows * 3 / 40, &accounts, &owners, &mut out);
    contact_roles(&mut rng, &opps, &contacts, &mut out);
    out
}

/// A record's creation and modification stamp: some time in 2025.
fn when(rng: &mut SeededRng) -> String {
    stamp(rng.below(300) as u64, rng.below(86_400) as u64)
}

/// The org's roles and users.
fn org_users(org: &DemoOrg, out: &mut Vec<SimRecord>) {
    for (i, role) in org.roles.iter().enumerate() {
        let mut r = SimRecord::new("UserRole", role.id.clone(), &stamp(0, i as u64));
        r.set("Name", &role.name);
        r.set("ParentRoleId", role.parent_id.as_deref().unwrap_or_default());
        out.push(r);
    }
    for (i, u) in org.users.iter().enumerate() {
        let mut r = SimRecord::new("User", u.id.clone(), &stamp(0, 100 + i as u64));
        r.set("Name", u.display_name());
        r.set("FirstName", &u.first_name);
        r.set("LastName", &u.last_name);
        r.set("Email", &u.email);
        r.set("Username", &u.username);
        r.set("IsActive", if u.is_active { "true" } else { "false" });
        r.set("Title", &u.title);
        r.set("UserRoleId", u.role_id.as_deref().unwrap_or_default());
        out.push(r);
    }
}

/// `n` Accounts; answers their ids.
fn accounts(rng: &mut SeededRng, n_accounts: usize, owners: &[&str], out: &mut Vec<SimRecord>) -> Vec<String> {
    let mut accounts = Vec::with_capacity(n_accounts);
    for i in 0..n_accounts {
        let id = make_id("001", i as u64 + 1);
        let name = format!("{} {} {}", rng.pick(WORDS), rng.pick(KINDS), i);
        let (city, state, country) = *rng.pick(CITIES);
        let mut r = SimRecord::new("Account", id.clone(), &when(rng));
        r.set("Name", &name);
        r.set("Website", format!("https://www.{}.example.com", name.to_lowercase().replace(' ', "")));
        r.set("Phone", format!("+1 415 555 {:04}", rng.below(10_000)));
        r.set("Industry", *rng.pick(&["Technology", "Healthcare", "Finance", "Retail", "Manufacturing"]));
        r.set("NumberOfEmployees", (rng.below(5000) + 1).to_string());
        r.set("AnnualRevenue", format!("{}.0", (rng.below(900) + 1) * 100_000));
        r.set("BillingStreet", format!("{} Market St", rng.below(999) + 1));
        r.set("BillingCity", city);
        r.set("BillingState", state);
        r.set("BillingCountry", country);
        r.set("BillingPostalCode", format!("{:05}", rng.below(99_999)));
        r.set("OwnerId", rng.pick(owners));
        r.set("Type", "Customer");
        accounts.push(id);
        out.push(r);
    }
    accounts
}

/// `n` Contacts at the accounts; answers their ids.
fn contacts(
    rng: &mut SeededRng,
    n_contacts: usize,
    accounts: &[String],
    owners: &[&str],
    out: &mut Vec<SimRecord>,
) -> Vec<String> {
    let mut contacts = Vec::with_capacity(n_contacts);
    for i in 0..n_contacts {
        let id = make_id("003", i as u64 + 1);
        let (first, last) = (*rng.pick(FIRST), *rng.pick(LAST));
        let (city, state, country) = *rng.pick(CITIES);
        let mut r = SimRecord::new("Contact", id.clone(), &when(rng));
        r.set("AccountId", rng.pick(accounts));
        // Derived from the position, so the seeded org's other values stay as they were.
        r.set("OwnerId", owners[i % owners.len()]);
        r.set("FirstName", first);
        r.set("LastName", last);
        r.set("Name", format!("{first} {last}"));
        r.set("Email", format!("{}.{}{i}@example.com", first.to_lowercase(), last.to_lowercase()));
        r.set("Phone", format!("+1 617 555 {:04}", rng.below(10_000)));
        r.set("Title", *rng.pick(&["CTO", "VP Engineering", "Head of Sales", "Buyer", "Director of IT"]));
        r.set("MailingCity", city);
        r.set("MailingState", state);
        r.set("MailingCountry", country);
        r.set("Description", "Met at the \"Spring Summit\", follow up, pricing\nsecond line");
        contacts.push(id);
        out.push(r);
    }
    contacts
}

/// `n` Leads, a tenth of them converted into one of the contacts.
fn leads(
    rng: &mut SeededRng,
    n_leads: usize,
    accounts: &[String],
    contacts: &[String],
    owners: &[&str],
    out: &mut Vec<SimRecord>,
) {
    for i in 0..n_leads {
        let id = make_id("00Q", i as u64 + 1);
        let (first, last) = (*rng.pick(FIRST), *rng.pick(LAST));
        let (city, state, country) = *rng.pick(CITIES);
        let mut r = SimRecord::new("Lead", id, &when(rng));
        r.set("FirstName", first);
        r.set("LastName", last);
        r.set("Company", format!("{} {}", rng.pick(WORDS), rng.pick(KINDS)));
        r.set("Email", format!("{}@lead{i}.example.com", first.to_lowercase()));
        r.set("City", city);
        r.set("State", state);
        r.set("Country", country);
        r.set("OwnerId", rng.pick(owners));
        let converted = rng.below(10) == 0 && !contacts.is_empty();
        r.set("IsConverted", if converted { "true" } else { "false" });
        r.set("IsUnreadByOwner", "false");
        r.set("Status", if converted { "Closed - Converted" } else { "Open - Not Contacted" });
        if converted {
            r.set("ConvertedContactId", rng.pick(contacts));
            r.set("ConvertedAccountId", rng.pick(accounts));
            r.set("ConvertedDate", &stamp(rng.below(300) as u64, 0)[..10]);
        }
        out.push(r);
    }
}

/// `n` Opportunities, a quarter won, a quarter lost, the rest open; answers their ids.
fn opportunities(
    rng: &mut SeededRng,
    n_opps: usize,
    accounts: &[String],
    owners: &[&str],
    out: &mut Vec<SimRecord>,
) -> Vec<String> {
    let mut opps = Vec::with_capacity(n_opps);
    for i in 0..n_opps {
        let id = make_id("006", i as u64 + 1);
        let mut r = SimRecord::new("Opportunity", id.clone(), &when(rng));
        let outcome = rng.below(4);
        let (stage, closed, won) = match outcome {
            0 => ("Closed Won", "true", "true"),
            1 => ("Closed Lost", "true", "false"),
            _ => (*rng.pick(STAGES_OPEN), "false", "false"),
        };
        r.set("AccountId", rng.pick(accounts));
        r.set("Name", format!("Deal {i}"));
        r.set("Amount", format!("{}.0", (rng.below(500) + 1) * 1000));
        // Created over the 18 months before 2026-12-01 (days 151 to 690 after 2025-01-01);
        // closed ones close 2 weeks to 4 months later (never after that day), open ones
        // are due up to 5 months on: the ROI report has something in every period.
        let created = 151 + rng.below(540) as u64;
        let close = if closed == "true" {
            (created + 14 + rng.below(120) as u64).min(698)
        } else {
            created + 30 + rng.below(150) as u64
        };
        r.set("CreatedDate", stamp(created, rng.below(86_400) as u64));
        r.set("CloseDate", &stamp(close, 0)[..10]);
        r.set("StageName", stage);
        r.set("IsClosed", closed);
        r.set("IsWon", won);
        r.set("OwnerId", rng.pick(owners));
        opps.push(id);
        out.push(r);
    }
    opps
}

/// A contact role on two opportunities of three.
fn contact_roles(rng: &mut SeededRng, opps: &[String], contacts: &[String], out: &mut Vec<SimRecord>) {
    for (i, opp) in opps.iter().enumerate() {
        if contacts.is_empty() || i % 3 == 2 {
            continue;
        }
        let mut r = SimRecord::new("OpportunityContactRole", make_id("00K", i as u64 + 1), &when(rng));
        r.set("OpportunityId", opp);
        r.set("ContactId", rng.pick(contacts));
        r.set("Role", "Decision Maker");
        r.set("IsPrimary", "true");
        out.push(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_is_deterministic_and_consistent() {
        let org = DemoOrg::generate_for_rows(1, 1000);
        let a = generate(&org, 1000, 5);
        assert_eq!(a, generate(&org, 1000, 5));
        assert!(a.len() > 900 && a.len() < 1100, "{}", a.len());
        let contacts: std::collections::HashSet<&str> =
            a.iter().filter(|r| r.object == "Contact").map(|r| r.id.as_str()).collect();
        let converted: Vec<&SimRecord> = a.iter().filter(|r| r.get("IsConverted") == Some("true")).collect();
        assert!(!converted.is_empty());
        assert!(converted.iter().all(|r| contacts.contains(r.get("ConvertedContactId").unwrap())));
        assert!(a.iter().any(|r| r.get("StageName") == Some("Closed Won")));
    }
}
