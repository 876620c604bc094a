//! Tables in, records out: CRM exports with Salesforce API field names and network
//! tables, read into normalised records. Bad rows are skipped with their reason
//! counted (and the first few reported with line numbers), never a panic.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::parallel::map_runs;
use super::record::{CompanyInput, CompanyRecord, CrmKind, PersonInput, PersonRecord};
use crate::core::csv::{CsvError, Reader};
use crate::core::normalize::{title_from_headline, Text};
use crate::core::sf::SalesforceId;

/// Longest field accepted; longer ones are not real data.
pub const MAX_FIELD_LEN: usize = 1_000;
/// How many skipped rows are reported individually.
const MAX_REPORTED: usize = 20;

/// A file that cannot be read as a table at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("{file}: the file is empty (a header row is required)")]
    Empty { file: String },
    #[error("{file}: the header has no {column:?} column")]
    MissingColumn { file: String, column: &'static str },
    #[error("{file}: the header row is malformed: {reason}")]
    BadHeader { file: String, reason: String },
}

/// Records read from one file, and what was skipped.
#[derive(Debug, Default)]
pub struct Loaded<R> {
    pub records: Vec<R>,
    /// Reason → rows skipped for it.
    pub skipped: BTreeMap<String, usize>,
    /// The first skipped rows, as "line N: reason".
    pub reported: Vec<String>,
}

impl<R> Loaded<R> {
    fn skip(&mut self, line: usize, reason: impl Into<String>) {
        let reason = reason.into();
        if self.reported.len() < MAX_REPORTED {
            self.reported.push(format!("line {line}: {reason}"));
        }
        let key = reason.split(':').next().unwrap_or_default().to_string();
        *self.skipped.entry(key).or_default() += 1;
    }

    /// Total rows skipped.
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }
}

/// A CRM export split by object: Leads and Contacts, and Accounts.
#[derive(Debug, Default)]
pub struct CrmTables {
    pub people: Loaded<PersonRecord>,
    pub accounts: Loaded<CompanyRecord>,
}

/// A network table: profiles, or company pages.
#[derive(Debug, Default)]
pub struct NetworkTables {
    pub people: Loaded<PersonRecord>,
    pub companies: Loaded<CompanyRecord>,
}

struct Header {
    index: HashMap<String, usize>,
}

impl Header {
    fn parse<'t>(file: &str, text: &'t str) -> Result<(Self, Reader<'t>), InputError> {
        let mut reader = Reader::new(text);
        let row = match reader.next() {
            None => return Err(InputError::Empty { file: file.into() }),
            Some(Err(e)) => return Err(InputError::BadHeader { file: file.into(), reason: e.to_string() }),
            Some(Ok(row)) => row,
        };
        let index = row.fields.iter().enumerate().map(|(i, name)| (name.trim().to_ascii_lowercase(), i)).collect();
        Ok((Self { index }, reader))
    }

    fn has(&self, name: &str) -> bool {
        self.column(name).is_some()
    }

    /// The column of `name`, any case; looked up for every field of every row, so the
    /// name is lowered on the stack.
    fn column(&self, name: &str) -> Option<&usize> {
        let mut buf = [0u8; 64];
        match buf.get_mut(..name.len()) {
            Some(lowered) => {
                lowered.copy_from_slice(name.as_bytes());
                lowered.make_ascii_lowercase();
                self.index.get(std::str::from_utf8(lowered).ok()?)
            }
            None => self.index.get(&name.to_ascii_lowercase()),
        }
    }

    /// The value of the first of `names` present, or "".
    fn get<'r>(&self, fields: &'r [Cow<'_, str>], names: &[&str]) -> &'r str {
        names
            .iter()
            .filter_map(|n| self.column(n))
            .filter_map(|&i| fields.get(i))
            .map(|s| s.as_ref())
            .find(|s| !s.trim().is_empty())
            .unwrap_or("")
    }
}

/// Rows per run the text is split into for reading in parallel.
const ROWS_PER_RUN: usize = 4_096;

