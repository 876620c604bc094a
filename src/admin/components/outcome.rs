//! The line under a console form or button saying how the last action went: the relay's
//! answer, or its error message as an alert.

use yew::prelude::*;

/// `Ok(text)` as a note, `Err(text)` as an alert, nothing before the first action.
pub fn outcome(message: &Option<Result<String, String>>, testid: &'static str) -> Html {
    match message {
        Some(Ok(text)) => html! { <p data-testid={testid}>{ text }</p> },
        Some(Err(text)) => html! { <p class="error" role="alert" data-testid={testid}>{ text }</p> },
        None => html! {},
    }
}
