//! The two sides the org-wide matcher links, read from the store: the org's people
//! (Contacts, and Leads not folded onto their Contact) and Accounts, labelled as badges
//! label them; and the directory's people and companies.

use std::collections::{HashMap, HashSet};

use crmsync::core::badge::Label;
use crmsync::core::matching::record::{CompanyRecord, CrmKind, PersonRecord};

use crate::badge_index::{for_pages, labelled, Names};
use crate::directory::observed_of;
use crate::store::{ProfileRow, Store, StoreError};

/// The CRM side.
#[derive(Default, Clone)]
pub struct CrmSide {
    pub people: Vec<PersonRecord>,
    pub people_labels: Vec<Label>,
    pub companies: Vec<CompanyRecord>,
    pub company_labels: Vec<Label>,
    /// Converted leads standing in for their contact: (lead id, contact id).
    pub folded: Vec<(String, String)>,
}

impl CrmSide {
    /// Reads every Account, Contact and Lead a page at a time (accounts first: contacts
    /// take their names).
    pub async fn load(store: &dyn Store) -> Result<Self, StoreError> {
        let mut names = Names::of_users(&store.rows("User").await?);
        let mut side = CrmSide::default();
        for_pages(store, "Account", |rows| {
            names.add_accounts(rows);
            for (record, label) in labelled(&names, rows, &[], &[], |_| false).companies {
                side.companies.push(record);
                side.company_labels.push(label);
            }
        })
        .await?;
        let mut contacts: HashSet<String> = HashSet::new();
        for_pages(store, "Contact", |rows| {
            contacts.extend(rows.iter().map(|r| r.id.clone()));
            for (record, label) in labelled(&names, &[], rows, &[], |_| false).people {
                side.people.push(record);
                side.people_labels.push(label);
            }
        })
        .await?;
        for_pages(store, "Lead", |rows| {
            let l = labelled(&names, &[], &[], rows, |id| contacts.contains(id));
            side.folded.extend(l.folded_leads);
            for (record, label) in l.people {
                side.people.push(record);
                side.people_labels.push(label);
            }
        })
        .await?;
        Ok(side)
    }

    /// The object of a person record.
    pub fn person_object(record: &PersonRecord) -> &'static str {
        match record.kind {
            Some(CrmKind::Lead) => "Lead",
            _ => "Contact",
        }
    }
}

/// The directory side, with each profile's display name (for the export).
#[derive(Default, Clone)]
pub struct DirectorySide {
    pub people: Vec<PersonRecord>,
    pub companies: Vec<CompanyRecord>,
    /// network id → name as observed.
    pub names: HashMap<String, String>,
    /// network id → index in `people`, and in `companies`: kept with the sides, so a pass
    /// after a page view does not index 200,000 profiles again.
    pub people_at: rustc_hash::FxHashMap<String, usize>,
    pub companies_at: rustc_hash::FxHashMap<String, usize>,
}

impl DirectorySide {
    /// Every stored profile and company the matcher can read.
    pub async fn load(store: &dyn Store) -> Result<Self, StoreError> {
        let mut side = DirectorySide::default();
        let people: Vec<ProfileRow> = store.profiles_of("person").await?;
        let companies: Vec<ProfileRow> = store.profiles_of("company").await?;
        for p in &people {
            if let Some(r) = observed_of(p).person_record() {
                side.people.push(r);
            }
        }
        for c in &companies {
            if let Some(r) = observed_of(c).company_record() {
                side.companies.push(r);
            }
        }
        side.names = people.into_iter().chain(companies).map(|p| (p.network_id, p.name)).collect();
        side.people_at = side.people.iter().enumerate().map(|(i, r)| (r.id.to_string(), i)).collect();
        side.companies_at = side.companies.iter().enumerate().map(|(i, r)| (r.id.to_string(), i)).collect();
        Ok(side)
    }

    /// Re-reads the profiles `ids` (new or changed since the side was read).
    pub async fn refresh(&mut self, store: &dyn Store, ids: &[String]) -> Result<(), StoreError> {
        for id in ids {
            let Some(row) = store.profile(id).await? else { continue };
            let observed = observed_of(&row);
            if let Some(r) = observed.person_record() {
                match self.people_at.get(id) {
                    Some(&i) => self.people[i] = r,
                    None => {
                        self.people_at.insert(id.clone(), self.people.len());
                        self.people.push(r);
                    }
                }
            } else if let Some(r) = observed.company_record() {
                match self.companies_at.get(id) {
                    Some(&i) => self.companies[i] = r,
                    None => {
                        self.companies_at.insert(id.clone(), self.companies.len());
                        self.companies.push(r);
                    }
                }
            }
            self.names.insert(row.network_id, row.name);
        }
        Ok(())
    }
}
