//! The signed-in admin's controls: sign in (admins only), sign out, and disconnect with or
//! without clean-up, with the purge report.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::admin::state::Load;
use crate::core::api::{AdminIdentity, ConnectionStatus, DisconnectReport, RelayStatus};

#[derive(Properties, PartialEq)]
pub struct AdminPanelProps {
    pub status: Load<RelayStatus>,
    pub admin: Load<Option<AdminIdentity>>,
    pub disconnect: Option<Result<DisconnectReport, String>>,
    /// Called with `clean_up`.
    pub on_disconnect: Callback<bool>,
}

/// Ends the console session and shows the signed-out page.
fn sign_out() -> Callback<MouseEvent> {
    Callback::from(|_: MouseEvent| {
        wasm_bindgen_futures::spawn_local(async {
            let _ = gloo::net::http::Request::post("/api/v1/admin/sign-out").send().await;
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        });
    })
}

/// Sign-in link, or who is signed in with the disconnect form; then the last report.
#[function_component(AdminPanel)]
pub fn admin_panel(props: &AdminPanelProps) -> Html {
    let clean_up = use_node_ref();
    let connected =
        matches!(&props.status, Load::Loaded(Ok(s)) if matches!(s.connection, ConnectionStatus::Connected { .. }));
    let controls = match (&props.admin, connected) {
        (Load::Loaded(Ok(Some(admin))), true) => {
            let on_submit = {
                let clean_up = clean_up.clone();
                let on_disconnect = props.on_disconnect.clone();
                Callback::from(move |event: SubmitEvent| {
                    event.prevent_default();
                    let checked = clean_up.cast::<HtmlInputElement>().is_some_and(|i| i.checked());
                    on_disconnect.emit(checked);
                })
            };
            html! {
                <div data-testid="admin">
                    <p>{ "Signed in as " }<b>{ &admin.username }</b>{ " " }
                        <button class="slds-button slds-button_neutral" data-testid="sign-out" onclick={sign_out()}>{ "Sign out" }</button>
                    </p>
                    <form onsubmit={on_submit}>
                        <label>
                            <input type="checkbox" ref={clean_up} data-testid="clean-up" />
                            { " also delete every imported CRM row and everything derived from it" }
                        </label>
                        { " " }
                        <button type="submit" class="slds-button slds-button_destructive" data-testid="disconnect-button">{ "Disconnect" }</button>
                    </form>
                </div>
            }
        }
        (Load::Loaded(Ok(None)), true) => html! {
            <p><a href="/api/v1/admin/sign-in" data-testid="sign-in">{ "Sign in with Salesforce" }</a>
               { " to manage this connection." }</p>
        },
        (Load::Loaded(Err(message)), _) => html! { <p class="error">{ message.clone() }</p> },
        _ => html! {},
    };
    let report = match &props.disconnect {
        None => html! {},
        Some(Err(message)) => html! { <p class="error" role="alert">{ format!("Disconnect failed: {message}") }</p> },
        Some(Ok(report)) => html! {
            <div data-testid="disconnect-report">
                <p>{ if report.revoked { "Disconnected: tokens revoked at Salesforce." } else { "Disconnected: the tokens were already invalid at Salesforce." } }</p>
                if !report.purged.is_empty() {
                    <table>
                        <tr><th>{ "table" }</th><th>{ "rows deleted" }</th></tr>
                        { for report.purged.iter().map(|(table, rows)| html! { <tr><td>{ table }</td><td>{ rows }</td></tr> }) }
                    </table>
                }
            </div>
        },
    };
    html! { <section class="panel">{ controls }{ report }</section> }
}
