//! The widget's root: wires the location hash into the reducer and the reducer into views.

use yew::prelude::*;

use super::components::RecordCard;
use super::hooks::use_location_hash;
use super::state::{WidgetAction, WidgetState};

/// The record widget.
#[function_component(WidgetApp)]
pub fn widget_app() -> Html {
    let state = use_reducer(WidgetState::default);
    let hash = use_location_hash();
    {
        let state = state.dispatcher();
        use_effect_with(hash, move |hash| state.dispatch(WidgetAction::Launched(hash.clone())));
    }
    html! {
        <main class="crmsync-widget">
            <header class="crmsync-brand">{ "crmsync" }</header>
            <RecordCard record={state.record.clone()} />
        </main>
    }
}
