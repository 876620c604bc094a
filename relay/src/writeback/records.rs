//! How a stored activity becomes a Salesforce record: InMails and messages are Tasks of
//! their own record types, calls are Tasks with `TaskSubtype` Call, document views plain
//! Tasks, notes classic Notes on the target. The rep owns the record; the external id
//! (the client's UUID) makes every Task write an idempotent upsert.

use crmsync::core::activity::ActivityKind;
use serde_json::{json, Map, Value};

use crate::store::StoredActivity;

/// The external-id field on Task (Activity) that holds the client's UUID.
pub const EXTERNAL_ID_FIELD: &str = "Crmsync_Activity_Id__c";
/// Longest Note title (Note.Title is a string(80)).
const NOTE_TITLE_MAX: usize = 80;

/// The Task record types write-back uses: kind, DeveloperName, label.
pub const RECORD_TYPES: [(ActivityKind, &str, &str); 2] =
    [(ActivityKind::Inmail, "InMail", "InMail"), (ActivityKind::Message, "Message", "Message")];

/// The org setting that holds a record type's id.
pub fn record_type_key(developer_name: &str) -> String {
    format!("writeback.record_type.Task.{developer_name}")
}

/// Record type ids of the org, by kind (none until setup found or made them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordTypeIds(pub Vec<(ActivityKind, String)>);

impl RecordTypeIds {
    fn of(&self, kind: ActivityKind) -> Option<&str> {
        self.0.iter().find(|(k, _)| *k == kind).map(|(_, id)| id.as_str())
    }

    /// Kinds that need a record type the org lacks.
    pub fn missing(&self) -> Vec<ActivityKind> {
        RECORD_TYPES.iter().map(|(k, _, _)| *k).filter(|k| self.of(*k).is_none()).collect()
    }
}

/// The subject shown in Salesforce: the rep's, or the kind's name (the core's rule, as
/// the queue views show it).
fn subject(a: &StoredActivity) -> String {
    crmsync::core::activity::subject_of(a.kind, &a.subject, "")
}

/// The Task for an activity (not a note). `with_subtype` is false when re-sending a call
/// whose Task already exists: `TaskSubtype` can be set on insert only.
pub fn task(a: &StoredActivity, record_types: &RecordTypeIds, with_subtype: bool) -> Value {
    let mut task = Map::new();
    task.insert(EXTERNAL_ID_FIELD.into(), json!(a.id));
    task.insert("OwnerId".into(), json!(a.user_id));
    task.insert("WhoId".into(), json!(a.target));
    task.insert("Subject".into(), json!(subject(a)));
    task.insert("Description".into(), json!(a.body));
    task.insert("ActivityDate".into(), json!(a.occurred_at.get(..10).unwrap_or(&a.occurred_at)));
    task.insert("Status".into(), json!("Completed"));
    if let Some(record_type) = record_types.of(a.kind) {
        task.insert("RecordTypeId".into(), json!(record_type));
    }
    if a.kind == ActivityKind::Call && with_subtype {
        task.insert("TaskSubtype".into(), json!("Call"));
    }
    Value::Object(task)
}

/// The Note for a note activity: on the target, owned by the rep.
pub fn note(a: &StoredActivity) -> Value {
    let title: String = subject(a).chars().take(NOTE_TITLE_MAX).collect();
    json!({ "ParentId": a.target, "Title": title, "Body": a.body, "OwnerId": a.user_id })
}

/// Whether a stored Note is the one `a` would write (for an insert whose outcome was lost).
pub fn note_matches(a: &StoredActivity, stored: &Value) -> bool {
    let wanted = note(a);
    ["ParentId", "Title", "Body", "OwnerId"].iter().all(|f| {
        let stored_value = stored.get(*f).and_then(Value::as_str).unwrap_or_default();
        let wanted_value = wanted.get(*f).and_then(Value::as_str).unwrap_or_default();
        // Salesforce answers 18-character ids; ours are 18 characters too.
        stored_value == wanted_value
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::QueueState;

    fn activity(kind: ActivityKind) -> StoredActivity {
        StoredActivity {
            id: "0b8e4e62-5f7c-4a43-9d1e-2c9b7f5f4a10".into(),
            user_id: "005000000000002AAA".into(),
            kind,
            subject: String::new(),
            body: "Talked about pricing".into(),
            occurred_at: "2026-11-25T13:03:00.000Z".into(),
            profile_id: "jane".into(),
            target: Some("00Q000000000001AAA".into()),
            state: QueueState::Pending,
            attempts: 0,
            next_attempt_at_ms: 0,
            sent_at_ms: None,
            salesforce_id: None,
            error: None,
            created_at_ms: 0,
            written_at_ms: None,
        }
    }

    #[test]
    fn inmail_is_a_task_of_its_record_type_owned_by_the_rep() {
        let types = RecordTypeIds(vec![(ActivityKind::Inmail, "012000000000001AAA".into())]);
        let t = task(&activity(ActivityKind::Inmail), &types, true);
        assert_eq!(t["RecordTypeId"], json!("012000000000001AAA"));
        assert_eq!(t["OwnerId"], json!("005000000000002AAA"));
        assert_eq!(t["WhoId"], json!("00Q000000000001AAA"));
        assert_eq!(t["Subject"], json!("InMail"));
        assert_eq!(t["ActivityDate"], json!("2026-11-25"));
        assert_eq!(t[EXTERNAL_ID_FIELD], json!("0b8e4e62-5f7c-4a43-9d1e-2c9b7f5f4a10"));
        assert!(t.get("TaskSubtype").is_none());
        assert_eq!(types.missing(), vec![ActivityKind::Message]);
    }

    #[test]
    fn calls_carry_the_subtype_on_insert_only() {
        let types = RecordTypeIds::default();
        assert_eq!(task(&activity(ActivityKind::Call), &types, true)["TaskSubtype"], json!("Call"));
        assert!(task(&activity(ActivityKind::Call), &types, false).get("TaskSubtype").is_none());
        assert!(task(&activity(ActivityKind::Call), &types, true).get("RecordTypeId").is_none());
    }

    #[test]
    fn notes_hang_on_the_target_and_are_recognised_again() {
        let mut a = activity(ActivityKind::Note);
        a.subject = "x".repeat(100);
        let n = note(&a);
        assert_eq!(n["ParentId"], json!("00Q000000000001AAA"));
        assert_eq!(n["Title"].as_str().map(str::len), Some(80));
        assert!(note_matches(&a, &n));
        let mut other = n.clone();
        other["Body"] = json!("something else");
        assert!(!note_matches(&a, &other));
    }
}
