//! The decisions' audit trail: every match, re-match, "not this one" and unmatch with
//! who, when, the record and the profile, newest first, filtered by user and record, and
//! the same filter as a CSV download.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::queue_panel::query;
use crate::admin::http;
use crate::admin::state::Load;
use crate::core::api::match_report::{DecisionView, DecisionsPage};

fn row(d: &DecisionView) -> Html {
    let what = match d.kind.as_str() {
        "match" => "matched",
        "not_match" => "not this one",
        "unmatch" => "unmatched",
        other => other,
    };
    html! {
        <tr data-testid="decision-row" data-kind={d.kind.clone()}>
            <td>{ crate::local_time::time(&d.at) }</td><td>{ &d.user }</td><td>{ what }</td>
            <td>{ format!("{} {} ", d.object, d.record_name) }<code>{ &d.crm_id }</code></td>
            <td>{ format!("{} ", d.profile_name) }<code>{ &d.network_id }</code></td>
        </tr>
    }
}

/// The audit trail table with its filter.
#[function_component(DecisionsPanel)]
pub fn decisions_panel() -> Html {
    let filter = use_state(|| vec![("user", String::new()), ("record", String::new())]);
    let page = use_state(|| Load::<DecisionsPage>::Loading);
    let (user, record) = (use_node_ref(), use_node_ref());
    {
        let page = page.clone();
        use_effect_with((*filter).clone(), move |filter| {
            let path = format!("/api/v1/admin/decisions?{}", query(filter));
            wasm_bindgen_futures::spawn_local(async move { page.set(Load::Loaded(http::get(&path).await)) });
        });
    }
    let on_filter = {
        let (filter, user, record) = (filter.clone(), user.clone(), record.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            filter.set(vec![("user", value(&user)), ("record", value(&record))]);
        })
    };
    let mut csv = (*filter).clone();
    csv.push(("format", "csv".into()));
    let body = match &*page {
        Load::Loading => html! {},
        Load::Loaded(Err(e)) => html! { <p class="error" role="alert">{ e.clone() }</p> },
        Load::Loaded(Ok(p)) => html! {
            <>
                <p data-testid="decisions-total">{ format!("{} decisions", p.total) }</p>
                <table class="slds-table" data-testid="decisions">
                    <tr><th>{ "When" }</th><th>{ "Who" }</th><th>{ "What" }</th><th>{ "Record" }</th><th>{ "Profile" }</th></tr>
                    { for p.decisions.iter().map(row) }
                </table>
            </>
        },
    };
    html! {
        <section class="panel" data-testid="decisions-panel">
            <h2>{ "Matching decisions" }</h2>
            <form onsubmit={on_filter}>
                <input ref={user} data-testid="decisions-user" placeholder="user (username or id)" />{ " " }
                <input ref={record} data-testid="decisions-record" placeholder="record id" />{ " " }
                <button type="submit" class="slds-button slds-button_neutral" data-testid="decisions-filter">{ "Filter" }</button>{ " " }
                <a class="slds-button slds-button_neutral" data-testid="decisions-csv" href={format!("/api/v1/admin/decisions?{}", query(&csv))}>{ "Download CSV" }</a>
            </form>
            { body }
        </section>
    }
}
