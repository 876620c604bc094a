//! The network's data export of messages (`messages.csv`) and invitations
//! (`Invitations.csv`), read into activities to backfill. Columns are found by name, as
//! the exports' formats vary by year (upper-case 2023+ headers with profile URLs and
//! conversation ids, older Title Case ones with a Direction column), and several date
//! forms are read. Each message gets a UUID derived from its content, so importing the
//! same export again adds nothing.

use crate::core::activity::{ActivityKind, NewActivity};
use crate::core::csv::Reader;
use crate::core::matching::blocking::key_hash;
use crate::core::pages::{NetworkPage, Page};
use crate::core::time::rfc3339_from_unix_ms;

/// Which export a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// `messages.csv`: conversations.
    Messages,
    /// `Invitations.csv`: connection invitations with their notes.
    Invitations,
}

/// Why an export cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessagesError {
    /// No header with the columns every format has.
    #[error("no header row with FROM, TO and a date column was found; is this the network's messages.csv or Invitations.csv?")]
    NoHeader,
}

/// What an export held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportedActivities {
    pub activities: Vec<NewActivity>,
    /// Rows left out, with the line and why (drafts, unreadable dates, empty rows).
    pub skipped: Vec<(usize, String)>,
    /// The export owner's name as found (the party of every conversation).
    pub owner: Option<String>,
}

/// Finds a column by any of its names across formats.
fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

/// Reads the dates the exports use, as UTC: `2023-05-17 14:02:11 UTC`, RFC 3339,
/// `5/17/23, 2:02 PM`, `05/17/2023 14:02`, `2023-05-17`, `17 May 2023`.
pub fn parse_export_date(text: &str) -> Option<i64> {
    let t = text.trim().trim_end_matches(" UTC").trim();
    if let Some(ms) = crate::core::time::unix_ms_from_rfc3339(t) {
        return Some(ms);
    }
    let iso = if t.contains(' ') { format!("{}Z", t.replacen(' ', "T", 1)) } else { format!("{t}T00:00:00Z") };
    if let Some(ms) = crate::core::time::unix_ms_from_rfc3339(&iso) {
        return Some(ms);
    }
    let num = |s: &str| s.trim().parse::<i64>().ok();
    let days = |y: i64, m: i64, d: i64| {
        crate::core::time::unix_ms_from_rfc3339(&format!("{y:04}-{m:02}-{d:02}T00:00:00Z")).map(|ms| ms / 86_400_000)
    };
    // `M/D/YY, H:MM AM` and `M/D/YYYY H:MM`.
    if let Some((date, time)) = t.split_once([',', ' ']).map(|(d, rest)| (d, rest.trim())).or(Some((t, ""))) {
        let parts: Vec<&str> = date.split('/').collect();
        if parts.len() == 3 {
            let (m, d, y) = (num(parts[0])?, num(parts[1])?, num(parts[2])?);
            let y = if y < 100 { 2000 + y } else { y };
            let (clock, meridiem) = match time.rsplit_once(' ') {
                Some((c, ap)) if ap.eq_ignore_ascii_case("AM") || ap.eq_ignore_ascii_case("PM") => (c, Some(ap)),
                _ => (time, None),
            };
            let mut hm = clock.split(':');
            let (mut h, mi) = match (hm.next().filter(|s| !s.is_empty()), hm.next()) {
                (Some(h), Some(mi)) => (num(h)?, num(mi)?),
                _ => (0, 0),
            };
            match meridiem {
                Some(ap) if ap.eq_ignore_ascii_case("PM") && h < 12 => h += 12,
                Some(ap) if ap.eq_ignore_ascii_case("AM") && h == 12 => h = 0,
                _ => {}
            }
            if !(1..=12).contains(&m) || !(1..=31).contains(&d) || h > 23 || mi > 59 {
                return None;
            }
            return Some(days(y, m, d)? * 86_400_000 + (h * 60 + mi) * 60_000);
        }
    }
    // `17 May 2023`.
    let words: Vec<&str> = t.split_whitespace().collect();
    if let [d, month, y] = words.as_slice() {
        const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
        let lower = month.to_ascii_lowercase();
        let m = MONTHS.iter().position(|p| lower.starts_with(p))? as i64 + 1;
        return Some(days(num(y)?, m, num(d)?)? * 86_400_000);
    }
    None
}

