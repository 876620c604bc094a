//! What the relay tells its operator: one log line per request (method, route template,
//! status, latency, the rep or admin it acted for — never a token, a query string or a
//! record id), spans around jobs, and the log format (`CRMSYNC_LOG_FORMAT=text|json`) and
//! level (`CRMSYNC_LOG=error|warn|info|debug|trace`).

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Reads `CRMSYNC_LOG_FORMAT` and `CRMSYNC_LOG`; a value that is neither is an error that
/// names it, never a silent fallback.
pub fn log_settings(lookup: impl Fn(&str) -> Option<String>) -> Result<(LogFormat, tracing::Level), String> {
    let format = match lookup("CRMSYNC_LOG_FORMAT").as_deref().map(str::trim) {
        None | Some("") | Some("text") => LogFormat::Text,
        Some("json") => LogFormat::Json,
        Some(other) => return Err(format!("CRMSYNC_LOG_FORMAT {other:?} is not one of text, json")),
    };
    let level = match lookup("CRMSYNC_LOG").as_deref().map(str::trim) {
        None | Some("") => tracing::Level::INFO,
        Some(value) => {
            value.parse().map_err(|_| format!("CRMSYNC_LOG {value:?} is not one of error, warn, info, debug, trace"))?
        }
    };
    Ok((format, level))
}

/// Installs the global subscriber (stderr) for `format` and `level`.
pub fn init(format: LogFormat, level: tracing::Level) {
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_max_level(level);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).init(),
    }
}

/// Middleware: runs the request inside a `request` span (method, route; the extractors
/// add `user` once they know who calls) and logs its outcome.
pub async fn trace_requests(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("(page or unknown)", |p| p.as_str()).to_string();
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        route = %route,
        user = tracing::field::Empty
    );
    let started = Instant::now();
    async move {
        let response = next.run(request).await;
        let status = response.status().as_u16();
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        if status >= 500 {
            tracing::error!(status, latency_ms, "request failed");
        } else {
            tracing::info!(status, latency_ms, "request");
        }
        response
    }
    .instrument(span)
    .await
}

/// Names the caller in the current request's span (a Salesforce user id, not a token).
pub fn record_user(user_id: &str) {
    tracing::Span::current().record("user", user_id);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<(LogFormat, tracing::Level), String> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        log_settings(|k| vars.iter().find(|(name, _)| name == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn formats_and_levels_are_read_or_refused_by_name() {
        assert_eq!(settings(&[]), Ok((LogFormat::Text, tracing::Level::INFO)));
        assert_eq!(
            settings(&[("CRMSYNC_LOG_FORMAT", "json"), ("CRMSYNC_LOG", "debug")]),
            Ok((LogFormat::Json, tracing::Level::DEBUG))
        );
        assert!(settings(&[("CRMSYNC_LOG_FORMAT", "yaml")]).unwrap_err().contains("\"yaml\" is not one of text, json"));
        assert!(settings(&[("CRMSYNC_LOG", "loud")]).unwrap_err().contains("CRMSYNC_LOG \"loud\""));
    }
}
