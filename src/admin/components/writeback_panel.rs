//! Activity write-back in the console: the queue's totals, and for the signed-in admin
//! the "Set up write-back" and "Flush now" buttons with their reports.

use yew::prelude::*;

use crate::admin::state::{Load, WritebackOutcome};
use crate::core::activity::ActivityState;
use crate::core::api::{ConnectionStatus, RelayStatus, SetupStepStatus};

#[derive(Properties, PartialEq)]
pub struct WritebackPanelProps {
    pub status: Load<RelayStatus>,
    /// Whether an admin is signed in (the buttons need one).
    pub signed_in: bool,
    pub busy: bool,
    pub outcome: Option<Result<WritebackOutcome, String>>,
    pub on_setup: Callback<()>,
    pub on_flush: Callback<()>,
}

fn report(outcome: &Option<Result<WritebackOutcome, String>>) -> Html {
    match outcome {
        None => html! {},
        Some(Err(message)) => html! { <p class="error" role="alert">{ message.clone() }</p> },
        Some(Ok(WritebackOutcome::Setup(setup))) => html! {
            <div data-testid="setup-report">
                <ul>
                    { for setup.steps.iter().map(|step| {
                        let mark = match step.status {
                            SetupStepStatus::Present => "present",
                            SetupStepStatus::Created => "created",
                            SetupStepStatus::Failed => "missing",
                        };
                        html! { <li>{ format!("{mark}: {}", step.what) }
                            if !step.detail.is_empty() { <br /><small>{ &step.detail }</small> }
                        </li> }
                    }) }
                </ul>
                <p>{ if setup.complete() { "Write-back setup is complete." } else { "Some steps are left for you; see above." } }</p>
            </div>
        },
        Some(Ok(WritebackOutcome::Flush(flush))) => html! {
            <p data-testid="flush-report">{ format!(
                "Flushed: written {}, failed {}, retrying later {}, recovered {}; {} API calls.",
                flush.written, flush.failed, flush.retrying, flush.recovered, flush.api_calls
            ) }</p>
        },
    }
}

/// Totals per state, and the admin's buttons.
#[function_component(WritebackPanel)]
pub fn writeback_panel(props: &WritebackPanelProps) -> Html {
    let Load::Loaded(Ok(status)) = &props.status else { return html! {} };
    if !matches!(status.connection, ConnectionStatus::Connected { .. }) {
        return html! {};
    }
    let count = |state: ActivityState| status.activities.get(&state).copied().unwrap_or(0);
    let totals = format!(
        "{} pending, {} written, {} failed, {} unassigned",
        count(ActivityState::Pending),
        count(ActivityState::Written),
        count(ActivityState::Failed),
        count(ActivityState::Unassigned)
    );
    let on_setup = props.on_setup.reform(|_: MouseEvent| ());
    let on_flush = props.on_flush.reform(|_: MouseEvent| ());
    html! {
        <section class="panel" data-testid="writeback">
            <h2>{ "Activity write-back" }</h2>
            <p data-testid="activity-totals">{ totals }</p>
            if props.signed_in {
                <p>
                    <button class="slds-button slds-button_neutral" onclick={on_setup} disabled={props.busy} data-testid="setup-button">{ "Set up write-back" }</button>
                    { " " }
                    <button class="slds-button slds-button_neutral" onclick={on_flush} disabled={props.busy} data-testid="flush-button">{ "Flush now" }</button>
                </p>
            }
            { report(&props.outcome) }
        </section>
    }
}
