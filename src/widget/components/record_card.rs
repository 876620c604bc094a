//! The record the widget is showing: object and 18-character id, or why it cannot.

use yew::prelude::*;

use crate::widget::state::RecordView;

#[derive(Properties, PartialEq)]
pub struct RecordCardProps {
    pub record: Option<Result<RecordView, String>>,
}

/// Shows the launched record, a waiting line, or the validation error.
#[function_component(RecordCard)]
pub fn record_card(props: &RecordCardProps) -> Html {
    match &props.record {
        None => {
            html! { <p class="crmsync-waiting">{ "Open a Lead, Contact, Account or Opportunity to see it here." }</p> }
        }
        Some(Err(message)) => html! { <p class="crmsync-error" role="alert">{ message }</p> },
        Some(Ok(record)) => html! {
            <section class="crmsync-record" data-object={record.object.clone()}>
                <h2>{ &record.object }</h2>
                <p>{ "Record " }<code data-testid="record-id">{ &record.id18 }</code></p>
                if record.given != record.id18 {
                    <p class="crmsync-note">{ format!("(opened as {})", record.given) }</p>
                }
            </section>
        },
    }
}
