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

/// `{ url }` as a content script sends it.
fn question(url: &str) -> JsValue {
    let q = js_sys::Object::new();
    js_sys::Reflect::set(&q, &JsValue::from_str("url"), &JsValue::from_str(url)).unwrap();
    q.into()
}

#[wasm_bindgen_test]
fn page_answer_is_a_plain_object() {
    let answer = crmsync::wasm::page_answer(question("https://www.linkedin.com/in/j%C3%BCrgen-m%C3%BCller/")).unwrap();
    let page = get(&answer, "page");
    assert_eq!(get(&page, "kind").as_string().unwrap(), "network");
    assert_eq!(get(&page, "slug").as_string().unwrap(), "jürgen-müller");
    let badge = get(&answer, "badge");
    assert!(get(&badge, "text").as_string().unwrap().contains("jürgen-müller"));

    let record = "https://acme.lightning.force.com/lightning/r/Contact/0037e00001WZ30qAAD/view";
    // Signed out (no org origins): no widget.
    let answer = crmsync::wasm::page_answer(question(record)).unwrap();
    assert_eq!(get(&answer, "widget_fragment").as_string(), None);
    let q = question(record);
    let origins = js_sys::Array::of1(&JsValue::from_str("https://acme.lightning.force.com"));
    js_sys::Reflect::set(&q, &JsValue::from_str("org_origins"), &origins).unwrap();
    let answer = crmsync::wasm::page_answer(q).unwrap();
    assert_eq!(get(&answer, "widget_fragment").as_string().unwrap(), "record=0037e00001WZ30qAAD&object=Contact");
}

#[wasm_bindgen_test]
async fn widget_shows_18_char_id_and_follows_hash_changes() {
    let window = web_sys::window().unwrap();
    let document = window.document().unwrap();
    window.location().set_hash("record=0037e00001WZ30q&object=Contact").unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    // The page's relay function, answering as the relay would.
    let relay = js_sys::Function::new_with_args(
        "method, path, body",
        r#"if (path.startsWith('/api/v1/matches/')) return Promise.resolve({
               crm_id: path.split('/').pop(), object: 'Contact', name: 'Ada Lovelace', rejected: [],
               matched: { method: 'auto', probability: 0.97, explanation: 'last_name=exact(+9.0)', decided_by: null,
                 decided_at_ms: null, profile: { network_id: 'ada', entity: 'person', url: 'https://www.linkedin.com/in/ada/',
                 name: 'Ada Lovelace', headline: 'Mathematician', company: 'Analytical Engines', location: 'London',
                 observed_at_ms: 1 } } });
           if (path === '/api/v1/me/writeback') return Promise.resolve({ enabled: false, kinds: {} });
           if (path === '/api/v1/activities') return Promise.resolve([]);
           return Promise.reject({ message: `unexpected ${method} ${path}` });"#,
    );
    crmsync::wasm::mount_widget(root.clone(), relay);
    let record_id = |root: &web_sys::Element| {
        root.query_selector("[data-testid=record-id]").ok().flatten().and_then(|e| e.get_attribute("data-id"))
    };
    let text = text_until(&root, |t| t.contains("Contact") && t.contains("Matched automatically")).await;
    // The id is not shown as text; the record heading carries it in its 18-character form.
    assert_eq!(record_id(&root).as_deref(), Some("0037e00001WZ30qAAD"));
    assert!(!text.contains("0037e00001WZ30q"), "{text}");
    assert!(text.contains("Ada Lovelace") && text.contains("Matched automatically (97 %)"), "{text}");
    assert!(text.contains("write-back is off for you"), "{text}");

    window.location().set_hash("record=00Qg5000008th4X").unwrap();
    let text = text_until(&root, |t| t.contains("Lead")).await;
    assert!(text.contains("Lead"), "{text}");
    assert_eq!(record_id(&root).as_deref(), Some("00Qg5000008th4XEAQ"));

    window.location().set_hash("record=bogus").unwrap();
    let text = text_until(&root, |t| t.contains("not valid")).await;
    assert!(text.contains("not valid"), "{text}");
}

#[wasm_bindgen_test]
fn load_index_then_page_answer_badges_the_page_and_its_results() {
    use crmsync::core::badge::{BadgeIndex, Label};
    use crmsync::core::matching::comparison::{COMPANY_COMPARISONS, PERSON_COMPARISONS};
    use crmsync::core::matching::params::Params;
    use crmsync::core::matching::record::{CrmKind, PersonInput, PersonRecord};

    let err = crmsync::wasm::load_index(b"not an index").unwrap_err();
    assert!(get(&err, "message").as_string().unwrap().contains("cannot be read"));

    let ada = PersonRecord::new(
        "0037e00001WZ30qAAD".into(),
        Some(CrmKind::Contact),
        &PersonInput { first_name: "Ada", last_name: "Lovelace", company: "Analytical Engines", ..Default::default() },
    );
    let label = Label { name: "Ada Lovelace".into(), owner: "Grace Hopper".into() };
    let params = (Params::defaults(&PERSON_COMPARISONS), Params::defaults(&COMPANY_COMPARISONS));
    let bytes = BadgeIndex::build(3, [1; 16], vec![(ada, label)], vec![], params, vec![]).encode();
    let loaded = crmsync::wasm::load_index(&bytes).unwrap();
    assert_eq!(get(&loaded, "version").as_f64(), Some(3.0));
    assert_eq!(get(&loaded, "people").as_f64(), Some(1.0));

    let q: JsValue = js_sys::JSON::parse(
        r#"{"url":"https://www.linkedin.com/in/ada-l/",
            "material":{"title":"Ada Lovelace | LinkedIn","json_ld":["[not json"],
              "top_card":[{"text":"Ada Lovelace","heading":"h1"},{"text":"Engineer at Analytical Engines"}]},
            "results":[{"url":"https://www.linkedin.com/in/bob/",
              "pieces":[{"text":"Bob Stone","interactive":true,"href":"https://www.linkedin.com/in/bob/"}]}],
            "instance_url":"https://acme.my.salesforce.com"}"#,
    )
    .unwrap();
    let answer = crmsync::wasm::page_answer(q.clone()).unwrap();
    let badge = get(&answer, "badge");
    assert_eq!(get(&badge, "state").as_string().unwrap(), "in_crm");
    assert_eq!(
        get(&badge, "link").as_string().unwrap(),
        "https://acme.lightning.force.com/lightning/r/Contact/0037e00001WZ30qAAD/view"
    );
    let results = js_sys::Array::from(&get(&answer, "results"));
    assert_eq!(get(&results.get(0), "state").as_string().unwrap(), "not_in_crm");
    assert_eq!(get(&get(&answer, "read"), "headline").as_string().unwrap(), "Engineer at Analytical Engines");

    crmsync::wasm::drop_index();
    let answer = crmsync::wasm::page_answer(q).unwrap();
    assert_eq!(get(&get(&answer, "badge"), "state").as_string().unwrap(), "no_index");
}