/// Every data row of `reader` through `row` (given the line it starts on and its fields,
/// borrowed from the text), read and normalised in parallel runs and kept in order; a
/// malformed row comes back as its error, a blank one not at all. No row is ever held as
/// owned strings: only what `row` makes of it is kept.
fn parse_rows<T: Send>(
    reader: Reader<'_>,
    row: impl Fn(usize, &[Cow<'_, str>]) -> T + Sync,
) -> Vec<Result<T, CsvError>> {
    let runs = reader.into_runs(ROWS_PER_RUN);
    map_runs(&runs, |run| {
        let (mut run, mut fields, mut out) = (run.clone(), Vec::new(), Vec::new());
        while let Some(item) = run.next_record(&mut fields) {
            match item {
                Err(e) => out.push(Err(e)),
                Ok(_) if fields.iter().all(|v| v.trim().is_empty()) => {}
                Ok(line) => out.push(Ok(row(line, &fields))),
            }
        }
        out
    })
}

/// A malformed row, counted as skipped.
fn malformed<R>(skips: &mut Loaded<R>, e: &CsvError) {
    skips.skip(e.line(), format!("malformed CSV: {e}"));
}

fn too_long(fields: &[Cow<'_, str>]) -> bool {
    fields.iter().any(|f| f.len() > MAX_FIELD_LEN)
}

/// What one CRM row became.
enum CrmRow {
    Person(PersonRecord, Option<SalesforceId>),
    Account(CompanyRecord),
    Skip(usize, String, bool),
}

fn crm_row(h: &Header, line: usize, f: &[Cow<'_, str>]) -> CrmRow {
    if too_long(f) {
        return CrmRow::Skip(line, format!("field longer than {MAX_FIELD_LEN} characters"), true);
    }
    match crm_record(|names| h.get(f, names)) {
        Ok(CrmRecord::Person(record, converted)) => CrmRow::Person(record, converted),
        Ok(CrmRecord::Account(record)) => CrmRow::Account(record),
        Err(skip) => CrmRow::Skip(line, skip.reason, skip.person),
    }
}

/// A CRM record read by Salesforce API field names, normalised for matching.
#[derive(Debug, Clone, PartialEq)]
pub enum CrmRecord {
    /// A Lead or Contact, with a converted Lead's `ConvertedContactId`.
    Person(PersonRecord, Option<SalesforceId>),
    Account(CompanyRecord),
}

/// Why a CRM record cannot be matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrmSkip {
    pub reason: String,
    /// True when the record would have been a person (for the skip counts).
    pub person: bool,
}

/// Reads one CRM record through `field`, which answers the first non-empty value among
/// the API names it is given ("" when none): a CSV export row or an imported record.
/// The object comes from the Id's key prefix. A Contact's company is `Account.Name`.
pub fn crm_record<'a>(field: impl Fn(&[&str]) -> &'a str) -> Result<CrmRecord, CrmSkip> {
    let skip = |reason: String, person: bool| CrmSkip { reason, person };
    let raw_id = field(&["Id"]);
    let id = SalesforceId::parse(raw_id).map_err(|e| skip(format!("invalid Salesforce id: {raw_id:?}: {e}"), true))?;
    match CrmKind::of(&id) {
        Some(CrmKind::Account) => {
            let input = CompanyInput {
                name: field(&["Name"]),
                website: field(&["Website"]),
                phone: field(&["Phone"]),
                street: field(&["BillingStreet", "ShippingStreet"]),
                city: field(&["BillingCity", "ShippingCity"]),
                state: field(&["BillingState", "ShippingState"]),
                postal_code: field(&["BillingPostalCode", "ShippingPostalCode"]),
                country: field(&["BillingCountry", "ShippingCountry"]),
                location_text: "",
            };
            if input.name.trim().is_empty() {
                return Err(skip("account without a name".into(), false));
            }
            Ok(CrmRecord::Account(CompanyRecord::new(id.as_str().into(), &input)))
        }
        Some(kind) => {
            let input = PersonInput {
                first_name: field(&["FirstName"]),
                last_name: field(&["LastName"]),
                full_name: field(&["Name"]),
                email: field(&["Email"]),
                phones: [field(&["Phone"]), field(&["MobilePhone"])],
                company: field(&["Company", "Account.Name"]),
                title: field(&["Title"]),
                street: field(&["Street", "MailingStreet"]),
                city: field(&["City", "MailingCity"]),
                state: field(&["State", "MailingState"]),
                postal_code: field(&["PostalCode", "MailingPostalCode"]),
                country: field(&["Country", "MailingCountry"]),
                location_text: "",
            };
            let record = PersonRecord::new(id.as_str().into(), Some(kind), &input);
            if record.name.is_empty() {
                return Err(skip("person without a name".into(), true));
            }
            let converted = crate::core::sf::converted::converted_contact(&id, |name| field(&[name]));
            Ok(CrmRecord::Person(record, converted))
        }
        None => Err(skip(format!("not a Lead, Contact or Account id: {id}"), true)),
    }
}

/// Reads a CRM export (header of Salesforce API names). The object comes from each Id's
/// key prefix (00Q Lead, 003 Contact, 001 Account); a converted Lead folds onto its
/// `ConvertedContactId`. Rows are normalised in parallel natively.
pub fn read_crm(file: &str, text: &str) -> Result<CrmTables, InputError> {
    let (h, reader) = Header::parse(file, text)?;
    if !h.has("Id") {
        return Err(InputError::MissingColumn { file: file.into(), column: "Id" });
    }
    let mut out = CrmTables::default();
    let parsed = parse_rows(reader, |line, fields| crm_row(&h, line, fields));
    let people = parsed.iter().filter(|item| matches!(item, Ok(CrmRow::Person(..)))).count();
    out.people.records.reserve_exact(people);
    let mut converted: Vec<(usize, SalesforceId)> = Vec::new();
    for item in parsed {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                malformed(&mut out.people, &e);
                continue;
            }
        };
        match item {
            CrmRow::Person(record, contact) => {
                if let Some(contact) = contact {
                    converted.push((out.people.records.len(), contact));
                }
                out.people.records.push(record);
            }
            CrmRow::Account(record) => out.accounts.records.push(record),
            CrmRow::Skip(line, reason, true) => out.people.skip(line, reason),
            CrmRow::Skip(line, reason, false) => out.accounts.skip(line, reason),
        }
    }
    fold_converted_leads(&mut out.people, converted);
    Ok(out)
}

