//! Seats, write-back and auto-save per user: the imported users with e-mail, title, role,
//! seat, write-back, auto-save and last sign-in; filtered to a role (or a role and
//! everything below it) and by a search; select many and give or take seats or switch
//! write-back or auto-save in one step;
//! or set a role to give seats at each import. Refusals (the seat limit) are shown as the
//! relay words them.

use std::collections::HashSet;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::admin::http;
use crate::admin::state::Load;
use crate::admin::users_view::{filtered, flatten, UserFilter};
use crate::core::api::admin::{ChangeReport, SeatUser, UserSelection};
use crate::core::rules::roles::RoleNode;

async fn load() -> Result<(Vec<SeatUser>, Vec<RoleNode>), String> {
    Ok((http::get("/api/v1/admin/users").await?, http::get("/api/v1/admin/roles").await?))
}

fn summary(verb: &str, report: &ChangeReport) -> String {
    let mut text = format!("{verb}: {} changed, {} already so", report.changed.len(), report.unchanged.len());
    for s in &report.skipped {
        text.push_str(&format!("; skipped {}", s.reason));
    }
    text
}

/// The seat table with its filter and actions.
#[function_component(SeatsPanel)]
pub fn seats_panel() -> Html {
    let data = use_state(|| Load::<(Vec<SeatUser>, Vec<RoleNode>)>::Loading);
    let filter = use_state(UserFilter::default);
    let selected = use_state(HashSet::<String>::new);
    let message = use_state(|| None::<Result<String, String>>);
    let generation = use_state(|| 0u32);
    {
        let data = data.clone();
        use_effect_with(*generation, move |_| {
            wasm_bindgen_futures::spawn_local(async move { data.set(Load::Loaded(load().await)) });
        });
    }
    let Load::Loaded(loaded) = &*data else {
        return html! { <section class="panel"><h2>{ "Seats" }</h2><p>{ "Loading…" }</p></section> };
    };
    let (users, roles) = match loaded {
        Ok(pair) => pair,
        Err(e) => {
            return html! { <section class="panel"><h2>{ "Seats" }</h2><p class="error">{ e.clone() }</p></section> }
        }
    };
    let shown = filtered(users, roles, &filter);
    let act =
        |kind: &'static str, payload: serde_json::Value| seat_action(kind, payload, &message, &generation, &selected);
    let picked: Vec<String> = selected.iter().cloned().collect();
    let who = UserSelection { user_ids: picked.clone(), role: None, subtree: false };
    let with = |mut v: serde_json::Value, key: &str, value: serde_json::Value| {
        v[key] = value;
        v
    };
    let who_json = serde_json::to_value(&who).unwrap_or_default();
    let give = act("seats given", with(who_json.clone(), "action", "add".into()));
    let take = act("seats taken", with(who_json.clone(), "action", "remove".into()));
    let wb_on = act("writeback", with(who_json.clone(), "enabled", true.into()));
    let wb_off = act("writeback", with(who_json.clone(), "enabled", false.into()));
    let autosave_on = act("auto-save", with(who_json.clone(), "enabled", true.into()));
    let autosave_off = act("auto-save", with(who_json, "enabled", false.into()));
    let role_grant = (!filter.role.is_empty()).then(|| {
        let body = serde_json::json!({"action": "add", "role": filter.role, "subtree": filter.with_subtree, "keep_granting": true});
        act("role seats given", body)
    });
    let all_ids: Vec<String> = shown.iter().map(|u| u.user_id.clone()).collect();
    let all_selected = !all_ids.is_empty() && all_ids.iter().all(|id| selected.contains(id));
    let on_all = select_all(&selected, all_ids);
    let seated = users.iter().filter(|u| u.seat).count();
    let none = picked.is_empty();
    html! {
        <section class="panel" data-testid="seats">
            <h2>{ "Seats and write-back" }</h2>
            <p>{ format!("{seated} of {} users have a seat.", users.len()) }</p>
            { filters(roles, &filter) }
            <p>
                <button class="slds-button slds-button_brand" data-testid="give-seats" disabled={none} onclick={give}>{ format!("Give seats ({})", picked.len()) }</button>{ " " }
                <button class="slds-button slds-button_neutral" data-testid="take-seats" disabled={none} onclick={take}>{ "Take seats" }</button>{ " " }
                <button class="slds-button slds-button_neutral" data-testid="writeback-on" disabled={none} onclick={wb_on}>{ "Write-back on" }</button>{ " " }
                <button class="slds-button slds-button_neutral" data-testid="writeback-off" disabled={none} onclick={wb_off}>{ "Write-back off" }</button>{ " " }
                <button class="slds-button slds-button_neutral" data-testid="autosave-on" disabled={none} onclick={autosave_on}>{ "Auto-save on" }</button>{ " " }
                <button class="slds-button slds-button_neutral" data-testid="autosave-off" disabled={none} onclick={autosave_off}>{ "Auto-save off" }</button>
                if let Some(onclick) = role_grant {
                    { " " }<button class="slds-button slds-button_neutral" data-testid="grant-role" {onclick}>{ "Give this role seats, now and at each import" }</button>
                }
            </p>
            { super::outcome::outcome(&message, "seats-message") }
            <table class="slds-table" data-testid="users">
                <tr>
                    <th><input type="checkbox" data-testid="select-all" checked={all_selected} onchange={on_all} /></th>
                    <th>{ "Name" }</th><th>{ "E-mail" }</th><th>{ "Title" }</th><th>{ "Role" }</th>
                    <th>{ "Seat" }</th><th>{ "Write-back" }</th><th>{ "Auto-save" }</th><th>{ "Last sign-in" }</th>
                </tr>
                { for shown.iter().map(|u| user_row(u, &selected)) }
            </table>
        </section>
    }
}

