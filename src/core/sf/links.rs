//! Links that open a record in the org's Lightning Experience (docs/salesforce.md §7): the
//! instance's `*.my.salesforce.com` host becomes `*.lightning.force.com`.

/// The Lightning host for an instance URL's host, when it is a My Domain host.
fn lightning_host(host: &str) -> Option<String> {
    let name = host.strip_suffix(".my.salesforce.com")?;
    // Sandboxes: `acme--dev.sandbox.my.salesforce.com` → `acme--dev.sandbox.lightning.force.com`.
    Some(format!("{name}.lightning.force.com"))
}

/// `https://<org>.lightning.force.com/lightning/r/<object>/<id>/view` for a My Domain
/// instance; on any other host (a proxy, sfsim) the same path under the instance itself.
pub fn record_url(instance_url: &str, object: &str, id: &str) -> String {
    let instance = instance_url.trim_end_matches('/');
    let (scheme, host) = instance.split_once("://").unwrap_or(("https", instance));
    let base = match lightning_host(host) {
        Some(lightning) => format!("{scheme}://{lightning}"),
        None => instance.to_string(),
    };
    format!("{base}/lightning/r/{object}/{id}/view")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn my_domain_instances_open_on_the_lightning_domain() {
        assert_eq!(
            record_url("https://acme.my.salesforce.com", "Task", "00T000000000001AAA"),
            "https://acme.lightning.force.com/lightning/r/Task/00T000000000001AAA/view"
        );
        assert_eq!(
            record_url("https://acme--dev.sandbox.my.salesforce.com/", "Note", "002000000000001AAA"),
            "https://acme--dev.sandbox.lightning.force.com/lightning/r/Note/002000000000001AAA/view"
        );
    }

    #[test]
    fn other_hosts_keep_the_instance() {
        assert_eq!(
            record_url("http://127.0.0.1:9000", "Task", "00T000000000001AAA"),
            "http://127.0.0.1:9000/lightning/r/Task/00T000000000001AAA/view"
        );
    }
}
