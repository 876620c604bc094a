//! The core's page reading (`crmsync::core::pages::reading`) on pages: the project's own fixtures (always) and the real saved
//! pages of `../shared/realpages/` (when that folder is there; `CRMSYNC_REALPAGES` names
//! another copy).

mod collect;

use std::path::PathBuf;

use serde_json::Value;

use crmsync::core::badge::Observed;
use crmsync::core::pages::reading::{read_page, read_result, PageMaterial, TextPiece};
use crmsync::core::pages::{NetworkPage, PageUrl};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(html: &str, url: &str) -> Option<Observed> {
    let page = NetworkPage::from_url(&PageUrl::parse(url).expect("a url")).expect("a network page");
    read_page(&page, url, &collect::page_material(html, url))
}

fn facts(o: &Observed) -> [&str; 4] {
    [o.name.as_str(), o.headline.as_str(), o.company.as_str(), o.location.as_str()]
}

/// What every Mira fixture shows: her own facts, not the viewer's or the headline's company.
const MIRA: [&str; 4] =
    ["Mira Okafor", "Board member of Headline Holdings & Co", "Orbit Analytics Inc.", "Lagos, Lagos State, Nigeria"];

#[test]
fn profiles_logged_in_public_and_sales_navigator_read_the_subject() {
    for (file, url) in [
        // The viewer's name in the navigation; the "Current company" button, not the headline.
        ("profile-loggedin.html", "https://www.linkedin.com/in/mira-okafor/"),
        // JSON-LD arrays and nested objects; a sign-in dialog inside the top card.
        ("profile-public.html", "https://ng.linkedin.com/in/mira-okafor"),
        // data-anonymize fields, and the viewer's name field outside the card.
        ("sales-lead.html", "https://www.linkedin.com/sales/lead/ACwAAA111,NAME_SEARCH,abc"),
    ] {
        let o = read(&fixture(file), url).unwrap();
        assert_eq!(facts(&o), MIRA, "{file}");
    }
}

#[test]
fn json_ld_about_someone_else_is_ignored() {
    let html = fixture("profile-public.html")
        .replace("https://ng.linkedin.com/in/mira-okafor", "https://ng.linkedin.com/in/other");
    // The card still names Mira; the other person's employer and address are not taken.
    let o = read(&html, "https://ng.linkedin.com/in/mira-okafor").unwrap();
    assert_eq!(o.name, "Mira Okafor");
    assert_eq!(o.company, "Orbit Analytics Inc.", "from the card's company link, not the JSON-LD");
}

#[test]
fn not_found_pages_have_no_subject() {
    assert_eq!(read(&fixture("profile-not-found.html"), "https://www.linkedin.com/in/nobody-here/"), None);
}

#[test]
fn company_pages_give_name_place_and_website() {
    for (file, url) in [
        ("company-loggedin.html", "https://www.linkedin.com/company/orbit-analytics/"),
        ("company-public.html", "https://ng.linkedin.com/company/orbit-analytics"),
    ] {
        let o = read(&fixture(file), url).unwrap();
        assert_eq!(o.name, "Orbit Analytics", "{file}");
        assert!(o.location.starts_with("Lagos"), "{file}: {o:?}");
        assert!(o.website.starts_with("https://orbit-analytics.example"), "{file}: {o:?}");
    }
}

#[test]
fn sales_navigator_results_read_their_fields() {
    let url = "https://www.linkedin.com/sales/search/people?query=x";
    let results: Vec<Observed> =
        collect::result_materials(&fixture("sales-search.html"), url).iter().filter_map(read_result).collect();
    let read: Vec<[&str; 4]> = results.iter().map(facts).collect();
    assert_eq!(
        read,
        [
            ["Mira Okafor", "Head of Sales", "Orbit Analytics Inc.", "Lagos, Lagos State, Nigeria"],
            ["Tunde Bello", "CFO", "Bello Foods", "Abuja, Nigeria"]
        ]
    );
    assert!(results[0].url.contains("/sales/lead/ACwAAA111"));
}

