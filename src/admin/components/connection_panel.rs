//! The org connection: who the relay is connected as, or why it is not.

use yew::prelude::*;

use super::ConnectForm;
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

fn flow_name(flow: &str) -> &'static str {
    match flow {
        "web_server" => "an admin's Salesforce login (OAuth web-server flow)",
        "jwt" => "JWT bearer (server certificate)",
        _ => "client credentials (the app's Run-As user)",
    }
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
        ConnectionStatus::NotConnected { login_url } => html! {
            <div data-state="not_connected">
                <h2>{ "Not connected" }</h2>
                <p>{ "Connect the org: you log in to Salesforce as an admin and allow crmsync access." }</p>
                <ConnectForm login_url={login_url.clone()} />
            </div>
        },
        ConnectionStatus::Failed { error, at } => html! {
            <div data-state="failed">
                <h2>{ "Connection failed" }</h2>
                <p class="error" role="alert">{ error }</p>
                <p>{ format!("at {at}") }</p>
                <ConnectForm login_url={String::new()} />
            </div>
        },
        ConnectionStatus::Connected { org_id, .. } if org_id.is_empty() => html! {
            <div data-state="connected">
                <h2>{ "Connected" }</h2>
                <p>{ "Sign in with Salesforce as the relay's admin to see the org, its imports and activities." }</p>
            </div>
        },
        ConnectionStatus::Connected {
            auth_flow,
            org_id,
            user_id,
            username,
            instance_url,
            api_version,
            connected_at,
        } => {
            let last_sync = match status.last_sync() {
                Some(at) => crate::local_time::time(at),
                None => html! { "not yet (the first import is running)" },
            };
            let rows: i64 = status.objects.values().map(|o| o.rows).sum();
            html! {
                <div data-state="connected">
                    <h2>{ "Connected" }</h2>
                    <dl>
                        <dt>{ "Org" }</dt><dd data-testid="org-id">{ org_id }</dd>
                        <dt>{ "Acting as" }</dt><dd data-testid="acting-as">{ format!("{username} ({user_id})") }</dd>
                        <dt>{ "Connected by" }</dt><dd>{ flow_name(auth_flow) }</dd>
                        <dt>{ "Instance" }</dt><dd>{ instance_url }</dd>
                        <dt>{ "API version" }</dt><dd>{ api_version }</dd>
                        <dt>{ "Connected at" }</dt><dd>{ crate::local_time::time(connected_at) }</dd>
                        <dt>{ "Last sync" }</dt><dd data-testid="last-sync">{ last_sync }</dd>
                        <dt>{ "CRM rows" }</dt><dd data-testid="rows">{ rows }</dd>
                        <dt>{ "API usage" }</dt><dd>{ usage }</dd>
                    </dl>
                </div>
            }
        }
    }
}
