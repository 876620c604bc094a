//! The admin console's root: loads the relay status and the signed-in admin on mount,
//! reads a login error the relay put on the page address, and runs disconnects.

use gloo::net::http::Request;
use yew::prelude::*;

use super::components::{
    AdminPanel, AdminsPanel, ConnectionPanel, DecisionsPanel, MatchPanel, PageHealthPanel, QualityPanel, QueuePanel,
    RoiPanel, SeatsPanel, SettingsPanel, SyncPanel, WritebackPanel,
};
use super::state::{AdminAction, AdminState, Load, WritebackOutcome};
use crate::core::api::{AdminIdentity, DisconnectReport, FlushReport, PublicStatus, RelayStatus, SetupReport};

/// How often the open console re-reads the relay status.
const STATUS_REFRESH_MS: u32 = 3_000;

use super::http::{error_of, post_empty as post_admin};

async fn fetch_status() -> Result<RelayStatus, String> {
    let response = Request::get("/api/v1/status").send().await.map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(error_of(response).await);
    }
    // Without an admin session the relay answers the connection's state only.
    let value = response.json::<serde_json::Value>().await.map_err(|e| e.to_string())?;
    match serde_json::from_value::<RelayStatus>(value.clone()) {
        Ok(status) => Ok(status),
        Err(_) => serde_json::from_value::<PublicStatus>(value).map(|p| p.to_relay_status()).map_err(|e| e.to_string()),
    }
}

async fn fetch_admin() -> Result<Option<AdminIdentity>, String> {
    let response = Request::get("/api/v1/admin/me").send().await.map_err(|e| e.to_string())?;
    match response.status() {
        401 => Ok(None),
        _ if response.ok() => response.json::<AdminIdentity>().await.map(Some).map_err(|e| e.to_string()),
        _ => Err(error_of(response).await),
    }
}

/// "Set up write-back" (`setup`) or "Flush now".
async fn writeback_action(setup: bool) -> Result<WritebackOutcome, String> {
    if setup {
        post_admin::<SetupReport>("/api/v1/admin/writeback/setup").await.map(WritebackOutcome::Setup)
    } else {
        post_admin::<FlushReport>("/api/v1/admin/writeback/flush").await.map(WritebackOutcome::Flush)
    }
}

async fn post_disconnect(clean_up: bool) -> Result<DisconnectReport, String> {
    let request = Request::post("/api/v1/connection/disconnect")
        .json(&serde_json::json!({ "clean_up": clean_up }))
        .map_err(|e| e.to_string())?;
    let response = request.send().await.map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(error_of(response).await);
    }
    response.json::<DisconnectReport>().await.map_err(|e| e.to_string())
}

/// `error` from the page's query string, as the relay's OAuth callback sets it.
fn login_error_from_address() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    search.trim_start_matches('?').split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == "error").then(|| crate::core::pages::percent_decode(&value.replace('+', " ")))
    })
}

/// The admin console.
#[function_component(AdminApp)]
pub fn admin_app() -> Html {
    let state = use_reducer(AdminState::default);
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| keep_status_current(dispatcher));
    }
    let on_disconnect = {
        let dispatcher = state.dispatcher();
        Callback::from(move |clean_up: bool| {
            let dispatcher = dispatcher.clone();
            wasm_bindgen_futures::spawn_local(async move {
                dispatcher.dispatch(AdminAction::Disconnected(post_disconnect(clean_up).await));
                dispatcher.dispatch(AdminAction::StatusLoaded(fetch_status().await));
            });
        })
    };
    let writeback_button = |setup: bool| {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| {
            let dispatcher = dispatcher.clone();
            dispatcher.dispatch(AdminAction::WritebackStarted);
            wasm_bindgen_futures::spawn_local(async move {
                dispatcher.dispatch(AdminAction::WritebackDone(writeback_action(setup).await));
                dispatcher.dispatch(AdminAction::StatusLoaded(fetch_status().await));
            });
        })
    };
    let (on_setup, on_flush) = (writeback_button(true), writeback_button(false));
    let signed_in = matches!(state.admin, Load::Loaded(Ok(Some(_))));
    let connected = matches!(&state.status, Load::Loaded(Ok(s)) if matches!(s.connection, crate::core::api::ConnectionStatus::Connected { .. }));
    let login_error = state.login_error.as_ref().map(|message| {
        html! { <p class="error" role="alert" data-testid="login-error">{ message }</p> }
    });
    html! {
        <main class="crmsync-admin">
            <h1>{ "crmsync admin" }</h1>
            { for login_error }
            <ConnectionPanel status={state.status.clone()} />
            <AdminPanel
                status={state.status.clone()}
                admin={state.admin.clone()}
                disconnect={state.disconnect.clone()}
                {on_disconnect}
            />
            <WritebackPanel
                status={state.status.clone()}
                {signed_in}
                busy={state.writeback_busy}
                outcome={state.writeback.clone()}
                {on_setup}
                {on_flush}
            />
            <PageHealthPanel status={state.status.clone()} />
            if signed_in && connected {
                <SyncPanel />
                <MatchPanel />
                <RoiPanel />
                <SeatsPanel />
                <SettingsPanel />
                <QueuePanel />
                <DecisionsPanel />
                <QualityPanel />
                <AdminsPanel />
            }
        </main>
    }
}

/// On first render: the sign-in error the address carries, the status and the admin, then
/// the status again every few seconds (imports run in the background); the returned
/// function stops the refresh when the page goes.
fn keep_status_current(dispatcher: UseReducerDispatcher<AdminState>) -> impl FnOnce() {
    if let Some(message) = login_error_from_address() {
        dispatcher.dispatch(AdminAction::LoginError(message));
    }
    let first = dispatcher.clone();
    wasm_bindgen_futures::spawn_local(async move {
        first.dispatch(AdminAction::StatusLoaded(fetch_status().await));
        first.dispatch(AdminAction::AdminLoaded(fetch_admin().await));
    });
    let refresh = gloo::timers::callback::Interval::new(STATUS_REFRESH_MS, move || {
        let dispatcher = dispatcher.clone();
        wasm_bindgen_futures::spawn_local(async move {
            dispatcher.dispatch(AdminAction::StatusLoaded(fetch_status().await));
        });
    });
    move || drop(refresh)
}
