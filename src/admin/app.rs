//! The admin console's root: loads the relay status once on mount.

use gloo::net::http::Request;
use yew::prelude::*;

use super::components::ConnectionPanel;
use super::state::{AdminAction, AdminState};
use crate::core::api::RelayStatus;

async fn fetch_status() -> Result<RelayStatus, String> {
    let response = Request::get("/api/v1/status").send().await.map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    response.json::<RelayStatus>().await.map_err(|e| e.to_string())
}

/// The admin console.
#[function_component(AdminApp)]
pub fn admin_app() -> Html {
    let state = use_reducer(AdminState::default);
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                dispatcher.dispatch(AdminAction::StatusLoaded(fetch_status().await));
            });
        });
    }
    html! {
        <main class="crmsync-admin">
            <h1>{ "crmsync admin" }</h1>
            <ConnectionPanel status={state.status.clone()} />
        </main>
    }
}
