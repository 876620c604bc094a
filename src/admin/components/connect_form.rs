//! "Connect to Salesforce": starts the relay's web-server OAuth flow at the login host
//! the admin picks (the configured one, production, sandbox or a My Domain). Plain
//! POST forms (the relay checks they come from its own page): the browser leaves for the
//! org's login page and comes back to the console. While no org is connected, the relay
//! asks for the one-time setup code it printed at start.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConnectFormProps {
    /// The configured login host, offered first.
    pub login_url: String,
}

fn setup_code_field() -> Html {
    html! {
        <label>{ " Setup code " }
            <input name="setup_code" type="text" autocomplete="off" placeholder="XXXX-XXXX-XXXX" data-testid="setup-code" />
        </label>
    }
}

/// Two POST forms to `/api/v1/connect/start`: a host choice, or a My Domain.
#[function_component(ConnectForm)]
pub fn connect_form(props: &ConnectFormProps) -> Html {
    html! {
        <div class="connect" data-testid="connect">
            <form method="post" action="/api/v1/connect/start">
                <label>{ "Log in at " }
                    <select name="login">
                        <option value="" selected=true>{ if props.login_url.is_empty() { "the configured login host".to_string() } else { format!("{} (configured)", props.login_url) } }</option>
                        <option value="production">{ "Production (login.salesforce.com)" }</option>
                        <option value="sandbox">{ "Sandbox (test.salesforce.com)" }</option>
                    </select>
                </label>
                { setup_code_field() }
                { " " }
                <button type="submit" class="slds-button slds-button_brand" data-testid="connect-button">{ "Connect to Salesforce" }</button>
            </form>
            <form method="post" action="/api/v1/connect/start">
                <label>{ "or your My Domain " }
                    <input name="login" type="text" placeholder="acme.my.salesforce.com" required=true />
                </label>
                { setup_code_field() }
                { " " }
                <button type="submit" class="slds-button slds-button_brand">{ "Connect" }</button>
            </form>
        </div>
    }
}
