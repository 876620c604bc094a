//! What every console table and form shares: the line saying how the last action went
//! (the relay's answer, or its error message as an alert), and a row's select box.

use std::collections::HashSet;

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// `Ok(text)` as a note, `Err(text)` as an alert, nothing before the first action.
pub fn outcome(message: &Option<Result<String, String>>, testid: &'static str) -> Html {
    match message {
        Some(Ok(text)) => html! { <p data-testid={testid}>{ text }</p> },
        Some(Err(text)) => html! { <p class="error" role="alert" data-testid={testid}>{ text }</p> },
        None => html! {},
    }
}

/// A row's select box: checking it adds `id` to `selected`, unchecking removes it.
pub fn toggle(selected: &UseStateHandle<HashSet<String>>, id: &str) -> Callback<Event> {
    let (selected, id) = (selected.clone(), id.to_string());
    Callback::from(move |e: Event| {
        let checked = e.target_unchecked_into::<HtmlInputElement>().checked();
        let mut next = (*selected).clone();
        if checked {
            next.insert(id.clone());
        } else {
            next.remove(&id);
        }
        selected.set(next);
    })
}