/// A UUID derived from `parts` (version 8: name-based, crmsync's own hash).
pub fn derived_uuid(parts: &[&str]) -> String {
    let (a, b) = (key_hash(20, parts), key_hash(21, parts));
    let a = (a & !0xF000) | 0x8000; // version 8 in the third group
    let b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000; // RFC 4122 variant
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFFF,
        b >> 48,
        b & 0xFFFF_FFFF_FFFF
    )
}

/// The profile a URL names (its slug), or `fallback` (a name) when there is none.
fn profile_of(url: &str, fallback: &str) -> String {
    match Page::classify(url.trim()) {
        Page::Network(NetworkPage { slug, .. }) => slug,
        _ => fallback.trim().to_string(),
    }
}

/// The name in most rows' FROM or TO: the export's owner takes part in every message.
fn likely_owner<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for (from, to) in pairs {
        for name in std::iter::once(from).chain(to.split(',')) {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            match counts.iter_mut().find(|(n, _)| n == name) {
                Some((_, c)) => *c += 1,
                None => counts.push((name.to_string(), 1)),
            }
        }
    }
    counts.into_iter().max_by_key(|(_, c)| *c).map(|(n, _)| n)
}

/// Skips to the header row: the first with FROM, TO and a date column; answers it and
/// its line.
fn find_header(reader: &mut Reader<'_>, date_names: &[&str]) -> Result<(Vec<String>, usize), MessagesError> {
    loop {
        match reader.next() {
            None => return Err(MessagesError::NoHeader),
            Some(Ok(row)) => {
                let h = row.fields;
                if column(&h, &["FROM"]).is_some() && column(&h, &["TO"]).is_some() && column(&h, date_names).is_some()
                {
                    return Ok((h, row.line));
                }
            }
            Some(Err(_)) => {}
        }
    }
}

/// An activity's subject (the message's own, else who it went to or came from) and the
/// source part of its id.
fn subject_of(kind: ExportKind, own: String, outgoing: bool, other: &str) -> (String, &'static str) {
    let way = if outgoing { "to" } else { "from" };
    match kind {
        ExportKind::Messages if own.is_empty() => (format!("Message {way} {other}"), "messages"),
        ExportKind::Messages => (own, "messages"),
        ExportKind::Invitations => (format!("Invitation {way} {other}"), "invitations"),
    }
}

/// Reads an export into message activities of `user` (part of each derived id, so two
/// reps' copies of one conversation stay two activities). `owner` names the export's
/// owner when known; otherwise the name found in most rows is taken.
pub fn read_export(
    kind: ExportKind,
    text: &str,
    user: &str,
    owner: Option<&str>,
) -> Result<ExportedActivities, MessagesError> {
    let mut reader = Reader::new(text);
    let date_names: &[&str] = match kind {
        ExportKind::Messages => &["DATE"],
        ExportKind::Invitations => &["Sent At", "SENT AT", "Date"],
    };
    let (header, header_line) = find_header(&mut reader, date_names)?;
    let cols = Columns::new(&header, date_names);
    let mut rows = Vec::new();
    let mut out = ExportedActivities::default();
    for row in reader {
        match row {
            Ok(r) => rows.push(r),
            Err(e) => out.skipped.push((header_line, e.to_string())),
        }
    }
    let owner = owner.map(str::to_string).or_else(|| {
        let pairs: Vec<(String, String)> =
            rows.iter().map(|r| (cols.get(&r.fields, cols.from), cols.get(&r.fields, cols.to))).collect();
        likely_owner(pairs.iter().map(|(f, t)| (f.as_str(), t.as_str())))
    });
    out.owner = owner.clone();
    for row in &rows {
        if row.fields.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        match activity_of(kind, &cols, &row.fields, user, owner.as_deref()) {
            Ok(activity) => out.activities.push(activity),
            Err(reason) => out.skipped.push((row.line, reason)),
        }
    }
    Ok(out)
}

