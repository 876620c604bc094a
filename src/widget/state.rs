//! Widget state and its reducer: the record the host page handed over (validated by the
//! core, so the widget always queries with the 18-character id), its matched profile,
//! the directory search for manual matching, and the rep's activities for it. Plain Rust
//! (the Yew `Reducible` glue is behind `web`), so its tests run natively.

use std::rc::Rc;

use crate::core::activity::{subject_of, ActivityKind, ActivityState, ActivityView, NewActivity, WritebackPrefs};
use crate::core::api::{DirectoryProfile, RecordMatch, WidgetLaunch};
use crate::core::sf::SalesforceId;
use crate::load::Load;

/// The record being shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordView {
    /// API name of the object ("Contact"); from the page, else from the key prefix.
    pub object: String,
    pub id18: String,
    /// The id exactly as the host page gave it.
    pub given: String,
}

impl RecordView {
    /// Leads, Contacts and Accounts are matched to network profiles; other records
    /// (Opportunities) only show the widget's header.
    pub fn is_matchable(&self) -> bool {
        matches!(self.object.as_str(), "Lead" | "Contact" | "Account")
    }

    /// What can be logged on this record: accounts take notes only.
    pub fn loggable_kinds(&self) -> &'static [ActivityKind] {
        match self.object.as_str() {
            "Account" => &[ActivityKind::Note],
            "Lead" | "Contact" => &[ActivityKind::Call, ActivityKind::Note],
            _ => &[],
        }
    }
}

/// Everything the widget shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WidgetState {
    /// `None` until launched; `Err` carries a message for the user.
    pub record: Option<Result<RecordView, String>>,
    /// The record's match (`None`: not asked, e.g. not a matchable record).
    pub matching: Option<Load<RecordMatch>>,
    /// The directory search for manual matching: the text searched and its results.
    pub search: Option<(String, Load<Vec<DirectoryProfile>>)>,
    /// The rep's write-back settings.
    pub prefs: Option<Load<WritebackPrefs>>,
    /// The rep's activities (all records; the panel picks this record's and the unassigned).
    pub activities: Option<Load<Vec<ActivityView>>>,
    /// What the last action did, or why it failed.
    pub notice: Option<Result<String, String>>,
}

/// What can happen to the widget.
pub enum WidgetAction {
    /// The host page (re)launched the widget with this fragment, e.g. after navigation.
    Launched(String),
    MatchLoading,
    MatchLoaded(Box<Result<RecordMatch, String>>),
    Searching(String),
    /// A profile was picked: the search is done.
    SearchCleared,
    SearchLoaded(String, Result<Vec<DirectoryProfile>, String>),
    PrefsLoaded(Result<WritebackPrefs, String>),
    ActivitiesLoaded(Result<Vec<ActivityView>, String>),
    Notice(Result<String, String>),
}

#[cfg(feature = "web")]
impl yew::Reducible for WidgetState {
    type Action = WidgetAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        self.next(action)
    }
}

