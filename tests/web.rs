//! wasm-bindgen tests in headless Chromium: the exported API as JavaScript sees it, and
//! the Yew widget mounted in a real DOM following hash changes.
#![cfg(target_arch = "wasm32")]

use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Waits (up to 5 s, polling) until `root`'s text satisfies `accept`; returns the last text.
/// Rendering is asynchronous, and a loaded machine can take longer than any fixed pause.
async fn text_until(root: &web_sys::Element, accept: impl Fn(&str) -> bool) -> String {
    let mut text = String::new();
    for _ in 0..250 {
        text = root.text_content().unwrap_or_default();
        if accept(&text) {
            break;
        }
        TimeoutFuture::new(20).await;
    }
    text
}

fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

#[wasm_bindgen_test]
fn salesforce_id18_converts_and_reports_errors_as_objects() {
    assert_eq!(crmsync::wasm::salesforce_id18("a0BA0000000L2ZC").unwrap(), "a0BA0000000L2ZCMA0");
    let err = crmsync::wasm::salesforce_id18("7986gEXAMPLE4X2OPT").unwrap_err();
    let message = get(&err, "message").as_string().unwrap();
    assert!(message.contains("checksum"), "{message}");
    assert_eq!(get(&err, "details").as_string().unwrap(), "7986gEXAMPLE4X2OPT");
}

#[wasm_bindgen_test]
fn page_answer_is_a_plain_object() {
    let answer = crmsync::wasm::page_answer("https://www.linkedin.com/in/j%C3%BCrgen-m%C3%BCller/").unwrap();
    let page = get(&answer, "page");
    assert_eq!(get(&page, "kind").as_string().unwrap(), "network");
    assert_eq!(get(&page, "slug").as_string().unwrap(), "jürgen-müller");
    let badge = get(&answer, "badge");
    assert!(get(&badge, "text").as_string().unwrap().contains("jürgen-müller"));

    let answer =
        crmsync::wasm::page_answer("https://acme.lightning.force.com/lightning/r/Contact/0037e00001WZ30qAAD/view")
            .unwrap();
    assert_eq!(get(&answer, "widget_fragment").as_string().unwrap(), "record=0037e00001WZ30qAAD&object=Contact");
}

#[wasm_bindgen_test]
async fn widget_shows_18_char_id_and_follows_hash_changes() {
    let window = web_sys::window().unwrap();
    let document = window.document().unwrap();
    window.location().set_hash("record=0037e00001WZ30q&object=Contact").unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    crmsync::wasm::mount_widget(root.clone());
    let text = text_until(&root, |t| t.contains("0037e00001WZ30qAAD")).await;
    assert!(text.contains("0037e00001WZ30qAAD"), "{text}");
    assert!(text.contains("Contact"), "{text}");

    window.location().set_hash("record=00Qg5000008th4X").unwrap();
    let text = text_until(&root, |t| t.contains("00Qg5000008th4XEAQ")).await;
    assert!(text.contains("00Qg5000008th4XEAQ") && text.contains("Lead"), "{text}");

    window.location().set_hash("record=bogus").unwrap();
    let text = text_until(&root, |t| t.contains("not valid")).await;
    assert!(text.contains("not valid"), "{text}");
}
