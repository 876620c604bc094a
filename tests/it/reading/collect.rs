//! What `extension/content/read-page.js` collects, computed from saved HTML so the
//! reading rules can be tested natively. The rules mirror that file one for one: which
//! heading, which card, which subtrees are skipped, what each text run carries.

use std::collections::HashMap;

use crmsync::core::pages::reading::{PageMaterial, ResultMaterial, TextPiece};

/// Subtrees a browser does not show as part of the card (and the content script skips).
const SKIPPED_TAGS: [&str; 9] = ["script", "style", "svg", "template", "form", "dialog", "noscript", "head", "code"];
const MAX_PIECES: usize = 300;
const MAX_TEXT: usize = 300;

#[derive(Debug, Default)]
struct El {
    tag: String,
    attrs: HashMap<String, String>,
    children: Vec<Child>,
}

#[derive(Debug)]
enum Child {
    El(El),
    Text(String),
}

impl El {
    fn attr(&self, name: &str) -> &str {
        self.attrs.get(name).map(String::as_str).unwrap_or_default()
    }

    fn skipped(&self) -> bool {
        SKIPPED_TAGS.contains(&self.tag.as_str())
            || self.attr("role") == "dialog"
            || self.attr("aria-modal") == "true"
            || self.attrs.contains_key("hidden")
            || self.attrs.contains_key("data-crmsync")
    }

    fn elements(&self) -> impl Iterator<Item = &El> {
        self.children.iter().filter_map(|c| match c {
            Child::El(e) => Some(e),
            Child::Text(_) => None,
        })
    }
}

/// Decodes the character references text and attributes use.
fn decode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|e| *e <= 10);
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                u32::from_str_radix(&entity[2..], 16).ok().and_then(char::from_u32)
            }
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn convert(handle: &tl::NodeHandle, parser: &tl::Parser) -> Option<Child> {
    match handle.get(parser)? {
        tl::Node::Tag(tag) => {
            let attrs = tag
                .attributes()
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), decode(&v.unwrap_or_default())))
                .collect();
            let name = tag.name().as_utf8_str().to_ascii_lowercase();
            let children = tag.children().top().iter().filter_map(|h| convert(h, parser)).collect();
            Some(Child::El(El { tag: name, attrs, children }))
        }
        tl::Node::Raw(bytes) => Some(Child::Text(decode(&bytes.as_utf8_str()))),
        tl::Node::Comment(_) => None,
    }
}

/// Takes the text out of `<script>`, `<style>` and `<code>` first (tl would read a
/// `<` inside a script or a data blob as a tag); each element keeps an index into the texts.
fn lift_raw_text(html: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(html.len());
    let mut texts = Vec::new();
    let mut rest = html;
    loop {
        let lower = rest.to_ascii_lowercase();
        let next = ["<script", "<style", "<code"].iter().filter_map(|t| lower.find(t).map(|i| (i, *t))).min();
        let Some((start, tag)) = next else { break };
        let Some(open_end) = lower[start..].find('>').map(|e| start + e + 1) else { break };
        let close = format!("</{}", &tag[1..]);
        let Some(content_end) = lower[open_end..].find(&close).map(|e| open_end + e) else { break };
        out.push_str(&rest[..open_end - 1]);
        out.push_str(&format!(" data-raw-text=\"{}\">", texts.len()));
        texts.push(rest[open_end..content_end].to_string());
        rest = &rest[content_end..];
    }
    out.push_str(rest);
    (out, texts)
}

/// Drops comments (tl stops at an empty `<!---->`, which the site's pages are full of).
fn drop_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start + 4..].find("-->") {
            Some(end) => rest = &rest[start + 4 + end + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn parse(html: &str) -> El {
    let (lifted, texts) = lift_raw_text(html);
    let lifted = drop_comments(&lifted);
    let dom = tl::parse(&lifted, tl::ParserOptions::default()).expect("tl parses any text");
    let parser = dom.parser();
    let mut doc = El {
        tag: "#document".into(),
        children: dom.children().iter().filter_map(|h| convert(h, parser)).collect(),
        ..El::default()
    };
    restore_raw_text(&mut doc, &texts);
    doc
}

fn restore_raw_text(el: &mut El, texts: &[String]) {
    if let Some(text) = el.attrs.get("data-raw-text").and_then(|i| i.parse::<usize>().ok()).and_then(|i| texts.get(i)) {
        el.children = vec![Child::Text(text.clone())];
    }
    for child in &mut el.children {
        if let Child::El(e) = child {
            restore_raw_text(e, texts);
        }
    }
}

/// Every element with its ancestors (outermost first), in document order; skipped
/// subtrees are left out.
fn walk<'a>(el: &'a El, path: &mut Vec<&'a El>, out: &mut Vec<(Vec<&'a El>, &'a El)>) {
    for child in el.elements() {
        if child.skipped() {
            continue;
        }
        out.push((path.clone(), child));
        path.push(child);
        walk(child, path, out);
        path.pop();
    }
}

fn absolute(href: &str, origin: &str) -> String {
    if href.starts_with("https://") || href.starts_with("http://") {
        href.to_string()
    } else if let Some(rest) = href.strip_prefix("//") {
        format!("https://{rest}")
    } else if href.starts_with('/') {
        format!("{origin}{href}")
    } else {
        String::new()
    }
}

#[derive(Clone, Default)]
struct Context {
    heading: String,
    interactive: bool,
    label: String,
    href: String,
    field: String,
}

fn pieces_of(el: &El, context: &Context, origin: &str, out: &mut Vec<TextPiece>) {
    for child in &el.children {
        if out.len() >= MAX_PIECES {
            return;
        }
        match child {
            Child::Text(text) => {
                let text: String =
                    text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(MAX_TEXT).collect();
                if !text.is_empty() {
                    out.push(TextPiece {
                        text,
                        heading: context.heading.clone(),
                        interactive: context.interactive,
                        label: context.label.clone(),
                        href: context.href.clone(),
                        field: context.field.clone(),
                    });
                }
            }
            Child::El(e) if e.skipped() => {}
            Child::El(e) => {
                let mut inner = context.clone();
                if matches!(e.tag.as_str(), "h1" | "h2" | "h3") && inner.heading.is_empty() {
                    inner.heading = e.tag.clone();
                }
                if matches!(e.tag.as_str(), "a" | "button") && !inner.interactive {
                    inner.interactive = true;
                    inner.label = e.attr("aria-label").to_string();
                    inner.href = absolute(e.attr("href"), origin);
                }
                if inner.field.is_empty() {
                    inner.field = e.attr("data-anonymize").to_string();
                }
                pieces_of(e, &inner, origin, out);
            }
        }
    }
}

fn pieces(el: &El, origin: &str) -> Vec<TextPiece> {
    let mut out = Vec::new();
    pieces_of(el, &Context::default(), origin, &mut out);
    out
}

fn origin_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    format!("https://{}", rest.split('/').next().unwrap_or_default())
}

