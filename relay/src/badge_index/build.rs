//! The badge index from the imported Leads, Contacts and Accounts: each normalised by the
//! core's `crm_record` (the same reading as a CSV export), labelled with its name and its
//! owner's name. A Contact's company is its Account's name, and its owner its own
//! `OwnerId` (the Account's owner when that is empty). A converted Lead whose Contact is
//! imported is left out: the Contact stands for the person.

use std::collections::{HashMap, HashSet};

use crmsync::core::badge::Label;
use crmsync::core::matching::comparison::{COMPANY_COMPARISONS, PERSON_COMPARISONS};
use crmsync::core::matching::input::{crm_record, CrmRecord};
use crmsync::core::matching::params::Params;
use crmsync::core::matching::record::{CompanyRecord, PersonRecord};
use serde_json::{Map, Value};

use crate::store::CrmRow;

/// Fields of a stored row; a row whose JSON is unreadable is skipped (it was written by
/// the importer, so this means a damaged database, which is logged).
fn fields(row: &CrmRow) -> Option<Map<String, Value>> {
    match serde_json::from_str(&row.fields_json) {
        Ok(Value::Object(map)) => Some(map),
        _ => {
            tracing::warn!(id = %row.id, "imported record with unreadable fields left out of the badge index");
            None
        }
    }
}

fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> &'a str {
    fields.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// The first non-empty of `names` in `fields`, as `crm_record` asks for it.
fn first<'a>(fields: &'a Map<String, Value>, names: &[&str]) -> &'a str {
    names.iter().map(|n| text(fields, n)).find(|v| !v.trim().is_empty()).unwrap_or_default()
}

/// What labels and contacts' companies are read from: every User and Account.
pub struct Names {
    users: HashMap<String, String>,
    /// Account id → (name, owner id).
    accounts: HashMap<String, (String, String)>,
    /// Under role-hierarchy visibility: the owners whose records one rep may receive.
    visible_owners: Option<HashSet<String>>,
}

impl Names {
    pub fn new(users: &[CrmRow], accounts: &[CrmRow]) -> Self {
        let mut names = Self::of_users(users);
        names.add_accounts(accounts);
        names
    }

    /// Users' names, no accounts yet.
    pub fn of_users(users: &[CrmRow]) -> Self {
        let users =
            users.iter().filter_map(|row| Some((row.id.clone(), text(&fields(row)?, "Name").to_string()))).collect();
        Self { users, accounts: HashMap::new(), visible_owners: None }
    }

    /// Keeps only records these users own (`None`: every record).
    pub fn only_owned_by(mut self, owners: Option<HashSet<String>>) -> Self {
        self.visible_owners = owners;
        self
    }

    fn shows(&self, owner_id: &str) -> bool {
        self.visible_owners.as_ref().is_none_or(|owners| owners.contains(owner_id))
    }

    /// Adds accounts' names and owners (a page at a time).
    pub fn add_accounts(&mut self, accounts: &[CrmRow]) {
        for row in accounts {
            if let Some(f) = fields(row) {
                self.accounts.insert(row.id.clone(), (text(&f, "Name").to_string(), text(&f, "OwnerId").to_string()));
            }
        }
    }

    /// An account's name (empty when it is not imported).
    pub fn account_name(&self, account_id: &str) -> &str {
        self.accounts.get(account_id).map(|(name, _)| name.as_str()).unwrap_or_default()
    }

    fn owner(&self, user_id: &str) -> String {
        self.users.get(user_id).cloned().unwrap_or_default()
    }
}

/// What imported rows become in the index.
#[derive(Default)]
pub struct Labelled {
    pub people: Vec<(PersonRecord, Label)>,
    pub companies: Vec<(CompanyRecord, Label)>,
    /// Converted leads left out because their contact stands for the person:
    /// (lead id, contact id).
    pub folded_leads: Vec<(String, String)>,
    /// Records left out because their owner is not visible to the rep.
    pub hidden: Vec<String>,
}

