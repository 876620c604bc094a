//! The ROI page: influenced against other pipeline per period (bars), the win rates of
//! influenced and other closed opportunities, and the per-rep table, sortable by any
//! column; a window (from, to), the grouping, and the same report as a CSV download.
//! The numbers are the relay's (`GET /api/v1/admin/roi`); nothing is computed here.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::queue_panel::query;
use crate::admin::http;
use crate::admin::state::Load;
use crate::core::api::roi::RoiReport;
use crate::core::rules::roi::RoiRow;

/// The value a column shows and sorts by.
type Value = fn(&RoiRow) -> f64;

/// The table's columns: header and the value it sorts by.
const COLUMNS: &[(&str, Value)] = &[
    ("Influenced open pipeline", |r| r.influenced_open_pipeline),
    ("Influenced won", |r| r.influenced_won_amount),
    ("Influenced won deals", |r| r.influenced_won_count as f64),
    ("All won", |r| r.won_amount),
    ("Won deals", |r| r.won_count as f64),
    ("Win rate influenced", |r| r.win_rate_influenced.unwrap_or(-1.0)),
    ("Win rate other", |r| r.win_rate_other.unwrap_or(-1.0)),
    ("Avg deal influenced", |r| r.average_deal_influenced.unwrap_or(-1.0)),
    ("Avg deal other", |r| r.average_deal_other.unwrap_or(-1.0)),
    ("Days to close influenced", |r| r.days_to_close_influenced.unwrap_or(-1.0)),
    ("Days to close other", |r| r.days_to_close_other.unwrap_or(-1.0)),
];

fn money(v: f64) -> String {
    let whole = format!("{:.0}", v);
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 && c != '-' {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn rate(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |w| format!("{:.0} %", w * 100.0))
}

fn cell(i: usize, r: &RoiRow) -> String {
    let v = (COLUMNS[i].1)(r);
    match i {
        2 | 4 => format!("{v:.0}"),
        5 => rate(r.win_rate_influenced),
        6 => rate(r.win_rate_other),
        9 | 10 if v < 0.0 => "—".into(),
        9 | 10 => format!("{v:.0}"),
        _ if v < 0.0 => "—".into(),
        _ => money(v),
    }
}

/// Influenced and other pipeline per period, as two bars each (SVG, no script).
fn bars(rows: &[RoiRow]) -> Html {
    let total = |r: &RoiRow| r.open_pipeline + r.won_amount;
    let max = rows.iter().map(total).fold(1.0_f64, f64::max);
    let width = 28.0;
    html! {
        <svg data-testid="roi-chart" width={format!("{}", rows.len() as f64 * width + 20.0)} height="140" role="img" aria-label="influenced and other pipeline per period">
            { for rows.iter().enumerate().map(|(i, r)| {
                let influenced = r.influenced_open_pipeline + r.influenced_won_amount;
                let other = total(r) - influenced;
                let h = |v: f64| v / max * 110.0;
                let x = 10.0 + i as f64 * width;
                html! {
                    <g data-period={r.period.clone()}>
                        <rect x={format!("{x}")} y={format!("{}", 120.0 - h(influenced))} width="10" height={format!("{}", h(influenced))} fill="#0176d3"><title>{ format!("{}: influenced {}", r.period, money(influenced)) }</title></rect>
                        <rect x={format!("{}", x + 11.0)} y={format!("{}", 120.0 - h(other))} width="10" height={format!("{}", h(other))} fill="#c9c9c9"><title>{ format!("{}: other {}", r.period, money(other)) }</title></rect>
                        <text x={format!("{x}")} y="135" font-size="8">{ r.period.get(2..).unwrap_or(&r.period).to_string() }</text>
                    </g>
                }
            }) }
        </svg>
    }
}

/// One row of the table.
fn line(row: &RoiRow, total: bool) -> Html {
    let who = if row.rep_name.is_empty() { row.rep.clone() } else { row.rep_name.clone() };
    html! {
        <tr data-testid={if total { "roi-total" } else { "roi-row" }} data-rep={row.rep.clone()} data-period={row.period.clone()}>
            <td>{ who }</td><td>{ &row.period }</td>
            { for (0..COLUMNS.len()).map(|i| html! { <td>{ cell(i, row) }</td> }) }
        </tr>
    }
}

/// The summary, the chart (per period) and the table sorted by `sort` (column, descending).
fn report_view(r: &RoiReport, sort: &UseStateHandle<(usize, bool)>) -> Html {
    let mut rows = r.rows.clone();
    let (column, descending) = **sort;
    rows.sort_by(|a, b| {
        let order = (COLUMNS[column].1)(a).total_cmp(&(COLUMNS[column].1)(b));
        if descending {
            order.reverse()
        } else {
            order
        }
    });
    let header = |i: usize| {
        let sort = sort.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let (c, d) = *sort;
            sort.set((i, if c == i { !d } else { true }));
        });
        html! { <th data-testid={format!("roi-sort-{i}")} {onclick} style="cursor:pointer">{ COLUMNS[i].0 }</th> }
    };
    let periods = r.rows.iter().all(|x| x.rep == "all");
    html! {
        <>
            <p data-testid="roi-summary">{ format!(
                "{} of {} opportunities influenced; win rate {} influenced vs {} other. Revenue field {}, network work from {} days before creation.",
                r.totals.influenced_count, r.totals.opportunities, cell(5, &r.totals), cell(6, &r.totals), r.revenue_field, r.lookback_days
            ) }</p>
            if periods { { bars(&r.rows) } }
            <table class="slds-table" data-testid="roi">
                <tr><th>{ "Rep" }</th><th>{ "Period" }</th>{ for (0..COLUMNS.len()).map(header) }</tr>
                { for rows.iter().map(|row| line(row, false)) }
                { line(&r.totals, true) }
            </table>
        </>
    }
}