impl WidgetState {
    /// The state after `action`.
    pub fn next(self: Rc<Self>, action: WidgetAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            WidgetAction::Launched(fragment) => {
                let record = record_from_fragment(&fragment);
                if record == next.record {
                    return self;
                }
                // Another record: nothing shown for the last one still applies.
                next = WidgetState { record, prefs: next.prefs, ..WidgetState::default() };
            }
            WidgetAction::MatchLoading => next.matching = Some(Load::Loading),
            WidgetAction::MatchLoaded(result) => next.matching = Some(Load::Loaded(*result)),
            WidgetAction::Searching(text) => next.search = Some((text, Load::Loading)),
            WidgetAction::SearchCleared => next.search = None,
            WidgetAction::SearchLoaded(text, result) => {
                // A slower answer to an older search must not replace the newer one.
                if next.search.as_ref().is_some_and(|(current, _)| *current != text) {
                    return self;
                }
                next.search = Some((text, Load::Loaded(result)));
            }
            WidgetAction::PrefsLoaded(result) => next.prefs = Some(Load::Loaded(result)),
            WidgetAction::ActivitiesLoaded(result) => next.activities = Some(Load::Loaded(result)),
            WidgetAction::Notice(notice) => next.notice = Some(notice),
        }
        Rc::new(next)
    }

    /// The launched record, when valid.
    pub fn record(&self) -> Option<&RecordView> {
        self.record.as_ref().and_then(|r| r.as_ref().ok())
    }

    /// This record's activities, newest first.
    pub fn record_activities(&self) -> Vec<&ActivityView> {
        let Some(record) = self.record() else { return Vec::new() };
        let all = self.activities.as_ref().and_then(Load::ready).map(Vec::as_slice).unwrap_or_default();
        all.iter().filter(|a| a.target.as_deref() == Some(record.id18.as_str())).collect()
    }

    /// The rep's activities waiting for a CRM record.
    pub fn unassigned(&self) -> Vec<&ActivityView> {
        let all = self.activities.as_ref().and_then(Load::ready).map(Vec::as_slice).unwrap_or_default();
        all.iter().filter(|a| a.state == ActivityState::Unassigned).collect()
    }

    /// Whether `kind` can be logged here now, or why not (for the button's title).
    pub fn can_log(&self, kind: ActivityKind) -> Result<(), String> {
        let record = self.record().ok_or("no record is open")?;
        if !record.loggable_kinds().contains(&kind) {
            return Err(format!("{} records take notes only", record.object));
        }
        let prefs = self.prefs.as_ref().and_then(Load::ready).ok_or("your write-back settings are loading")?;
        if !prefs.enabled {
            return Err("an admin has not enabled write-back for you (crmsync writeback enable)".into());
        }
        if !prefs.kinds.get(&kind).copied().unwrap_or(false) {
            return Err(format!("turn on \"{}\" below to write it to Salesforce", kind.label()));
        }
        Ok(())
    }

    /// The activity a click logs: on this record, about its matched profile (or the
    /// record itself when no profile is matched yet).
    pub fn new_activity(&self, kind: ActivityKind, id: String, occurred_at: String, text: &str) -> Option<NewActivity> {
        let record = self.record()?;
        let profile_id = self
            .matching
            .as_ref()
            .and_then(Load::ready)
            .and_then(|m| m.matched.as_ref())
            .map(|m| m.profile.network_id.clone())
            .unwrap_or_else(|| format!("record:{}", record.id18));
        Some(NewActivity {
            id,
            kind: kind.as_str().to_string(),
            subject: subject_of(kind, "", text),
            body: text.trim().to_string(),
            occurred_at,
            profile_id,
            target: Some(record.id18.clone()),
        })
    }
}