/// Normalises and labels `accounts`, `contacts` and `leads` (all of the org's, or only
/// those an import changed); `contact_exists` says whether a converted lead's contact
/// is imported.
///
/// Large inputs are read on every core (parsing and normalising a million rows is most of
/// the first matching pass), each kind's rows in order, so the result is the same as one
/// thread's.
pub fn labelled(
    names: &Names,
    accounts: &[CrmRow],
    contacts: &[CrmRow],
    leads: &[CrmRow],
    contact_exists: impl Fn(&str) -> bool + Sync,
) -> Labelled {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads <= 1 || accounts.len() + contacts.len() + leads.len() < PARALLEL_FROM {
        return labelled_on_one(names, accounts, contacts, leads, &contact_exists);
    }
    let mut out = Labelled::default();
    let kinds: [(&[CrmRow], AsKind); 3] =
        [(accounts, |c| [c, &[], &[]]), (contacts, |c| [&[], c, &[]]), (leads, |c| [&[], &[], c])];
    for (rows, place) in kinds {
        if rows.is_empty() {
            continue;
        }
        let chunk = rows.len().div_ceil(threads);
        let parts: Vec<Labelled> = std::thread::scope(|scope| {
            let handles: Vec<_> = rows
                .chunks(chunk)
                .map(|c| {
                    let [a, k, l] = place(c);
                    let exists = &contact_exists;
                    scope.spawn(move || labelled_on_one(names, a, k, l, exists))
                })
                .collect();
            // A worker that panicked stops the read with its panic: rows are never dropped.
            handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
        });
        for part in parts {
            out.people.extend(part.people);
            out.companies.extend(part.companies);
            out.folded_leads.extend(part.folded_leads);
            out.hidden.extend(part.hidden);
        }
    }
    out
}

/// Places a chunk of one kind's rows among the (accounts, contacts, leads) `labelled` reads.
type AsKind = fn(&[CrmRow]) -> [&[CrmRow]; 3];

/// Fewest rows worth reading on more than one thread.
const PARALLEL_FROM: usize = 2_000;

fn labelled_on_one(
    names: &Names,
    accounts: &[CrmRow],
    contacts: &[CrmRow],
    leads: &[CrmRow],
    contact_exists: &(impl Fn(&str) -> bool + Sync),
) -> Labelled {
    let mut out = Labelled::default();
    for row in accounts {
        let Some(f) = fields(row) else { continue };
        if !names.shows(text(&f, "OwnerId")) {
            out.hidden.push(row.id.clone());
            continue;
        }
        if let Ok(CrmRecord::Account(record)) = crm_record(|names| first(&f, names)) {
            let label = Label { name: text(&f, "Name").to_string(), owner: names.owner(text(&f, "OwnerId")) };
            out.companies.push((record, label));
        }
    }
    for row in contacts {
        let Some(f) = fields(row) else { continue };
        let account = names.accounts.get(text(&f, "AccountId"));
        let account_name = account.map(|(name, _)| name.as_str()).unwrap_or_default();
        let read = crm_record(|names| {
            if names.contains(&"Account.Name") && !account_name.is_empty() {
                account_name
            } else {
                first(&f, names)
            }
        });
        // The contact's own owner; its account's when the org left it empty.
        let own = text(&f, "OwnerId");
        let owner_id =
            if own.is_empty() { account.map(|(_, owner_id)| owner_id.as_str()).unwrap_or_default() } else { own };
        if !names.shows(owner_id) {
            out.hidden.push(row.id.clone());
            continue;
        }
        if let Ok(CrmRecord::Person(record, _)) = read {
            out.people.push((record, Label { name: person_name(&f), owner: names.owner(owner_id) }));
        }
    }
    for row in leads {
        let Some(f) = fields(row) else { continue };
        if let Ok(CrmRecord::Person(record, converted)) = crm_record(|names| first(&f, names)) {
            if let Some(contact) = converted.filter(|contact| contact_exists(contact.as_str())) {
                out.folded_leads.push((row.id.clone(), contact.to_string()));
                continue;
            }
            if !names.shows(text(&f, "OwnerId")) {
                out.hidden.push(row.id.clone());
                continue;
            }
            out.people.push((record, Label { name: person_name(&f), owner: names.owner(text(&f, "OwnerId")) }));
        }
    }
    out
}

/// The parameters browsers score with (defaults until match rates train them).
pub fn default_params() -> (Params, Params) {
    (Params::defaults(&PERSON_COMPARISONS), Params::defaults(&COMPANY_COMPARISONS))
}

