//! The widget's root: wires the location hash into the reducer, loads what the record
//! needs from the relay (its match, the rep's write-back settings and activities), and
//! turns clicks into relay calls whose answers go back through the reducer.

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::components::{ActivityPanel, MatchPanel, RecordCard};
use super::hooks::use_location_hash;
use super::relay::{query_value, RelayApi};
use super::state::{WidgetAction, WidgetState};
use crate::core::activity::{ActivityKind, ActivityView, WritebackPrefs};
use crate::core::api::{DirectoryProfile, MatchDecisionRequest, RecordMatch};
use crate::core::matching::decisions::DecisionKind;

#[derive(Properties, PartialEq)]
pub struct WidgetAppProps {
    /// The page's way to the relay.
    pub relay: RelayApi,
}

type Dispatch = UseReducerDispatcher<WidgetState>;

fn load_match(relay: &RelayApi, dispatch: &Dispatch, id: String) {
    let (relay, dispatch) = (relay.clone(), dispatch.clone());
    dispatch.dispatch(WidgetAction::MatchLoading);
    spawn_local(async move {
        let result = relay.get::<RecordMatch>(&format!("/api/v1/matches/{id}")).await;
        dispatch.dispatch(WidgetAction::MatchLoaded(Box::new(result)));
    });
}

fn load_activities(relay: &RelayApi, dispatch: &Dispatch) {
    let (relay, dispatch) = (relay.clone(), dispatch.clone());
    spawn_local(async move {
        let result = relay.get::<Vec<ActivityView>>("/api/v1/activities").await;
        dispatch.dispatch(WidgetAction::ActivitiesLoaded(result));
    });
}

fn decide(relay: &RelayApi, dispatch: &Dispatch, request: MatchDecisionRequest) {
    let (relay, dispatch) = (relay.clone(), dispatch.clone());
    if request.kind == DecisionKind::Match {
        dispatch.dispatch(WidgetAction::SearchCleared);
    }
    dispatch.dispatch(WidgetAction::MatchLoading);
    spawn_local(async move {
        let result = relay.call::<RecordMatch>("POST", "/api/v1/matches", Some(&request)).await;
        dispatch.dispatch(WidgetAction::MatchLoaded(Box::new(result)));
    });
}

/// A fresh activity id and the time now, as the browser knows them.
fn id_and_now() -> Option<(String, String)> {
    let id = web_sys::window()?.crypto().ok()?.random_uuid();
    let now = js_sys::Date::new_0().to_iso_string().as_string()?;
    Some((id, now))
}

/// Searches the directory for `entity` profiles as the rep types.
fn searching(relay: &RelayApi, dispatch: &Dispatch, entity: &'static str) -> Callback<String> {
    let (relay, dispatch) = (relay.clone(), dispatch.clone());
    Callback::from(move |text: String| {
        let text = text.trim().to_string();
        let (relay, dispatch) = (relay.clone(), dispatch.clone());
        dispatch.dispatch(WidgetAction::Searching(text.clone()));
        spawn_local(async move {
            let path = format!("/api/v1/directory/search?entity={entity}&q={}", query_value(&text));
            let result = relay.get::<Vec<DirectoryProfile>>(&path).await;
            dispatch.dispatch(WidgetAction::SearchLoaded(text, result));
        });
    })
}

/// Turns logging a kind on or off for the rep.
fn opting_in(relay: &RelayApi, dispatch: &Dispatch) -> Callback<(ActivityKind, bool)> {
    let (relay, dispatch) = (relay.clone(), dispatch.clone());
    Callback::from(move |(kind, on): (ActivityKind, bool)| {
        let (relay, dispatch) = (relay.clone(), dispatch.clone());
        spawn_local(async move {
            let body = serde_json::json!({ "kinds": { kind.as_str(): on } });
            let result = relay.call::<WritebackPrefs>("PUT", "/api/v1/me/writeback", Some(&body)).await;
            dispatch.dispatch(WidgetAction::PrefsLoaded(result));
        });
    })
}

