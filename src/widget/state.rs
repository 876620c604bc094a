//! Widget state and its reducer: the record the host page handed over, validated by the
//! core so the widget always shows (and later queries with) the 18-character id. Plain
//! Rust (the Yew `Reducible` glue is behind `web`), so its tests run natively.

use std::rc::Rc;

use crate::core::api::WidgetLaunch;
use crate::core::sf::SalesforceId;

/// The record being shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordView {
    /// API name of the object ("Contact"); from the page, else from the key prefix.
    pub object: String,
    pub id18: String,
    /// The id exactly as the host page gave it.
    pub given: String,
}

/// Everything the widget shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WidgetState {
    /// `None` until launched; `Err` carries a message for the user.
    pub record: Option<Result<RecordView, String>>,
}

/// What can happen to the widget.
pub enum WidgetAction {
    /// The host page (re)launched the widget with this fragment, e.g. after navigation.
    Launched(String),
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
        match action {
            WidgetAction::Launched(fragment) => Rc::new(Self { record: record_from_fragment(&fragment) }),
        }
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

    #[test]
    fn launched_with_15_char_id_shows_18() {
        let state = Rc::new(WidgetState::default()).next(WidgetAction::Launched("#record=0015Y00002ZbgP3".into()));
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
}