/// A converted Lead is the same person as its contact: dropped when the contact is in
/// the table, otherwise matched under the contact's id.
fn fold_converted_leads(people: &mut Loaded<PersonRecord>, converted: Vec<(usize, SalesforceId)>) {
    if converted.is_empty() {
        return;
    }
    let present: HashSet<&str> =
        people.records.iter().filter(|r| r.kind == Some(CrmKind::Contact)).map(|r| r.id.as_str()).collect();
    let (mut drop, mut renamed) = (HashSet::default(), Vec::new());
    for (i, contact) in converted {
        if present.contains(contact.as_str()) {
            drop.insert(i);
        } else {
            renamed.push((i, contact));
        }
    }
    for (i, contact) in renamed {
        people.records[i].id = contact.as_str().into();
        people.records[i].kind = Some(CrmKind::Contact);
    }
    let folded = drop.len();
    let mut i = 0;
    people.records.retain(|_| {
        i += 1;
        !drop.contains(&(i - 1))
    });
    if folded > 0 {
        *people.skipped.entry("converted lead folded onto its contact".into()).or_default() += folded;
    }
}

/// What one network row became.
enum NetworkRow {
    Person(PersonRecord),
    Company(CompanyRecord),
    Skip(usize, String),
}

fn network_row(h: &Header, line: usize, f: &[Cow<'_, str>], people: bool) -> NetworkRow {
    if too_long(f) {
        return NetworkRow::Skip(line, format!("field longer than {MAX_FIELD_LEN} characters"));
    }
    let id = h.get(f, &["id"]).trim().to_string();
    if id.is_empty() {
        return NetworkRow::Skip(line, "row without an id".into());
    }
    if people {
        let input = PersonInput {
            first_name: h.get(f, &["first_name"]),
            last_name: h.get(f, &["last_name"]),
            full_name: h.get(f, &["full_name", "name"]),
            email: h.get(f, &["email"]),
            phones: [h.get(f, &["phone"]), ""],
            company: h.get(f, &["company"]),
            title: match h.get(f, &["title"]).trim() {
                "" => title_from_headline(h.get(f, &["headline"])),
                title => title,
            },
            street: h.get(f, &["street"]),
            city: h.get(f, &["city"]),
            state: h.get(f, &["state"]),
            postal_code: h.get(f, &["postal_code"]),
            country: h.get(f, &["country"]),
            location_text: h.get(f, &["location"]),
        };
        let record = PersonRecord::new(id.into(), None, &input);
        if record.name.is_empty() {
            return NetworkRow::Skip(line, "profile without a name".into());
        }
        NetworkRow::Person(record)
    } else {
        let input = CompanyInput {
            name: h.get(f, &["name"]),
            website: h.get(f, &["website"]),
            phone: h.get(f, &["phone"]),
            street: h.get(f, &["street"]),
            city: h.get(f, &["city"]),
            state: h.get(f, &["state"]),
            postal_code: h.get(f, &["postal_code"]),
            country: h.get(f, &["country"]),
            location_text: h.get(f, &["location"]),
        };
        if input.name.trim().is_empty() {
            return NetworkRow::Skip(line, "company without a name".into());
        }
        NetworkRow::Company(CompanyRecord::new(id.into(), &input))
    }
}

/// Reads a network table: people (`first_name`/`last_name` columns) or companies.
pub fn read_network(file: &str, text: &str) -> Result<NetworkTables, InputError> {
    let (h, reader) = Header::parse(file, text)?;
    if !h.has("id") {
        return Err(InputError::MissingColumn { file: file.into(), column: "id" });
    }
    let people = h.has("first_name") || h.has("last_name") || h.has("full_name");
    let mut out = NetworkTables::default();
    let parsed = parse_rows(reader, |line, fields| (line, network_row(&h, line, fields, people)));
    let kept = parsed.iter().filter(|item| matches!(item, Ok((_, NetworkRow::Person(_))))).count();
    out.people.records.reserve_exact(kept);
    // Ids are short inline texts: cloning one allocates nothing (a String per row did).
    let mut seen: HashSet<Text> = HashSet::default();
    for item in parsed {
        let (line, item) = match item {
            Ok(item) => item,
            Err(e) => {
                malformed(&mut out.people, &e);
                continue;
            }
        };
        let id = match &item {
            NetworkRow::Person(r) => r.id.clone(),
            NetworkRow::Company(r) => r.id.clone(),
            NetworkRow::Skip(..) => Text::default(),
        };
        let item = if !id.is_empty() && !seen.insert(id.clone()) {
            NetworkRow::Skip(line, format!("duplicate id: {id}"))
        } else {
            item
        };
        match item {
            NetworkRow::Person(r) => out.people.records.push(r),
            NetworkRow::Company(r) => out.companies.records.push(r),
            NetworkRow::Skip(line, reason) if people => out.people.skip(line, reason),
            NetworkRow::Skip(line, reason) => out.companies.skip(line, reason),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_crm_splits_objects_and_skips_bad_rows() {
        let text = "Id,FirstName,LastName,Email,Name,Website,ConvertedContactId,Unknown\n\
            0037e00001WZ30q,Ada,Lovelace,ada@acme.com,,,,x\n\
            00Qg5000008th4X,Ada,Lovelace,ada@acme.com,,,0037e00001WZ30qAAD,\n\
            0015Y00002ZbgP3,,,,Acme Inc,acme.com,,\n\
            nope,Bad,Id,,,,,\n\
            0037e00001WZ30r,,,,,,,\n\
            ,,,,,,,\n";
        let t = read_crm("CRM.csv", text).unwrap();
        assert_eq!(t.people.records.len(), 1, "the converted lead folds onto its contact");
        assert_eq!(t.people.records[0].id, "0037e00001WZ30qAAD");
        assert_eq!(t.accounts.records.len(), 1);
        assert_eq!(t.people.skipped.get("invalid Salesforce id"), Some(&1));
        assert_eq!(t.people.skipped.get("person without a name"), Some(&1));
        assert!(
            t.people.reported.iter().any(|r| r.starts_with("line 5: invalid Salesforce id")),
            "{:?}",
            t.people.reported
        );
    }

    #[test]
    fn read_crm_requires_id_and_rejects_absurd_lengths() {
        assert_eq!(
            read_crm("CRM.csv", "Name\nx\n").unwrap_err(),
            InputError::MissingColumn { file: "CRM.csv".into(), column: "Id" }
        );
        assert!(matches!(read_crm("CRM.csv", ""), Err(InputError::Empty { .. })));
        let long = "x".repeat(MAX_FIELD_LEN + 1);
        let t = read_crm("CRM.csv", &format!("Id,LastName\n0037e00001WZ30q,{long}\n")).unwrap();
        assert_eq!(t.people.skipped_total(), 1);
    }

    #[test]
    fn read_network_people_and_companies() {
        let t = read_network("N.csv", "id,first_name,last_name,location\np1,Ada,Lovelace,\"London, England, United Kingdom\"\np1,Dup,Dup,\n,No,Id,\n").unwrap();
        assert_eq!(t.people.records.len(), 1);
        assert_eq!(t.people.records[0].location.country, "gb");
        assert_eq!(t.people.skipped_total(), 2);
        let t = read_network("N.csv", "id,name,website\nc1,Acme GmbH,https://acme.de\n").unwrap();
        assert_eq!(t.companies.records[0].domain, "acme.de");
    }

    #[test]
    fn titles_come_from_the_title_column_else_the_headline() {
        let crm = read_crm("CRM.csv", "Id,LastName,Title\n0037e00001WZ30q,Lovelace,VP Sales\n").unwrap();
        assert_eq!(crm.people.records[0].title, "president sales vice");
        let net = read_network(
            "N.csv",
            "id,first_name,last_name,title,headline\np1,Ada,Lovelace,,Vice President of Sales at Acme\np2,Ada,Byron,CTO,Founder\n",
        )
        .unwrap();
        let titles: Vec<&str> = net.people.records.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(titles, ["president sales vice", "cto"]);
    }
}
