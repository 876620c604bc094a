//! The org's activity queue: every rep's activities filtered by state, rep, kind, date
//! and record; each failure with Salesforce's message; retry, re-target or discard the
//! selected ones; and the same filter as a CSV download.

use std::collections::HashSet;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::admin::http;
use crate::admin::state::Load;
use crate::core::api::admin::{AdminActivities, AdminActivity, QueueAction, QueueActionReport};

/// The queue's filter as a query string (empty values left out).
pub fn query(fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", String::from(js_sys::encode_uri_component(v.trim()))))
        .collect::<Vec<_>>()
        .join("&")
}

/// The queue table with its filter and actions.
#[function_component(QueuePanel)]
pub fn queue_panel() -> Html {
    let filter = use_state(|| {
        vec![
            ("state", String::new()),
            ("rep", String::new()),
            ("kind", String::new()),
            ("from", String::new()),
            ("to", String::new()),
            ("record", String::new()),
        ]
    });
    let page = use_state(|| Load::<AdminActivities>::Loading);
    let selected = use_state(HashSet::<String>::new);
    let message = use_state(|| None::<Result<String, String>>);
    let generation = use_state(|| 0u32);
    let target = use_node_ref();
    let q = query(&filter);
    {
        let (page, q) = (page.clone(), q.clone());
        use_effect_with((q.clone(), *generation), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                page.set(Load::Loaded(http::get(&format!("/api/v1/admin/activities?{q}")).await))
            });
        });
    }
    let input = |name: &'static str, placeholder: &'static str| {
        let filter = filter.clone();
        let value = filter.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let onchange = Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            let next = filter.iter().map(|(k, old)| (*k, if *k == name { v.clone() } else { old.clone() })).collect();
            filter.set(next);
        });
        html! { <input data-testid={format!("queue-{name}")} {placeholder} {value} {onchange} /> }
    };
    let act = |action: &'static str| queue_action(action, &selected, &message, &generation, &target);
    let none = selected.is_empty();
    let rows = activity_table(&page, &selected);
    html! {
        <section class="panel" data-testid="queue-panel">
            <h2>{ "The org's activities" }</h2>
            <p>
                { input("state", "state: pending,failed…") }{ " " }
                { input("rep", "rep (username)") }{ " " }
                { input("kind", "kind: call, note…") }{ " " }
                { input("from", "from YYYY-MM-DD") }{ " " }
                { input("to", "to YYYY-MM-DD") }{ " " }
                { input("record", "record id") }{ " " }
                <a href={format!("/api/v1/admin/activities.csv?{q}")} data-testid="queue-csv" download="crmsync-activities.csv">{ "CSV" }</a>
            </p>
            <p>
                <button class="slds-button slds-button_neutral" data-testid="queue-retry" disabled={none} onclick={act("retry")}>{ "Retry" }</button>{ " " }
                <input ref={target.clone()} data-testid="queue-target" placeholder="record id to re-target to" />{ " " }
                <button class="slds-button slds-button_neutral" data-testid="queue-retarget" disabled={none} onclick={act("retarget")}>{ "Re-target" }</button>{ " " }
                <button class="slds-button slds-button_destructive" data-testid="queue-discard" disabled={none} onclick={act("discard")}>{ "Discard" }</button>
            </p>
            { super::outcome::outcome(&message, "queue-message") }
            { rows }
        </section>
    }
}

/// The button's action on the selected activities; the answer (what was done, each
/// refusal with its reason) is shown and the list read again.
fn queue_action(
    action: &'static str,
    selected: &UseStateHandle<HashSet<String>>,
    message: &UseStateHandle<Option<Result<String, String>>>,
    generation: &UseStateHandle<u32>,
    target: &NodeRef,
) -> Callback<MouseEvent> {
    let (selected, message, generation, target) =
        (selected.clone(), message.clone(), generation.clone(), target.clone());
    Callback::from(move |_: MouseEvent| {
        let body = QueueAction {
            action: action.into(),
            ids: selected.iter().cloned().collect(),
            target: target.cast::<HtmlInputElement>().map(|i| i.value()).filter(|v| !v.trim().is_empty()),
        };
        let (selected, message, generation) = (selected.clone(), message.clone(), generation.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let answer =
                http::send::<_, QueueActionReport>("POST", "/api/v1/admin/activities/actions", Some(&body)).await;
            message.set(Some(answer.map(|r| {
                let mut text = format!("{action}: {} done", r.done.len());
                for refused in &r.refused {
                    text.push_str(&format!("; {}: {}", refused.user_id, refused.reason));
                }
                text
            })));
            selected.set(HashSet::new());
            generation.set(*generation + 1);
        });
    })
}

/// The page of activities the filter matches, as a table (or why it could not be read).
fn activity_table(page: &Load<AdminActivities>, selected: &UseStateHandle<HashSet<String>>) -> Html {
    match page {
        Load::Loading => html! { <p>{ "Loading…" }</p> },
        Load::Loaded(Err(e)) => html! { <p class="error">{ e.clone() }</p> },
        Load::Loaded(Ok(page)) => html! {
            <>
            <p data-testid="queue-total">{ format!("{} activities match", page.total) }</p>
            <table class="slds-table" data-testid="queue">
                <tr><th></th><th>{ "Logged" }</th><th>{ "Rep" }</th><th>{ "Kind" }</th><th>{ "State" }</th><th>{ "Record" }</th><th>{ "Subject" }</th><th>{ "Salesforce says" }</th></tr>
                { for page.activities.iter().map(|a| activity_row(a, selected)) }
            </table>
            </>
        },
    }
}

/// One activity's row: a box to select it, when and by whom, what, where, and Salesforce's
/// message for a failure.
fn activity_row(a: &AdminActivity, selected: &UseStateHandle<HashSet<String>>) -> Html {
    let id = a.activity.id.clone();
    let on_pick = super::outcome::toggle(selected, &id);
    html! {
        <tr data-testid="queue-row" data-id={id.clone()} data-state={a.activity.state.as_str()}>
            <td><input type="checkbox" data-testid="select-activity" checked={selected.contains(&id)} onchange={on_pick} /></td>
            <td>{ crate::local_time::time(&a.activity.created_at) }</td>
            <td>{ &a.username }</td>
            <td>{ a.activity.kind.label() }</td>
            <td>{ match &a.activity.salesforce_url {
                Some(url) => html! { <a href={url.clone()} target="_blank" rel="noopener">{ a.activity.state.as_str() }</a> },
                None => html! { a.activity.state.as_str() },
            } }</td>
            <td>{ a.activity.target.clone().unwrap_or_default() }</td>
            <td>{ &a.activity.subject }</td>
            <td class="error">{ a.activity.error.clone().unwrap_or_default() }</td>
        </tr>
    }
}