/// Posts `payload` to the API of `kind` (seats, write-back, auto-save); the answer is
/// shown, the selection cleared and the users read again.
fn seat_action(
    kind: &'static str,
    payload: serde_json::Value,
    message: &UseStateHandle<Option<Result<String, String>>>,
    generation: &UseStateHandle<u32>,
    selected: &UseStateHandle<HashSet<String>>,
) -> Callback<MouseEvent> {
    let (message, generation, selected) = (message.clone(), generation.clone(), selected.clone());
    Callback::from(move |_: MouseEvent| {
        let (message, generation, selected, payload) =
            (message.clone(), generation.clone(), selected.clone(), payload.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let path = match kind {
                "writeback" => "/api/v1/admin/writeback/users",
                "auto-save" => "/api/v1/admin/autosave/users",
                _ => "/api/v1/admin/seats",
            };
            let answer = http::send::<_, ChangeReport>("POST", path, Some(&payload)).await;
            message.set(Some(answer.map(|r| summary(kind, &r))));
            selected.set(HashSet::new());
            generation.set(*generation + 1);
        });
    })
}

/// The header's box: selects every user shown, or none.
fn select_all(selected: &UseStateHandle<HashSet<String>>, shown: Vec<String>) -> Callback<Event> {
    let selected = selected.clone();
    Callback::from(move |e: Event| {
        let checked = e.target_unchecked_into::<HtmlInputElement>().checked();
        selected.set(if checked { shown.iter().cloned().collect() } else { HashSet::new() });
    })
}

/// The role filter (alone or with the roles below) and the search box.
fn filters(roles: &[RoleNode], filter: &UseStateHandle<UserFilter>) -> Html {
    let on_role = {
        let filter = filter.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            filter.set(UserFilter { role: value, ..(*filter).clone() });
        })
    };
    let on_subtree = {
        let filter = filter.clone();
        Callback::from(move |e: Event| {
            let checked = e.target_unchecked_into::<HtmlInputElement>().checked();
            filter.set(UserFilter { with_subtree: checked, ..(*filter).clone() });
        })
    };
    let on_search = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            filter.set(UserFilter { search: value, ..(*filter).clone() });
        })
    };
    html! {
            <p>
                <label>{ "Role " }
                    <select data-testid="role-filter" onchange={on_role}>
                        <option value="" selected={filter.role.is_empty()}>{ "every role" }</option>
                        { for flatten(roles).into_iter().map(|(id, name, depth)| html! {
                            <option value={id.clone()} selected={filter.role == id}>{ format!("{}{name}", "\u{a0}\u{a0}".repeat(depth)) }</option>
                        }) }
                    </select>
                </label>
                { " " }
                <label><input type="checkbox" data-testid="role-subtree" checked={filter.with_subtree} onchange={on_subtree} />{ " and every role below" }</label>
                { " " }
                <input type="search" placeholder="Search name, e-mail, title" data-testid="user-search" value={filter.search.clone()} oninput={on_search} />
            </p>
    }
}

/// One user's row: a box to select them, then who they are, their role, seat and write-back.
fn user_row(u: &SeatUser, selected: &UseStateHandle<HashSet<String>>) -> Html {
    let id = u.user_id.clone();
    let on_pick = super::outcome::toggle(selected, &id);
    let seat = match (u.seat, u.seat_source.as_deref(), u.outside_grant) {
        (false, _, _) => "—".to_string(),
        (true, _, true) => "yes (outside its role grant: remove it?)".to_string(),
        (true, Some("role"), _) => "yes, by role".to_string(),
        (true, _, _) => "yes".to_string(),
    };
    let kinds = u.writeback.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ");
    let writeback = match (u.writeback.enabled, kinds.is_empty()) {
        (false, _) => "off".to_string(),
        (true, true) => "on".to_string(),
        (true, false) => format!("on ({kinds})"),
    };
    html! {
        <tr data-testid="user-row" data-user={id.clone()} data-seat={u.seat.to_string()} data-writeback={u.writeback.enabled.to_string()} data-autosave={u.autosave.to_string()}>
            <td><input type="checkbox" data-testid="select-user" checked={selected.contains(&id)} onchange={on_pick} /></td>
            <td>{ &u.name }{ if u.admin { " (admin)" } else { "" } }</td>
            <td>{ &u.email }</td>
            <td>{ &u.title }</td>
            <td>{ u.role.clone().unwrap_or_else(|| "(no role)".into()) }</td>
            <td>{ seat }</td>
            <td>{ writeback }</td>
            <td>{ if u.autosave { "on" } else { "off" } }</td>
            <td>{ match &u.last_sign_in { Some(t) => crate::local_time::time(t), None => html! { "never" } } }</td>
        </tr>
    }
}
