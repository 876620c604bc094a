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
    fn every_api_route_is_documented_and_nothing_else() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).unwrap_or_default();
        let documented: Vec<&String> = doc["paths"].as_object().map(|p| p.keys().collect()).unwrap_or_default();
        assert!(!documented.is_empty(), "the document has no paths");
        let router = include_str!("../router.rs");
        let mut routed: Vec<String> = router
            .split(".route(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .filter(|path| path.starts_with("/api/v1/"))
            .map(str::to_string)
            .collect();
        // The callback is routed through a constant.
        routed.push(crate::handlers::connect::CALLBACK_PATH.to_string());
        for path in &routed {
            assert!(documented.contains(&path), "{path} is routed but not in openapi.json");
        }
        for path in documented {
            assert!(routed.contains(path), "{path} is in openapi.json but not routed");
        }
    }
}
