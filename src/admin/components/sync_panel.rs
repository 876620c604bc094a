//! Sync health: per object its rows, last and next import, the last run's duration and
//! changes, fields the org lacks; the last import error; "Import now"; and the org's
//! daily API usage as a bar chart.

use yew::prelude::*;

use crate::admin::http;
use crate::admin::state::Load;
use crate::core::api::admin::{ApiUsageDay, SyncHealth};

/// One bar per day, as tall as the share of the allowance used.
fn usage_chart(days: &[ApiUsageDay]) -> Html {
    if days.is_empty() {
        return html! { <p>{ "No API usage recorded yet." }</p> };
    }
    let (w, h) = (16usize, 60usize);
    html! {
        <svg data-testid="api-usage-chart" role="img" aria-label="API calls used per day" width={(days.len() * w).to_string()} height={(h + 14).to_string()}>
            { for days.iter().enumerate().map(|(i, d)| {
                let share = if d.max > 0 { d.used as f64 / d.max as f64 } else { 0.0 };
                let bar = ((share.clamp(0.0, 1.0) * h as f64).round() as usize).max(1);
                html! {
                    <rect x={(i * w + 2).to_string()} y={(h - bar).to_string()} width={(w - 4).to_string()} height={bar.to_string()} fill="#0176d3">
                        <title>{ format!("{}: {} of {} calls", d.day, d.used, d.max) }</title>
                    </rect>
                }
            }) }
        </svg>
    }
}

/// The sync health table.
#[function_component(SyncPanel)]
pub fn sync_panel() -> Html {
    let health = use_state(|| Load::<SyncHealth>::Loading);
    let message = use_state(|| None::<Result<String, String>>);
    {
        let health = health.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                health.set(Load::Loaded(http::get("/api/v1/admin/sync").await))
            });
        });
    }
    let Load::Loaded(loaded) = &*health else { return html! {} };
    let health_now = match loaded {
        Ok(h) => h,
        Err(e) => return html! { <section class="panel"><p class="error">{ e.clone() }</p></section> },
    };
    let on_import = {
        let message = message.clone();
        Callback::from(move |_: MouseEvent| {
            let message = message.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let answer = http::post_no_answer("/api/v1/admin/import").await;
                message.set(Some(answer.map(|()| "Import started; the table shows it once it finishes.".into())));
            });
        })
    };
    let opt = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_else(|| "—".into());
    html! {
        <section class="panel" data-testid="sync-health">
            <h2>{ "Sync health" }</h2>
            if let Some(error) = &health_now.last_error {
                <p class="error" role="alert" data-testid="last-import-error">{ format!("The last import failed: {error}") }</p>
            }
            <table class="slds-table">
                <tr><th>{ "Object" }</th><th>{ "Rows" }</th><th>{ "Last import" }</th><th>{ "Next" }</th><th>{ "Took (ms)" }</th><th>{ "Added" }</th><th>{ "Changed" }</th><th>{ "Deleted" }</th><th>{ "Fields the org lacks" }</th></tr>
                { for health_now.objects.iter().map(|o| html! {
                    <tr data-testid="sync-row" data-object={o.object.clone()}>
                        <td>{ &o.object }</td><td>{ o.rows }</td>
                        <td>{ match &o.last_import { Some(t) => crate::local_time::time(t), None => html! { "never" } } }</td>
                        <td>{ match &o.next_import { Some(t) => crate::local_time::time(t), None => html! { "—" } } }</td>
                        <td>{ opt(o.duration_ms) }</td><td>{ opt(o.added) }</td><td>{ opt(o.changed) }</td><td>{ opt(o.deleted) }</td>
                        <td>{ o.missing_fields.join(", ") }</td>
                    </tr>
                }) }
            </table>
            <p><button class="slds-button slds-button_neutral" data-testid="import-now" onclick={on_import}>{ "Import now" }</button></p>
            { super::outcome::outcome(&message, "import-message") }
            <h3>{ "API calls per day" }</h3>
            { usage_chart(&health_now.api_usage) }
        </section>
    }
}
