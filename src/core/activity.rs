//! Activities reps log for write-back (docs/ARCHITECTURE.md "Activity write-back rules"): the
//! kinds, the request the extension and scripts send (`POST /api/v1/activities`), its
//! checks, and the views the queue shows. Shared so the browser checks an activity the
//! same way before it queues one offline.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sf::id::SalesforceId;
use super::sf::object::SObjectType;
use super::time::{rfc3339_from_unix_ms, unix_ms_from_rfc3339};

/// Longest subject: Task.Subject is a string(255).
pub const MAX_SUBJECT: usize = 255;
/// Longest body: Task.Description and Note.Body are textarea(32000).
pub const MAX_BODY: usize = 32_000;
/// Longest profile id kept (network ids and slugs are far shorter).
pub const MAX_PROFILE_ID: usize = 200;

/// What a rep did on the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// An InMail to someone who is not a connection (Task, InMail record type).
    Inmail,
    /// A message to a first-degree connection (Task, Message record type).
    Message,
    /// A phone call (Task with TaskSubtype Call).
    Call,
    /// A note (a Note on the record; the only kind an account takes).
    Note,
    /// A shared document the person viewed (Task).
    DocumentView,
}

impl ActivityKind {
    /// Every kind, in the order menus show them.
    pub const ALL: [ActivityKind; 5] = [Self::Inmail, Self::Message, Self::Call, Self::Note, Self::DocumentView];

    /// The wire and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inmail => "inmail",
            Self::Message => "message",
            Self::Call => "call",
            Self::Note => "note",
            Self::DocumentView => "document_view",
        }
    }

    /// Reads a wire or stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The word users read ("Call", "Document view").
    pub fn label(self) -> &'static str {
        match self {
            Self::Inmail => "InMail",
            Self::Message => "Message",
            Self::Call => "Call",
            Self::Note => "Note",
            Self::DocumentView => "Document view",
        }
    }

    /// The list of names, for error messages.
    pub fn names() -> String {
        Self::ALL.map(|k| k.as_str()).join(", ")
    }
}

/// Where an activity stands, as users see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityState {
    /// No CRM target yet: a user assigns it to a lead or contact first.
    Unassigned,
    /// Waiting for the next flush (or for a retry after a transient error).
    Pending,
    /// In Salesforce.
    Written,
    /// Salesforce refused it for good; the reason says why. Retried only on request.
    Failed,
    /// An admin discarded it; it is never written.
    Discarded,
}

impl ActivityState {
    /// Every state, in queue-view order.
    pub const ALL: [ActivityState; 5] = [Self::Pending, Self::Written, Self::Failed, Self::Unassigned, Self::Discarded];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unassigned => "unassigned",
            Self::Pending => "pending",
            Self::Written => "written",
            Self::Failed => "failed",
            Self::Discarded => "discarded",
        }
    }

    /// Reads a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// A comma-separated list of names exactly as written (no spaces, no empty items);
    /// empty means every state. The error names the first wrong item and the names allowed.
    pub fn parse_list(text: &str) -> Result<Vec<Self>, String> {
        text.split(',')
            .filter(|_| !text.is_empty())
            .map(|name| {
                Self::parse(name).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|s| s.as_str()).collect();
                    format!("state {name:?} is not one of {}", names.join(", "))
                })
            })
            .collect()
    }
}

/// One activity as a client sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewActivity {
    /// A UUID made by the client; sending it again is harmless.
    pub id: String,
    /// `inmail`, `message`, `call`, `note` or `document_view`.
    pub kind: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
    /// RFC 3339 time of the activity.
    pub occurred_at: String,
    /// The network profile (or company) it concerns.
    pub profile_id: String,
    /// The CRM record (Lead, Contact, or Account for notes); absent = unassigned.
    #[serde(default)]
    pub target: Option<String>,
}

