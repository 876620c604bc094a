//! The only `#[wasm_bindgen]` surface: what the extension's service worker, the widget
//! page and the admin page call. Errors cross as `{ message, details }` objects.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::core::api::PageAnswer;
use crate::core::sf::SalesforceId;

/// The shape every error takes in JavaScript.
#[derive(Serialize)]
struct JsError {
    message: String,
    details: Option<String>,
}

fn js_error(message: impl Into<String>, details: Option<String>) -> JsValue {
    serde_wasm_bindgen::to_value(&JsError { message: message.into(), details }).unwrap_or(JsValue::NULL)
}

/// What the page at `url` is and what to show there (widget fragment or badge).
#[wasm_bindgen(js_name = pageAnswer)]
pub fn page_answer(url: &str) -> Result<JsValue, JsValue> {
    serde_wasm_bindgen::to_value(&PageAnswer::for_url(url))
        .map_err(|e| js_error("cannot encode the page answer", Some(e.to_string())))
}

/// The 18-character form of a 15- or 18-character Salesforce id, validated.
#[wasm_bindgen(js_name = salesforceId18)]
pub fn salesforce_id18(id: &str) -> Result<String, JsValue> {
    SalesforceId::parse(id)
        .map(|id| id.to_string())
        .map_err(|e| js_error(e.to_string(), Some(id.chars().take(40).collect())))
}

/// Mounts the record widget into `root`; it follows `location.hash` from then on.
#[wasm_bindgen(js_name = mountWidget)]
pub fn mount_widget(root: web_sys::Element) {
    crate::widget::mount(root);
}

/// Mounts the admin console into `root`.
#[wasm_bindgen(js_name = mountAdmin)]
pub fn mount_admin(root: web_sys::Element) {
    crate::admin::mount(root);
}
