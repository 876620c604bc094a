//! Locations to city / region / country, from structured address fields (Salesforce) or
//! free text (network profiles: "Greater Boston Area", "Sydney, New South Wales,
//! Australia"). Regions are codes where one exists (US states, Canadian provinces,
//! Australian states); countries are ISO 3166 alpha-2 codes.

use super::text::fold;

/// A place, each part folded; empty when unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub city: super::Text,
    pub region: super::Text,
    pub country: super::Text,
}

const US_STATES: &[(&str, &str)] = &[
    ("al", "alabama"),
    ("ak", "alaska"),
    ("az", "arizona"),
    ("ar", "arkansas"),
    ("ca", "california"),
    ("co", "colorado"),
    ("ct", "connecticut"),
    ("de", "delaware"),
    ("dc", "district of columbia"),
    ("fl", "florida"),
    ("ga", "georgia"),
    ("hi", "hawaii"),
    ("id", "idaho"),
    ("il", "illinois"),
    ("in", "indiana"),
    ("ia", "iowa"),
    ("ks", "kansas"),
    ("ky", "kentucky"),
    ("la", "louisiana"),
    ("me", "maine"),
    ("md", "maryland"),
    ("ma", "massachusetts"),
    ("mi", "michigan"),
    ("mn", "minnesota"),
    ("ms", "mississippi"),
    ("mo", "missouri"),
    ("mt", "montana"),
    ("ne", "nebraska"),
    ("nv", "nevada"),
    ("nh", "new hampshire"),
    ("nj", "new jersey"),
    ("nm", "new mexico"),
    ("ny", "new york"),
    ("nc", "north carolina"),
    ("nd", "north dakota"),
    ("oh", "ohio"),
    ("ok", "oklahoma"),
    ("or", "oregon"),
    ("pa", "pennsylvania"),
    ("ri", "rhode island"),
    ("sc", "south carolina"),
    ("sd", "south dakota"),
    ("tn", "tennessee"),
    ("tx", "texas"),
    ("ut", "utah"),
    ("vt", "vermont"),
    ("va", "virginia"),
    ("wa", "washington"),
    ("wv", "west virginia"),
    ("wi", "wisconsin"),
    ("wy", "wyoming"),
    ("pr", "puerto rico"),
];
const CA_PROVINCES: &[(&str, &str)] = &[
    ("ab", "alberta"),
    ("bc", "british columbia"),
    ("mb", "manitoba"),
    ("nb", "new brunswick"),
    ("nl", "newfoundland and labrador"),
    ("ns", "nova scotia"),
    ("on", "ontario"),
    ("pe", "prince edward island"),
    ("qc", "quebec"),
    ("sk", "saskatchewan"),
    ("nt", "northwest territories"),
    ("nu", "nunavut"),
    ("yt", "yukon"),
];
const AU_STATES: &[(&str, &str)] = &[
    ("nsw", "new south wales"),
    ("vic", "victoria"),
    ("qld", "queensland"),
    ("wa", "western australia"),
    ("sa", "south australia"),
    ("tas", "tasmania"),
    ("act", "australian capital territory"),
    ("nt", "northern territory"),
];
/// ISO code, then names and aliases (folded).
const COUNTRIES: &[(&str, &[&str])] = &[
    ("us", &["united states", "united states of america", "usa", "us", "u s a", "america"]),
    (
        "gb",
        &["united kingdom", "uk", "great britain", "britain", "england", "scotland", "wales", "northern ireland", "gb"],
    ),
    ("ca", &["canada"]),
    ("au", &["australia"]),
    ("nz", &["new zealand"]),
    ("ie", &["ireland"]),
    ("de", &["germany", "deutschland"]),
    ("at", &["austria", "osterreich"]),
    ("ch", &["switzerland", "schweiz", "suisse"]),
    ("fr", &["france"]),
    ("be", &["belgium", "belgique", "belgie"]),
    ("nl", &["netherlands", "the netherlands", "holland", "nederland"]),
    ("lu", &["luxembourg"]),
    ("es", &["spain", "espana"]),
    ("pt", &["portugal"]),
    ("it", &["italy", "italia"]),
    ("dk", &["denmark", "danmark"]),
    ("no", &["norway", "norge"]),
    ("se", &["sweden", "sverige"]),
    ("fi", &["finland", "suomi"]),
    ("is", &["iceland"]),
    ("pl", &["poland", "polska"]),
    ("cz", &["czech republic", "czechia"]),
    ("sk", &["slovakia"]),
    ("hu", &["hungary"]),
    ("ro", &["romania"]),
    ("bg", &["bulgaria"]),
    ("gr", &["greece"]),
    ("tr", &["turkey", "turkiye"]),
    ("ua", &["ukraine"]),
    ("ru", &["russia", "russian federation"]),
    ("ee", &["estonia"]),
    ("lv", &["latvia"]),
    ("lt", &["lithuania"]),
    ("hr", &["croatia"]),
    ("si", &["slovenia"]),
    ("rs", &["serbia"]),
    ("il", &["israel"]),
    ("ae", &["united arab emirates", "uae"]),
    ("sa", &["saudi arabia"]),
    ("qa", &["qatar"]),
    ("eg", &["egypt"]),
    ("za", &["south africa"]),
    ("ng", &["nigeria"]),
    ("ke", &["kenya"]),
    ("ma", &["morocco"]),
    ("in", &["india"]),
    ("pk", &["pakistan"]),
    ("bd", &["bangladesh"]),
    ("lk", &["sri lanka"]),
    ("cn", &["china", "peoples republic of china"]),
    ("hk", &["hong kong", "hong kong sar"]),
    ("tw", &["taiwan"]),
    ("jp", &["japan"]),
    ("kr", &["south korea", "korea", "republic of korea"]),
    ("sg", &["singapore"]),
    ("my", &["malaysia"]),
    ("id", &["indonesia"]),
    ("th", &["thailand"]),
    ("vn", &["vietnam", "viet nam"]),
    ("ph", &["philippines"]),
    ("mx", &["mexico"]),
    ("br", &["brazil", "brasil"]),
    ("ar", &["argentina"]),
    ("cl", &["chile"]),
    ("co", &["colombia"]),
    ("pe", &["peru"]),
    ("uy", &["uruguay"]),
    ("cr", &["costa rica"]),
];
/// Metropolitan decorations on network profiles ("Greater Boston Area").
const METRO_PREFIXES: &[&str] = &["greater "];
const METRO_SUFFIXES: &[&str] =
    &[" metropolitan area", " metro area", " bay area", " area", " metropolitan region", " region", " metro"];

