//! The record the widget is showing (its object; the 18-character id in an attribute), or
//! why it cannot.

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
        // The record's id is the page's own, not text to read: it rides in an attribute
        // (and the tooltip) for whoever needs it.
        Some(Ok(record)) => html! {
            <section class="crmsync-record" data-object={record.object.clone()}>
                <h2 class="slds-text-heading_small" data-testid="record-id" data-id={record.id18.clone()}
                    title={format!("{} {}", record.object, record.id18)}>{ &record.object }</h2>
            </section>
        },
    }
}