#[test]
fn search_results_skip_degrees_and_screen_reader_copies() {
    let url = "https://www.linkedin.com/search/results/people/?keywords=mira";
    let results: Vec<Observed> =
        collect::result_materials(&fixture("search-people.html"), url).iter().filter_map(read_result).collect();
    assert_eq!(results.len(), 1);
    assert_eq!(facts(&results[0])[..2], ["Mira Okafor", "Board member of Headline Holdings & Co"]);
    assert_eq!(results[0].location, "Lagos, Lagos State, Nigeria");
}

#[test]
fn material_that_is_nonsense_reads_as_nothing_or_the_title() {
    let page = NetworkPage::from_url(&PageUrl::parse("https://www.linkedin.com/in/x/").unwrap()).unwrap();
    let empty = PageMaterial::default();
    let nothing = read_page(&page, "https://www.linkedin.com/in/x/", &empty).unwrap();
    assert_eq!(facts(&nothing), ["", "", "", ""]);
    let junk = PageMaterial {
        title: "X Person | LinkedIn".into(),
        json_ld: vec!["[".into(), "{\"@type\":7}".into(), "\"text\"".into()],
        top_card: vec![TextPiece { text: "   ".into(), heading: "h1".into(), ..TextPiece::default() }],
        experience: vec![vec![], vec![TextPiece::default()]],
    };
    assert_eq!(read_page(&page, "https://www.linkedin.com/in/x/", &junk).map(|o| o.name), Some("X Person".into()));
}

/// Where the shared real pages are, if present.
fn realpages() -> Option<PathBuf> {
    let dir = std::env::var_os("CRMSYNC_REALPAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realpages"));
    dir.is_dir().then_some(dir)
}

fn truth(v: &Value, key: &str) -> String {
    v["ground_truth"][key].as_str().unwrap_or_default().to_string()
}

#[test]
fn real_saved_pages_read_as_their_ground_truth() {
    let Some(dir) = realpages() else {
        eprintln!("../shared/realpages is not here: only the project's own fixtures were read");
        return;
    };
    let mut checked = 0;
    let mut wrong = Vec::new();
    for kind in ["linkedin-profile", "linkedin-company"] {
        let Ok(entries) = std::fs::read_dir(dir.join(kind)) else { continue };
        let mut files: Vec<PathBuf> =
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
        files.sort();
        for meta_path in files {
            let meta: Value = serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
            let html = std::fs::read_to_string(meta_path.with_extension("html")).unwrap();
            let name = meta_path.file_stem().unwrap().to_string_lossy().to_string();
            let url =
                [truth(&meta, "profile_url"), truth(&meta, "company_url")].into_iter().find(|u| !u.is_empty()).unwrap();
            let got = read(&html, &url);
            let expected: Vec<(&str, String)> = if kind == "linkedin-company" {
                vec![("name", truth(&meta, "company_name"))]
            } else {
                vec![
                    ("name", truth(&meta, "full_name")),
                    ("headline", truth(&meta, "headline")),
                    ("company", truth(&meta, "current_company")),
                    ("location", truth(&meta, "location")),
                ]
            };
            checked += 1;
            let Some(o) = got.filter(|o| !o.name.is_empty()) else {
                if !expected[0].1.is_empty() {
                    wrong.push(format!("{name}: nothing read"));
                }
                continue;
            };
            if expected[0].1.is_empty() {
                wrong.push(format!("{name}: read {o:?} on a page without a subject"));
                continue;
            }
            for (field, want) in expected {
                let have = match field {
                    "name" => &o.name,
                    "headline" => &o.headline,
                    "company" => &o.company,
                    _ => &o.location,
                };
                if *have != want {
                    wrong.push(format!("{name}: {field} {have:?}, truth {want:?}"));
                }
            }
        }
    }
    eprintln!("{checked} real pages read");
    assert!(checked >= 1, "no real page found in {}", dir.display());
    assert!(wrong.is_empty(), "{} wrong:\n{}", wrong.len(), wrong.join("\n"));
}