/// ISO alpha-2 code (lower case) of a country name, alias or code.
pub fn country_code(raw: &str) -> Option<&'static str> {
    let f = fold(raw);
    COUNTRIES.iter().find(|(code, names)| *code == f || names.contains(&f.as_str())).map(|(code, _)| *code)
}

fn region_table(country: &str) -> &'static [(&'static str, &'static str)] {
    match country {
        "us" => US_STATES,
        "ca" => CA_PROVINCES,
        "au" => AU_STATES,
        _ => &[],
    }
}

/// The region code for a name or code within `country` ("" tries the US, Canada, Australia),
/// with the country it belongs to.
fn region_code(raw: &str, country: &str) -> Option<(&'static str, &'static str)> {
    let f = fold(raw);
    ["us", "ca", "au"]
        .into_iter()
        .filter(|c| country.is_empty() || *c == country)
        .find_map(|c| region_table(c).iter().find(|(code, name)| *code == f || *name == f).map(|(code, _)| (*code, c)))
}

/// Region names that are far more often a city when they stand alone.
const CITY_FIRST: &[&str] = &["new york", "washington"];

impl Location {
    /// From structured fields, as Salesforce addresses have them.
    pub fn from_fields(city: &str, region: &str, country: &str) -> Self {
        let mut country = country_code(country).unwrap_or("").to_string();
        let region = match region_code(region, &country) {
            Some((code, inferred)) => {
                if country.is_empty() {
                    country = inferred.to_string();
                }
                code.to_string()
            }
            None => fold(region),
        };
        Self { city: strip_metro(&fold(city)).into(), region: region.into(), country: country.into() }
    }

