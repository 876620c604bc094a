//! The org's settings: badge visibility, the activity kinds written back at all,
//! write-back test mode (one test record only) and the stage from which auto-save
//! applies, saved together.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::admin::http;
use crate::admin::state::Load;
use crate::core::activity::ActivityKind;
use crate::core::api::admin::{AdminSettings, AdminSettingsChange};

/// The settings form.
#[function_component(SettingsPanel)]
pub fn settings_panel() -> Html {
    let settings = use_state(|| Load::<AdminSettings>::Loading);
    let message = use_state(|| None::<Result<String, String>>);
    let form = SettingsForm {
        visibility: use_node_ref(),
        test_record: use_node_ref(),
        min_stage: use_node_ref(),
        kinds: ActivityKind::ALL.iter().map(|_| NodeRef::default()).collect(),
    };
    {
        let settings = settings.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                settings.set(Load::Loaded(http::get("/api/v1/admin/settings").await))
            });
        });
    }
    let Load::Loaded(Ok(current)) = &*settings else {
        return match &*settings {
            Load::Loaded(Err(e)) => html! { <section class="panel"><p class="error">{ e.clone() }</p></section> },
            _ => html! {},
        };
    };
    let on_save = save_settings(&settings, &message, form.clone());
    let SettingsForm { visibility, test_record, min_stage, kinds: kind_refs } = form;
    let everyone = current.badge_visibility == crate::core::rules::visibility::BadgeVisibility::Everyone;
    html! {
        <section class="panel" data-testid="settings">
            <h2>{ "Org settings" }</h2>
            <form onsubmit={on_save}>
                <p><label>{ "Who sees which badges " }
                    <select ref={visibility} data-testid="badge-visibility">
                        <option value="everyone" selected={everyone}>{ "everyone sees every record" }</option>
                        <option value="role_hierarchy" selected={!everyone}>{ "reps see their records and those of roles below them" }</option>
                    </select>
                </label></p>
                <p>{ "Activities written to Salesforce: " }
                    { for ActivityKind::ALL.iter().zip(&kind_refs).map(|(k, r)| html! {
                        <label>
                            <input type="checkbox" ref={r.clone()} data-testid={format!("org-kind-{}", k.as_str())} checked={current.writeback_kinds.contains(k)} />
                            { format!(" {} ", k.label()) }
                        </label>
                    }) }
                </p>
                <p><label>{ "Test mode: write only activities on record " }
                    <input ref={test_record} data-testid="test-record" placeholder="a Lead or Contact id; empty for everyone" value={current.writeback_test_record.clone().unwrap_or_default()} />
                </label></p>
                { stage_choice(current, min_stage) }
                if let Some(limit) = current.seat_limit {
                    <p>{ format!("Seat limit: {limit} (CRMSYNC_SEAT_LIMIT).") }</p>
                }
                <button type="submit" class="slds-button slds-button_brand" data-testid="save-settings">{ "Save settings" }</button>
            </form>
            { super::outcome::outcome(&message, "settings-message") }
        </section>
    }
}

/// The form's inputs, read when it is saved.
#[derive(Clone)]
struct SettingsForm {
    visibility: NodeRef,
    test_record: NodeRef,
    min_stage: NodeRef,
    /// One check box per activity kind, in `ActivityKind::ALL` order.
    kinds: Vec<NodeRef>,
}

impl SettingsForm {
    /// What the admin chose, as the settings API takes it.
    fn change(&self) -> AdminSettingsChange {
        let kinds: Vec<String> = ActivityKind::ALL
            .iter()
            .zip(&self.kinds)
            .filter(|(_, r)| r.cast::<HtmlInputElement>().is_some_and(|i| i.checked()))
            .map(|(k, _)| k.as_str().to_string())
            .collect();
        AdminSettingsChange {
            badge_visibility: self.visibility.cast::<HtmlSelectElement>().map(|s| s.value()),
            writeback_kinds: Some(kinds),
            writeback_test_record: self.test_record.cast::<HtmlInputElement>().map(|i| i.value()),
            seat_role_grants: None,
            autosave_min_stage: self.min_stage.cast::<HtmlSelectElement>().map(|s| s.value()),
            roi_revenue_field: None,
            roi_lookback_days: None,
        }
    }
}

/// Saves the form; the relay's answer (the settings as stored, or why not) is shown.
fn save_settings(
    settings: &UseStateHandle<Load<AdminSettings>>,
    message: &UseStateHandle<Option<Result<String, String>>>,
    form: SettingsForm,
) -> Callback<SubmitEvent> {
    let (settings, message) = (settings.clone(), message.clone());
    Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        let change = form.change();
        let (settings, message) = (settings.clone(), message.clone());
        wasm_bindgen_futures::spawn_local(async move {
            match http::send::<_, AdminSettings>("PUT", "/api/v1/admin/settings", Some(&change)).await {
                Ok(saved) => {
                    settings.set(Load::Loaded(Ok(saved)));
                    message.set(Some(Ok("Settings saved.".into())));
                }
                Err(e) => message.set(Some(Err(e))),
            }
        });
    })
}

/// The auto-save stage threshold, in the org's stage order (known after an import), and
/// what the last import saved.
fn stage_choice(current: &AdminSettings, node: NodeRef) -> Html {
    let chosen = current.autosave_min_stage.clone().unwrap_or_default();
    html! {
        <>
            <p><label>{ "Auto-save the accounts and contacts of open opportunities at or past " }
                <select ref={node} data-testid="autosave-stage" disabled={current.autosave_stages.is_empty()}>
                    <option value="" selected={chosen.is_empty()}>{ "any stage" }</option>
                    { for current.autosave_stages.iter().map(|s| html! {
                        <option value={s.clone()} selected={*s == chosen}>{ s.clone() }</option>
                    }) }
                </select>
            </label></p>
            if let Some(saved) = current.autosave_last_import {
                <p data-testid="autosave-last">{ format!("The last import saved {saved} entries to reps' lists.") }</p>
            }
        </>
    }
}