/// An activity that passed [`NewActivity::check`]: canonical id, kind, time and target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedActivity {
    /// Lower-case hyphenated UUID.
    pub id: String,
    pub kind: ActivityKind,
    pub subject: String,
    pub body: String,
    /// RFC 3339 in UTC with milliseconds.
    pub occurred_at: String,
    pub profile_id: String,
    /// 18-character id of a Lead, Contact or Account.
    pub target: Option<String>,
}

/// What is wrong with an activity; `field` names where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ActivityError {
    pub field: &'static str,
    pub message: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> ActivityError {
    ActivityError { field, message: message.into() }
}

/// The canonical (lower-case, hyphenated) form of a UUID, if `text` is one.
pub fn canonical_uuid(text: &str) -> Option<String> {
    let text = text.trim();
    let groups: Vec<&str> = text.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    let ok = groups.len() == 5
        && groups.iter().zip(lengths).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
    ok.then(|| text.to_ascii_lowercase())
}

/// Checks a target id and the kinds it takes: leads and contacts take every kind,
/// accounts notes only.
pub fn check_target(kind: ActivityKind, target: &str) -> Result<String, ActivityError> {
    let id = SalesforceId::parse(target.trim())
        .map_err(|e| bad("target", format!("{target:?} is not a Salesforce id: {e}")))?;
    match id.object_type() {
        Some(SObjectType::Lead | SObjectType::Contact) => Ok(id.as_str().to_string()),
        Some(SObjectType::Account) if kind == ActivityKind::Note => Ok(id.as_str().to_string()),
        Some(SObjectType::Account) => {
            Err(bad("target", format!("accounts take notes only; log the {} against a lead or contact", kind.as_str())))
        }
        _ => Err(bad("target", format!("{target} is not a Lead (00Q), Contact (003) or Account (001) id"))),
    }
}

/// What a one-click log captured in the browser (a composer's send, the log button).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    pub kind: String,
    /// The InMail's subject line, when the composer has one.
    #[serde(default)]
    pub subject: String,
    /// What was written (a message's text, the note).
    #[serde(default)]
    pub text: String,
    /// The person's or company's page (the page itself, or the conversation's profile link).
    pub profile_url: String,
    /// The matched CRM record from the badge, if any; absent = unassigned.
    #[serde(default)]
    pub target: Option<String>,
}

/// The subject of a logged activity: the one given, else the text's first line (80
/// characters at most), else the kind's name.
pub fn subject_of(kind: ActivityKind, subject: &str, text: &str) -> String {
    let given = subject.trim();
    if !given.is_empty() {
        return given.to_string();
    }
    match text.trim().lines().next().map(str::trim) {
        Some(first) if !first.is_empty() => first.chars().take(80).collect(),
        _ => kind.label().to_string(),
    }
}

impl NewActivity {
    /// The activity a browser capture logs, with the client's `id` and time, checked.
    /// A target the kind cannot take (a call on an account) leaves it unassigned, for
    /// the rep to assign in the widget.
    pub fn captured(capture: &Capture, id: String, occurred_at: String) -> Result<NewActivity, ActivityError> {
        let kind = ActivityKind::parse(capture.kind.trim()).ok_or_else(|| {
            bad("kind", format!("unknown kind {:?} (expected one of {})", capture.kind, ActivityKind::names()))
        })?;
        let page = crate::core::pages::PageUrl::parse(&capture.profile_url)
            .and_then(|u| crate::core::pages::NetworkPage::from_url(&u))
            .ok_or_else(|| {
                bad("profile_url", format!("{:?} is not a network profile or company page", capture.profile_url))
            })?;
        let target = capture.target.as_deref().and_then(|t| check_target(kind, t).ok());
        let activity = NewActivity {
            id,
            kind: kind.as_str().to_string(),
            subject: subject_of(kind, &capture.subject, &capture.text),
            body: capture.text.trim().to_string(),
            occurred_at,
            profile_id: page.slug,
            target,
        };
        activity.check()?;
        Ok(activity)
    }