    /// From free text such as "Sydney, New South Wales, Australia" or "Greater Boston Area".
    pub fn from_text(text: &str) -> Self {
        let mut parts: Vec<String> = text.split([',', ';', '/']).map(fold).filter(|p| !p.is_empty()).collect();
        let (mut city, mut region, mut country) = (String::new(), String::new(), String::new());
        if let Some(last) = parts.last() {
            if let Some(code) = country_code(last) {
                if matches!(last.as_str(), "england" | "scotland" | "wales" | "northern ireland") {
                    region = last.clone();
                }
                country = code.to_string();
                parts.pop();
            }
        }
        if parts.len() >= 2 {
            let last = parts.pop().unwrap_or_default();
            match region_code(&last, &country) {
                Some((code, inferred)) => {
                    region = code.to_string();
                    if country.is_empty() {
                        country = inferred.to_string();
                    }
                }
                None => region = last,
            }
        } else if let Some(only) = parts.first().filter(|p| p.len() > 3 && !CITY_FIRST.contains(&p.as_str())) {
            if let Some((code, inferred)) = region_code(only, &country) {
                region = code.to_string();
                if country.is_empty() {
                    country = inferred.to_string();
                }
                parts.clear();
            }
        }
        if let Some(first) = parts.first() {
            city = strip_metro(first);
        }
        Self { city: city.into(), region: region.into(), country: country.into() }
    }

    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self.city.is_empty() && self.region.is_empty() && self.country.is_empty()
    }
}

fn strip_metro(city: &str) -> String {
    let mut c = city;
    for p in METRO_PREFIXES {
        c = c.strip_prefix(p).unwrap_or(c);
    }
    for s in METRO_SUFFIXES {
        c = c.strip_suffix(s).unwrap_or(c);
    }
    match c {
        "new york city" | "nyc" => "new york".to_string(),
        "sf" | "san francisco bay" => "san francisco".to_string(),
        _ => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(city: &str, region: &str, country: &str) -> Location {
        Location { city: city.into(), region: region.into(), country: country.into() }
    }

    #[test]
    fn from_text_profile_forms() {
        assert_eq!(Location::from_text("Greater Boston Area"), loc("boston", "", ""));
        assert_eq!(Location::from_text("Sydney, New South Wales, Australia"), loc("sydney", "nsw", "au"));
        assert_eq!(Location::from_text("San Francisco Bay Area"), loc("san francisco", "", ""));
        assert_eq!(Location::from_text("London, England, United Kingdom"), loc("london", "england", "gb"));
        assert_eq!(Location::from_text("Berlin, Germany"), loc("berlin", "", "de"));
        assert_eq!(Location::from_text("Austin, TX"), loc("austin", "tx", "us"));
        assert_eq!(Location::from_text("United States"), loc("", "", "us"));
        assert_eq!(Location::from_text("München, Bayern, Deutschland"), loc("munchen", "bayern", "de"));
        assert_eq!(Location::from_text(""), Location::default());
        assert_eq!(Location::from_text("California"), loc("", "ca", "us"));
        assert_eq!(Location::from_text("New York"), loc("new york", "", ""));
    }

    #[test]
    fn from_fields_codes_and_inference() {
        assert_eq!(Location::from_fields("San Francisco", "CA", "USA"), loc("san francisco", "ca", "us"));
        assert_eq!(Location::from_fields("Toronto", "Ontario", ""), loc("toronto", "on", "ca"));
        assert_eq!(Location::from_fields("Melbourne", "VIC", "Australia"), loc("melbourne", "vic", "au"));
        assert_eq!(Location::from_fields("Paris", "", "FR"), loc("paris", "", "fr"));
        assert_eq!(Location::from_fields("Boston", "Massachusetts", ""), loc("boston", "ma", "us"));
    }
}
