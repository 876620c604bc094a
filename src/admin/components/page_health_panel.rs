//! What reps' browsers could not find on network pages in the last week: a sign that the
//! network changed its pages and the extension needs an update. Hidden when all is well.

use yew::prelude::*;

use crate::core::api::{PageProblemCount, RelayStatus};
use crate::load::Load;

#[derive(Properties, PartialEq)]
pub struct PageHealthPanelProps {
    pub status: Load<RelayStatus>,
}

fn line(p: &PageProblemCount) -> String {
    format!("{}: {:?} pages without their {:?} ({} reports)", p.day, p.page, p.missing, p.count).to_lowercase()
}

/// The last week's page problems, if any.
#[function_component(PageHealthPanel)]
pub fn page_health_panel(props: &PageHealthPanelProps) -> Html {
    let problems = props.status.ready().map(|s| s.page_problems.as_slice()).unwrap_or_default();
    if problems.is_empty() {
        return html! {};
    }
    html! {
        <section class="panel" data-testid="page-health">
            <h2>{ "Network pages" }</h2>
            <p class="crmsync-note">
                { "Reps' browsers could not find what the extension reads on these pages; badges fall back, but an extension update may be due." }
            </p>
            <ul>{ for problems.iter().map(|p| html! { <li>{ line(p) }</li> }) }</ul>
        </section>
    }
}