    /// Checks every field and returns the canonical activity, or the first problem.
    pub fn check(&self) -> Result<CheckedActivity, ActivityError> {
        let id = canonical_uuid(&self.id).ok_or_else(|| {
            bad("id", format!("{:?} is not a UUID (like 0b8e4e62-5f7c-4a43-9d1e-2c9b7f5f4a10)", self.id))
        })?;
        let kind = ActivityKind::parse(self.kind.trim()).ok_or_else(|| {
            bad("kind", format!("unknown kind {:?} (expected one of {})", self.kind, ActivityKind::names()))
        })?;
        let subject = self.subject.trim().to_string();
        if self.subject.chars().count() > MAX_SUBJECT {
            return Err(bad(
                "subject",
                format!("has {} characters; Salesforce keeps at most {MAX_SUBJECT}", self.subject.chars().count()),
            ));
        }
        if self.body.chars().count() > MAX_BODY {
            return Err(bad(
                "body",
                format!("has {} characters; Salesforce keeps at most {MAX_BODY}", self.body.chars().count()),
            ));
        }
        if subject.is_empty() && self.body.trim().is_empty() {
            return Err(bad("subject", "an activity needs a subject or a body"));
        }
        let occurred_ms = unix_ms_from_rfc3339(self.occurred_at.trim()).ok_or_else(|| {
            bad("occurred_at", format!("{:?} is not an RFC 3339 time (like 2026-11-25T14:03:00Z)", self.occurred_at))
        })?;
        let profile_id = self.profile_id.trim().to_string();
        if profile_id.is_empty() || self.profile_id.chars().count() > MAX_PROFILE_ID {
            return Err(bad("profile_id", format!("must be 1 to {MAX_PROFILE_ID} characters")));
        }
        let target = match self.target.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => Some(check_target(kind, t)?),
        };
        Ok(CheckedActivity {
            id,
            kind,
            subject,
            body: self.body.clone(),
            occurred_at: rfc3339_from_unix_ms(occurred_ms),
            profile_id,
            target,
        })
    }
}

/// One activity in a user's queue view (`GET /api/v1/activities`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub id: String,
    pub kind: ActivityKind,
    pub subject: String,
    pub body: String,
    pub occurred_at: String,
    pub profile_id: String,
    pub target: Option<String>,
    /// For an unassigned activity: the record another user matched its profile to, for
    /// its owner to confirm (a match never moves another rep's activities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested_target: Option<String>,
    pub state: ActivityState,
    /// The Task or Note id once written.
    pub salesforce_id: Option<String>,
    /// A link that opens the written record.
    pub salesforce_url: Option<String>,
    /// Salesforce's message for a failure, or the last transient error of a pending one.
    pub error: Option<String>,
    pub attempts: i64,
    pub created_at: String,
    pub written_at: Option<String>,
}

/// A user's write-back settings (`GET`/`PUT /api/v1/me/writeback`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WritebackPrefs {
    /// Whether an admin enabled write-back for this user.
    pub enabled: bool,
    /// Kind → opted in. Every kind is listed.
    pub kinds: BTreeMap<ActivityKind, bool>,
    /// The kinds the org writes back at all: a rep opts in within these.
    #[serde(default)]
    pub org_kinds: Vec<ActivityKind>,
}

