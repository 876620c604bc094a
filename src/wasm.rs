//! The only `#[wasm_bindgen]` surface: what the extension's service worker, the widget
//! page and the admin page call. Errors cross as `{ message, details }` objects.

use std::cell::RefCell;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::core::api::{PageAnswer, PageQuestion};
use crate::core::badge::{BadgeIndex, IndexDelta};
use crate::core::sf::SalesforceId;

thread_local! {
    /// The org's badge index, once the service worker has loaded one.
    static INDEX: RefCell<Option<BadgeIndex>> = const { RefCell::new(None) };
}

/// Runs when the module is instantiated: a panic is written to the browser console with
/// its message and place (the release build aborts right after), not a bare "unreachable".
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&JsValue::from_str(&format!("crmsync panicked: {info}")));
    }));
}

/// What `loadIndex` reports about the index it loaded.
#[derive(Serialize)]
struct LoadedIndex {
    version: u64,
    people: usize,
    companies: usize,
    /// The relay's matching run the index's links reflect (the delta's `matches`).
    matches: u64,
}

/// The shape every error takes in JavaScript.
#[derive(Serialize)]
struct JsError {
    message: String,
    details: Option<String>,
}

fn js_error(message: impl Into<String>, details: Option<String>) -> JsValue {
    serde_wasm_bindgen::to_value(&JsError { message: message.into(), details }).unwrap_or(JsValue::NULL)
}

/// What the page is and what to show there: `question` is a [`PageQuestion`] (the URL,
/// what the content script read, the results listed), answered from the loaded index.
#[wasm_bindgen(js_name = pageAnswer)]
pub fn page_answer(question: JsValue) -> Result<JsValue, JsValue> {
    let question: PageQuestion = serde_wasm_bindgen::from_value(question)
        .map_err(|e| js_error("the page question is malformed", Some(e.to_string())))?;
    let answer = INDEX.with_borrow(|index| PageAnswer::answer(&question, index.as_ref()));
    serde_wasm_bindgen::to_value(&answer).map_err(|e| js_error("cannot encode the page answer", Some(e.to_string())))
}

/// Replaces the loaded badge index with the snapshot in `bytes` (as the relay serves it).
/// On error the previous index stays.
#[wasm_bindgen(js_name = loadIndex)]
pub fn load_index(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let index = BadgeIndex::decode(bytes)
        .map_err(|e| js_error(format!("the CRM index cannot be read: {e}"), Some(format!("{} bytes", bytes.len()))))?;
    let (people, companies) = index.len();
    let loaded = LoadedIndex { version: index.version, people, companies, matches: index.match_seq() };
    INDEX.set(Some(index));
    serde_wasm_bindgen::to_value(&loaded).map_err(|e| js_error("cannot encode the index summary", Some(e.to_string())))
}

/// The origin of the relay address a user typed, or an error saying what is wrong.
#[wasm_bindgen(js_name = relayOrigin)]
pub fn relay_origin(input: &str) -> Result<String, JsValue> {
    crate::core::rep_sign_in::relay_origin(input).map_err(|e| js_error(e.to_string(), None))
}

/// The session from the relay's sign-in redirect URL (`{ token, user_id, username,
/// expires_in }`), or the reason sign-in failed.
#[wasm_bindgen(js_name = signInResult)]
pub fn sign_in_result(redirect_url: &str) -> Result<JsValue, JsValue> {
    let signed_in = crate::core::rep_sign_in::sign_in_result(redirect_url).map_err(|e| js_error(e, None))?;
    serde_wasm_bindgen::to_value(&signed_in).map_err(|e| js_error("cannot encode the session", Some(e.to_string())))
}

/// The activity a one-click log in the browser sends (`capture` is a [`Capture`]), with
/// the client's UUID and time, checked; or what is wrong with it.
///
/// [`Capture`]: crate::core::activity::Capture
#[wasm_bindgen(js_name = capturedActivity)]
pub fn captured_activity(capture: JsValue, id: String, occurred_at: String) -> Result<JsValue, JsValue> {
    let capture: crate::core::activity::Capture = serde_wasm_bindgen::from_value(capture)
        .map_err(|e| js_error("the capture is malformed", Some(e.to_string())))?;
    let activity = crate::core::activity::NewActivity::captured(&capture, id, occurred_at)
        .map_err(|e| js_error(e.to_string(), None))?;
    activity
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error("cannot encode the activity", Some(e.to_string())))
}

/// Applies a delta (as the relay serves it) to the loaded index; on error (no index,
/// another version or org) the index is unchanged and a snapshot is needed.
#[wasm_bindgen(js_name = applyDelta)]
pub fn apply_delta(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let delta =
        IndexDelta::decode(bytes).map_err(|e| js_error(format!("the CRM index update cannot be read: {e}"), None))?;
    INDEX.with_borrow_mut(|index| {
        let index = index.as_mut().ok_or_else(|| js_error("no CRM index is loaded to update", None))?;
        index.apply(delta).map_err(|e| js_error(e.to_string(), None))?;
        let (people, companies) = index.len();
        serde_wasm_bindgen::to_value(&LoadedIndex {
            version: index.version,
            people,
            companies,
            matches: index.match_seq(),
        })
        .map_err(|e| js_error("cannot encode the index summary", Some(e.to_string())))
    })
}

/// Forgets the loaded index (sign-out, or the org was disconnected).
#[wasm_bindgen(js_name = dropIndex)]
pub fn drop_index() {
    INDEX.set(None);
}

/// The 18-character form of a 15- or 18-character Salesforce id, validated.
#[wasm_bindgen(js_name = salesforceId18)]
pub fn salesforce_id18(id: &str) -> Result<String, JsValue> {
    SalesforceId::parse(id)
        .map(|id| id.to_string())
        .map_err(|e| js_error(e.to_string(), Some(id.chars().take(40).collect())))
}

/// Mounts the record widget into `root`; it follows `location.hash` from then on and
/// reaches the relay through `relay_api(method, path, body) → Promise<JSON>`.
#[wasm_bindgen(js_name = mountWidget)]
pub fn mount_widget(root: web_sys::Element, relay_api: js_sys::Function) {
    crate::widget::mount(root, relay_api);
}

/// Mounts the admin console into `root`.
#[wasm_bindgen(js_name = mountAdmin)]
pub fn mount_admin(root: web_sys::Element) {
    crate::admin::mount(root);
}