/// Where the export's columns are (either export's spelling of them).
struct Columns {
    from: Option<usize>,
    to: Option<usize>,
    date: Option<usize>,
    sender_url: Option<usize>,
    recipient_url: Option<usize>,
    subject: Option<usize>,
    content: Option<usize>,
    direction: Option<usize>,
    folder: Option<usize>,
    conversation: Option<usize>,
    draft: Option<usize>,
}

impl Columns {
    fn new(header: &[String], date_names: &[&str]) -> Self {
        let col = |names: &[&str]| column(header, names);
        Self {
            from: col(&["FROM"]),
            to: col(&["TO"]),
            date: col(date_names),
            sender_url: col(&["SENDER PROFILE URL", "inviterProfileUrl", "INVITER PROFILE URL"]),
            recipient_url: col(&["RECIPIENT PROFILE URLS", "inviteeProfileUrl", "INVITEE PROFILE URL"]),
            subject: col(&["SUBJECT"]),
            content: col(&["CONTENT", "MESSAGE"]),
            direction: col(&["DIRECTION"]),
            folder: col(&["FOLDER"]),
            conversation: col(&["CONVERSATION ID"]),
            draft: col(&["IS MESSAGE DRAFT"]),
        }
    }

    /// A row's trimmed value in column `c` ("" when the column or the value is missing).
    fn get(&self, fields: &[String], c: Option<usize>) -> String {
        c.and_then(|i| fields.get(i)).map(|s| s.trim().to_string()).unwrap_or_default()
    }
}