/// Activity counts per state (`crmsync status`).
pub type ActivityTotals = BTreeMap<ActivityState, u64>;

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> NewActivity {
        NewActivity {
            id: "0B8E4E62-5F7C-4A43-9D1E-2C9B7F5F4A10".into(),
            kind: "inmail".into(),
            subject: " Intro ".into(),
            body: "Hello".into(),
            occurred_at: "2026-11-25T14:03:00+01:00".into(),
            profile_id: "jane-doe".into(),
            target: Some("00Q5e00000ABCdeEAH".into()),
        }
    }

    #[test]
    fn captured_takes_the_profile_from_the_page_and_the_subject_from_the_text() {
        let capture = Capture {
            kind: "message".into(),
            text: "Hi Ada,\nthanks for the chat".into(),
            profile_url: "https://www.linkedin.com/in/ada-lovelace/".into(),
            target: Some("0037e00001WZ30q".into()),
            ..Capture::default()
        };
        let a = NewActivity::captured(&capture, sample().id, sample().occurred_at).unwrap();
        assert_eq!((a.profile_id.as_str(), a.subject.as_str()), ("ada-lovelace", "Hi Ada,"));
        assert_eq!(a.target.as_deref(), Some("0037e00001WZ30qAAD"));
        let call_on_account =
            Capture { kind: "call".into(), target: Some("0015Y00002ZbgP3".into()), ..capture.clone() };
        assert_eq!(NewActivity::captured(&call_on_account, sample().id, sample().occurred_at).unwrap().target, None);
        let feed = Capture { profile_url: "https://www.linkedin.com/feed/".into(), ..capture.clone() };
        assert!(NewActivity::captured(&feed, sample().id, sample().occurred_at)
            .unwrap_err()
            .to_string()
            .contains("profile_url"));
        let inmail = Capture { kind: "inmail".into(), subject: "Quick question".into(), ..capture };
        assert_eq!(
            NewActivity::captured(&inmail, sample().id, sample().occurred_at).unwrap().subject,
            "Quick question"
        );
        assert_eq!(subject_of(ActivityKind::DocumentView, "", "  "), "Document view");
    }

    #[test]
    fn check_canonicalises_id_time_and_subject() {
        let checked = sample().check().map_err(|e| e.to_string());
        let checked = checked.as_ref().map(|c| (c.id.as_str(), c.subject.as_str(), c.occurred_at.as_str(), c.kind));
        assert_eq!(
            checked,
            Ok(("0b8e4e62-5f7c-4a43-9d1e-2c9b7f5f4a10", "Intro", "2026-11-25T13:03:00.000Z", ActivityKind::Inmail))
        );
    }

    #[test]
    fn check_names_the_field_at_fault() {
        let field = |a: NewActivity| a.check().err().map(|e| e.field);
        assert_eq!(field(NewActivity { id: "nope".into(), ..sample() }), Some("id"));
        assert_eq!(field(NewActivity { kind: "sms".into(), ..sample() }), Some("kind"));
        assert_eq!(field(NewActivity { occurred_at: "yesterday".into(), ..sample() }), Some("occurred_at"));
        assert_eq!(field(NewActivity { subject: "x".repeat(256), ..sample() }), Some("subject"));
        assert_eq!(field(NewActivity { profile_id: " ".into(), ..sample() }), Some("profile_id"));
        assert_eq!(field(NewActivity { target: Some("005000000000001".into()), ..sample() }), Some("target"));
        assert_eq!(field(NewActivity { subject: "".into(), body: " ".into(), ..sample() }), Some("subject"));
        assert_eq!(field(sample()), None);
    }

    #[test]
    fn accounts_take_notes_only() {
        let account = Some("001000000000001".to_string());
        let e = NewActivity { target: account.clone(), ..sample() }.check().err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("target: accounts take notes only; log the inmail against a lead or contact"));
        let note = NewActivity { kind: "note".into(), target: account, ..sample() }.check();
        assert_eq!(note.map(|c| c.target), Ok(Some("001000000000001AAA".to_string())));
    }

    #[test]
    fn no_target_is_unassigned_not_an_error() {
        let checked = NewActivity { target: Some(" ".into()), ..sample() }.check();
        assert_eq!(checked.map(|c| c.target), Ok(None));
    }

    #[test]
    fn kinds_and_states_round_trip_their_names() {
        for k in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ActivityState::parse_list(""), Ok(vec![]));
        assert_eq!(
            ActivityState::parse_list("failed,pending"),
            Ok(vec![ActivityState::Failed, ActivityState::Pending])
        );
        for bad in ["\t", " failed", "failed,", ",failed", "gone"] {
            assert!(ActivityState::parse_list(bad).unwrap_err().contains("is not one of"), "{bad:?}");
        }
        for s in ActivityState::ALL {
            assert_eq!(ActivityState::parse(s.as_str()), Some(s));
        }
        assert_eq!(serde_json::to_string(&ActivityKind::DocumentView).ok().as_deref(), Some("\"document_view\""));
    }
}