fn person_name(f: &Map<String, Value>) -> String {
    crmsync::core::sf::display::person_name(text(f, "FirstName"), text(f, "LastName"), text(f, "Name"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crmsync::core::badge::{BadgeIndex, Observed};

    fn row(id: &str, fields: Value) -> CrmRow {
        CrmRow { id: id.into(), fields_json: fields.to_string(), system_modstamp: String::new() }
    }

    #[test]
    fn many_rows_read_on_every_core_come_out_as_one_thread_reads_them() {
        let users = vec![row("005000000000001AAA", serde_json::json!({"Name": "Grace Hopper"}))];
        let id = |prefix: &str, n: usize| format!("{prefix}{n:012}AAA");
        let accounts: Vec<CrmRow> = (0..1_500)
            .map(|n| {
                row(
                    &id("001", n),
                    serde_json::json!({"Id": id("001", n), "Name": format!("Co {n}"), "OwnerId": "005000000000001AAA"}),
                )
            })
            .collect();
        let contacts: Vec<CrmRow> = (0..2_500)
            .map(|n| {
                row(
                    &id("003", n),
                    serde_json::json!({"Id": id("003", n), "FirstName": format!("F{n}"), "LastName": "Lovelace",
                    "AccountId": id("001", n % 1_500)}),
                )
            })
            .collect();
        let leads: Vec<CrmRow> = (0..2_100)
            .map(|n| {
                let converted = if n % 7 == 0 { id("003", n) } else { String::new() };
                let (lead, first) = (format!("00Q{n:012}EAA"), ["Ann", "Bo", "Cy"][n % 3]);
                row(
                    &lead,
                    serde_json::json!({"Id": lead, "FirstName": first, "LastName": "Babbage",
                        "Company": "Acme", "OwnerId": "005000000000001AAA", "ConvertedContactId": converted}),
                )
            })
            .collect();
        let names = Names::new(&users, &accounts);
        let exists = |c: &str| c.starts_with("003");
        let parallel = labelled(&names, &accounts, &contacts, &leads, exists);
        let one = labelled_on_one(&names, &accounts, &contacts, &leads, &exists);
        assert_eq!(parallel.people.len(), one.people.len());
        assert!(parallel.people.len() > 4_000 && !parallel.folded_leads.is_empty(), "{} people", parallel.people.len());
        assert!(parallel.people.iter().zip(&one.people).all(|(a, b)| a.0.id == b.0.id && a.1 == b.1));
        assert!(parallel.companies.iter().zip(&one.companies).all(|(a, b)| a.0.id == b.0.id && a.1 == b.1));
        assert_eq!(parallel.companies.len(), one.companies.len());
        assert_eq!((parallel.folded_leads, parallel.hidden), (one.folded_leads, one.hidden));
    }

    #[test]
    fn contacts_take_their_accounts_name_and_owner_and_converted_leads_fold() {
        let users = vec![row("005000000000001AAA", serde_json::json!({"Name": "Grace Hopper"}))];
        let accounts = vec![row(
            "001000000000001AAA",
            serde_json::json!({"Id": "001000000000001AAA", "Name": "Analytical Engines", "OwnerId": "005000000000001AAA"}),
        )];
        let contacts = vec![row(
            "003000000000001AAA",
            serde_json::json!({"Id": "003000000000001AAA", "FirstName": "Ada", "LastName": "Lovelace",
                    "AccountId": "001000000000001AAA", "MailingCity": "London", "Email": null}),
        )];
        let leads = vec![
            row(
                "00Q000000000001EAA",
                serde_json::json!({"Id": "00Q000000000001EAA", "FirstName": "Ada", "LastName": "Lovelace",
                        "Company": "Analytical Engines", "ConvertedContactId": "003000000000001AAA"}),
            ),
            row("00Q000000000002EAA", Value::String("damaged".into())),
        ];
        let l = labelled(&Names::new(&users, &accounts), &accounts, &contacts, &leads, |id| id == "003000000000001AAA");
        assert_eq!(l.folded_leads, vec![("00Q000000000001EAA".to_string(), "003000000000001AAA".to_string())]);
        let index = BadgeIndex::build(7, [3; 16], l.people, l.companies, default_params(), Vec::new());
        assert_eq!(index.len(), (1, 1), "the converted lead folds onto its contact; the damaged row is skipped");
        let seen = Observed {
            url: "https://www.linkedin.com/in/ada/".into(),
            name: "Ada Lovelace".into(),
            headline: "Mathematician at Analytical Engines".into(),
            ..Observed::default()
        };
        let badge = seen.badge(Some(&index), "").unwrap();
        assert_eq!(badge.crm_id.as_deref(), Some("003000000000001AAA"));
        assert_eq!(badge.text, "In CRM · Contact · Grace Hopper");

        // A contact with an owner of its own shows that owner, not its account's.
        let users = vec![users[0].clone(), row("005000000000002AAA", serde_json::json!({"Name": "Alan Turing"}))];
        let mut owned = contacts[0].clone();
        owned.fields_json =
            owned.fields_json.replace("\"Email\":null", "\"Email\":null,\"OwnerId\":\"005000000000002AAA\"");
        let l = labelled(&Names::new(&users, &accounts), &accounts, &[owned], &[], |_| false);
        let index = BadgeIndex::build(8, [3; 16], l.people, l.companies, default_params(), Vec::new());
        assert_eq!(seen.badge(Some(&index), "").unwrap().text, "In CRM · Contact · Alan Turing");
    }
}
