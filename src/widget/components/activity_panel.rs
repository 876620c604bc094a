//! One-click activity logging on the record (calls and notes; accounts take notes), the
//! rep's per-kind "write to Salesforce" switches, this record's activities with their
//! state, and the rep's unassigned activities, each assignable to this record.

use yew::prelude::*;

use crate::core::activity::{ActivityKind, ActivityView, WritebackPrefs};
use crate::load::Load;
use crate::widget::state::WidgetState;

#[derive(Properties, PartialEq)]
pub struct ActivityPanelProps {
    pub state: std::rc::Rc<WidgetState>,
    /// Log `kind` with the typed text.
    pub on_log: Callback<(ActivityKind, String)>,
    /// Turn writing `kind` to Salesforce on or off.
    pub on_opt_in: Callback<(ActivityKind, bool)>,
    /// Assign an unassigned activity to this record.
    pub on_assign: Callback<String>,
}

fn state_line(a: &ActivityView) -> Html {
    let word = a.state.as_str();
    html! {
        <li data-state={word} data-kind={a.kind.as_str()}>
            <span class="crmsync-note">{ format!("{} · ", a.kind.label()) }{ crate::local_time::time(&a.occurred_at) }{ " · " }</span>
            { &a.subject }
            { " — " }
            if let Some(url) = &a.salesforce_url {
                <a href={url.clone()} target="_blank" rel="noopener">{ word }</a>
            } else {
                <span>{ word }</span>
            }
            if let Some(error) = &a.error {
                <div class="crmsync-error">{ error }</div>
            }
        </li>
    }
}

/// The activity section of the widget.
#[function_component(ActivityPanel)]
pub fn activity_panel(props: &ActivityPanelProps) -> Html {
    let text = use_state(String::new);
    let Some(record) = props.state.record() else { return html! {} };
    let kinds = record.loggable_kinds();
    if kinds.is_empty() {
        return html! {};
    }
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            text.set(area.value());
        })
    };
    let buttons = kinds.iter().map(|&kind| {
        let refusal = props.state.can_log(kind).err();
        let disabled = refusal.is_some();
        let title = refusal.unwrap_or_default();
        let onclick = {
            let on_log = props.on_log.clone();
            let text = text.clone();
            Callback::from(move |_| {
                on_log.emit((kind, (*text).clone()));
                text.set(String::new());
            })
        };
        html! {
            <button type="button" class="slds-button slds-button_brand" data-testid={format!("log-{}", kind.as_str())} {disabled}
                {title} {onclick}>
                { format!("Log {}", kind.label().to_lowercase()) }
            </button>
        }
    });
    let switches = opt_in_switches(props, kinds);
    let notice = match &props.state.notice {
        Some(Ok(message)) => html! { <p class="crmsync-note" data-testid="notice">{ message }</p> },
        Some(Err(message)) => html! { <p class="crmsync-error" role="alert" data-testid="notice">{ message }</p> },
        None => html! {},
    };
    let here = props.state.record_activities();
    let unassigned = props.state.unassigned();
    html! {
        <section class="crmsync-activities">
            <h3>{ "Log activity" }</h3>
            <textarea class="slds-textarea" data-testid="activity-text" rows="2" placeholder="What happened? (first line is the subject)"
                value={(*text).clone()} {oninput} />
            <div>{ for buttons }</div>
            { switches }
            { notice }
            if !here.is_empty() {
                <ul data-testid="record-activities">{ for here.iter().map(|a| state_line(a)) }</ul>
            }
            if !unassigned.is_empty() {
                <h3>{ "Unassigned" }</h3>
                <ul data-testid="unassigned">
                    { for unassigned.iter().map(|a| {
                        let assign = { let on_assign = props.on_assign.clone(); let id = a.id.clone(); Callback::from(move |_| on_assign.emit(id.clone())) };
                        html! {
                            <li data-id={a.id.clone()}>
                                { format!("{} · ", a.kind.label()) }{ crate::local_time::time(&a.occurred_at) }{ format!(" · {}", a.subject) }
                                <button type="button" class="slds-button slds-button_neutral" data-testid="assign" onclick={assign}>{ "Assign here" }</button>
                            </li>
                        }
                    }) }
                </ul>
            }
        </section>
    }
}

/// The rep's write-back switches, one per kind the org writes back, or why there are none.
fn opt_in_switches(props: &ActivityPanelProps, kinds: &[ActivityKind]) -> Html {
    match props.state.prefs.as_ref() {
        Some(Load::Loaded(Ok(WritebackPrefs { enabled: true, kinds: opted, org_kinds }))) => html! {
            <p class="crmsync-note">{ "Write to Salesforce: " }
                // Only the kinds the org writes back at all are offered.
                { for kinds.iter().filter(|k| org_kinds.is_empty() || org_kinds.contains(k)).map(|&kind| {
                    let on = opted.get(&kind).copied().unwrap_or(false);
                    let onchange = props.on_opt_in.reform(move |_| (kind, !on));
                    html! {
                        <label>
                            <input type="checkbox" data-testid={format!("opt-in-{}", kind.as_str())} checked={on} {onchange} />
                            { format!(" {}s ", kind.label().to_lowercase()) }
                        </label>
                    }
                }) }
            </p>
        },
        Some(Load::Loaded(Ok(_))) => {
            html! { <p class="crmsync-note">{ "Activity write-back is off for you; an admin turns it on." }</p> }
        }
        Some(Load::Loaded(Err(message))) => html! { <p class="crmsync-error">{ message }</p> },
        _ => html! {},
    }
}
