//! The org connection: who the relay is connected as, or why it is not.

use yew::prelude::*;

use crate::admin::state::Load;
use crate::core::api::{ConnectionStatus, RelayStatus};

#[derive(Properties, PartialEq)]
pub struct ConnectionPanelProps {
    pub status: Load<RelayStatus>,
}

/// Connection state with org, user, instance, API version and usage.
#[function_component(ConnectionPanel)]
pub fn connection_panel(props: &ConnectionPanelProps) -> Html {
    let body = match &props.status {
        Load::Loading => html! { <p>{ "Loading…" }</p> },
        Load::Loaded(Err(message)) => {
            html! { <p class="error" role="alert">{ format!("Cannot reach the relay: {message}") }</p> }
        }
        Load::Loaded(Ok(status)) => status_view(status),
    };
    html! { <section class="panel" data-testid="connection">{ body }</section> }
}

fn status_view(status: &RelayStatus) -> Html {
    let usage = status
        .api_usage
        .map(|u| format!("{} of {} API calls used in the last 24 hours", u.used, u.max))
        .unwrap_or_else(|| "not reported yet".into());
    match &status.connection {
        ConnectionStatus::NotConfigured => html! {
            <p data-state="not_configured">{ "Not connected: no Salesforce settings. See README, \"Connecting a real org\"." }</p>
        },
        ConnectionStatus::Failed { error, at } => html! {
            <div data-state="failed">
                <h2>{ "Connection failed" }</h2>
                <p class="error" role="alert">{ error }</p>
                <p>{ format!("at {at}") }</p>
            </div>
        },
        ConnectionStatus::Connected { org_id, user_id, username, instance_url, api_version, connected_at } => html! {
            <div data-state="connected">
                <h2>{ "Connected" }</h2>
                <dl>
                    <dt>{ "Org" }</dt><dd data-testid="org-id">{ org_id }</dd>
                    <dt>{ "Integration user" }</dt><dd>{ format!("{username} ({user_id})") }</dd>
                    <dt>{ "Instance" }</dt><dd>{ instance_url }</dd>
                    <dt>{ "API version" }</dt><dd>{ api_version }</dd>
                    <dt>{ "Connected at" }</dt><dd>{ connected_at }</dd>
                    <dt>{ "API usage" }</dt><dd>{ usage }</dd>
                </dl>
            </div>
        },
    }
}