/// The material the content script would send from `html` shown at `url`.
pub fn page_material(html: &str, url: &str) -> PageMaterial {
    let origin = origin_of(url);
    let doc = parse(html);
    let mut all = Vec::new();
    // The head is skipped for text, but its title and JSON-LD still count.
    let mut everything = Vec::new();
    walk_all(&doc, &mut everything);
    walk(&doc, &mut Vec::new(), &mut all);
    let title = everything
        .iter()
        .find(|e| e.tag == "title")
        .map(|e| text_of(e).split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let json_ld = everything
        .iter()
        .filter(|e| e.tag == "script" && e.attr("type") == "application/ld+json")
        .map(|e| text_of(e))
        .collect();
    let in_main = |path: &Vec<&El>| path.iter().any(|a| a.tag == "main" || a.attr("role") == "main");
    let headings: Vec<&(Vec<&El>, &El)> = all.iter().filter(|(_, e)| e.tag == "h1").collect();
    let heading = headings
        .iter()
        .find(|(path, _)| in_main(path))
        .or_else(|| headings.first())
        .copied()
        .or_else(|| all.iter().find(|(_, e)| matches!(e.attr("data-anonymize"), "person-name" | "company-name")));
    let top_card = heading
        .map(|(path, el)| {
            let section = std::iter::once(*el).chain(path.iter().rev().copied()).find(|a| a.tag == "section");
            let root = section.unwrap_or_else(|| path.iter().rev().nth(2).copied().unwrap_or(el));
            pieces(root, &origin)
        })
        .unwrap_or_default();
    let experience = all
        .iter()
        .find(|(_, e)| e.attr("id") == "experience" || e.attr("data-section") == "experience")
        .map(|(path, el)| {
            let section =
                std::iter::once(*el).chain(path.iter().rev().copied()).find(|a| a.tag == "section").unwrap_or(el);
            let mut entries = Vec::new();
            top_level_items(section, &mut entries);
            entries.into_iter().take(3).map(|li| pieces(li, &origin)).collect()
        })
        .unwrap_or_default();
    PageMaterial { title, json_ld, top_card, experience }
}

/// The material of each result row on a search or list page: list items of the main
/// column that link to a person or company and hold no list themselves.
pub fn result_materials(html: &str, url: &str) -> Vec<ResultMaterial> {
    let origin = origin_of(url);
    let doc = parse(html);
    let mut all = Vec::new();
    walk(&doc, &mut Vec::new(), &mut all);
    let is_link = |e: &El| {
        let href = e.attr("href");
        e.tag == "a" && ["/in/", "/sales/lead/", "/company/", "/sales/company/"].iter().any(|p| href.contains(p))
    };
    all.iter()
        .filter(|(_, e)| e.tag == "li" && !contains(e, &|x| x.tag == "li"))
        .filter_map(|(_, li)| {
            let link = find(li, &is_link)?;
            Some(ResultMaterial { url: absolute(link.attr("href"), &origin), pieces: pieces(li, &origin) })
        })
        .collect()
}

fn walk_all<'a>(el: &'a El, out: &mut Vec<&'a El>) {
    for child in el.elements() {
        out.push(child);
        walk_all(child, out);
    }
}

fn text_of(el: &El) -> String {
    el.children
        .iter()
        .map(|c| match c {
            Child::Text(t) => t.clone(),
            Child::El(e) => text_of(e),
        })
        .collect()
}

fn top_level_items<'a>(el: &'a El, out: &mut Vec<&'a El>) {
    for child in el.elements() {
        if child.skipped() {
            continue;
        }
        if child.tag == "li" {
            out.push(child);
        } else {
            top_level_items(child, out);
        }
    }
}

fn find<'a>(el: &'a El, test: &dyn Fn(&El) -> bool) -> Option<&'a El> {
    el.elements().filter(|c| !c.skipped()).find_map(|c| if test(c) { Some(c) } else { find(c, test) })
}

fn contains(el: &El, test: &dyn Fn(&El) -> bool) -> bool {
    find(el, test).is_some()
}
