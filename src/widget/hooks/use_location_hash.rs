//! The page's `location.hash`, updated on `hashchange`: the host page re-launches the
//! widget by changing the iframe's fragment, which never reloads the widget.

use gloo::events::EventListener;
use yew::prelude::*;

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// The current fragment, re-rendering the caller whenever it changes.
#[hook]
pub fn use_location_hash() -> String {
    let hash = use_state(current_hash);
    {
        let hash = hash.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window()
                .map(|window| EventListener::new(&window, "hashchange", move |_| hash.set(current_hash())));
            move || drop(listener)
        });
    }
    (*hash).clone()
}
