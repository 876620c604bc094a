//! A profile's headline ("VP Sales at Acme | Speaker") split into the role it names and
//! the employer: what a page shows when it has no separate title or company field.

/// Where the employer starts: after the last " at " or " @ " (or its German or French
/// form), as (start of the separator, end of it).
fn employer_separator(headline: &str) -> Option<(usize, usize)> {
    [" at ", " @ ", " bei ", " chez "]
        .iter()
        .filter_map(|sep| headline.rfind(sep).map(|i| (i, i + sep.len())))
        .max_by_key(|&(start, _)| start)
}

/// The employer named in a headline: what follows the last " at " or " @ ", up to a
/// `|`, `·` or comma ("VP Sales at Acme | Speaker" → "Acme"); empty when none is named.
pub fn company_from_headline(headline: &str) -> &str {
    let Some((_, start)) = employer_separator(headline) else { return "" };
    headline[start..].split(['|', '·', ',']).next().unwrap_or_default().trim()
}

/// The role in a headline: what precedes the employer ("VP Sales at Acme | Speaker" →
/// "VP Sales"); the headline's first part when it names no employer ("Founder | Investor"
/// → "Founder").
pub fn title_from_headline(headline: &str) -> &str {
    let head = employer_separator(headline).map_or(headline, |(end, _)| &headline[..end]);
    head.split(['|', '·']).next().unwrap_or_default().trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_names_the_company() {
        assert_eq!(company_from_headline("Head of Sales at Acme Corp | Speaker"), "Acme Corp");
        assert_eq!(company_from_headline("Founder @ Widgets, ex-Google"), "Widgets");
        assert_eq!(company_from_headline("Data at scale at Initech"), "Initech");
        assert_eq!(company_from_headline("Consultant"), "");
    }

    #[test]
    fn a_headline_gives_its_role() {
        assert_eq!(title_from_headline("VP Sales at Acme | Speaker"), "VP Sales");
        assert_eq!(title_from_headline("Head of Growth @ Globex"), "Head of Growth");
        assert_eq!(title_from_headline("Data at scale at Initech"), "Data at scale");
        assert_eq!(title_from_headline("Founder | Investor"), "Founder");
        assert_eq!(title_from_headline(""), "");
    }
}
