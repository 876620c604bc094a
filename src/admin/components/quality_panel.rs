//! Data quality: every matched Lead and Contact whose network profile shows another
//! company or title than the CRM, as a table and a CSV download, so an admin can see
//! which records went stale (people change jobs) and fix them in Salesforce.

use yew::prelude::*;

use crate::admin::http;
use crate::admin::state::Load;
use crate::core::api::lists::{QualityReport, QualityRow};

fn row(r: &QualityRow) -> Html {
    html! {
        <tr data-testid="quality-row" data-field={r.field.clone()}>
            <td>{ format!("{} {} ", r.object, r.name) }<code>{ &r.crm_id }</code></td>
            <td>{ &r.owner }</td>
            <td>{ &r.field }</td>
            <td>{ &r.crm_value }</td>
            <td>{ &r.network_value }</td>
            <td><code>{ &r.network_id }</code></td>
        </tr>
    }
}

/// The data-quality table.
#[function_component(QualityPanel)]
pub fn quality_panel() -> Html {
    let report = use_state(|| Load::<QualityReport>::Loading);
    {
        let report = report.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                report.set(Load::Loaded(http::get("/api/v1/admin/data-quality").await))
            });
        });
    }
    let body = match &*report {
        Load::Loading => html! { <p>{ "Loading…" }</p> },
        Load::Loaded(Err(e)) => html! { <p class="error" role="alert">{ e.clone() }</p> },
        Load::Loaded(Ok(r)) => html! {
            <>
                <p data-testid="quality-total">{ format!("{} of {} matched people differ from their profile.", r.rows.len(), r.compared) }</p>
                <table class="slds-table" data-testid="quality">
                    <tr><th>{ "Record" }</th><th>{ "Owner" }</th><th>{ "Field" }</th><th>{ "CRM says" }</th><th>{ "Profile says" }</th><th>{ "Profile" }</th></tr>
                    { for r.rows.iter().map(row) }
                </table>
            </>
        },
    };
    html! {
        <section class="panel" data-testid="quality-panel">
            <h2>{ "Data quality" }</h2>
            <a class="slds-button slds-button_neutral" data-testid="quality-csv" href="/api/v1/admin/data-quality.csv">{ "Download CSV" }</a>
            { body }
        </section>
    }
}
