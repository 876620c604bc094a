//! The console's admins (add any imported user, remove any but the last) and the audit
//! log of every admin action: who, what, when.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::admin::http;
use crate::admin::state::Load;
use crate::core::api::admin::{AdminAdd, AdminView, AuditView};

async fn load() -> Result<(Vec<AdminView>, Vec<AuditView>), String> {
    Ok((http::get("/api/v1/admin/admins").await?, http::get("/api/v1/admin/audit").await?))
}

/// Admins and the audit log.
#[function_component(AdminsPanel)]
pub fn admins_panel() -> Html {
    let data = use_state(|| Load::<(Vec<AdminView>, Vec<AuditView>)>::Loading);
    let message = use_state(|| None::<String>);
    let generation = use_state(|| 0u32);
    let user = use_node_ref();
    {
        let data = data.clone();
        use_effect_with(*generation, move |_| {
            wasm_bindgen_futures::spawn_local(async move { data.set(Load::Loaded(load().await)) });
        });
    }
    let Load::Loaded(loaded) = &*data else { return html! {} };
    let (admins, audit) = match loaded {
        Ok(pair) => pair,
        Err(e) => return html! { <section class="panel"><p class="error">{ e.clone() }</p></section> },
    };
    let on_add = {
        let (user, message, generation) = (user.clone(), message.clone(), generation.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = user.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let (message, generation) = (message.clone(), generation.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let answer =
                    http::send::<_, Vec<AdminView>>("POST", "/api/v1/admin/admins", Some(&AdminAdd { user: name }))
                        .await;
                message.set(answer.err());
                generation.set(*generation + 1);
            });
        })
    };
    html! {
        <section class="panel" data-testid="admins">
            <h2>{ "Admins" }</h2>
            <ul>
                { for admins.iter().map(|a| {
                    let on_remove = {
                        let (message, generation, id) = (message.clone(), generation.clone(), a.user_id.clone());
                        Callback::from(move |_: MouseEvent| {
                            let (message, generation, id) = (message.clone(), generation.clone(), id.clone());
                            wasm_bindgen_futures::spawn_local(async move {
                                let answer = http::send::<(), Vec<AdminView>>("DELETE", &format!("/api/v1/admin/admins/{id}"), None).await;
                                message.set(answer.err());
                                generation.set(*generation + 1);
                            });
                        })
                    };
                    html! {
                        <li data-testid="admin-row">{ &a.username }
                            { if a.source == "config" { " (CRMSYNC_ADMIN_USERNAMES)".to_string() } else { format!(" (added by {})", a.added_by) } }
                            if a.source == "store" { { " " }<button class="slds-button slds-button_neutral" onclick={on_remove}>{ "Remove" }</button> }
                        </li>
                    }
                }) }
            </ul>
            <form onsubmit={on_add}>
                <input ref={user} data-testid="admin-user" placeholder="username or user id" />{ " " }
                <button type="submit" class="slds-button slds-button_neutral" data-testid="add-admin">{ "Make admin" }</button>
            </form>
            if let Some(text) = &*message { <p class="error" role="alert" data-testid="admins-message">{ text }</p> }
            <h3>{ "Audit log" }</h3>
            <table class="slds-table" data-testid="audit">
                <tr><th>{ "When" }</th><th>{ "Who" }</th><th>{ "What" }</th><th>{ "Detail" }</th></tr>
                { for audit.iter().take(100).map(|e| html! {
                    <tr data-testid="audit-row"><td>{ crate::local_time::time(&e.at) }</td><td>{ &e.actor }</td><td>{ &e.action }</td><td>{ &e.detail }</td></tr>
                }) }
            </table>
        </section>
    }
}
