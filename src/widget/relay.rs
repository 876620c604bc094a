//! How the widget reaches the relay: through the function its page passed in
//! (`relayApi(method, path, body) → Promise<JSON>`). In the extension's iframe that goes
//! through the service worker, which holds the rep's token; on the relay's own
//! `widget.html` it is a same-origin fetch. Errors arrive as `{ message }` objects.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// The page's relay function.
#[derive(Clone)]
pub struct RelayApi(pub js_sys::Function);

impl PartialEq for RelayApi {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

fn message_of(error: JsValue) -> String {
    js_sys::Reflect::get(&error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the relay could not be reached".to_string())
}

impl RelayApi {
    /// Calls `method path` with an optional JSON body and decodes the answer.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, String> {
        let body = match body {
            // Plain objects (not `Map`s), so the page can send them as JSON.
            Some(body) => {
                body.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| e.to_string())?
            }
            None => JsValue::UNDEFINED,
        };
        let promise = self
            .0
            .call3(&JsValue::NULL, &JsValue::from_str(method), &JsValue::from_str(path), &body)
            .map_err(message_of)?;
        let answer = JsFuture::from(js_sys::Promise::resolve(&promise)).await.map_err(message_of)?;
        serde_wasm_bindgen::from_value(answer)
            .map_err(|e| format!("the relay's answer is not what the widget expects: {e}"))
    }

    /// A `GET`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, String> {
        self.call("GET", path, None::<&()>).await
    }
}

/// `text` encoded for a query string value.
pub fn query_value(text: &str) -> String {
    js_sys::encode_uri_component(text).into()
}
