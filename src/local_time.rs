//! Times shown to people in the browser: in the reader's locale and time zone (never a
//! raw ISO string); the exact instant stays in the `<time datetime>` attribute.

use yew::{html, Html};

/// `iso` as the browser's locale writes it ("1 Dec 2026, 11:53"); an unreadable value is
/// shown as given.
pub fn local_time(iso: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return iso.to_string();
    }
    // "default": the browser's own locale.
    date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED).into()
}

/// A `<time>` element for `iso`, read in the local form.
pub fn time(iso: &str) -> Html {
    html! { <time datetime={iso.to_string()}>{ local_time(iso) }</time> }
}
