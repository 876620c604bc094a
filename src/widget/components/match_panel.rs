//! The record's matched network profile with the explanation, and manual matching:
//! "Not this one", "Unmatch", and a directory search to pick the right profile.

use yew::prelude::*;

use crate::core::api::{DirectoryProfile, RecordMatch};
use crate::core::matching::Method;
use crate::load::Load;

#[derive(Properties, PartialEq)]
pub struct MatchPanelProps {
    pub matching: Option<Load<RecordMatch>>,
    pub search: Option<(String, Load<Vec<DirectoryProfile>>)>,
    /// "Not this one" for the shown profile.
    pub on_reject: Callback<String>,
    pub on_unmatch: Callback<()>,
    pub on_search: Callback<String>,
    /// Match this profile by hand.
    pub on_pick: Callback<String>,
}

fn profile_lines(p: &DirectoryProfile) -> Html {
    html! {
        <>
            if p.url.is_empty() {
                <strong data-testid="profile-name">{ &p.name }</strong>
            } else {
                <a data-testid="profile-name" href={p.url.clone()} target="_blank" rel="noopener">{ &p.name }</a>
            }
            if !p.headline.is_empty() { <div class="crmsync-note">{ &p.headline }</div> }
            if !p.company.is_empty() { <div class="crmsync-note">{ &p.company }</div> }
            if !p.location.is_empty() { <div class="crmsync-note">{ &p.location }</div> }
        </>
    }
}

/// The match section of the widget.
#[function_component(MatchPanel)]
pub fn match_panel(props: &MatchPanelProps) -> Html {
    let text = use_state(String::new);
    let Some(matching) = &props.matching else { return html! {} };
    let matched = matched_profile(props, matching);
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            text.set(input.value());
        })
    };
    let onsubmit = {
        let text = text.clone();
        let on_search = props.on_search.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_search.emit((*text).clone());
        })
    };
    let results = search_results(props);
    html! {
        <section class="crmsync-matching">
            <h3>{ "Network profile" }</h3>
            { matched }
            <form data-testid="directory-search" onsubmit={onsubmit}>
                <input type="search" class="slds-input" placeholder="Search the directory by name" value={(*text).clone()} {oninput} />
                <button type="submit" class="slds-button slds-button_neutral">{ "Search" }</button>
            </form>
            { results }
        </section>
    }
}

/// The record's matched profile, how it was matched, and the buttons to undo it.
fn matched_profile(props: &MatchPanelProps, matching: &Load<RecordMatch>) -> Html {
    match matching {
        Load::Loading => html! { <p class="crmsync-note">{ "Looking for the network profile…" }</p> },
        Load::Loaded(Err(message)) => html! { <p class="crmsync-error" role="alert">{ message }</p> },
        Load::Loaded(Ok(record)) => match &record.matched {
            None => {
                html! { <p data-testid="no-match">{ "No network profile is matched yet. Search the directory below." }</p> }
            }
            Some(m) => {
                let how = match m.method {
                    Method::Manual => "Matched by hand".to_string(),
                    Method::Auto => format!("Matched automatically ({:.0} %)", m.probability * 100.0),
                };
                let reject = {
                    let on_reject = props.on_reject.clone();
                    let id = m.profile.network_id.clone();
                    Callback::from(move |_| on_reject.emit(id.clone()))
                };
                let unmatch = props.on_unmatch.reform(|_| ());
                html! {
                    <div class="crmsync-match" data-method={format!("{:?}", m.method).to_lowercase()}>
                        { profile_lines(&m.profile) }
                        <div class="crmsync-note" data-testid="match-how" title={m.explanation.clone()}>{ how }</div>
                        <button type="button" class="slds-button slds-button_neutral" data-testid="not-this-one" onclick={reject}>{ "Not this one" }</button>
                        if m.method == Method::Manual {
                            <button type="button" class="slds-button slds-button_neutral" data-testid="unmatch" onclick={unmatch}>{ "Unmatch" }</button>
                        }
                    </div>
                }
            }
        },
    }
}

/// What a directory search found, each with the button that matches it.
fn search_results(props: &MatchPanelProps) -> Html {
    match &props.search {
        None => html! {},
        Some((_, Load::Loading)) => html! { <p class="crmsync-note">{ "Searching…" }</p> },
        Some((_, Load::Loaded(Err(message)))) => html! { <p class="crmsync-error" role="alert">{ message }</p> },
        Some((q, Load::Loaded(Ok(found)))) if found.is_empty() => {
            html! { <p class="crmsync-note">{ format!("Nobody named \"{q}\" in the directory yet.") }</p> }
        }
        Some((_, Load::Loaded(Ok(found)))) => html! {
            <ul class="crmsync-results">
                { for found.iter().map(|p| {
                    let pick = { let on_pick = props.on_pick.clone(); let id = p.network_id.clone(); Callback::from(move |_| on_pick.emit(id.clone())) };
                    html! {
                        <li data-network-id={p.network_id.clone()}>
                            { profile_lines(p) }
                            <button type="button" class="slds-button slds-button_brand" data-testid="pick" onclick={pick}>{ "This is the one" }</button>
                        </li>
                    }
                }) }
            </ul>
        },
    }
}
