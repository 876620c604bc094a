//! `GET /api/openapi.json`: the OpenAPI 3.1 description of the relay's HTTP API, kept in
//! `relay/openapi.json` and checked against the route table by a test.

use axum::http::header;
use axum::response::IntoResponse;

/// Where the document is served.
pub const PATH: &str = "/api/openapi.json";

/// The document, as written.
pub const DOCUMENT: &str = include_str!("../../openapi.json");

/// Serves the document.
pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_route_is_documented_with_its_method_and_access_and_nothing_else() {
        use crate::router::{Access, ROUTES};
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).unwrap_or_default();
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        assert!(!paths.is_empty(), "the document has no paths");
        let api_routes: Vec<_> = ROUTES.iter().filter(|r| r.path.starts_with("/api/v1/")).collect();
        for route in &api_routes {
            let operation = &paths.get(route.path).map(|p| p[route.method.to_ascii_lowercase()].clone());
            let operation = operation.as_ref().filter(|o| o.is_object());
            let Some(operation) = operation else {
                panic!("{} {} is routed but not in openapi.json", route.method, route.path)
            };
            let scheme = operation["security"][0].as_object().and_then(|s| s.keys().next().cloned());
            let expected = match route.access {
                Access::Public(_) => None,
                Access::Rep => Some("bearer".to_string()),
                Access::Admin => Some("adminCookie".to_string()),
            };
            assert_eq!(scheme, expected, "{} {}: documented security", route.method, route.path);
        }
        for (path, operations) in &paths {
            for method in operations.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
                if method == "parameters" {
                    continue;
                }
                let routed = api_routes.iter().any(|r| r.path == path && r.method.eq_ignore_ascii_case(&method));
                assert!(routed, "{} {path} is in openapi.json but not routed", method.to_ascii_uppercase());
            }
        }
    }
}