/// The ROI page.
#[function_component(RoiPanel)]
pub fn roi_panel() -> Html {
    let filter = use_state(|| vec![("by", "rep".to_string()), ("from", String::new()), ("to", String::new())]);
    let report = use_state(|| Load::<RoiReport>::Loading);
    let sort = use_state(|| (0usize, true));
    let (by, from, to) = (use_node_ref(), use_node_ref(), use_node_ref());
    {
        let report = report.clone();
        use_effect_with((*filter).clone(), move |filter| {
            let path = format!("/api/v1/admin/roi?{}", query(filter));
            wasm_bindgen_futures::spawn_local(async move { report.set(Load::Loaded(http::get(&path).await)) });
        });
    }
    let on_filter = {
        let (filter, by, from, to) = (filter.clone(), by.clone(), from.clone(), to.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let by = by.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_else(|| "rep".into());
            filter.set(vec![("by", by), ("from", value(&from)), ("to", value(&to))]);
        })
    };
    let body = match &*report {
        Load::Loading => html! { <p>{ "Loading…" }</p> },
        Load::Loaded(Err(e)) => html! { <p class="error" role="alert">{ e.clone() }</p> },
        Load::Loaded(Ok(r)) => report_view(r, &sort),
    };
    let by_now = filter.first().map(|(_, v)| v.clone()).unwrap_or_default();
    html! {
        <section class="panel" data-testid="roi-panel">
            <h2>{ "ROI: how network selling influenced the pipeline" }</h2>
            <form onsubmit={on_filter}>
                <select ref={by} data-testid="roi-by">
                    { for ["rep", "month", "quarter"].iter().map(|b| html! { <option value={*b} selected={by_now == *b}>{ format!("per {b}") }</option> }) }
                </select>{ " from " }
                <input ref={from} type="date" data-testid="roi-from" />{ " to " }
                <input ref={to} type="date" data-testid="roi-to" />{ " " }
                <button type="submit" class="slds-button slds-button_neutral" data-testid="roi-apply">{ "Show" }</button>{ " " }
                <a class="slds-button slds-button_neutral" data-testid="roi-csv" href={format!("/api/v1/admin/roi.csv?{}", query(&filter))}>{ "Download CSV" }</a>
            </form>
            { body }
        </section>
    }
}