/// One row as the rep's activity, or why it is skipped (a draft, no date, nobody to
/// log it on). `owner` is the export's owner, known or guessed, which tells the
/// direction when the export does not.
fn activity_of(
    kind: ExportKind,
    cols: &Columns,
    f: &[String],
    user: &str,
    owner: Option<&str>,
) -> Result<NewActivity, String> {
    let get = |c: Option<usize>| cols.get(f, c);
    if matches!(get(cols.draft).to_ascii_lowercase().as_str(), "yes" | "true") {
        return Err("a draft, never sent".into());
    }
    let Some(ms) = parse_export_date(&get(cols.date)) else {
        return Err(format!("unreadable date {:?}", get(cols.date)));
    };
    let (sender, recipients) = (get(cols.from), get(cols.to));
    let outgoing = match get(cols.direction).to_ascii_uppercase().as_str() {
        "OUTGOING" => true,
        "INCOMING" => false,
        _ if get(cols.folder).eq_ignore_ascii_case("SENT") => true,
        _ => owner.is_some_and(|o| o.eq_ignore_ascii_case(&sender)),
    };
    let profile = if outgoing {
        let url = get(cols.recipient_url);
        profile_of(url.split(',').next().unwrap_or_default(), recipients.split(',').next().unwrap_or_default())
    } else {
        profile_of(&get(cols.sender_url), &sender)
    };
    if profile.is_empty() {
        return Err("neither a profile URL nor a name for the other party".into());
    }
    let body = get(cols.content);
    let other = if outgoing { &recipients } else { &sender };
    let (subject, source) = subject_of(kind, get(cols.subject), outgoing, other);
    let subject: String = subject.chars().take(crate::core::activity::MAX_SUBJECT).collect();
    let body: String = body.chars().take(crate::core::activity::MAX_BODY).collect();
    let stamp = ms.to_string();
    let id = derived_uuid(&[user, source, &get(cols.conversation), &stamp, &sender, &recipients, &body]);
    Ok(NewActivity {
        id,
        kind: ActivityKind::Message.as_str().to_string(),
        subject,
        body,
        occurred_at: rfc3339_from_unix_ms(ms),
        profile_id: profile,
        target: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGES_2023: &str = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT\n\
        2-abc,,Ann Rep,https://www.linkedin.com/in/ann-rep,Bob Buyer,https://www.linkedin.com/in/bob-buyer,2023-05-17 14:02:11 UTC,,\"Hi Bob, quick question\",INBOX,No\n\
        2-abc,,Bob Buyer,https://www.linkedin.com/in/bob-buyer,Ann Rep,https://www.linkedin.com/in/ann-rep,2023-05-18 09:00:00 UTC,,Sure,INBOX,No\n\
        2-def,,Ann Rep,https://www.linkedin.com/in/ann-rep,Cy Client,https://www.linkedin.com/in/cy,2023-06-01 10:00:00 UTC,Pricing,Draft text,INBOX,Yes\n";

    #[test]
    fn messages_2023_find_the_other_party_and_skip_drafts() {
        let read = read_export(ExportKind::Messages, MESSAGES_2023, "005A", None).unwrap_or_default();
        assert_eq!(read.owner.as_deref(), Some("Ann Rep"));
        assert_eq!(read.activities.len(), 2);
        assert_eq!(read.activities[0].profile_id, "bob-buyer");
        assert_eq!(read.activities[1].profile_id, "bob-buyer");
        assert_eq!(read.activities[0].subject, "Message to Bob Buyer");
        assert_eq!(read.activities[1].subject, "Message from Bob Buyer");
        assert_eq!(read.activities[0].occurred_at, "2023-05-17T14:02:11.000Z");
        assert_eq!(read.skipped.len(), 1);
        assert!(read.activities.iter().all(|a| a.check().is_ok()));
    }

    #[test]
    fn ids_are_stable_per_user_and_distinct_per_message() {
        let a = read_export(ExportKind::Messages, MESSAGES_2023, "005A", None).unwrap_or_default();
        let again = read_export(ExportKind::Messages, MESSAGES_2023, "005A", None).unwrap_or_default();
        let other_user = read_export(ExportKind::Messages, MESSAGES_2023, "005B", None).unwrap_or_default();
        assert_eq!(a.activities[0].id, again.activities[0].id);
        assert_ne!(a.activities[0].id, a.activities[1].id);
        assert_ne!(a.activities[0].id, other_user.activities[0].id);
        assert!(crate::core::activity::canonical_uuid(&a.activities[0].id).is_some());
    }

    #[test]
    fn old_formats_use_direction_and_american_dates() {
        let invitations = "From,To,Sent At,Message,Direction\nAnn Rep,Dee Dean,\"5/17/23, 2:02 PM\",Let's connect,OUTGOING\nEd Early,Ann Rep,\"1/2/2022, 12:15 AM\",,INCOMING\n";
        let read = read_export(ExportKind::Invitations, invitations, "005A", Some("Ann Rep")).unwrap_or_default();
        assert_eq!(read.activities.len(), 2);
        assert_eq!(read.activities[0].profile_id, "Dee Dean");
        assert_eq!(read.activities[0].occurred_at, "2023-05-17T14:02:00.000Z");
        assert_eq!(read.activities[0].subject, "Invitation to Dee Dean");
        assert_eq!(read.activities[1].occurred_at, "2022-01-02T00:15:00.000Z");
        assert_eq!(read.activities[1].subject, "Invitation from Ed Early");
    }

    #[test]
    fn dates_in_every_form_and_bad_ones() {
        assert_eq!(parse_export_date("2023-05-17"), Some(1_684_281_600_000));
        assert_eq!(parse_export_date("17 May 2023"), Some(1_684_281_600_000));
        assert_eq!(parse_export_date("05/17/2023 14:02"), Some(1_684_281_600_000 + 50_520_000));
        assert_eq!(parse_export_date("2023-05-17T00:00:00Z"), Some(1_684_281_600_000));
        assert_eq!(parse_export_date("13/45/2023"), None);
        assert_eq!(parse_export_date("soon"), None);
    }

    #[test]
    fn a_file_without_the_columns_is_refused() {
        assert_eq!(
            read_export(ExportKind::Messages, "First Name,Last Name\nA,B\n", "u", None),
            Err(MessagesError::NoHeader)
        );
    }
}
