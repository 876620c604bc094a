//! Which pages may frame the widget: the connected org's own Lightning, Classic, Setup
//! and Visualforce hosts (docs/salesforce.md §7), derived from its instance URL, never every
//! Salesforce customer's.

/// The origins (`scheme://host[:port]`) of the org whose API lives at `instance_url`
/// that show record pages and may frame the widget. Empty when the URL is unreadable.
pub fn org_frame_origins(instance_url: &str) -> Vec<String> {
    let Some((scheme, rest)) = instance_url.split_once("://") else { return Vec::new() };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    let host_ok = !authority.is_empty()
        && authority.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !host_ok || !matches!(scheme, "http" | "https") {
        return Vec::new();
    }
    let own = format!("{scheme}://{authority}");
    if scheme != "https" {
        // A local simulator: its own origin is the only one.
        return vec![own];
    }
    // `<md>.my.salesforce.com`, `<md>--<sbx>.sandbox.my.salesforce.com`,
    // `<md>-dev-ed.develop.my.salesforce.com`.
    let Some(prefix) = authority.strip_suffix(".my.salesforce.com") else {
        // A pre-My Domain instance (`na1.salesforce.com`): itself and its Visualforce host.
        return match authority.strip_suffix(".salesforce.com") {
            Some(instance) if !instance.contains('.') => {
                vec![own, format!("https://c.{instance}.visual.force.com")]
            }
            _ => vec![own],
        };
    };
    let (name, flavour) = match prefix.split_once('.') {
        Some((name, flavour)) => (name, format!(".{flavour}")),
        None => (prefix, String::new()),
    };
    vec![
        own,
        format!("https://{name}{flavour}.lightning.force.com"),
        format!("https://{name}{flavour}.my.salesforce-setup.com"),
        format!("https://{name}--c{flavour}.vf.force.com"),
        format!("https://{name}--c.visualforce.com"),
    ]
}

/// The origins of the connected org: those of its instance URL and, when the identity
/// names one, of its My Domain (a real org's API host and its My Domain agree; a
/// simulator's do not). Where the widget may be framed and where the extension mounts it.
pub fn org_origins(instance_url: &str, my_domain_url: Option<&str>) -> Vec<String> {
    let mut origins = org_frame_origins(instance_url);
    for origin in my_domain_url.map(org_frame_origins).unwrap_or_default() {
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    origins
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simulator_with_a_my_domain_has_both_sets() {
        let both = org_origins("http://127.0.0.1:8788", Some("https://acme.my.salesforce.com"));
        assert_eq!(both[0], "http://127.0.0.1:8788");
        assert!(both.contains(&"https://acme.lightning.force.com".to_string()));
        assert_eq!(org_origins("https://acme.my.salesforce.com", Some("https://acme.my.salesforce.com")).len(), 5);
        assert_eq!(org_origins("https://acme.my.salesforce.com", Some("javascript:x")).len(), 5);
    }

    #[test]
    fn production_sandbox_and_developer_hosts() {
        assert_eq!(
            org_frame_origins("https://acme.my.salesforce.com"),
            [
                "https://acme.my.salesforce.com",
                "https://acme.lightning.force.com",
                "https://acme.my.salesforce-setup.com",
                "https://acme--c.vf.force.com",
                "https://acme--c.visualforce.com",
            ]
        );
        let sandbox = org_frame_origins("https://acme--uat.sandbox.my.salesforce.com/");
        assert!(sandbox.contains(&"https://acme--uat.sandbox.lightning.force.com".to_string()), "{sandbox:?}");
        assert!(sandbox.contains(&"https://acme--uat--c.sandbox.vf.force.com".to_string()), "{sandbox:?}");
        let dev = org_frame_origins("https://acme-dev-ed.develop.my.salesforce.com");
        assert!(dev.contains(&"https://acme-dev-ed.develop.lightning.force.com".to_string()), "{dev:?}");
    }

    #[test]
    fn classic_instances_simulators_and_junk() {
        assert_eq!(
            org_frame_origins("https://na1.salesforce.com"),
            ["https://na1.salesforce.com", "https://c.na1.visual.force.com"]
        );
        assert_eq!(org_frame_origins("http://127.0.0.1:8788"), ["http://127.0.0.1:8788"]);
        assert!(org_frame_origins("javascript:alert(1)").is_empty());
        assert!(org_frame_origins("https://a b.my.salesforce.com").is_empty());
        assert!(org_frame_origins("https://x.com;script-src *").is_empty());
    }
}
