//! The built browser pages (`dist/www`): the admin console, the embeddable widget page
//! and the wasm module, with the content types browsers require (`application/wasm`).
//! Security headers (framing only of the widget, by the org's own hosts) are added to
//! every answer by [`crate::security::headers`].

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// `/admin/`: the admin console page.
pub async fn admin_page(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    file(&state.settings.www_dir, Path::new("admin.html")).await
}

/// Any other GET: a file under the www folder, or 404.
pub async fn serve(State(state): State<Arc<AppState>>, uri: Uri) -> Result<Response, ApiError> {
    let relative = safe_relative(uri.path()).ok_or_else(|| ApiError::NotFound(uri.path().to_string()))?;
    file(&state.settings.www_dir, &relative).await
}

/// The request path as a relative path with no `..`, root or prefix components.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let decoded = crmsync::core::pages::percent_decode(path.trim_start_matches('/'));
    let relative = PathBuf::from(decoded);
    let clean = relative.components().all(|c| matches!(c, Component::Normal(_)));
    (clean && !relative.as_os_str().is_empty()).then_some(relative)
}

async fn file(root: &Path, relative: &Path) -> Result<Response, ApiError> {
    let path = root.join(relative);
    let not_found = || ApiError::NotFound(relative.display().to_string());
    let bytes = tokio::fs::read(&path).await.map_err(|_| not_found())?;
    let headers = [(header::CONTENT_TYPE, content_type(&path)), (header::CACHE_CONTROL, "no-cache")];
    Ok((headers, bytes).into_response())
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_relative_rejects_traversal() {
        assert_eq!(safe_relative("/pkg/crmsync_bg.wasm"), Some(PathBuf::from("pkg/crmsync_bg.wasm")));
        assert_eq!(safe_relative("/../secret.key"), None);
        assert_eq!(safe_relative("/pkg/%2e%2e/%2e%2e/etc/passwd"), None);
        assert_eq!(safe_relative("/"), None);
    }

    #[test]
    fn content_type_for_wasm() {
        assert_eq!(content_type(Path::new("a/b.wasm")), "application/wasm");
    }
}