/// Validates the launch fragment into what the widget shows.
pub fn record_from_fragment(fragment: &str) -> Option<Result<RecordView, String>> {
    let launch = WidgetLaunch::from_fragment(fragment)?;
    Some(
        SalesforceId::parse(&launch.record_id)
            .map(|id| RecordView {
                object: launch
                    .object
                    .clone()
                    .or_else(|| id.object_type().map(|t| t.api_name().to_string()))
                    .unwrap_or_else(|| "Record".to_string()),
                id18: id.to_string(),
                given: launch.record_id.clone(),
            })
            .map_err(|e| format!("This page's record id {:?} is not valid: {e}", launch.record_id)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::api::MatchedProfile;
    use crate::core::matching::Method;
    use crate::core::pages::NetworkEntity;

    fn launched(fragment: &str) -> Rc<WidgetState> {
        Rc::new(WidgetState::default()).next(WidgetAction::Launched(fragment.into()))
    }

    fn prefs(enabled: bool, kinds: &[ActivityKind]) -> WritebackPrefs {
        WritebackPrefs {
            enabled,
            kinds: ActivityKind::ALL.iter().map(|k| (*k, kinds.contains(k))).collect(),
            org_kinds: ActivityKind::ALL.to_vec(),
        }
    }

    #[test]
    fn launched_with_15_char_id_shows_18() {
        let state = launched("#record=0015Y00002ZbgP3");
        let record = state.record.clone().unwrap().unwrap();
        assert_eq!(record.id18, "0015Y00002ZbgP3QAJ");
        assert_eq!(record.object, "Account");
    }

    #[test]
    fn launched_with_bad_id_explains() {
        let err = record_from_fragment("record=nope&object=Contact").unwrap().unwrap_err();
        assert!(err.contains("\"nope\""), "{err}");
        assert_eq!(record_from_fragment("#"), None);
    }

    #[test]
    fn another_record_forgets_the_last_ones_match_but_not_the_settings() {
        let state = launched("record=0037e00001WZ30qAAD&object=Contact")
            .next(WidgetAction::MatchLoaded(Box::new(Err("x".into()))))
            .next(WidgetAction::PrefsLoaded(Ok(prefs(true, &[]))));
        let same = state.clone().next(WidgetAction::Launched("record=0037e00001WZ30qAAD&object=Contact".into()));
        assert!(Rc::ptr_eq(&state, &same), "the same record keeps everything");
        let other = state.next(WidgetAction::Launched("record=00Qg5000008th4X".into()));
        assert_eq!(other.matching, None);
        assert!(other.prefs.is_some());
    }

    #[test]
    fn an_older_search_answer_is_dropped() {
        let state = launched("record=0037e00001WZ30qAAD")
            .next(WidgetAction::Searching("ad".into()))
            .next(WidgetAction::Searching("ada".into()))
            .next(WidgetAction::SearchLoaded("ad".into(), Ok(vec![])));
        assert_eq!(state.search, Some(("ada".into(), Load::Loading)));
    }

    #[test]
    fn logging_needs_the_admin_switch_the_opt_in_and_a_fitting_record() {
        let contact = launched("record=0037e00001WZ30qAAD&object=Contact");
        assert!(contact.can_log(ActivityKind::Call).unwrap_err().contains("loading"));
        let off = contact.clone().next(WidgetAction::PrefsLoaded(Ok(prefs(false, &[ActivityKind::Call]))));
        assert!(off.can_log(ActivityKind::Call).unwrap_err().contains("admin"));
        let on = contact.next(WidgetAction::PrefsLoaded(Ok(prefs(true, &[ActivityKind::Call]))));
        assert_eq!(on.can_log(ActivityKind::Call), Ok(()));
        assert!(on.can_log(ActivityKind::Note).unwrap_err().contains("turn on"));
        let account = launched("record=0015Y00002ZbgP3QAJ&object=Account")
            .next(WidgetAction::PrefsLoaded(Ok(prefs(true, &ActivityKind::ALL))));
        assert!(account.can_log(ActivityKind::Call).unwrap_err().contains("notes only"));
        assert_eq!(account.can_log(ActivityKind::Note), Ok(()));
    }

    #[test]
    fn a_logged_activity_targets_the_record_and_names_the_matched_profile() {
        let state = launched("record=0037e00001WZ30qAAD&object=Contact");
        let id = "00000000-0000-4000-8000-000000000001".to_string();
        let at = "2026-11-26T10:00:00Z".to_string();
        let unmatched = state.new_activity(ActivityKind::Call, id.clone(), at.clone(), "  ").unwrap();
        assert_eq!(unmatched.profile_id, "record:0037e00001WZ30qAAD");
        assert_eq!(unmatched.subject, "Call");
        assert!(unmatched.check().is_ok(), "{:?}", unmatched.check());
        let profile = DirectoryProfile {
            network_id: "ada".into(),
            entity: NetworkEntity::Person,
            url: String::new(),
            name: "Ada".into(),
            headline: String::new(),
            company: String::new(),
            location: String::new(),
            observed_at_ms: 0,
        };
        let matched = state.next(WidgetAction::MatchLoaded(Box::new(Ok(RecordMatch {
            crm_id: "0037e00001WZ30qAAD".into(),
            object: "Contact".into(),
            name: "Ada".into(),
            matched: Some(MatchedProfile {
                profile,
                method: Method::Auto,
                probability: 0.9,
                explanation: String::new(),
                decided_by: None,
                decided_at_ms: None,
            }),
            rejected: vec![],
        }))));
        let logged = matched.new_activity(ActivityKind::Note, id, at, "Met at the fair\nwants a demo").unwrap();
        assert_eq!((logged.profile_id.as_str(), logged.subject.as_str()), ("ada", "Met at the fair"));
        assert_eq!(logged.target.as_deref(), Some("0037e00001WZ30qAAD"));
    }
}
