//! Match rates: per object one bar of records linked automatically, by hand, with only a
//! low-confidence candidate and unmatched; the trend of linked records over the last
//! matching runs as a chart; the directory and the model; the full export of what is not
//! matched. Drawn as SVG in the console itself.

use yew::prelude::*;

use crate::admin::http;
use crate::admin::state::Load;
use crate::core::api::match_report::{MatchReport, MatchRunPoint, ObjectMatchCounts};

/// The four parts of an object's bar: label, test id, colour, count.
fn parts(c: &ObjectMatchCounts) -> [(&'static str, &'static str, &'static str, u64); 4] {
    [
        ("automatic", "auto", "#2e844a", c.matched_auto),
        ("by hand", "manual", "#0176d3", c.matched_manual),
        ("low confidence", "low", "#dd7a01", c.low_confidence),
        ("unmatched", "unmatched", "#c9c9c9", c.unmatched),
    ]
}

fn percent(n: u64, of: u64) -> String {
    if of == 0 {
        return "0 %".into();
    }
    format!("{:.1} %", n as f64 * 100.0 / of as f64)
}

/// One object's stacked bar and its figures.
fn object_bar(object: &str, c: &ObjectMatchCounts) -> Html {
    const WIDTH: f64 = 400.0;
    let mut x = 0.0;
    let segments = parts(c).map(|(label, id, colour, n)| {
        let w = if c.records == 0 { 0.0 } else { WIDTH * n as f64 / c.records as f64 };
        let at = x;
        x += w;
        html! {
            <rect data-testid={format!("bar-{id}")} data-count={n.to_string()} x={format!("{at:.1}")} y="0" width={format!("{w:.1}")} height="18" fill={colour}>
                <title>{ format!("{object}: {n} {label} ({})", percent(n, c.records)) }</title>
            </rect>
        }
    });
    html! {
        <tr data-testid="match-object" data-object={object.to_string()}>
            <td>{ object }</td>
            <td>{ c.records }</td>
            <td>
                <svg role="img" aria-label={format!("{object} match rates")} width={WIDTH.to_string()} height="18">
                    { for segments }
                </svg>
            </td>
            { for parts(c).map(|(_, id, _, n)| html! { <td data-testid={format!("count-{id}")}>{ format!("{n} ({})", percent(n, c.records)) }</td> }) }
        </tr>
    }
}

/// Linked records after each run, as a line over the runs.
fn trend_chart(history: &[MatchRunPoint]) -> Html {
    if history.len() < 2 {
        return html! { <p>{ "The trend appears after the second matching run." }</p> };
    }
    let (w, h) = (480.0, 80.0);
    let top = history.iter().map(|p| p.matched).max().unwrap_or(0).max(1) as f64;
    let step = w / (history.len() - 1) as f64;
    let points: Vec<String> = history
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", i as f64 * step, h - h * p.matched as f64 / top))
        .collect();
    html! {
        <svg data-testid="match-trend" role="img" aria-label="Records linked after each matching run" width={(w + 8.0).to_string()} height={(h + 8.0).to_string()}>
            <polyline points={points.join(" ")} fill="none" stroke="#0176d3" stroke-width="2" transform="translate(4,4)" />
            { for history.iter().enumerate().map(|(i, p)| html! {
                <circle cx={format!("{:.1}", i as f64 * step + 4.0)} cy={format!("{:.1}", h - h * p.matched as f64 / top + 4.0)} r="3" fill="#0176d3">
                    <title>{ format!("run {} at {}: {} linked", p.run, p.at, p.matched) }</title>
                </circle>
            }) }
        </svg>
    }
}

/// The match-rate panel.
#[function_component(MatchPanel)]
pub fn match_panel() -> Html {
    let report = use_state(|| Load::<MatchReport>::Loading);
    {
        let report = report.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                report.set(Load::Loaded(http::get("/api/v1/admin/match-report").await))
            });
        });
    }
    let Load::Loaded(loaded) = &*report else { return html! {} };
    let report = match loaded {
        Ok(r) => r,
        Err(e) => return html! { <section class="panel"><p class="error">{ e.clone() }</p></section> },
    };
    let model = match &report.model.trained_at {
        Some(at) => {
            html! { <>{ "Model trained " }{ crate::local_time::time(at) }{ format!(" on {} records and {} profiles.", report.model.records, report.model.profiles) }</> }
        }
        None => {
            html! { { "The model is not trained yet (too little data): the default weights, sized to the org, score." } }
        }
    };
    html! {
        <section class="panel" data-testid="match-report">
            <h2>{ "Match rates" }</h2>
            <table class="slds-table">
                <tr><th>{ "Object" }</th><th>{ "Records" }</th><th>{ "" }</th><th>{ "Automatic" }</th><th>{ "By hand" }</th><th>{ "Low confidence" }</th><th>{ "Unmatched" }</th></tr>
                { for report.objects.iter().map(|(object, c)| object_bar(object, c)) }
            </table>
            <p data-testid="match-directory">{ format!("Directory: {} people, {} companies. ", report.directory.people, report.directory.companies) }{ model }</p>
            <h3>{ "Linked records over the last runs" }</h3>
            { trend_chart(&report.history) }
            <p><a class="slds-button slds-button_neutral" data-testid="match-report-csv" href="/api/v1/admin/match-report.csv" download="crmsync-match-report.csv">{ "Download unmatched and low-confidence records (CSV)" }</a></p>
        </section>
    }
}