/// Assigns one of the rep's unassigned activities to this record.
fn assigning(relay: &RelayApi, dispatch: &Dispatch, crm_id: String) -> Callback<String> {
    let (relay, dispatch) = (relay.clone(), dispatch.clone());
    Callback::from(move |activity_id: String| {
        let (relay, dispatch, crm_id) = (relay.clone(), dispatch.clone(), crm_id.clone());
        spawn_local(async move {
            let body = serde_json::json!({ "target": crm_id });
            let path = format!("/api/v1/activities/{activity_id}/target");
            let result = relay.call::<serde_json::Value>("PUT", &path, Some(&body)).await;
            dispatch.dispatch(WidgetAction::Notice(result.map(|_| "Assigned to this record.".to_string())));
            load_activities(&relay, &dispatch);
        });
    })
}

/// The record widget.
#[function_component(WidgetApp)]
pub fn widget_app(props: &WidgetAppProps) -> Html {
    let state = use_reducer(WidgetState::default);
    let hash = use_location_hash();
    let dispatch = state.dispatcher();
    {
        let dispatch = dispatch.clone();
        use_effect_with(hash, move |hash| dispatch.dispatch(WidgetAction::Launched(hash.clone())));
    }
    let record = state.record().cloned();
    {
        let (relay, dispatch) = (props.relay.clone(), dispatch.clone());
        use_effect_with(record.clone(), move |record| {
            if let Some(record) = record.as_ref().filter(|r| r.is_matchable()) {
                load_match(&relay, &dispatch, record.id18.clone());
                load_activities(&relay, &dispatch);
                let (relay, dispatch) = (relay.clone(), dispatch.clone());
                spawn_local(async move {
                    let result = relay.get::<WritebackPrefs>("/api/v1/me/writeback").await;
                    dispatch.dispatch(WidgetAction::PrefsLoaded(result));
                });
            }
        });
    }
    let crm_id = record.as_ref().map(|r| r.id18.clone()).unwrap_or_default();
    // A decision of `kind` on this record about the profile the callback is given.
    let deciding = |kind: DecisionKind| {
        let (relay, dispatch, crm_id) = (props.relay.clone(), dispatch.clone(), crm_id.clone());
        Callback::from(move |network_id: String| {
            decide(&relay, &dispatch, MatchDecisionRequest { crm_id: crm_id.clone(), network_id, kind })
        })
    };
    let on_reject = deciding(DecisionKind::NotMatch);
    let on_pick = deciding(DecisionKind::Match);
    let on_unmatch = deciding(DecisionKind::Unmatch).reform(|()| String::new());
    let entity = if record.as_ref().is_some_and(|r| r.object == "Account") { "company" } else { "person" };
    let on_search = searching(&props.relay, &dispatch, entity);
    let on_log = {
        let (relay, dispatch, state) = (props.relay.clone(), dispatch.clone(), state.clone());
        Callback::from(move |(kind, text): (ActivityKind, String)| {
            let Some(activity) = id_and_now().and_then(|(id, now)| state.new_activity(kind, id, now, &text)) else {
                dispatch.dispatch(WidgetAction::Notice(Err("this browser cannot make an activity id".into())));
                return;
            };
            let (relay, dispatch) = (relay.clone(), dispatch.clone());
            spawn_local(async move {
                let result = relay.call::<serde_json::Value>("POST", "/api/v1/activities", Some(&activity)).await;
                let notice = result
                    .map(|_| format!("{} logged; it is written to Salesforce with the next flush.", kind.label()));
                dispatch.dispatch(WidgetAction::Notice(notice));
                load_activities(&relay, &dispatch);
            });
        })
    };
    let on_opt_in = opting_in(&props.relay, &dispatch);
    let on_assign = assigning(&props.relay, &dispatch, crm_id.clone());
    let state: Rc<WidgetState> = (*state).clone().into();
    html! {
        // A Lightning card (SLDS), as the record page's own components are.
        <main class="crmsync-widget">
            <article class="slds-card">
                <div class="slds-card__header slds-grid">
                    <header class="slds-media slds-media_center slds-has-flexi-truncate">
                        <h2 class="slds-card__header-title crmsync-brand">{ "crmsync" }</h2>
                    </header>
                </div>
                <div class="slds-card__body slds-card__body_inner">
                    <RecordCard record={state.record.clone()} />
                    <MatchPanel matching={state.matching.clone()} search={state.search.clone()}
                        {on_reject} {on_unmatch} {on_search} {on_pick} />
                    <ActivityPanel state={state.clone()} {on_log} {on_opt_in} {on_assign} />
                </div>
            </article>
        </main>
    }
}
