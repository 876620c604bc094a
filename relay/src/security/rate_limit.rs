//! Per-caller rate limits: each session token (bearer or admin cookie) and, for calls
//! without one, each remote address gets `CRMSYNC_RATE_LIMIT_PER_MINUTE` requests a
//! minute as a token bucket, so one client's flood of sign-ins or uploads cannot starve
//! the others. Calls from this machine without a token are not limited (a reverse proxy
//! in front, or the operator's own tools).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::secrets::token_hash;
use crate::state::AppState;

/// Most callers tracked at once; past it, idle ones are forgotten first.
const MAX_CALLERS: usize = 100_000;

/// One caller's bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of every recent caller.
#[derive(Default)]
pub struct RateLimits(Mutex<HashMap<String, Bucket>>);

impl RateLimits {
    /// Takes one request from `key`'s bucket; `Err(seconds)` to wait when it is empty.
    pub fn take(&self, key: &str, per_minute: u32, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(per_minute);
        let per_second = capacity / 60.0;
        let Ok(mut buckets) = self.0.lock() else { return Ok(()) };
        if buckets.len() >= MAX_CALLERS && !buckets.contains_key(key) {
            // Full buckets are callers that stopped: forgetting them changes nothing.
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * per_second < capacity);
            if buckets.len() >= MAX_CALLERS {
                return Err(60);
            }
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket { tokens: capacity, at: now });
        bucket.tokens = (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * per_second).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

/// Whose bucket a request draws on: its token, else its remote address (`None`: not
/// limited).
fn caller(request: &Request) -> Option<String> {
    let headers = request.headers();
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        return Some(format!("token:{}", token_hash(auth.trim())));
    }
    if let Some(cookie) = super::login::cookie(headers, crate::handlers::admin_session::ADMIN_COOKIE) {
        return Some(format!("cookie:{}", token_hash(&cookie)));
    }
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>()?.0.ip();
    (!peer.is_loopback()).then(|| format!("address:{peer}"))
}

/// Answers 429 with `Retry-After` once a caller's bucket is empty.
pub async fn limit(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if let Some(key) = caller(&request) {
        if let Err(wait) = state.rate_limits.take(&key, state.settings.rate_limit_per_minute, Instant::now()) {
            let body = json!({ "error": { "code": "rate_limited", "message": format!(
                "too many requests from this caller; try again in {wait} s (CRMSYNC_RATE_LIMIT_PER_MINUTE is {})",
                state.settings.rate_limit_per_minute
            ) } });
            let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
            if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return response;
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_bucket_empties_refills_and_is_per_caller() {
        let limits = RateLimits::default();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limits.take("a", 3, t0), Ok(()));
        }
        assert_eq!(limits.take("a", 3, t0), Err(20));
        assert_eq!(limits.take("b", 3, t0), Ok(()), "another caller has its own bucket");
        assert_eq!(limits.take("a", 3, t0 + Duration::from_secs(20)), Ok(()), "one request back after 20 s");
        assert!(limits.take("a", 3, t0 + Duration::from_secs(20)).is_err());
    }
}
